import { createRegistry, parseSnapshot } from '@coco/core';
import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import { armCcaBackend, createArmCcaType } from '../src/index.js';

// The README's example, step by step, with the outputs its comments promise.
describe('README example', () => {
  it('installs both packages', () => {
    expect(readme).toContain('npm install @coco/core @coco/arm-cca');
  });

  it('prints what its comments say', () => {
    const evidence = parseSnapshot({
      format: 'coco-snapshot/2',
      kernelLog: ['[    0.000000] RME: Using RSI version 1.0'],
      cpuinfo: { 'CPU architecture': '8', Features: 'fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics' },
      files: {
        '/sys/devices/platform/arm-cca-dev': true,
        '/proc/sys/kernel/osrelease': { exists: true, content: '6.15.0-rc1-g916aeec68dd4\n' },
      },
    });
    const detection = createRegistry().use(armCcaBackend).detect(evidence);
    const { type, attributes, maskState, cvm, tee } = detection.toJSON();
    expect([type, attributes, maskState, cvm, tee]).toEqual([
      'arm-cca',
      ['mem-encrypt'],
      'unknown',
      'cca',
      'cca',
    ]);
    const described = detection.type?.describe() ?? '';
    const realm = createArmCcaType({ ipaBits: 48 });
    const lpa2 = createArmCcaType({ ipaBits: 52 }).marking;
    const outputs = [
      "arm-cca [ 'mem-encrypt' ] unknown cca cca",
      described,
      realm.describe(),
      realm.marking?.decrypt(0x0068000081234f07n).toString(16),
      `${lpa2?.format.id} ${lpa2?.entryBit}`,
      lpa2?.decrypt(0x0068000081234c07n).toString(16),
    ];
    expect(outputs.slice(2)).toEqual([
      'Arm CCA realm, shared bit 47, encrypted when clear',
      '68800081234f07',
      'arm64-4k-lpa2 9',
      '68000081234e07',
    ]);
    for (const out of outputs) expect(readme).toContain(`// ${out}`);
  });
});
