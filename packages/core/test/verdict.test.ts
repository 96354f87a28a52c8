import {
  absent,
  type BackendPlugin,
  type CocoPlugin,
  type CvmProcedure,
  cannotTell,
  createRegistry,
  createType,
  EvidenceBuilder,
  emptyEvidence,
  isCocoError,
  kernelAtLeast,
  mergeEvidence,
  parseKernelLog,
  parseMsrAssignment,
  parseSnapshot,
  readBootLog,
  toSnapshot,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { otherBackend, toyBackend, toyHypervisor, toyType } from './fixtures.js';

const msrRead = () => new EvidenceBuilder().saw('msr').build();
const toyEvidence = (bit: number) => parseMsrAssignment(`0x1234=0x${bit.toString(16)}`, 'test msr');

/** A backend that answers exactly `answer` and nothing else. */
const answering = (id: string, answer: ReturnType<BackendPlugin['detect']>): BackendPlugin => ({
  ...toyBackend,
  id,
  detect: () => answer,
});

describe('the three-valued verdict', () => {
  it('is true for a claimed guest type, with no undetermined reasons', () => {
    const d = createRegistry().use(toyBackend).detect(toyEvidence(51));
    expect(d.confidential).toBe(true);
    expect(d.undetermined).toEqual([]);
  });

  it('is false only when a backend proves its type absent and none cannot tell', () => {
    const d = createRegistry().use(toyBackend).detect(msrRead());
    expect(d.confidential).toBe(false);
    expect(d.cvm).toBe('none');
    expect(d.trail.map((s) => s.says)).toContain(
      'toy rules its type out: MSRs were read and 0x1234 is not among them',
    );
  });

  it('is null, never false, when a source could not be read: the reasons and fixes are kept', () => {
    const unreadable = new EvidenceBuilder()
      .addUnavailable({
        source: '/dev/cpu/0/msr',
        kind: 'msr',
        reason: 'permission denied',
        fix: 'run as root',
      })
      .build();
    const d = createRegistry().use(toyBackend).detect(unreadable);
    expect(d.confidential).toBeNull();
    expect(d.cvm).toBeNull();
    expect(d.type).toBeNull();
    expect(d.undetermined).toEqual([
      { by: 'toy', because: 'no MSR was read', fix: 'pass the toy register with --msr 0x1234=VALUE' },
    ]);
    expect(d.toJSON().undetermined).toEqual(d.undetermined);
    expect(d.toJSON().confidential).toBeNull();
  });

  it('is null when one backend rules its type out but another cannot tell', () => {
    const d = createRegistry()
      .use(answering('one', absent('CPUID shows no such guest')))
      .use(answering('two', cannotTell('its register was not read', 'read it')))
      .detect(emptyEvidence());
    expect(d.confidential).toBeNull();
    expect(d.undetermined.map((u) => u.by)).toEqual(['two']);
  });

  it('is null with no backend registered, and when backends only say "not mine" (null)', () => {
    expect(createRegistry().detect(emptyEvidence()).confidential).toBeNull();
    expect(createRegistry().use(answering('silent', null)).detect(emptyEvidence()).confidential).toBeNull();
    const d = createRegistry()
      .use(answering('silent', null))
      .use(answering('sure', absent('ruled out')))
      .detect(emptyEvidence());
    expect(d.confidential).toBe(false);
  });

  it('is false for a memory-encryption host type, which is not a guest', () => {
    const host = answering('host', {
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
    });
    const d = createRegistry().use(host).detect(emptyEvidence());
    expect(d.confidential).toBe(false);
    expect(d.type?.id).toBe('host');
  });

  it('is null with cvm null on conflicting evidence, whatever the order of the sources', () => {
    const a = toyEvidence(51);
    const b = parseMsrAssignment('0x1234=0x2f', 'second');
    const one = createRegistry().use(toyBackend).detect(mergeEvidence(a, b)).toJSON();
    const two = createRegistry().use(toyBackend).detect(mergeEvidence(b, a)).toJSON();
    for (const json of [one, two]) {
      expect(json).toMatchObject({ confidential: null, cvm: null, type: null, maskBit: null });
    }
    const both = createRegistry()
      .use(toyBackend)
      .use(otherBackend)
      .detect(
        mergeEvidence(
          toyEvidence(51),
          new EvidenceBuilder().addCpuid(0x77, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0 }, 'x').build(),
        ),
      );
    expect(both.toJSON()).toMatchObject({ confidential: null, cvm: null, type: null });
  });

  it('is null when a hypervisor plugin sees a guest whose type it cannot tell', () => {
    const unsure: CocoPlugin = {
      ...toyHypervisor,
      detect: () => cannotTell('isolated, but the isolation config is missing', 'read CPUID 0x4000000C'),
    };
    const d = createRegistry().use(unsure).use(toyBackend).detect(msrRead());
    expect(d.confidential).toBeNull();
    expect(d.undetermined).toEqual([
      { by: 'toyhv', because: 'isolated, but the isolation config is missing', fix: 'read CPUID 0x4000000C' },
    ]);
  });
});

