// Tests for the code no x86 test covered in the first run after plugin interface 2
// (docs/mutation.md, 2026-11-30): the interface-1 adapter, the parts every x86 plugin spreads
// (mask-bit checks, probes), the architecture test, MSR assignments and the fact kinds' snapshot
// forms. The backends' tests exercised them, but a package's score counts only its own tests.
//
// Facts (docs/facts x86-coco.md; Intel SDM vol. 3A 4.5): an x86-64 entry's physical-address field
// is bits 12..51; the SEV status MSR is 0xc0010131 (an Azure SEV-SNP guest with a paravisor reads
// 0x103df); CPUID leaf 0 of an AMD CPU spells "AuthenticAMD" in EBX, EDX, ECX; s390's cpuinfo
// vendor_id is IBM/S390; arm64's cpuinfo prints neither vendor_id nor flags.
import {
  EvidenceBuilder,
  type FactKind,
  type FactProbe,
  isCocoError,
  type JsonValue,
  type ProbeIO,
  parseSnapshot,
  toSnapshot,
} from '@coco/core';
import { describe, expect, it } from 'vitest';

const load = () => import('../src/index.js');
const SEV_STATUS = 0xc001_0131;
const AMD_LEAF0 = { eax: 0x10, ebx: 0x68747541, ecx: 0x444d4163, edx: 0x69746e65 };

/** What a call throws, as code, input, fix and message (or `undefined` when it does not throw). */
function thrown(f: () => unknown) {
  try {
    f();
  } catch (error) {
    if (!isCocoError(error)) return { message: error instanceof Error ? error.message : String(error) };
    return { code: error.code, input: error.input, fix: error.fix, message: error.message };
  }
  return undefined;
}

describe('the x86 mask-bit checks', () => {
  it('accept bits 12 to 51 and no bit, and refuse the rest with MASK_INVALID', async () => {
    const { checkX86MaskBit, X86_PA_BIT_MIN, X86_PA_BIT_MAX } = await load();
    expect([X86_PA_BIT_MIN, X86_PA_BIT_MAX]).toEqual([12, 51]);
    for (const ok of [12, 47, 51, null, undefined]) expect(thrown(() => checkX86MaskBit(ok))).toBeUndefined();
    for (const bad of [11, 52, 12.5, '47', -1]) {
      expect(thrown(() => checkX86MaskBit(bad))).toMatchObject({
        code: 'MASK_INVALID',
        input: 'type.maskBit',
        fix: 'use a bit from 12 to 51',
      });
    }
    expect(thrown(() => checkX86MaskBit(52, 'tdx params.maskBit'))).toMatchObject({
      input: 'tdx params.maskBit',
      message: expect.stringContaining('mask bit 52 is outside the physical-address field'),
    });
  });

  it('read a one-bit mask as its bit inside 12..51, and refuse any other mask', async () => {
    const { x86MaskBitOf } = await import('../src/plugin-parts.js');
    expect(x86MaskBitOf(0x1000n)).toBe(12);
    expect(x86MaskBitOf(1n << 46n)).toBe(46);
    expect(x86MaskBitOf(1n << 51n)).toBe(51);
    for (const bad of [0x800n, 1n << 52n, 0x3000n, 0n, -0x1000n, 0x1000]) {
      expect(thrown(() => x86MaskBitOf(bad, 'vtom'))).toMatchObject({
        code: 'MASK_INVALID',
        input: 'vtom',
        fix: 'pass a power of two from 0x1000n (bit 12) to 0x8000000000000n (bit 51)',
        message: expect.stringContaining('is not exactly one bit inside bits 12..51'),
      });
    }
    expect(thrown(() => x86MaskBitOf(3n))).toMatchObject({ input: 'mask' });
  });

  it('the entry format and the parts every x86 plugin spreads', async () => {
    const {
      X86_ENTRY_FORMATS,
      X86_ARCHITECTURES,
      X86_PLUGIN_PARTS,
      X86_PROBES,
      X86_FACT_PROBES,
      X86_FACTS,
      X86_CVM_PROCEDURE,
      X86_MACHINE_READER,
      INTERFACE_1_ADAPTER,
      X86_ATTESTATION_FILES,
    } = await load();
    expect(X86_ENTRY_FORMATS).toEqual([
      { id: 'x86-64', title: 'x86-64 page-table entry (4- or 5-level paging)' },
    ]);
    expect(X86_ARCHITECTURES).toEqual(['x64', 'ia32']);
    expect(X86_PROBES.architectures).toEqual(['x64', 'ia32']);
    expect(X86_PROBES.cpuinfo).toEqual(['flags', 'vendor_id']);
    expect(X86_PROBES.facts).toBe(X86_FACT_PROBES);
    const files = X86_PROBES.files ?? [];
    expect(files.every((f) => f.read === 'exists')).toBe(true);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining([...X86_ATTESTATION_FILES]));
    expect(files.map((f) => f.path)).toContain('/dev/tpmrm0');
    expect(X86_PLUGIN_PARTS).toEqual({
      cvm: X86_CVM_PROCEDURE,
      machine: X86_MACHINE_READER,
      facts: X86_FACTS,
      probes: X86_PROBES,
      adapters: [INTERFACE_1_ADAPTER],
    });
  });
});

