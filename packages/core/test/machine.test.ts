import {
  createRegistry,
  createType,
  deriveType,
  isCocoError,
  type MachineReader,
  parseSnapshot,
  toSnapshot,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { ToyEvidenceBuilder, toyBackend, toyHypervisor, toyType } from './fixtures.js';

const msrRead = () => new ToyEvidenceBuilder().saw('toy.reg').build();

describe('machine readers carried by plugins', () => {
  const reader = (id: string, hypervisor: string | null, attestation: string[]): MachineReader => ({
    id,
    read: () => ({ hypervisor, attestation }),
  });

  it('name the hypervisor of an ordinary guest and list the attestation interfaces, each reader once', () => {
    let runs = 0;
    const shared: MachineReader = {
      id: 'shared',
      read: () => {
        runs += 1;
        return { hypervisor: 'kvm', attestation: ['/dev/sev-guest'] };
      },
    };
    const d = createRegistry()
      .use({ ...toyBackend, machine: shared })
      .use({ ...toyHypervisor, machine: shared })
      .use({
        ...toyBackend,
        id: 'other-toy',
        machine: reader('second', 'xen', ['configfs-tsm:sev_guest', '/dev/sev-guest']),
      })
      .detect(msrRead());
    expect(runs).toBe(1);
    expect(d.hypervisor).toBe('kvm');
    expect(d.attestation).toEqual(['/dev/sev-guest', 'configfs-tsm:sev_guest']);
    expect(d.toJSON().attestation).toEqual(['/dev/sev-guest', 'configfs-tsm:sev_guest']);
  });

  it('leave a composing hypervisor plugin its id, and take none (bare metal) as no hypervisor', () => {
    const composed = createRegistry()
      .use({ ...toyHypervisor, machine: reader('r', 'microsoft', []) })
      .use(toyBackend)
      .detect(new ToyEvidenceBuilder().addLeaf(0x4000_0000, 0, 0x12345678, 't').build());
    expect(composed.hypervisor).toBe('toyhv');
    const metal = createRegistry()
      .use({ ...toyBackend, machine: reader('r', 'none', []) })
      .detect(msrRead());
    expect(metal.hypervisor).toBeNull();
  });

  it('contain a reader that throws: a warning, and the detection stands', () => {
    const hostile: MachineReader = {
      id: 'hostile',
      read: () => {
        throw new Error('boom');
      },
    };
    const d = createRegistry()
      .use({ ...toyBackend, machine: hostile })
      .detect(msrRead());
    expect(d.confidential).toBe(false);
    expect(d.warnings.join()).toContain('machine reader hostile failed');
  });
});

describe('the trail and the JSON name facts, plugins and conflicts in fields', () => {
  it('keeps the fact a step names, and the plugin that took it', () => {
    const backend = {
      ...toyBackend,
      detect: (_e: unknown, context: { step(s: string, says: string, fact?: string): void }) => {
        context.step('msr', 'toy register read', 'reg 0x1234');
        return { type: toyType({ maskBit: 40 }) };
      },
    };
    const json = createRegistry().use(backend).detect(msrRead()).toJSON();
    expect(json.evidence[0]).toEqual({
      source: 'msr',
      says: 'toy register read',
      by: 'toy',
      fact: 'reg 0x1234',
    });
  });

  it('lists each conflict with what is disputed and both sides', () => {
    const b = new ToyEvidenceBuilder().addReg(0x1234, 0x33n, 'one').addReg(0x1234, 0x2fn, 'two').build();
    expect(createRegistry().use(toyBackend).detect(b).toJSON().conflicts).toEqual([
      {
        what: 'reg 0x1234',
        sides: [
          { says: '0x33', source: 'one' },
          { says: '0x2f', source: 'two' },
        ],
      },
    ]);
  });
});

describe("a type's Confidential Containers TEE name", () => {
  const base = {
    id: 'toy',
    title: 'Toy',
    attributes: ['mem-encrypt'] as const,
    encryptedWhen: 'set' as const,
    maskBit: 47,
    maskName: 'bit',
    cvm: 'toy',
  };

  it('defaults to null, is checked, and a composing plugin can change it', () => {
    expect(createType(base).tee).toBeNull();
    const snp = createType({ ...base, tee: 'snp' });
    expect(snp.tee).toBe('snp');
    expect(deriveType(snp, { tee: 'az-snp-vtpm' }).tee).toBe('az-snp-vtpm');
    expect(deriveType(snp, { title: 'x' }).tee).toBe('snp');
    let error: unknown;
    try {
      createType({ ...base, tee: 'Not A Name' });
    } catch (e) {
      error = e;
    }
    expect(isCocoError(error) && error.code).toBe('PARAMETER_INVALID');
  });
});

describe('a snapshot names the machine it is from', () => {
  it('round-trips host name, capture time and coco version', () => {
    const machine = { hostname: 'node-17', capturedAt: '2026-11-30T06:20:00Z', cocoVersion: '1.2.0' };
    const evidence = new ToyEvidenceBuilder().setMachine(machine).build();
    const doc = toSnapshot(evidence);
    expect(doc.machine).toEqual(machine);
    expect(parseSnapshot(JSON.stringify(doc)).machine).toEqual(machine);
  });

  it('refuses an unknown key or a value of the wrong form, naming its path', () => {
    for (const [machine, path] of [
      [{ hostname: 'a b' }, '$.machine.hostname'],
      [{ capturedAt: 'yesterday' }, '$.machine.capturedAt'],
      [{ serial: 'X' }, '$.machine.serial'],
    ] as const) {
      expect(() => parseSnapshot({ format: 'coco-snapshot/1', machine }, { source: 'm.json' })).toThrow(
        `m.json (${path})`,
      );
    }
  });
});