describe('claims are checked before they count', () => {
  it('skips, with a warning naming the plugin, a backend that claims a type that is not its own', () => {
    const thief = answering('thief', { type: toyType({ maskBit: 51 }) });
    const d = createRegistry().use(thief).use(toyBackend).detect(msrRead());
    expect(d.type).toBeNull();
    expect(d.confidential).toBe(false);
    expect(d.warnings.join()).toMatch(/plugin thief .*its claim was refused: type\.id "toy" is not its own/);
  });

  it('skips an answer that is neither a claim nor absent()/cannotTell()', () => {
    const odd = answering('odd', { verdict: 'maybe' } as never);
    const d = createRegistry().use(odd).use(toyBackend).detect(msrRead());
    expect(d.warnings.join()).toContain('plugin odd');
    expect(d.confidential).toBe(false);
  });
});

describe("systemd's --cvm label", () => {
  const procedure = (label: string | null, id = 'toy-systemd'): CvmProcedure => ({
    id,
    read: () => ({
      label,
      steps: ['read the toy register'],
      ...(label === null && { missing: 'the toy leaf' }),
    }),
  });

  it("is the label of the plugins' procedure, with its steps in the trail", () => {
    const withProcedure = { ...toyBackend, cvm: procedure('sev-snp') };
    const d = createRegistry().use(withProcedure).detect(toyEvidence(51));
    expect(d.cvm).toBe('sev-snp');
    expect(d.trail.filter((s) => s.source === 'systemd').map((s) => s.says)).toEqual([
      'read the toy register',
      'systemd-detect-virt --cvm prints sev-snp',
    ]);
  });

  it("falls back to the type's label, saying why, when the procedure lacks an input", () => {
    const withProcedure = { ...toyBackend, cvm: procedure(null) };
    const d = createRegistry().use(withProcedure).detect(toyEvidence(51));
    expect(d.cvm).toBe('toy');
    expect(d.trail.at(-1)?.says).toBe(
      "systemd's procedure cannot run (the toy leaf); the label systemd prints for toy: toy",
    );
  });

  it('runs a procedure shared by several plugins once, and contains one that throws', () => {
    let runs = 0;
    const shared: CvmProcedure = {
      id: 'shared',
      read: () => {
        runs += 1;
        return { label: 'none', steps: [] };
      },
    };
    const hostile: CvmProcedure = {
      id: 'hostile',
      read: () => {
        throw new Error('boom');
      },
    };
    const d = createRegistry()
      .use({ ...toyBackend, cvm: hostile })
      .use({ ...otherBackend, cvm: shared })
      .use({ ...answering('third', absent('no')), cvm: shared })
      .detect(msrRead());
    expect(runs).toBe(1);
    expect(d.cvm).toBe('none');
    expect(d.warnings.join()).toContain('systemd procedure hostile failed');
  });
});