describe('the architecture', () => {
  const cpuinfo = (pairs: [string, string][]) => new EvidenceBuilder().addCpuinfo(pairs, 'cpuinfo').build();

  it('x86 by vendor_id (not s390’s) or flags; another machine by other fields; unknown without cpuinfo', async () => {
    const { cpuinfoShowsX86 } = await load();
    expect(cpuinfoShowsX86(cpuinfo([['vendor_id', 'AuthenticAMD']]))).toBe(true);
    expect(cpuinfoShowsX86(cpuinfo([['flags', 'fpu vme de pse']]))).toBe(true);
    expect(cpuinfoShowsX86(cpuinfo([['vendor_id', 'IBM/S390']]))).toBe(false);
    expect(cpuinfoShowsX86(cpuinfo([['CPU architecture', '8']]))).toBe(false);
    expect(cpuinfoShowsX86(new EvidenceBuilder().build())).toBeUndefined();
  });

  it('not x86 only when cpuinfo shows another machine and no CPUID or MSR was read', async () => {
    const { notX86, X86EvidenceBuilder } = await load();
    const arm64 = () => new X86EvidenceBuilder().addCpuinfo([['CPU architecture', '8']], 'cpuinfo');
    expect(notX86(arm64().build())).toBe(true);
    expect(notX86(arm64().addCpuid(0, 0, AMD_LEAF0, 'cpuid').build())).toBe(false);
    expect(notX86(arm64().addMsr(SEV_STATUS, 0x103dfn, 'msr').build())).toBe(false);
    expect(notX86(cpuinfo([['vendor_id', 'GenuineIntel']]))).toBe(false);
    expect(notX86(new EvidenceBuilder().build())).toBe(false);
  });

  it('evidence that throws when read is left to the plugin’s own detection, not skipped', async () => {
    const { notX86 } = await load();
    const base = new EvidenceBuilder().addCpuinfo([['CPU architecture', '8']], 'cpuinfo').build();
    const broken = new Proxy(base, {
      get(target, key, receiver) {
        if (key === 'facts') {
          return () => {
            throw new Error('unreadable');
          };
        }
        return Reflect.get(target, key, receiver);
      },
    });
    expect(notX86(broken)).toBe(false);
  });
});

