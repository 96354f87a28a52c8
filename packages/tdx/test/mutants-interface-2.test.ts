// Tests from the first run after plugin interface 2 (docs/mutation.md, 2026-11-30): the GPAW fact
// kind tdx took from core (its errors and its format-1 form), and the fact each CPUID step names.
//
// Facts (docs/facts x86-coco.md; Linux arch/x86/coco/tdx/tdx.c): the kernel reads CPUID leaf 0x21
// and compares EBX, EDX, ECX with "IntelTDX    " ("Inte", "lTDX", "    "); TDG.VP.INFO reports a
// guest physical-address width of 48 or 52, whose top bit is the shared bit.
import { type Evidence, isCocoError, type JsonValue } from '@coco/core';
import { X86EvidenceBuilder } from '@coco/x86';
import { describe, expect, it } from 'vitest';
import { recorder } from '../../../tools/testing/backend-evidence.js';

const load = () => import('../src/index.js');
const SIGNATURE = { ebx: 0x65746e49, edx: 0x5844546c, ecx: 0x20202020 }; // "Inte" "lTDX" "    "

function thrown(f: () => unknown) {
  try {
    f();
  } catch (error) {
    if (!isCocoError(error)) return { message: error instanceof Error ? error.message : String(error) };
    return {
      code: error.code,
      input: error.input,
      location: error.location,
      fix: error.fix,
      message: error.message,
    };
  }
  return undefined;
}

describe('the GPAW fact kind', () => {
  it('decodes one width under the key "", and names what is wrong', async () => {
    const { GPAW_FACT } = await load();
    expect(GPAW_FACT.id).toBe('tdx.gpaw');
    expect(GPAW_FACT.decode(52, '')).toBe(52);
    expect(GPAW_FACT.encode(48)).toBe(48);
    expect(GPAW_FACT.describeKey?.('')).toBe('tdx.gpaw');
    expect(thrown(() => GPAW_FACT.decode(48, 'gpaw'))?.message).toBe('key "gpaw" is not ""');
    for (const bad of [0, 65, 48.5, '48'] as JsonValue[])
      expect(thrown(() => GPAW_FACT.decode(bad, ''))?.message).toMatch(/ is not a width from 1 to 64$/);
  });

  it('reads and writes format 1’s "tdx": {"gpaw": 48}', async () => {
    const { GPAW_FACT } = await load();
    const legacy = GPAW_FACT.legacy;
    const read = (json: JsonValue) => [...(legacy?.read(json) ?? [])];
    expect(read({ gpaw: 48 })).toEqual([['', 48]]);
    expect(read({})).toEqual([]);
    expect(thrown(() => read([]))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      location: '$.tdx',
      fix: 'give {"gpaw": 48} or {"gpaw": 52}',
      message: expect.stringContaining('expected an object, found'),
    });
    expect(thrown(() => read({ gpaw: 48, bits: 1 }))).toMatchObject({
      location: '$.tdx.bits',
      fix: 'use only gpaw',
    });
    expect(thrown(() => read({ gpaw: 50 }))).toMatchObject({
      location: '$.tdx.gpaw',
      fix: 'give the GPAW TDG.VP.INFO reports: 48 or 52',
      message: expect.stringContaining('gpaw 50 is not 48 or 52'),
    });
    expect(legacy?.write?.(new Map([['', 52]]))).toEqual({ gpaw: 52 });
    expect(legacy?.write?.(new Map())).toStrictEqual({});
  });

  it('gpawEvidence takes 48 or 52 only, naming its input', async () => {
    const { gpawEvidence, gpawOf } = await load();
    expect(gpawOf(gpawEvidence(52))).toEqual({ value: 52, source: '--tdx-gpaw' });
    expect(thrown(() => gpawEvidence(47, 'td_info'))).toEqual({
      code: 'PARAMETER_INVALID',
      input: 'td_info',
      location: undefined,
      fix: 'give the GPAW that TDG.VP.INFO reports: 48 or 52',
      message: expect.stringContaining('GPAW 47 is not 48 or 52'),
    });
  });
});

