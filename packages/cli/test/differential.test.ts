// Differential test: coco against two small models written for this test from their sources
// (not copied, and sharing no code with coco): systemd's `--cvm` procedure
// (src/basic/confidential-virt.c with PRs #33872 and #42697) and the newest kernel's boot rules for
// the type and its attributes (arch/x86/boot/startup/sme.c, arch/x86/coco/core.c,
// arch/x86/coco/tdx/tdx.c, arch/x86/kernel/cpu/mshyperv.c, arch/x86/hyperv/ivm.c, v6.18). Machines
// are generated from plausible scenarios, then sources are dropped or made unreadable at random.
// Every case agrees, or falls under a row of the documented-differences table (docs/differences.md),
// named here where it applies.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRegistry, type Detection, EvidenceBuilder } from '@coco/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../src/index.js';

type Vendor = 'AuthenticAMD' | 'GenuineIntel' | 'HygonGenuine' | 'CentaurHauls';
type HvSig = 'none' | 'Microsoft Hv' | 'KVMKVMKVM\0\0\0' | 'XenVMMXenVMM';

/** A machine as the models see it: plain fields, `undefined` where the evidence lacks the source. */
interface Machine {
  vendor?: Vendor;
  basicMax: number;
  hypervisorBit?: boolean;
  tdxSignature?: boolean; // leaf 0x21; undefined: leaf not in the evidence
  extMax?: number;
  memEncrypt?: { eax: number; ebx: number }; // leaf 0x8000001F
  hvSig: HvSig;
  hvMax: number;
  hvHigh?: number; // 0x40000003 EBX
  hvConfig?: { eax: number; ebx: number }; // 0x4000000C
  status?: bigint | 'unreadable';
  syscfg?: bigint;
}

const ISOLATED = 0x7b8030;
const PLAIN = 0x3b8030;
const ROOT = 0x7b9030;
const bits = (v: number, from: number, n: number) => (v >>> from) & ((1 << n) - 1);

// ---- systemd's procedure, as its source reads ------------------------------------------------
type Label = 'none' | 'sev' | 'sev-es' | 'sev-snp' | 'tdx' | 'missing';

function systemdModel(m: Machine): Label {
  if (m.hypervisorBit === undefined) return 'missing';
  if (!m.hypervisorBit) return 'none';
  if (m.vendor === undefined) return 'missing';
  const hyperv = (wanted: number): boolean | 'missing' => {
    // CPUID 0x40000000 always answers on a real CPU: a leaf the evidence lacks is not a "no".
    if (m.hvSig === 'none') return 'missing';
    if (m.hvMax < 0x40000005 || m.hvMax > 0x4000ffff || m.hvSig !== 'Microsoft Hv') return false;
    if (m.hvHigh === undefined) return 'missing';
    if (!((m.hvHigh >>> 22) & 1) || (m.hvHigh >>> 12) & 1) return false;
    if (m.hvConfig === undefined) return 'missing';
    return (m.hvConfig.ebx & 0xf) === wanted;
  };
  if (m.vendor === 'AuthenticAMD') {
    if (m.extMax === undefined) return 'missing';
    if (m.extMax < 0x8000001f) return 'none';
    if (m.memEncrypt === undefined) return 'missing';
    if (!(m.memEncrypt.eax & 2)) {
      const h = hyperv(2);
      return h === 'missing' ? 'missing' : h ? 'sev-snp' : 'none';
    }
    if (m.status === undefined) return 'missing';
    if (m.status === 'unreadable') return 'sev';
    if (m.status & 4n) return 'sev-snp';
    if (m.status & 2n) return 'sev-es';
    return m.status & 1n ? 'sev' : 'none';
  }
  if (m.vendor === 'GenuineIntel') {
    if (m.basicMax < 0x21) return 'none';
    if (m.tdxSignature === undefined) return 'missing';
    if (m.tdxSignature) return 'tdx';
    const h = hyperv(3);
    return h === 'missing' ? 'missing' : h ? 'tdx' : 'none';
  }
  return 'none';
}

// ---- the kernel's boot rules --------------------------------------------------------------
type Kernel =
  | {
      kind: 'type';
      id: string;
      variant: string | null;
      attributes: string[];
      maskBit: number | null;
      guest: boolean;
    }
  /** Hyper-V's isolation config names the type, but the registers that refine it are missing. */
  | { kind: 'partial'; id: string; variant: string | null }
  | { kind: 'none' }
  | { kind: 'unknown' };