describe('MSR assignments', () => {
  it('read ADDR=VALUE in hex, spaces around either side', async () => {
    const { parseMsrAssignment, msrOf } = await load();
    expect(msrOf(parseMsrAssignment(' 0xc0010131 = 0x103df '), SEV_STATUS)).toEqual({
      value: 0x103dfn,
      source: '--msr',
    });
    expect(msrOf(parseMsrAssignment('0xc0010131=0x103df', 'msr.txt'), SEV_STATUS)?.source).toBe('msr.txt');
  });

  it('refuse what is not ADDR=VALUE, and a bad index or value, naming the part', async () => {
    const { parseMsrAssignment } = await load();
    expect(thrown(() => parseMsrAssignment('0xc0010131'))).toMatchObject({
      code: 'MSR_INVALID',
      input: '--msr',
      fix: 'write the MSR index and value in hex, such as 0xc0010131=0x103df',
      message: expect.stringContaining('"0xc0010131" is not ADDR=VALUE'),
    });
    const value = thrown(() => parseMsrAssignment(' 0xc0010131 = zz'));
    expect(value).toMatchObject({ code: 'MSR_INVALID', input: '--msr' });
    expect(value?.message).toContain('MSR 0xc0010131');
    expect(value?.message).not.toContain('MSR 0xc0010131 ');
    expect(thrown(() => parseMsrAssignment('zz=0x1'))).toMatchObject({
      code: 'MSR_INVALID',
      message: expect.stringContaining('the MSR index'),
    });
    // Too wide for 64 bits: a range error, not a syntax one.
    expect(thrown(() => parseMsrAssignment('0xc0010131=0x1ffffffffffffffff'))).toMatchObject({
      code: 'VALUE_OUT_OF_RANGE',
    });
  });
});

