// Module-level tables, read through a dynamic import inside the test: a mutant that makes a module
// throw while it loads then fails this test (a static import would fail the file before any test
// ran, which the mutation runner does not count as a kill). See docs/mutation.md.
import { describe, expect, it } from 'vitest';

describe('x86 module tables', () => {
  it('names every SEV status bit of sev_status_feat_names[] with its aliases', async () => {
    const { SEV_STATUS_BITS } = await import('../src/index.js');
    expect(SEV_STATUS_BITS.map((b) => [b.bit, b.name, ...b.aliases])).toEqual([
      [0, 'SEV'],
      [1, 'SEV-ES'],
      [2, 'SEV-SNP'],
      [3, 'vTom'],
      [4, 'ReflectVC', 'Reflect VC'],
      [5, 'RI'],
      [6, 'AI'],
      [7, 'DebugSwap'],
      [8, 'NoHostIBS', 'No HostIBS'],
      [9, 'BTBIsol', 'BTB Isol'],
      [10, 'VmplSSS'],
      [11, 'SecureTSC', 'Secure TSC'],
      [12, 'VMGExitParam', 'VMGExit param'],
      [14, 'IBSVirt', 'IBS Virt'],
      [16, 'VMSARegProt', 'VMSA reg prot'],
      [17, 'SMTProt', 'SMT prot'],
      [18, 'SecureAVIC'],
      [23, 'IBPBOnEntry'],
    ]);
  });

  it('reads status lines and names bits from those tables', async () => {
    const { parseSevStatusLine, sevStatusBitName, SEV_STATUS_SPELLINGS } = await import('../src/index.js');
    expect(parseSevStatusLine('SEV: Status: SEV SEV-ES SEV-SNP vTom')?.status).toBe(0xfn);
    expect(sevStatusBitName(23)).toBe('IBPBOnEntry');
    expect(SEV_STATUS_SPELLINGS.map(([s]) => s)).toContain('No HostIBS');
  });

  it("carries systemd's x86 procedure under its id", async () => {
    const { X86_CVM_PROCEDURE, systemdCvmX86 } = await import('../src/index.js');
    expect(X86_CVM_PROCEDURE.id).toBe('systemd-x86_64');
    expect(X86_CVM_PROCEDURE.read).toBe(systemdCvmX86);
  });
});
