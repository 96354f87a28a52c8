import {
  type BackendPlugin,
  type CocoPlugin,
  createRegistry,
  createType,
  DETECTION_SCHEMA_URL,
  type DetectContext,
  type DetectionJson,
  type Evidence,
  emptyEvidence,
  type HypervisorContext,
  type HypervisorPlugin,
  isCocoError,
  mergeEvidence,
  type TypeParams,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import {
  otherBackend,
  ToyEvidenceBuilder,
  toyBackend,
  toyHypervisor,
  toyRegEvidence,
  toyType,
} from './fixtures.js';

const toyEvidence = (bit: number) => toyRegEvidence(`0x1234=0x${bit.toString(16)}`, 'test msr');

/** The toy backend as a class instance: its methods live on a prototype another plugin might edit. */
class ClassBackend {
  readonly kind = 'backend';
  readonly interfaceVersion = toyBackend.interfaceVersion;
  readonly id = 'toy';
  readonly packageName = 'toy-backend';
  readonly variants = toyBackend.variants;
  readonly params = toyBackend.params;
  readonly facts = toyBackend.facts;
  createType(params: TypeParams) {
    return toyType(params);
  }
  detect(evidence: Evidence, context: DetectContext) {
    return toyBackend.detect(evidence, context);
  }
}

describe('detection', () => {
  it('gives exactly coco-detection/1 for a backend claim', () => {
    const detection = createRegistry().use(toyBackend).detect(toyEvidence(51));
    const json = detection.toJSON();
    expect(Object.keys(json)).toEqual([
      '$schema',
      'format',
      'confidential',
      'type',
      'variant',
      'hypervisor',
      'paravisor',
      'attributes',
      'mask',
      'maskBit',
      'encryptedWhen',
      'maskState',
      'cvm',
      'evidence',
      'warnings',
      'undetermined',
      'conflicts',
      'tee',
      'attestation',
    ]);
    expect(json).toEqual({
      $schema: DETECTION_SCHEMA_URL,
      format: 'coco-detection/1',
      confidential: true,
      type: 'toy',
      variant: null,
      hypervisor: null,
      paravisor: null,
      attributes: ['guest-mem-encrypt', 'mem-encrypt'],
      mask: '0x8000000000000',
      maskBit: 51,
      encryptedWhen: 'set',
      maskState: 'known',
      cvm: 'toy',
      evidence: [
        { source: 'toy.reg', says: 'toy register 0x1234 = 0x33', by: 'toy', fact: 'reg 0x1234' },
        { source: 'core', says: 'verdict: a confidential guest (toy)', by: 'core' },
        { source: 'systemd', says: 'the label systemd prints for toy: toy', by: 'core' },
      ],
      warnings: [],
      undetermined: [],
      conflicts: [],
      tee: null,
      attestation: [],
    } satisfies DetectionJson);
    expect(JSON.parse(JSON.stringify(detection))).toEqual(json);
  });

  it('says not confidential, with cvm none, when a backend proves its type absent', () => {
    const msrsRead = new ToyEvidenceBuilder().saw('toy.reg').build();
    const json = createRegistry().use(toyBackend).use(toyHypervisor).detect(msrsRead).toJSON();
    expect(json).toMatchObject({
      confidential: false,
      type: null,
      mask: null,
      maskBit: null,
      encryptedWhen: null,
      cvm: 'none',
      attributes: [],
    });
  });

  it('asks hypervisor plugins first and lets them compose a backend', () => {
    const evidence = new ToyEvidenceBuilder().addLeaf(0x4000_0000, 0, 0x12345678, 'test').build();
    const detection = createRegistry().use(toyBackend).use(toyHypervisor).detect(evidence);
    expect(detection.type?.id).toBe('toy');
    expect(detection.hypervisor).toBe('toyhv');
    expect(detection.paravisor).toBe(true);
    expect(detection.toJSON().maskBit).toBe(40);
    expect(detection.trail.map((s) => s.by)).toEqual(['toyhv', 'core', 'core']);
  });

  it('reports a composed type and a backend claiming another type as a conflict naming both', () => {
    const evidence = mergeEvidence(
      new ToyEvidenceBuilder().addLeaf(0x4000_0000, 0, 0x12345678, 'a').build(),
      new ToyEvidenceBuilder().addLeaf(0x77, 0, 0, 'b').build(),
    );
    const detection = createRegistry().use(toyBackend).use(otherBackend).use(toyHypervisor).detect(evidence);
    expect(detection.type).toBeNull();
    expect(detection.conflicts).toHaveLength(1);
    const sources = detection.conflicts[0]!.sides.map((s) => s.source);
    expect(sources).toEqual(['hypervisor plugin toyhv', 'backend other']);
    expect(detection.toJSON().warnings.join()).toMatch(
      /conflict over the type of the guest: toy .* vs other/,
    );
  });

  it('never resolves two backends claiming different types by guessing', () => {
    const evidence = mergeEvidence(
      toyEvidence(51),
      new ToyEvidenceBuilder().addLeaf(0x77, 0, 0, 'b').build(),
    );
    const detection = createRegistry().use(toyBackend).use(otherBackend).detect(evidence);
    expect(detection.type).toBeNull();
    expect(detection.toJSON()).toMatchObject({
      type: null,
      mask: null,
      attributes: [],
      confidential: null,
      cvm: null,
    });
    expect(detection.conflicts[0]!.sides.map((s) => s.says)).toEqual(['toy', 'other']);
  });

  it('makes the type null when the same register has two values, naming both sources', () => {
    const evidence = mergeEvidence(toyEvidence(51), toyRegEvidence('0x1234=0x2f', 'second'));
    const detection = createRegistry().use(toyBackend).detect(evidence);
    expect(detection.type).toBeNull();
    expect(detection.conflicts[0]).toEqual({
      what: 'reg 0x1234',
      sides: [
        { says: '0x33', source: 'test msr' },
        { says: '0x2f', source: 'second' },
      ],
    });
  });

  it('lets a backend report self-contradicting evidence through the context', () => {
    const picky: BackendPlugin = {
      ...toyBackend,
      id: 'picky',
      detect(_evidence, context) {
        context.conflict('toy mode', [
          { says: 'on', source: 'kernel log' },
          { says: 'off', source: 'msr' },
        ]);
        return { type: toyType({ maskBit: 30 }, 'picky') };
      },
    };
    const detection = createRegistry().use(picky).detect(emptyEvidence());
    expect(detection.type).toBeNull();
    expect(detection.conflicts[0]?.what).toBe('toy mode (seen by picky)');
  });

  it('contains a plugin that throws: a warning names it and the others still answer', () => {
    const thrower: CocoPlugin = {
      ...toyBackend,
      id: 'thrower',
      packageName: 'thrower-pkg',
      detect() {
        throw new Error('kaboom');
      },
    };
    const badHv: CocoPlugin = {
      ...toyHypervisor,
      id: 'badhv',
      detect: () => ({ type: { id: 'fake' } as never, paravisor: true }),
    };
    const detection = createRegistry().use(badHv).use(thrower).use(toyBackend).detect(toyEvidence(48));
    expect(detection.type?.id).toBe('toy');
    expect(detection.warnings).toHaveLength(2);
    expect(detection.warnings[0]).toContain('plugin badhv (toy-hv)');
    expect(detection.warnings[1]).toContain('plugin thrower (thrower-pkg)');
    expect(detection.warnings[1]).toContain('kaboom');
  });

  describe('a hypervisor that asks a backend cannot silence it', () => {
    const asking = (finish: () => unknown): HypervisorPlugin => ({
      ...toyHypervisor,
      id: 'asker',
      detect(_evidence, context) {
        context.ask('toy', 'toy-backend');
        context.detectWith('toy', 'toy-backend');
        return finish() as null;
      },
    });
    const cases: [string, () => unknown][] = [
      ['returns null', () => null],
      ['says it cannot tell', () => ({ verdict: 'unknown', because: 'no signature' })],
      [
        'throws',
        () => {
          throw new Error('after asking');
        },
      ],
    ];
    for (const [what, finish] of cases) {
      it(`keeps the backend's claim when the hypervisor ${what} after asking`, () => {
        const alone = createRegistry().use(toyBackend).detect(toyEvidence(51));
        const detection = createRegistry().use(asking(finish)).use(toyBackend).detect(toyEvidence(51));
        expect(detection.confidential).toBe(true);
        expect(detection.type?.id).toBe('toy');
        expect(detection.type?.marking?.maskBit).toBe(51);
        expect(detection.cvm).toBe(alone.cvm);
        expect(detection.hypervisor).toBeNull();
      });
    }

    it("keeps the backend's claim when the hypervisor edits the answer it was handed", () => {
      const editing: HypervisorPlugin = {
        ...toyHypervisor,
        id: 'editor',
        detect(_evidence, context) {
          const said = context.ask('toy', 'toy-backend');
          Object.assign(said ?? {}, { type: null, tentative: true });
          return null;
        },
      };
      const detection = createRegistry().use(editing).use(toyBackend).detect(toyEvidence(51));
      expect(detection.confidential).toBe(true);
      expect(detection.type?.id).toBe('toy');
      expect(detection.type?.marking?.maskBit).toBe(51);
      expect(detection.warnings).toEqual([
        expect.stringContaining('plugin editor (toy-hv) failed during detection'),
      ]);
    });

    it('cannot replace what a backend is, for this detection or any later one', () => {
      const silence = () => null;
      const attacks: ((context: HypervisorContext) => void)[] = [
        (c) => Object.assign(c.backend('toy', 'toy-backend'), { detect: silence }),
        (c) => Object.defineProperty(c.backend('toy', 'toy-backend'), 'detect', { value: silence }),
        (c) => Object.assign(Object.getPrototypeOf(c.backend('toy', 'toy-backend')), { detect: silence }),
        (c) => Object.setPrototypeOf(c.backend('toy', 'toy-backend'), { detect: silence }),
        (c) => {
          // The context is the hypervisor's to edit; what ask runs is not.
          const fake = { ...toyBackend, detect: () => ({ type: toyType({ maskBit: 7 }) }) };
          Object.assign(c, { backend: () => fake });
          c.ask('toy', 'toy-backend');
        },
      ];
      for (const victim of [{ ...toyBackend }, new ClassBackend() as unknown as BackendPlugin]) {
        attacks.forEach((attack, i) => {
          let thrown: unknown;
          const attacker: HypervisorPlugin = {
            ...toyHypervisor,
            id: `attacker${i}`,
            detect(_evidence, context) {
              try {
                attack(context);
              } catch (error) {
                thrown = error;
              }
              return null;
            },
          };
          const detection = createRegistry().use(attacker).use(victim).detect(toyEvidence(51));
          // Each write is refused as strict code refuses a write to a frozen object. A plain
          // object's prototype is Object.prototype itself, which attack 2 pollutes (undone below:
          // own fields only are read); the last attack edits only its own context.
          const plainVictim = Object.getPrototypeOf(victim) === Object.prototype;
          if (i < 4 && !(i === 2 && plainVictim)) expect(thrown, `attack ${i}`).toBeInstanceOf(TypeError);
          else expect(thrown, `attack ${i}`).toBeUndefined();
          delete (Object.prototype as { detect?: unknown }).detect;
          expect(detection.type?.marking?.maskBit, `attack ${i}`).toBe(51);
          const later = createRegistry().use(victim).detect(toyEvidence(51));
          expect(later.type?.marking?.maskBit, `attack ${i}, later`).toBe(51);
        });
      }
    });

    it('shows a backend as the same read-only view each time, its prototype chain included', () => {
      for (const victim of [{ ...toyBackend }, new ClassBackend() as unknown as BackendPlugin]) {
        const seen: { same: boolean; proto: object | null }[] = [];
        const looker: HypervisorPlugin = {
          ...toyHypervisor,
          id: 'looker',
          detect(_evidence, context) {
            const view = context.backend('toy', 'toy-backend');
            seen.push({
              same: view === context.backend('toy', 'toy-backend'),
              proto: Object.getPrototypeOf(view),
            });
            return null;
          },
        };
        createRegistry().use(looker).use(victim).detect(toyEvidence(51));
        expect(seen).toHaveLength(1);
        const { same, proto } = seen[0] as { same: boolean; proto: object | null };
        expect(same).toBe(true);
        if (victim instanceof ClassBackend) {
          // A view of the class's prototype: its methods, and no write.
          expect(proto).not.toBe(ClassBackend.prototype);
          expect((proto as ClassBackend).detect).toBe(ClassBackend.prototype.detect);
          expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
        } else expect(proto).toBe(Object.prototype);
      }
    });

    it("still lets a hypervisor's claim stand for the backend it asked", () => {
      const composing: HypervisorPlugin = {
        ...toyHypervisor,
        id: 'composer',
        detect(_evidence, context) {
          const said = context.detectWith('toy', 'toy-backend');
          return said
            ? { type: context.backend('toy', 'toy-backend').createType({ maskBit: 40 }), paravisor: true }
            : null;
        },
      };
      const detection = createRegistry().use(composing).use(toyBackend).detect(toyEvidence(51));
      expect(detection.conflicts).toEqual([]);
      expect(detection.hypervisor).toBe('composer');
      expect(detection.type?.marking?.maskBit).toBe(40);
    });

    it('runs a backend that failed for the hypervisor again, and names it in the warning', () => {
      const failing: BackendPlugin = {
        ...toyBackend,
        detect() {
          throw new Error('backend broke');
        },
      };
      const detection = createRegistry()
        .use(asking(() => null))
        .use(failing)
        .detect(toyEvidence(51));
      expect(detection.type).toBeNull();
      expect(
        detection.warnings.some((w) => w.includes('plugin toy (toy-backend)') && w.includes('backend broke')),
      ).toBe(true);
    });
  });

  it('fails with BACKEND_MISSING naming the package when a hypervisor needs an absent backend', () => {
    const evidence = new ToyEvidenceBuilder().addLeaf(0x4000_0000, 0, 0x12345678, 'test').build();
    let error: unknown;
    try {
      createRegistry().use(toyHypervisor).detect(evidence);
    } catch (e) {
      error = e;
    }
    expect(isCocoError(error) && error.code).toBe('BACKEND_MISSING');
    expect((error as Error).message).toContain('install toy-backend');
  });

  it('reports an unknown mask as null with the reason kept on the type', () => {
    const unknownMask: BackendPlugin = {
      ...toyBackend,
      id: 'vague',
      detect: (_e, context) => {
        context.step('kernel-log', 'toy guest detected, register not read');
        return { type: toyType({}, 'vague') };
      },
    };
    const detection = createRegistry().use(unknownMask).detect(emptyEvidence());
    expect(detection.toJSON()).toMatchObject({
      confidential: true,
      type: 'vague',
      mask: null,
      maskBit: null,
      encryptedWhen: 'set',
    });
    expect(detection.type?.maskUnknownReason).toBe('the toy register was not read');
  });

  it('reports a memory-encryption host type as not confidential', () => {
    const host: BackendPlugin = {
      ...toyBackend,
      id: 'host',
      detect: () => ({
        type: createType({
          id: 'host',
          guest: false,
          title: 'Host',
          attributes: ['mem-encrypt', 'host-mem-encrypt'],
          encryptedWhen: 'set',
          maskBit: 47,
          maskName: 'bit',
          cvm: 'none',
        }),
      }),
    };
    const json = createRegistry().use(host).detect(emptyEvidence()).toJSON();
    expect(json).toMatchObject({ confidential: false, type: 'host', maskBit: 47, cvm: 'none' });
  });

  it('refuses something that is not evidence with EVIDENCE_INVALID, not a TypeError', () => {
    for (const bad of [null, {}, { cpuid: () => undefined }, 'evidence']) {
      let error: unknown;
      try {
        createRegistry()
          .use(toyBackend)
          .detect(bad as never);
      } catch (e) {
        error = e;
      }
      expect(isCocoError(error) && error.code).toBe('EVIDENCE_INVALID');
    }
  });

  it('puts unreadable probe sources in the trail with their fix', () => {
    const evidence = new ToyEvidenceBuilder()
      .addUnavailable({ source: '/dev/cpu/0/msr', reason: 'permission denied', fix: 'run as root' })
      .build();
    const json = createRegistry().detect(evidence).toJSON();
    expect(json.evidence[0]).toEqual({
      source: 'probe',
      says: '/dev/cpu/0/msr not read: permission denied; run as root',
      by: 'core',
    });
  });
});

describe('tentative claims', () => {
  const vague: BackendPlugin = {
    ...otherBackend,
    id: 'other',
    detect: (_e, context) => {
      context.step('kernel-log', 'a line several types print');
      return { type: otherBackend.createType({}), tentative: true };
    },
  };

  it('yield to a definite claim without a conflict, and the trail says so', () => {
    const detection = createRegistry().use(vague).use(toyBackend).detect(toyEvidence(51));
    expect(detection.conflicts).toEqual([]);
    expect(detection.type?.id).toBe('toy');
    expect(detection.trail.map((s) => s.says)).toContain(
      'the tentative other claim of other yields to a definite claim',
    );
  });

  it('stand when nothing definite is claimed', () => {
    const detection = createRegistry().use(vague).use(toyBackend).detect(emptyEvidence());
    expect(detection.type?.id).toBe('other');
  });

  it('still conflict with each other when two are tentative and disagree', () => {
    const vagueToy: BackendPlugin = { ...toyBackend, detect: () => ({ type: toyType({}), tentative: true }) };
    const detection = createRegistry().use(vague).use(vagueToy).detect(emptyEvidence());
    expect(detection.type).toBeNull();
    expect(detection.conflicts).toHaveLength(1);
  });
});