describe('the fact kinds', () => {
  it('CPUID: decodes a key and four hex registers, and names what is wrong', async () => {
    const { CPUID_FACT } = await load();
    const regs = { eax: '0x10', ebx: '0x68747541', ecx: '0x444d4163', edx: '0x69746e65' };
    expect(CPUID_FACT.decode(regs, '0x0/0x0')).toEqual(AMD_LEAF0);
    const problem = (json: JsonValue, key = '0x0/0x0') => thrown(() => CPUID_FACT.decode(json, key))?.message;
    expect(problem(regs, '0X0/0x0')).toBe('key "0X0/0x0" is not 0xLEAF/0xSUBLEAF in lower-case hex');
    for (const json of [null, [], '0x0']) expect(problem(json)).toBe('expected {eax, ebx, ecx, edx}');
    expect(problem({ ...regs, esi: '0x0' })).toBe('unknown key "esi"');
    expect(problem({ eax: '0x0', ebx: '0x0', ecx: '0x0' })).toBe('missing edx');
    expect(problem({ ...regs, ecx: 5 })).toBe('ecx 5 is not a hex string');
    expect(CPUID_FACT.describeKey?.('0x8000001f/0x0')).toBe('cpuid 0x8000001f/0x0');
  });

  it('CPUID: says which registers two readings differ in', async () => {
    const { CPUID_FACT } = await load();
    expect(CPUID_FACT.differences?.(AMD_LEAF0, { ...AMD_LEAF0, ecx: 0, edx: 1 })).toEqual([
      { part: 'ecx', a: '0x444d4163', b: '0x0' },
      { part: 'edx', a: '0x69746e65', b: '0x1' },
    ]);
    expect(CPUID_FACT.differences?.(AMD_LEAF0, { ...AMD_LEAF0 })).toEqual([]);
  });

  it('CPUID in format 1: an array of {leaf, subleaf, eax..edx}, written and read back in order', async () => {
    const { CPUID_FACT } = await load();
    const legacy = CPUID_FACT.legacy;
    const entry = {
      leaf: '0x0',
      subleaf: '0x0',
      eax: '0x10',
      ebx: '0x68747541',
      ecx: '0x444d4163',
      edx: '0x69746e65',
    };
    expect([...(legacy?.read([entry]) ?? [])]).toEqual([['0x0/0x0', AMD_LEAF0]]);
    expect(legacy?.write?.(new Map([['0x8000001f/0x1', { eax: 1, ebx: 2, ecx: 3, edx: 4 }]]))).toEqual([
      { leaf: '0x8000001f', subleaf: '0x1', eax: '0x1', ebx: '0x2', ecx: '0x3', edx: '0x4' },
    ]);
    const problem = (json: JsonValue) => {
      const error = thrown(() => [...(legacy?.read(json) ?? [])]);
      return error && { code: error.code, message: error.message, fix: error.fix };
    };
    expect(problem({})).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      message: expect.stringContaining('expected an array, found'),
      fix: 'see the coco-snapshot/1 format',
    });
    expect(problem([7])).toMatchObject({ message: expect.stringContaining('expected an object, found 7') });
    expect(problem([{ ...entry, esi: '0x0' }])).toMatchObject({
      message: expect.stringContaining('unknown key "esi"'),
      fix: 'use only leaf, subleaf, eax, ebx, ecx, edx',
    });
    const { edx: _edx, ...noEdx } = entry;
    expect(problem([noEdx])).toMatchObject({
      message: expect.stringContaining('missing edx'),
      fix: 'give edx as a hex string',
    });
  });

  it('MSR: decodes a lower-case hex key and a hex value; format 1 as an object', async () => {
    const { MSR_FACT } = await load();
    expect(MSR_FACT.decode('0x103df', '0xc0010131')).toBe(0x103dfn);
    expect(thrown(() => MSR_FACT.decode('0x1', '0XC0010131'))?.message).toBe(
      'key "0XC0010131" is not an MSR index in lower-case hex',
    );
    expect(thrown(() => MSR_FACT.decode(1, '0xc0010131'))?.message).toBe('1 is not a hex string');
    expect(MSR_FACT.describeKey?.('0xc0010131')).toBe('msr 0xc0010131');
    expect([...(MSR_FACT.legacy?.read({ '0xC0010131': '0x103df' }) ?? [])]).toEqual([
      ['0xc0010131', 0x103dfn],
    ]);
    expect(thrown(() => [...(MSR_FACT.legacy?.read([]) ?? [])])).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      message: expect.stringContaining('expected an object, found'),
    });
    const written = MSR_FACT.legacy?.write?.(new Map([['0xc0010131', 0x103dfn]]));
    expect(written).toEqual({ '0xc0010131': '0x103df' });
    expect(Object.keys(written as object)).toEqual(['0xc0010131']);
  });

  it('a snapshot of format 2 keeps CPUID and MSRs and reads them back', async () => {
    const { X86EvidenceBuilder, X86_FACTS, msrsOf, cpuidRecordsOf } = await load();
    const evidence = new X86EvidenceBuilder()
      .addCpuid(0x8000_001f, 1, { eax: 1, ebx: 2, ecx: 3, edx: 4 }, 'cpuid')
      .addCpuid(0x8000_001f, 0, { eax: 5, ebx: 6, ecx: 7, edx: 8 }, 'cpuid')
      .addCpuid(0, 0, AMD_LEAF0, 'cpuid')
      .addMsr(SEV_STATUS, 0x103dfn, 'msr')
      .build();
    const again = parseSnapshot(toSnapshot(evidence, { factKinds: X86_FACTS }), { factKinds: X86_FACTS });
    expect(cpuidRecordsOf(again).map((r) => [r.leaf, r.subleaf])).toEqual([
      [0, 0],
      [0x8000_001f, 0],
      [0x8000_001f, 1],
    ]);
    expect([...msrsOf(again)]).toEqual([[SEV_STATUS, { value: 0x103dfn, source: expect.any(String) }]]);
  });

  it('refuses a value out of range when added, saying the range', async () => {
    const { X86EvidenceBuilder } = await load();
    expect(thrown(() => new X86EvidenceBuilder().addMsr(SEV_STATUS, 1n << 64n, 'msr'))).toMatchObject({
      input: 'msr',
      fix: 'use a value from 0 to 0xffffffffffffffff',
    });
    expect(
      thrown(() => new X86EvidenceBuilder().addCpuid(0, 0, { ...AMD_LEAF0, eax: 2 ** 32 }, 'cpuid')),
    ).toMatchObject({ input: 'cpuid', fix: 'use a value from 0 to 0xffffffff' });
  });
});

