import { createRegistry, parseSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import { createS390PvType, s390PvBackend } from '../src/index.js';

// The README's example, step by step, with the outputs its comments promise.
describe('README example', () => {
  it('installs both packages', () => {
    expect(readme).toContain('npm i @coco/core @coco/s390-pv');
  });

  it('prints what its comments say', () => {
    const registry = createRegistry().use(s390PvBackend);
    const evidence = parseSnapshot({
      format: 'coco-snapshot/2',
      cpuinfo: { vendor_id: 'IBM/S390' },
      files: { '/sys/firmware/uv/prot_virt_guest': { exists: true, content: '1\n' }, '/dev/uv': true },
    });
    const detection = registry.detect(evidence);
    const outputs = [
      detection.type?.id,
      detection.cvm,
      detection.type?.tee,
      String(detection.attestation),
      String(detection.type?.attributes.size),
      String(detection.type?.quirks.forceDmaUnencrypted),
      detection.type?.quirks.conversion?.toShared[0]?.kind,
      createS390PvType().maskState,
    ];
    expect(outputs).toEqual(['s390-pv', 'protvirt', 'se', '/dev/uv', '0', 'true', 'firmware-call', 'none']);
    for (const out of outputs) expect(readme).toContain(`// ${out}`);
  });
});