const sevAttributes = (s: bigint): string[] => {
  const a = ['mem-encrypt'];
  const sev = (s & 1n) === 1n;
  const es = (s & 2n) === 2n;
  if (!sev) a.push('host-mem-encrypt');
  if (sev) a.push('guest-mem-encrypt');
  if (es) a.push('guest-state-encrypt');
  if (sev && !es) a.push('guest-unroll-string-io');
  if (s & 4n) a.push('guest-sev-snp');
  if ((s >> 11n) & 1n) a.push('guest-snp-secure-tsc');
  if ((s >> 18n) & 1n) a.push('snp-secure-avic');
  return a.sort();
};
const TDX = ['guest-mem-encrypt', 'guest-unroll-string-io', 'mem-encrypt'];

function cbitPath(m: Machine, snpRequired: boolean): Kernel {
  if (m.extMax === undefined || (m.extMax >= 0x8000001f && m.memEncrypt === undefined)) {
    // The status MSR is the hardware's own word that SEV is on (it has SEV set only inside a SEV
    // guest); the C-bit position is then unknown.
    if (typeof m.status === 'bigint' && m.status & 1n) {
      const s = m.status;
      const variant = s & 4n ? 'sev-snp' : s & 2n ? 'sev-es' : 'sev';
      return {
        kind: 'type',
        id: 'amd-cbit',
        variant,
        attributes: sevAttributes(s),
        maskBit: null,
        guest: true,
      };
    }
    return { kind: 'unknown' };
  }
  if (m.extMax < 0x8000001f || !(m.memEncrypt!.eax & 3)) return { kind: 'none' };
  const cbit = bits(m.memEncrypt!.ebx, 0, 6);
  const maskBit = cbit >= 12 && cbit <= 51 ? cbit : null;
  if (m.status === undefined || m.status === 'unreadable') return { kind: 'unknown' };
  const s = m.status;
  if (s & 1n) {
    const variant = s & 4n ? 'sev-snp' : s & 2n ? 'sev-es' : 'sev';
    if (snpRequired && variant !== 'sev-snp') return { kind: 'unknown' };
    return { kind: 'type', id: 'amd-cbit', variant, attributes: sevAttributes(s), maskBit, guest: true };
  }
  if (m.hypervisorBit === false && m.syscfg !== undefined && (m.syscfg >> 23n) & 1n) {
    return {
      kind: 'type',
      id: 'amd-cbit',
      variant: 'sme',
      attributes: sevAttributes(0n),
      maskBit,
      guest: false,
    };
  }
  return { kind: 'none' };
}

/** What the kernel's own paths say when Hyper-V's isolation is not known from the evidence. */
function withoutHyperv(m: Machine): Kernel {
  // tdx_early_init and sme_enable run before Hyper-V's code.
  if (m.tdxSignature)
    return { kind: 'type', id: 'tdx', variant: null, attributes: TDX, maskBit: null, guest: true };
  // The status MSR with vTOM: only Hyper-V's VBS/SNP vTOM scheme has it; the boundary is unknown.
  if (typeof m.status === 'bigint' && (m.status >> 3n) & 1n) {
    return {
      kind: 'type',
      id: 'amd-vtom',
      variant: null,
      attributes: ['guest-mem-encrypt', 'mem-encrypt'],
      maskBit: null,
      guest: true,
    };
  }
  const path = cbitPath(m, false);
  return path.kind === 'type' ? path : { kind: 'unknown' };
}

