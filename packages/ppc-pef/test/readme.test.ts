import { createRegistry, parseSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import { createPpcPefType, ppcPefBackend } from '../src/index.js';

// The README's example, step by step, with the outputs its comments promise.
describe('README example', () => {
  it('installs both packages', () => {
    expect(readme).toContain('npm i @coco/core @coco/ppc-pef');
  });

  it('prints what its comments say', () => {
    const registry = createRegistry().use(ppcPefBackend);
    const evidence = parseSnapshot({
      format: 'coco-snapshot/2',
      cpuinfo: { cpu: 'POWER9 (architected), altivec supported', platform: 'pSeries' },
      files: { '/sys/devices/system/cpu/svm': { exists: true, content: '1\n' } },
    });
    const detection = registry.detect(evidence);
    const outputs = [
      detection.type?.id,
      detection.cvm,
      String(detection.type?.tee),
      String(detection.type?.attributes.ids),
      String(detection.type?.quirks.forceDmaUnencrypted),
      detection.type?.quirks.conversion?.toShared[0]?.kind,
      createPpcPefType().maskState,
    ];
    expect(outputs).toEqual(['ppc-pef', 'none', 'null', 'mem-encrypt', 'true', 'firmware-call', 'none']);
    for (const out of outputs) expect(readme).toContain(`// ${out}`);
  });
});