describe('the CPUID steps name the leaf they read', () => {
  const steps = async (leaves: [number, { eax: number; ebx: number; ecx: number; edx: number }][]) => {
    const { detectTdx } = await load();
    const b = new X86EvidenceBuilder();
    for (const [leaf, regs] of leaves) b.addCpuid(leaf, 0, regs, 'cpuid.txt');
    const r = recorder();
    detectTdx(b.build() as Evidence, r.context);
    return { facts: r.steps.filter((s) => s.source === 'cpuid').map((s) => s.fact), warnings: r.warnings };
  };
  const leaf0 = (max: number) =>
    [0, { eax: max, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 }] as const;
  const leaf21 = (regs: { ebx: number; ecx: number; edx: number }) => [0x21, { eax: 0, ...regs }] as const;

  it('leaf 0 when there is no leaf 0x21, leaf 0x21 otherwise', async () => {
    expect((await steps([[...leaf0(0x20)]])).facts).toEqual(['cpuid 0x0/0x0']);
    expect((await steps([[...leaf0(0x23)], [...leaf21({ ebx: 0, ecx: 0, edx: 0 })]])).facts).toEqual([
      'cpuid 0x21/0x0',
    ]);
    expect((await steps([[...leaf0(0x23)], [...leaf21(SIGNATURE)]])).facts[0]).toBe('cpuid 0x21/0x0');
    expect((await steps([[...leaf0(0x20)], [...leaf21(SIGNATURE)]])).facts[0]).toBe('cpuid 0x21/0x0');
    const unchecked = await steps([[...leaf21(SIGNATURE)]]);
    expect(unchecked.facts[0]).toBe('cpuid 0x21/0x0');
    expect(unchecked.warnings).toContain(
      'CPUID leaf 0 missing: the TDX signature was not checked against the max leaf; include leaf 0',
    );
  });
});

describe('the weighing under interface 2', () => {
  const LEAF0 = { eax: 0x23, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 }; // "GenuineIntel"
  const GUEST_LINE = '[    0.000000] tdx: Guest detected';

  it('a kernel line beside a CPUID without the signature is a conflict naming each source', async () => {
    const { detectTdx } = await load();
    const { parseKernelLogEvidence, mergeEvidence } = await import('@coco/core');
    const log = parseKernelLogEvidence(GUEST_LINE, { source: 'dmesg.txt' });
    const sidesOf = (b: X86EvidenceBuilder) => {
      const r = recorder();
      detectTdx(mergeEvidence(b.build(), log), r.context);
      return { conflicts: r.conflicts, sides: r.sides };
    };
    const unsigned = sidesOf(
      new X86EvidenceBuilder()
        .addCpuid(0, 0, LEAF0, 'leaf0.txt')
        .addCpuid(0x21, 0, { eax: 0, ebx: 0, ecx: 0, edx: 0 }, 'leaf21.txt'),
    );
    expect(unsigned.conflicts).toEqual(['TDX guest, but CPUID leaf 0x21 has no TDX signature']);
    expect(unsigned.sides).toEqual([
      [
        { says: 'CPUID 0x21 holds no "IntelTDX    " signature', source: 'leaf21.txt' },
        {
          says: expect.stringMatching(/^TDX guest: "tdx: Guest detected"/),
          source: expect.stringContaining('dmesg.txt'),
        },
      ],
    ]);
    const below = sidesOf(new X86EvidenceBuilder().addCpuid(0, 0, { ...LEAF0, eax: 0x20 }, 'leaf0.txt'));
    expect(below.sides[0]?.[0]).toEqual({ says: 'CPUID 0 EAX 0x20 is below 0x21', source: 'leaf0.txt' });
  });

  it('the claim’s last step names the GPAW fact', async () => {
    const { detectTdx, gpawEvidence } = await load();
    const { mergeEvidence } = await import('@coco/core');
    const r = recorder();
    const signed = new X86EvidenceBuilder()
      .addCpuid(0, 0, LEAF0, 'cpuid.txt')
      .addCpuid(0x21, 0, { eax: 0, ...SIGNATURE }, 'cpuid.txt')
      .build();
    detectTdx(mergeEvidence(signed, gpawEvidence(52)), r.context);
    expect(r.steps.at(-1)).toEqual({
      source: 'tdx',
      says: 'GPAW 52 (--tdx-gpaw): shared bit 51',
      fact: 'tdx.gpaw',
    });
  });

  it('says nothing of an arm64 machine', async () => {
    const { detectTdx } = await load();
    const { EvidenceBuilder } = await import('@coco/core');
    const arm64 = new EvidenceBuilder().addCpuinfo([['CPU architecture', '8']], 'cpuinfo').build();
    expect(detectTdx(arm64, recorder().context)).toBeNull();
  });
});