function kernelModel(m: Machine): Kernel {
  const hv = m.hvSig === 'Microsoft Hv' && m.hvMax >= 0x40000005 && m.hvMax <= 0x4000ffff;
  if (hv && m.hvHigh === undefined) return withoutHyperv(m);
  if (hv && m.hvHigh !== undefined && (m.hvHigh >>> 22) & 1 && !((m.hvHigh >>> 12) & 1)) {
    if (m.hvConfig === undefined || m.hvMax < 0x4000000c) return withoutHyperv(m);
    const type = m.hvConfig.ebx & 0xf;
    const paravisor = (m.hvConfig.eax & 1) === 1;
    const active = (m.hvConfig.ebx >>> 5) & 1;
    const boundary = bits(m.hvConfig.ebx, 6, 6);
    const maskBit = active && boundary >= 12 && boundary <= 51 ? boundary : null;
    if (type === 1 || ((type === 2 || type === 3) && paravisor)) {
      return type === 3
        ? { kind: 'type', id: 'tdx', variant: null, attributes: TDX, maskBit, guest: true }
        : {
            kind: 'type',
            id: 'amd-vtom',
            variant: null,
            attributes: ['guest-mem-encrypt', 'mem-encrypt'],
            maskBit,
            guest: true,
          };
    }
    // hv_vtom_init panics on an isolation type it does not know: such a kernel never boots.
    if (type > 3) return { kind: 'unknown' };
    if (type === 2) {
      const path = cbitPath(m, true);
      return path.kind === 'unknown' ? { kind: 'partial', id: 'amd-cbit', variant: 'sev-snp' } : path;
    }
    if (type === 3) {
      if (m.tdxSignature === undefined) return { kind: 'partial', id: 'tdx', variant: null };
      return m.tdxSignature
        ? { kind: 'type', id: 'tdx', variant: null, attributes: TDX, maskBit: null, guest: true }
        : { kind: 'unknown' };
    }
  }
  if (m.tdxSignature)
    return { kind: 'type', id: 'tdx', variant: null, attributes: TDX, maskBit: null, guest: true };
  return cbitPath(m, false);
}

// ---- machines ---------------------------------------------------------------------------------
const ascii = (t: string, at: number) =>
  (t.charCodeAt(at) |
    (t.charCodeAt(at + 1) << 8) |
    (t.charCodeAt(at + 2) << 16) |
    (t.charCodeAt(at + 3) << 24)) >>>
  0;

function evidenceOf(m: Machine) {
  const b = new EvidenceBuilder();
  const src = 'generated';
  const regs = (eax: number, ebx = 0, ecx = 0, edx = 0) => ({ eax: eax >>> 0, ebx, ecx, edx });
  if (m.vendor)
    b.addCpuid(0, 0, regs(m.basicMax, ascii(m.vendor, 0), ascii(m.vendor, 8), ascii(m.vendor, 4)), src);
  if (m.hypervisorBit !== undefined)
    b.addCpuid(1, 0, regs(0xa00f11, 0, m.hypervisorBit ? 0x8000_0000 : 0), src);
  if (m.tdxSignature !== undefined) {
    const sig = m.tdxSignature ? 'IntelTDX    ' : '\0\0\0\0\0\0\0\0\0\0\0\0';
    b.addCpuid(0x21, 0, regs(0, ascii(sig, 0), ascii(sig, 8), ascii(sig, 4)), src);
  }
  if (m.extMax !== undefined) b.addCpuid(0x8000_0000, 0, regs(m.extMax), src);
  if (m.memEncrypt) b.addCpuid(0x8000_001f, 0, regs(m.memEncrypt.eax, m.memEncrypt.ebx), src);
  if (m.hvSig !== 'none') {
    b.addCpuid(0x4000_0000, 0, regs(m.hvMax, ascii(m.hvSig, 0), ascii(m.hvSig, 4), ascii(m.hvSig, 8)), src);
    if (m.hvHigh !== undefined) b.addCpuid(0x4000_0003, 0, regs(0, m.hvHigh), src);
    if (m.hvConfig) b.addCpuid(0x4000_000c, 0, regs(m.hvConfig.eax, m.hvConfig.ebx), src);
  }
  if (m.status === 'unreadable') {
    b.addUnavailable({
      source: '/dev/cpu/0/msr',
      kind: 'msr',
      reason: 'permission denied',
      fix: 'run as root',
    });
  } else if (m.status !== undefined) b.addMsr(0xc001_0131, m.status, src);
  if (m.syscfg !== undefined) b.addMsr(0xc001_0010, m.syscfg, src);
  return b.build();
}

