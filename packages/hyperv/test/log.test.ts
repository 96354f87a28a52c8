import { parseKernelLog } from '@coco/core';
import { describe, expect, it } from 'vitest';
import { isHypervName, readHypervLog } from '../src/index.js';

const read = (text: string) => readHypervLog(parseKernelLog(text, { source: 'dmesg' }));

describe('readHypervLog', () => {
  it('reads the three lines of an Azure SNP boot, with dmesg timestamps', () => {
    const facts = read(
      [
        '[    0.000000] Hypervisor detected: Microsoft Hyper-V',
        '[    0.000000] Hyper-V: privilege flags low 0xae7f, high 0x7b8030, hints 0xa0e24, misc 0xe0bed7b2',
        '[    0.000000] Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2',
      ].join('\n'),
    );
    expect(facts.hypervisorNames).toEqual([{ value: 'Microsoft Hyper-V', where: 'dmesg line 1' }]);
    expect(facts.privilegesHigh).toEqual([{ value: 0x7b8030, where: 'dmesg line 2' }]);
    expect(facts.isolationConfigs).toEqual([{ value: { groupA: 1, groupB: 0xba2 }, where: 'dmesg line 3' }]);
  });

  it('reads the newest wording with ext and %#x, where zero prints as 0', () => {
    const facts = read(
      'Feb 14 16:16:55 host kernel: Hyper-V: privilege flags low 0xae7f, high 0x7b8030, ext 0, hints 0xa0e24, misc 0xe0bed7b2',
    );
    expect(facts.privilegesHigh.map((v) => v.value)).toEqual([0x7b8030]);
    expect(
      read('Hyper-V: privilege flags low 0, high 0, ext 0, hints 0, misc 0').privilegesHigh[0]?.value,
    ).toBe(0);
  });

  it('knows the old and the current hypervisor name', () => {
    const facts = read('Hypervisor detected: Microsoft HyperV');
    expect(facts.hypervisorNames.map((n) => n.value)).toEqual(['Microsoft HyperV']);
    expect(isHypervName('Microsoft HyperV')).toBe(true);
    expect(isHypervName('Microsoft Hyper-V')).toBe(true);
    expect(isHypervName('KVM')).toBe(false);
  });

  it('keeps each distinct value once, so a disagreement can be reported', () => {
    const facts = read(
      [
        'Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2',
        'Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2',
        'Hyper-V: Isolation Config: Group A 0x1, Group B 0xbe3',
      ].join('\n'),
    );
    expect(facts.isolationConfigs.map((c) => c.value.groupB)).toEqual([0xba2, 0xbe3]);
  });

  it('does not read a value wider than 32 bits', () => {
    expect(read('Hyper-V: Isolation Config: Group A 0x1, Group B 0x100000ba2').isolationConfigs).toEqual([]);
    expect(read('Hyper-V: privilege flags low 0x1, high 0x1007b8030, hints 0x0').privilegesHigh).toEqual([]);
  });

  it('ignores lines of other hypervisors and near misses', () => {
    const facts = read(
      [
        'Hypervisor detected: KVM',
        'Hyper-V: Isolation Config: Group A 0x1',
        'hyper-v: isolation config: group a 0x1, group b 0xba2',
      ].join('\n'),
    );
    expect(facts.hypervisorNames.map((n) => n.value)).toEqual(['KVM']);
    expect(facts.isolationConfigs).toEqual([]);
  });
});