describe('the --force run’s other survivors', () => {
  it('each piece of evidence names its fact: a log line, the cpuinfo flag, the device, a lone GPAW', async () => {
    const { detectTdx, gpawEvidence } = await load();
    const { EvidenceBuilder, mergeEvidence, parseKernelLogEvidence } = await import('@coco/core');
    const facts = (evidence: Evidence) => {
      const r = recorder();
      detectTdx(evidence, r.context);
      return r.steps.map((s) => s.fact);
    };
    expect(
      facts(parseKernelLogEvidence('[    0.000000] Linux version 6.8.0\n[    0.000000] tdx: Guest detected')),
    ).toContain('dmesg line 2');
    const cpuinfo = new EvidenceBuilder().addCpuinfo([['flags', 'fpu tdx_guest']], 'cpuinfo').build();
    expect(facts(cpuinfo)).toContain('cpuinfo flag tdx_guest');
    const device = (exists: boolean) =>
      new EvidenceBuilder().setFile('/dev/tdx_guest', exists, 'probe').build();
    expect(facts(device(true))).toContain('file /dev/tdx_guest');
    expect(facts(device(false))).toEqual(['file /dev/tdx_guest']);
    expect(facts(mergeEvidence(device(false), gpawEvidence(52)))).toEqual([
      'file /dev/tdx_guest',
      'tdx.gpaw',
    ]);
  });

  it('TDX evidence on a CPU that is not Intel’s: the conflict names the vendor and the evidence', async () => {
    const { detectTdx } = await load();
    const amd = { eax: 0x10, ebx: 0x68747541, ecx: 0x444d4163, edx: 0x69746e65 }; // "AuthenticAMD"
    const { mergeEvidence, parseKernelLogEvidence } = await import('@coco/core');
    const r = recorder();
    detectTdx(
      mergeEvidence(
        new X86EvidenceBuilder().addCpuid(0, 0, amd, 'cpuid.txt').build(),
        parseKernelLogEvidence('[    0.000000] tdx: Guest detected', { source: 'dmesg.txt' }),
      ),
      r.context,
    );
    expect(r.conflicts).toContain("TDX guest evidence on a CPU that is not Intel's");
    expect(r.sides[r.conflicts.indexOf("TDX guest evidence on a CPU that is not Intel's")]).toEqual([
      { says: 'CPU vendor AuthenticAMD', source: expect.stringContaining('cpuid.txt') },
      {
        says: expect.stringMatching(/^TDX guest: "tdx: Guest detected"/),
        source: expect.stringContaining('dmesg.txt'),
      },
    ]);
  });

  it('forces DMA unencrypted (force_dma_unencrypted follows GUEST_MEM_ENCRYPT), loaded in the test', async () => {
    const { TDX_QUIRKS } = await load();
    expect(TDX_QUIRKS.forceDmaUnencrypted).toBe(true);
    expect(TDX_QUIRKS.unrollStringIo).toBe(true);
  });
});