const snpStatus = fc.constantFrom(0x7n, 0x87n, 0x807n, 0x40007n);
const scenario: fc.Arbitrary<Machine> = fc.oneof(
  // An ordinary guest or bare metal, Intel or AMD or another vendor.
  fc
    .record({
      vendor: fc.constantFrom<Vendor>('GenuineIntel', 'AuthenticAMD', 'CentaurHauls'),
      basicMax: fc.constantFrom(0xd, 0x1f, 0x20, 0x23),
      hypervisorBit: fc.boolean(),
      extMax: fc.constantFrom(0x8000_0008, 0x8000_001e),
      hvSig: fc.constantFrom<HvSig>('none', 'KVMKVMKVM\0\0\0', 'XenVMMXenVMM'),
      hvMax: fc.constantFrom(0x4000_0001, 0x4000_000c),
    })
    .map((m): Machine => ({ ...m, ...(m.basicMax >= 0x21 && { tdxSignature: false }), status: 0n })),
  // A direct TDX guest, or one on Hyper-V without a paravisor.
  fc.record({ hyperv: fc.boolean(), basicMax: fc.constantFrom(0x21, 0x23) }).map(
    ({ hyperv, basicMax }): Machine => ({
      vendor: 'GenuineIntel',
      basicMax,
      hypervisorBit: true,
      tdxSignature: true,
      extMax: 0x8000_0008,
      hvSig: hyperv ? 'Microsoft Hv' : 'KVMKVMKVM\0\0\0',
      hvMax: hyperv ? 0x4000_000c : 0x4000_0001,
      ...(hyperv && { hvHigh: ISOLATED, hvConfig: { eax: 0, ebx: 3 } }),
    }),
  ),
  // A C-bit SEV, SEV-ES or SNP guest (KVM), possibly a Hygon one.
  fc
    .record({
      vendor: fc.constantFrom<Vendor>('AuthenticAMD', 'HygonGenuine'),
      status: fc.constantFrom(0x1n, 0x3n, 0x7n, 0x87n, 0x807n),
      cbit: fc.constantFrom(47, 51),
    })
    .map(
      ({ vendor, status, cbit }): Machine => ({
        vendor,
        basicMax: 0x10,
        hypervisorBit: true,
        extMax: 0x8000_0021,
        memEncrypt: { eax: status & 4n ? 0x1b : status & 2n ? 0xb : 0x3, ebx: cbit | (1 << 6) },
        hvSig: 'KVMKVMKVM\0\0\0',
        hvMax: 0x4000_0001,
        status,
      }),
    ),
  // Hyper-V isolated guests: VBS, SNP or TDX, with or without a paravisor, boundary 46 or 47.
  fc
    .record({
      type: fc.constantFrom(1, 2, 3, 0, 5),
      paravisor: fc.boolean(),
      boundary: fc.constantFrom(46, 47),
      status: snpStatus,
      high: fc.constantFrom(ISOLATED, ISOLATED, PLAIN, ROOT),
    })
    .map(({ type, paravisor, boundary, status, high }): Machine => {
      const intel = type === 3 || (type === 1 && boundary === 47);
      const vtomStatus = 0x103dfn;
      return {
        vendor: intel ? 'GenuineIntel' : 'AuthenticAMD',
        basicMax: intel ? 0x21 : 0x10,
        hypervisorBit: true,
        ...(intel && { tdxSignature: type === 3 && !paravisor }),
        extMax: intel ? 0x8000_0008 : 0x8000_0021,
        ...(!intel && {
          memEncrypt: type === 2 && !paravisor ? { eax: 0x1b, ebx: 51 | (1 << 6) } : { eax: 0, ebx: 0 },
          status:
            type === 2 && !paravisor ? status : type === 0 || type > 3 || high !== ISOLATED ? 0n : vtomStatus,
        }),
        hvSig: 'Microsoft Hv',
        hvMax: 0x4000_000c,
        hvHigh: high,
        hvConfig: { eax: paravisor ? 1 : 0, ebx: type | (1 << 5) | (boundary << 6) },
      };
    }),
  // An SME host: bare metal with SME in CPUID 0x8000001F, status 0 and SYSCFG bit 23, or not.
  fc.record({ eax: fc.constantFrom(0x1, 0x3, 0x0), syscfg: fc.constantFrom(0x800000n, 0x0n) }).map(
    ({ eax, syscfg }): Machine => ({
      vendor: 'AuthenticAMD',
      basicMax: 0x10,
      hypervisorBit: false,
      extMax: 0x8000_0021,
      memEncrypt: { eax, ebx: 47 | (5 << 6) },
      hvSig: 'none',
      hvMax: 0,
      status: 0n,
      syscfg,
    }),
  ),
);

/** Drops sources or makes the MSR unreadable, as a run without root or a partial dump would. */
const damaged = fc
  .tuple(
    scenario,
    fc.constantFrom('none', 'none', 'leaf1', 'leaf0', 'ext', 'msr', 'msr-missing', 'hv3', 'hv12'),
  )
  .map(([m, damage]): Machine => {
    const d: Machine = { ...m };
    if (damage === 'leaf1') delete d.hypervisorBit;
    if (damage === 'leaf0') delete d.vendor;
    if (damage === 'ext') delete d.extMax;
    if (damage === 'msr' && d.status !== undefined) d.status = 'unreadable';
    if (damage === 'msr-missing') delete d.status;
    if (damage === 'hv3') delete d.hvHigh;
    if (damage === 'hv12') delete d.hvConfig;
    return d;
  });

