// Tests written from Stryker's survivors in detection (docs/mutation.md): a claim of any variant
// the backend declares, a marking whose type says its mask is not known, what a composing
// hypervisor gets from detectWith, and a paravisor that is not a boolean.
import {
  type BackendPlugin,
  createRegistry,
  createType,
  EvidenceBuilder,
  type HypervisorPlugin,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { ToyEvidenceBuilder, toyBackend, toyHypervisor, toyRegEvidence, toyType } from './fixtures.js';

const evidence = toyRegEvidence('0x1234=0x33', 'test msr');
const variantType = (variant: string | null) =>
  createType({
    id: 'toy',
    variant,
    title: 'Toy CVM',
    attributes: ['mem-encrypt'],
    encryptedWhen: 'set',
    maskBit: 51,
    maskName: 'toy bit',
    cvm: 'toy',
  });
const twoVariants = (variant: string | null): BackendPlugin => ({
  ...toyBackend,
  variants: [
    { variant: null, title: 'Toy CVM', attributes: ['mem-encrypt'], cvm: 'toy' },
    { variant: 'v2', title: 'Toy CVM v2', attributes: ['mem-encrypt'], cvm: 'toy' },
  ],
  detect: () => ({ type: variantType(variant) }),
});

describe('claims', () => {
  it('of each variant the backend declares count; another is refused', () => {
    for (const variant of [null, 'v2']) {
      const d = createRegistry().use(twoVariants(variant)).detect(evidence);
      expect([d.type?.variant, d.warnings]).toEqual([variant, []]);
    }
    expect(createRegistry().use(twoVariants('v3')).detect(evidence).warnings).toEqual([
      'plugin toy (toy-backend) failed during detection and was skipped: its claim was refused: type.variant: "v3" is not a variant toy declares',
    ]);
  });

  it('with a marking but a mask state other than known are refused', () => {
    for (const maskState of ['unknown', 'none'] as const) {
      const forged = Object.freeze({ ...toyType({ maskBit: 51 }), maskState });
      const d = createRegistry()
        .use({ ...toyBackend, detect: () => ({ type: forged }) })
        .detect(evidence);
      expect(d.warnings).toEqual([
        "plugin toy (toy-backend) failed during detection and was skipped: its claim was refused: type.marking: not one bit inside 0..63 with the type's polarity",
      ]);
    }
  });
});

describe('a composing hypervisor', () => {
  const leaf = new ToyEvidenceBuilder().addLeaf(0x4000_0000, 0, 0x12345678, 't').build();
  const composing = (detect: HypervisorPlugin['detect']): HypervisorPlugin => ({ ...toyHypervisor, detect });

  it("gets the backend's claim from detectWith, or null when it made none", () => {
    const seen: unknown[] = [];
    const hv = composing((_e, context) => {
      const claim = context.detectWith('toy', 'toy-backend');
      seen.push(claim?.type.marking?.maskBit ?? null);
      return claim ? { type: claim.type, paravisor: true } : null;
    });
    const both = new EvidenceBuilder().merge(leaf).merge(evidence).build();
    const d = createRegistry().use(toyBackend).use(hv).detect(both);
    expect(seen).toEqual([51]);
    expect([d.type?.id, d.hypervisor, d.paravisor, d.type?.marking?.maskBit]).toEqual([
      'toy',
      'toyhv',
      true,
      51,
    ]);
    // No toy register: the toy backend cannot tell, and detectWith gives null.
    const none = createRegistry().use(toyBackend).use(hv).detect(leaf);
    expect(seen).toEqual([51, null]);
    expect(none.type).toBe(null);
  });

  it('says nothing about a paravisor unless it gives a boolean', () => {
    for (const [paravisor, shown] of [
      ['yes', null],
      [1, null],
      [false, false],
    ] as const) {
      const hv = composing((_e, context) => ({
        type: context.backend('toy', 'toy-backend').createType({ maskBit: 40 }),
        paravisor: paravisor as never,
      }));
      const d = createRegistry().use(toyBackend).use(hv).detect(leaf);
      expect([d.type?.id, d.paravisor], String(paravisor)).toEqual(['toy', shown]);
    }
  });
});