describe('the interface-1 adapter', () => {
  // Interface 1 named the TDX guest width `tdxGpaw` and its kinds `cpuid`, `msr`, `tdx`.
  const GPAW: FactKind<number> = {
    id: 'tdx.gpaw',
    title: 'TDX guest physical-address width',
    decode: (json: JsonValue) => json as number,
    encode: (value: number) => value,
  };

  it('shows interface-2 evidence with interface 1’s fields and kind names', async () => {
    const { interface1Evidence, X86EvidenceBuilder } = await load();
    const evidence = new X86EvidenceBuilder()
      .addCpuid(0, 0, AMD_LEAF0, 'cpuid')
      .addMsr(SEV_STATUS, 0x103dfn, 'msr')
      .addFact(GPAW, '', 52, 'td_info')
      .addUnavailable({ source: '/dev/cpu/0/msr', kind: 'x86.msr', reason: 'permission denied', fix: 'root' })
      .addUnavailable({ source: '/dev/sev-guest', kind: 'files', reason: 'missing', fix: 'load it' })
      .build();
    const v1 = interface1Evidence(evidence);
    expect([...v1.kinds].sort()).toEqual(['cpuid', 'msr', 'tdx']);
    expect(v1.cpuid(0)).toEqual({ leaf: 0, subleaf: 0, ...AMD_LEAF0, source: 'cpuid' });
    expect(v1.cpuidRecords.map((r) => r.leaf)).toEqual([0]);
    expect(v1.msr(SEV_STATUS)).toEqual({ value: 0x103dfn, source: 'msr' });
    expect([...v1.msrs.keys()]).toEqual([SEV_STATUS]);
    expect(v1.tdxGpaw).toEqual({ value: 52, source: 'td_info' });
    expect(v1.unavailable.map((n) => n.kind)).toEqual(['msr', 'files']);
    expect(Object.isFrozen(v1)).toBe(true);
    expect(interface1Evidence(new EvidenceBuilder().build()).tdxGpaw).toBeUndefined();
  });

  it('adapts a backend: its detect, cvm and machine read interface 1, its types take the old parameters', async () => {
    const { INTERFACE_1_ADAPTER, X86EvidenceBuilder, PLUGIN_INTERFACE_VERSION } = {
      ...(await load()),
      ...(await import('@coco/core')),
    };
    const seen: unknown[] = [];
    const createType = (params: unknown) => ({ built: params });
    const plugin = {
      kind: 'backend',
      id: 'old',
      packageName: 'old-backend',
      interfaceVersion: 1,
      attributes: ['mem-encrypt'],
      logPatterns: [/^old/],
      variants: [{ variant: null }],
      detect(evidence: { msr(i: number): unknown }, context: unknown) {
        seen.push(['detect', evidence.msr(SEV_STATUS), context, this === plugin]);
        return null;
      },
      createType,
      cvm: { id: 'old-cvm', read: (e: { kinds: ReadonlySet<string> }) => [...e.kinds] },
      machine: { id: 'old-machine', read: (e: { msrs: ReadonlyMap<number, unknown> }) => e.msrs.size },
    };
    expect(INTERFACE_1_ADAPTER.fromVersion).toBe(1);
    const adapted = INTERFACE_1_ADAPTER.adapt(plugin) as unknown as Record<string, unknown>;
    expect(adapted).toMatchObject({
      kind: 'backend',
      id: 'old',
      packageName: 'old-backend',
      interfaceVersion: PLUGIN_INTERFACE_VERSION,
      attributes: ['mem-encrypt'],
      logPatterns: [/^old/],
      variants: [{ variant: null }],
      params: {},
    });
    expect(Object.isFrozen(adapted)).toBe(true);
    const evidence = new X86EvidenceBuilder().addMsr(SEV_STATUS, 0x103dfn, 'msr').build();
    (adapted.detect as (e: unknown, c: unknown) => unknown)(evidence, 'ctx');
    expect(seen).toEqual([['detect', { value: 0x103dfn, source: 'msr' }, 'ctx', true]]);
    expect((adapted.createType as (p: unknown) => unknown)({ maskBit: 47 })).toEqual({
      built: { maskBit: 47 },
    });
    const cvm = adapted.cvm as { id: string; read(e: unknown): unknown };
    const machine = adapted.machine as { id: string; read(e: unknown): unknown };
    expect([cvm.id, cvm.read(evidence)]).toEqual(['old-cvm', ['msr']]);
    expect([machine.id, machine.read(evidence)]).toEqual(['old-machine', 1]);
  });

  it('adapts a hypervisor plugin without types, and keeps readers it cannot wrap as they are', async () => {
    const { INTERFACE_1_ADAPTER } = await load();
    const odd = { id: 'x' };
    const adapted = INTERFACE_1_ADAPTER.adapt({
      kind: 'hypervisor',
      id: 'old-hv',
      detect: () => null,
      cvm: odd,
      machine: null,
    }) as unknown as Record<string, unknown>;
    expect(adapted.kind).toBe('hypervisor');
    expect('params' in adapted || 'createType' in adapted).toBe(false);
    expect(adapted.cvm).toBe(odd);
    expect(adapted.machine).toBeNull();
    expect('attributes' in adapted).toBe(false);
  });

  it('refuses what is no interface-1 plugin, naming it', async () => {
    const { INTERFACE_1_ADAPTER } = await load();
    for (const plugin of [
      { kind: 'backend', id: 'nodetect' },
      { kind: 'other', id: 'odd', detect: () => null },
    ]) {
      expect(thrown(() => INTERFACE_1_ADAPTER.adapt(plugin))).toMatchObject({
        code: 'PLUGIN_INVALID',
        input: `plugin ${JSON.stringify(plugin.id)}`,
        fix: 'pass the plugin object the package exports',
        message: expect.stringContaining('it is not an interface-1 plugin (no detect or kind)'),
      });
    }
    expect(thrown(() => INTERFACE_1_ADAPTER.adapt({ kind: 'backend', id: 'x'.repeat(100) }))).toMatchObject({
      input: `plugin "${'x'.repeat(64)}"`,
    });
  });
});

