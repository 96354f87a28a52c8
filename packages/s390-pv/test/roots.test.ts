import { fileURLToPath } from 'node:url';
import { createRegistry } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { s390PvBackend } from '../src/index.js';
import { readRoot } from './evidence.js';

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
});
