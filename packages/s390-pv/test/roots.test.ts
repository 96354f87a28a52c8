import { fileURLToPath } from 'node:url';
import { createRegistry, parseSnapshot, toSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { s390PvBackend } from '../src/index.js';
import { BANNER_6_8, evidence, PVG, readRoot, S390_CPUINFO } from './evidence.js';

const root = (name: string) => fileURLToPath(new URL(`./roots/${name}/`, import.meta.url));

// The trees are described in test/roots/README.md: a z15 Secure Execution guest
// (prot_virt_guest "1\n") and the same z15 as a KVM host LPAR with prot_virt=1 (prot_virt_guest
// "0\n", prot_virt_host "1\n", /dev/uv present).
describe('probe roots', () => {
  it('pv-guest: a confidential guest, protvirt, attested through /dev/uv', () => {
    const detection = createRegistry()
      .use(s390PvBackend)
      .detect(readRoot(root('pv-guest')));
    expect(detection.type?.id).toBe('s390-pv');
    expect(detection.confidential).toBe(true);
    expect(detection.cvm).toBe('protvirt');
    expect(detection.attestation).toEqual(['/dev/uv']);
    expect(detection.toJSON()).toMatchObject({ maskBit: null, maskState: 'none', tee: 'se' });
  });

  it('s390-not-pv: not a confidential guest, although the ultravisor and /dev/uv are there', () => {
    const detection = createRegistry()
      .use(s390PvBackend)
      .detect(readRoot(root('s390-not-pv')));
    expect(detection.type).toBeNull();
    expect(detection.confidential).toBe(false);
    expect(detection.cvm).toBe('none');
    expect(detection.attestation).toEqual(['/dev/uv']);
  });

  it('a private snapshot keeps what detection reads: the same answers read back', () => {
    const registry = createRegistry().use(s390PvBackend);
    expect(registry.probes('x64')).toEqual({ files: [], cpuinfo: [], facts: [] });
    for (const name of ['pv-guest', 's390-not-pv']) {
      const evidence = readRoot(root(name));
      const snapshot = toSnapshot(evidence, {
        logPatterns: registry.logPatterns,
        cpuinfoFields: registry.probes('s390x').cpuinfo,
      });
      const again = registry.detect(parseSnapshot(snapshot));
      const first = registry.detect(evidence);
      expect([again.type?.id, again.confidential, again.cvm]).toEqual([
        first.type?.id,
        first.confidential,
        first.cvm,
      ]);
    }
  });

  it('a private snapshot keeps the kernel banner a missing prot_virt_guest needs', () => {
    const registry = createRegistry().use(s390PvBackend);
    const log = `${BANNER_6_8}\n[    0.000000] Kernel command line: root=/dev/vda1 secret=hunter2`;
    const machine = evidence({ cpuinfo: S390_CPUINFO, files: { [PVG]: false }, log });
    const snapshot = toSnapshot(machine, { logPatterns: registry.logPatterns });
    expect(JSON.stringify(snapshot)).not.toContain('hunter2');
    expect(registry.detect(parseSnapshot(snapshot)).confidential).toBe(false);
  });
});