describe('the device probes’ failures', () => {
  type Read = ReturnType<ProbeIO['read']>;
  /** Runs one probe over an io that answers `answer(path, offset)`; returns facts and notes. */
  const runProbe = (probe: FactProbe, answer: (path: string, offset: bigint) => Read) => {
    const builder = new EvidenceBuilder();
    const notes: { source: string; reason: string; fix: string }[] = [];
    probe.run(
      { read: (path, options = {}) => answer(path, options.offset ?? 0n) },
      {
        fact: (key, value) => void builder.addFact(probe.kind, key, value, 'probe'),
        unavailable: (note) => void notes.push({ ...note }),
        evidence: () => builder.build(),
      },
    );
    return { evidence: builder.build(), notes };
  };
  const regs = (eax: number) => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setUint32(0, eax, true);
    return { ok: true as const, bytes };
  };

  it('a CPUID leaf read short is refused like EIO, named alone or as the first of several', async () => {
    const { CPUID_PROBE, CPUID_DEVICE, cpuidOffset } = await load();
    const short = { ok: true as const, bytes: new Uint8Array(8) };
    // Basic range up to leaf 2; extended range head 0x80000000 only.
    const one = runProbe(CPUID_PROBE, (_path, offset) =>
      offset === cpuidOffset(0, 0) ? regs(2) : offset === cpuidOffset(2, 0) ? short : regs(0),
    );
    expect(one.notes).toEqual([
      {
        source: `${CPUID_DEVICE} leaf 0x2`,
        reason: 'the CPU or hypervisor refused the read (EIO)',
        fix: 'none needed: this CPU does not answer that leaf',
      },
    ]);
    const two = runProbe(CPUID_PROBE, (_path, offset) => (offset === cpuidOffset(0, 0) ? regs(2) : short));
    expect(two.notes.map((n) => n.source)).toEqual([`${CPUID_DEVICE} 3 leaves from 0x1`]);
  });

  it('an unexpected error names root and the module', async () => {
    const { CPUID_PROBE, CPUID_DEVICE } = await load();
    const busy = runProbe(CPUID_PROBE, () => ({
      ok: false,
      missing: false,
      reason: 'device busy',
      code: 'EBUSY',
    }));
    expect(busy.notes).toEqual([
      {
        source: CPUID_DEVICE,
        reason: 'device busy',
        fix: 'run coco as root (sudo), with the cpuid module loaded (modprobe cpuid)',
      },
    ]);
  });

  it('an MSR read short is refused like EIO, by index and name', async () => {
    const { MSR_PROBE, MSR_DEVICE } = await load();
    const short = runProbe(MSR_PROBE, () => ({ ok: true, bytes: new Uint8Array(4) }));
    expect(short.notes[0]).toEqual({
      source: `${MSR_DEVICE} 0xc0010131 (SEV status)`,
      reason: 'the CPU or hypervisor refused the read (EIO)',
      fix: 'none needed: this machine does not expose that MSR to the guest',
    });
    expect(short.notes).toHaveLength(2);
  });
});