describe('snapshots keep what could not be read, and refuse what JSON.parse would hide', () => {
  it('round-trips unavailable notes with their kind, so a snapshot taken without root still cannot tell', () => {
    const evidence = new EvidenceBuilder()
      .addUnavailable({
        source: '/dev/cpu/0/msr',
        kind: 'msr',
        reason: 'permission denied',
        fix: 'run as root',
      })
      .build();
    const doc = toSnapshot(evidence);
    expect(doc.unavailable).toEqual([
      { source: '/dev/cpu/0/msr', kind: 'msr', reason: 'permission denied', fix: 'run as root' },
    ]);
    const back = parseSnapshot(JSON.stringify(doc), { source: 'machine.json' });
    expect(back.unavailable).toEqual(evidence.unavailable);
    expect(createRegistry().use(toyBackend).detect(back).confidential).toBeNull();
  });

  it('refuses a duplicate key at any depth, naming the key and its JSON path', () => {
    const cases: [string, string, string][] = [
      [
        '{"format":"coco-snapshot/1","msr":{"0xc0010131":"0x7","0xc0010131":"0x103df"}}',
        '0xc0010131',
        '$.msr',
      ],
      ['{"format":"coco-snapshot/1","format":"coco-snapshot/1"}', 'format', '$'],
      [
        '{"format":"coco-snapshot/1","cpuid":[{"leaf":"0x0","subleaf":"0x0","eax":"0x1","ebx":"0x0","ecx":"0x0","edx":"0x0"},{"leaf":"0x1","leaf":"0x2"}]}',
        'leaf',
        '$.cpuid[1]',
      ],
      [
        '{"format":"coco-snapshot/1","files":{"/dev/sev-guest":true,"/dev/sev-guest":false}}',
        '/dev/sev-guest',
        '$.files',
      ],
    ];
    for (const [text, key, path] of cases) {
      let error: unknown;
      try {
        parseSnapshot(text, { source: 'dup.json' });
      } catch (e) {
        error = e;
      }
      expect(isCocoError(error) && error.code).toBe('SNAPSHOT_INVALID');
      expect((error as Error).message).toContain(
        `dup.json (${path}): key ${JSON.stringify(key)} appears twice`,
      );
    }
  });

  it('does not take a repeated string value, or a key inside a string, for a duplicate key', () => {
    const text =
      '{"format":"coco-snapshot/1","kernelLog":["a \\"format\\": x","a \\"format\\": x"],"msr":{"0x1":"0x1","0x2":"0x1"}}';
    expect(parseSnapshot(text).kernelLog).toHaveLength(2);
  });

  it('writes a source line the normaliser split in two once, and reads it back to the same two lines', () => {
    const lines = parseKernelLog(
      '[    0.140000] Memory Encryption Features active: AMD SEV[    0.140001] SEV: Status: vTom ',
    );
    expect(lines.map((l) => l.text)).toEqual([
      'Memory Encryption Features active: AMD SEV',
      'SEV: Status: vTom',
    ]);
    const doc = toSnapshot(new EvidenceBuilder().addLogLines(lines).build());
    expect(doc.kernelLog).toHaveLength(1);
    expect(parseSnapshot(doc).kernelLog.map((l) => l.text)).toEqual(lines.map((l) => l.text));
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(
      parseSnapshot('\ufeff{"format":"coco-snapshot/1","msr":{"0x1234":"0x33"}}').msr(0x1234)?.value,
    ).toBe(0x33n);
  });

  it('refuses an unavailable note of an unknown kind', () => {
    const text =
      '{"format":"coco-snapshot/1","unavailable":[{"source":"x","kind":"gpu","reason":"r","fix":"f"}]}';
    expect(() => parseSnapshot(text, { source: 's.json' })).toThrow(/s\.json \(\$\.unavailable\[0\]\.kind\)/);
  });
});

describe('the shape of a boot log', () => {
  const banner =
    'Linux version 6.8.0-1017-azure (buildd@lcy02-amd64-063) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #17-Ubuntu SMP Mon Oct 28 15:06:37 UTC 2024';

  it('is complete from the "Linux version" banner on to the end of boot, and reads the kernel version from it', () => {
    const shape = readBootLog(
      parseKernelLog(
        `[    0.000000] ${banner}\n[    0.000000] Command line: ro\n[    1.000000] Freeing unused kernel image (initmem) memory: 4000K`,
      ),
    );
    expect(shape.complete).toBe(true);
    expect(shape.end?.line).toBe(3);
    expect(shape.kernelVersion).toEqual({ major: 6, minor: 8 });
    expect(kernelAtLeast(shape.kernelVersion, 6, 4)).toBe(true);
    expect(kernelAtLeast(shape.kernelVersion, 6, 9)).toBe(false);
  });

  it('is not complete without the banner (a grep, a wrapped ring buffer) or when it was cut', () => {
    expect(readBootLog(parseKernelLog('[    0.1] SEV: Status: SEV')).complete).toBe(false);
    const cut = readBootLog(parseKernelLog(`${banner}\n...\nSEV: Status: SEV`));
    expect(cut.elided).toBe(true);
    expect(cut.complete).toBe(false);
  });

  it('is not complete when it stops before the end of boot (dmesg | head) or was filtered by level', () => {
    const head = readBootLog(parseKernelLog(`${banner}\nCommand line: ro`));
    expect(head.banner).not.toBeNull();
    expect(head.end).toBeNull();
    expect(head.complete).toBe(false);
    // The end of an earlier boot, before this boot's banner, does not count.
    const twoBoots = readBootLog(
      parseKernelLog(`Run /sbin/init as init process\n${banner}\nCommand line: ro`),
    );
    expect(twoBoots.complete).toBe(false);
    for (const end of ['Freeing unused kernel memory: 2048K', 'Run /init as init process']) {
      expect(readBootLog(parseKernelLog(`${banner}\n${end}`)).complete).toBe(true);
    }
  });
});
