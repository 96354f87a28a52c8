import { fileURLToPath } from 'node:url';
import { createRegistry, parseSnapshot, toSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { ppcPefBackend } from '../src/index.js';
import { readRoot } from './evidence.js';

const root = (name: string) => fileURLToPath(new URL(`./roots/${name}/`, import.meta.url));

// The trees are described in test/roots/README.md: a QEMU pseries guest on POWER9 with svm "1\n",
// and the same guest without svm=on ("0\n").
describe('probe roots', () => {
  it('secure-guest: a confidential guest with mem-encrypt, which systemd calls none', () => {
    const detection = createRegistry()
      .use(ppcPefBackend)
      .detect(readRoot(root('secure-guest')));
    expect(detection.type?.id).toBe('ppc-pef');
    expect(detection.confidential).toBe(true);
    expect(detection.cvm).toBe('none');
    expect(detection.attestation).toEqual([]);
    expect(detection.toJSON()).toMatchObject({ maskBit: null, maskState: 'none', tee: null });
  });

  it('power-not-secure: not a confidential guest', () => {
    const detection = createRegistry()
      .use(ppcPefBackend)
      .detect(readRoot(root('power-not-secure')));
    expect(detection.type).toBeNull();
    expect(detection.confidential).toBe(false);
    expect(detection.cvm).toBe('none');
  });

  it('a private snapshot keeps what detection reads: the same answers read back', () => {
    const registry = createRegistry().use(ppcPefBackend);
    expect(registry.probes('x64')).toEqual({ files: [], cpuinfo: [], facts: [] });
    for (const name of ['secure-guest', 'power-not-secure']) {
      const evidence = readRoot(root(name));
      const snapshot = toSnapshot(evidence, {
        logPatterns: registry.logPatterns,
        cpuinfoFields: registry.probes('ppc64').cpuinfo,
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
});