const registry = () => {
  const r = createRegistry();
  for (const p of BUILTIN_PLUGINS) r.use(p);
  return r.seal();
};

const RUNS = 3000;

describe('differential: coco against models of systemd and the kernel', () => {
  const totals = {
    labelsAgree: 0,
    labelConflicts: 0,
    labelMissingInput: 0,
    typesAgree: 0,
    typesCannotTell: 0,
    typesPartial: 0,
    noneAgree: 0,
    noneCannotTell: 0,
    kernelUnknown: 0,
  };
  // The totals, for the record (docs/differences.md cites them): .vitest/differential.json.
  afterAll(() => {
    mkdirSync('.vitest', { recursive: true });
    writeFileSync('.vitest/differential.json', `${JSON.stringify({ runs: RUNS, ...totals }, null, 2)}\n`);
  });

  it(`agrees with systemd's procedure on the --cvm label (${RUNS} machines)`, () => {
    const r = registry();
    fc.assert(
      fc.property(damaged, (m) => {
        const d: Detection = r.detect(evidenceOf(m));
        const model = systemdModel(m);
        if (d.conflicts.length > 0) {
          // Differences table, row "conflict": coco prints no label where the evidence contradicts itself.
          expect(d.cvm).toBeNull();
          totals.labelConflicts++;
        } else if (model === 'missing') {
          // Row "missing input": coco gives the label systemd prints for the type it found (or none/null).
          totals.labelMissingInput++;
          if (d.confidential === null) expect(d.cvm).toBeNull();
          else expect(d.cvm).toBe(d.confidential ? d.type?.cvm : 'none');
        } else {
          totals.labelsAgree++;
          expect(d.cvm).toBe(model);
        }
      }),
      { numRuns: RUNS, seed: 20261130 },
    );
    expect(totals.labelsAgree).toBeGreaterThan(RUNS / 3);
  });

  it(`agrees with the kernel on the type, variant, attributes and mask (${RUNS} machines)`, () => {
    const r = registry();
    fc.assert(
      fc.property(damaged, (m) => {
        const d = r.detect(evidenceOf(m));
        const kernel = kernelModel(m);
        if (kernel.kind === 'type') {
          if (d.confidential === null) {
            // Row "cannot tell": coco needs positive evidence that no source contradicts, which a
            // damaged machine may lack; it never answers another type.
            totals.typesCannotTell++;
            expect(d.type).toBeNull();
            return;
          }
          totals.typesAgree++;
          expect({
            id: d.type?.id,
            variant: d.type?.variant,
            attributes: d.type?.attributes.ids,
            maskBit: d.type?.marking?.maskBit ?? null,
            guest: d.confidential,
          }).toEqual({
            id: kernel.id,
            variant: kernel.variant,
            attributes: kernel.attributes,
            maskBit: kernel.maskBit,
            guest: kernel.guest,
          });
        } else if (kernel.kind === 'partial') {
          totals.typesPartial++;
          // Row "Hyper-V's word": the isolation config names the type; coco composes it (mask or
          // attributes may stay unknown, with a warning) or cannot tell, never another type.
          if (d.type)
            expect({ id: d.type.id, variant: d.type.variant }).toEqual({
              id: kernel.id,
              variant: kernel.variant,
            });
          else expect(d.confidential).not.toBe(false);
        } else if (kernel.kind === 'none') {
          // Never a confidential type where the kernel has none; "cannot tell" where the evidence
          // does not prove every registered type absent (row "cannot tell").
          expect(d.confidential === true).toBe(false);
          if (d.confidential === null) totals.noneCannotTell++;
          else totals.noneAgree++;
        } else {
          expect(d.confidential === true && d.conflicts.length === 0 ? d.type : null).toBeNull();
          totals.kernelUnknown++;
        }
      }),
      { numRuns: RUNS, seed: 20261130 },
    );
    expect(totals.typesAgree).toBeGreaterThan(RUNS / 4);
    expect(totals.noneAgree).toBeGreaterThan(RUNS / 10);
  });
});
