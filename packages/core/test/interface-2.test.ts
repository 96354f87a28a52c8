// Plugin interface 2's contracts in core, with made-up plugins: typed parameters, markings with
// per-format entry bits or no bit, quirks of a backend's own, snapshot format 2, and interface-1
// plugins loaded through an adapter.
import {
  applyQuirks,
  type CocoPlugin,
  checkParams,
  createMarking,
  createRegistry,
  createType,
  deriveType,
  EvidenceBuilder,
  type InterfaceAdapter,
  isCocoError,
  NO_QUIRKS,
  PLUGIN_INTERFACE_VERSION,
  parseParam,
  parseSnapshot,
  toSnapshot,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { TOY_FACTS, TOY_REG, ToyEvidenceBuilder, toyBackend, toyReg } from './fixtures.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isCocoError(error) ? `${error.code}: ${error.message}` : `untyped: ${String(error)}`;
  }
  return 'none';
}

describe('typed parameters', () => {
  const SCHEMA = {
    ipaBits: { type: 'integer', min: 32, max: 52, description: 'the IPA width' },
    granule: {
      type: 'integer',
      min: 4096,
      max: 65536,
      values: [4096, 16384, 65536],
      description: 'the granule',
    },
    status: { type: 'bigint', description: 'a register' },
    mode: { type: 'enum', values: ['a', 'b'], description: 'a mode', required: true },
    on: { type: 'boolean', description: 'a switch' },
  } as const;

  it('accepts values of their type and range, and null for an optional one', () => {
    const p = checkParams(SCHEMA, { ipaBits: 48, granule: 16384, status: 0x7n, mode: 'a', on: false }, 'x');
    expect(p).toEqual({ ipaBits: 48, granule: 16384, status: 0x7n, mode: 'a', on: false });
    expect(checkParams(SCHEMA, { mode: 'b', ipaBits: null }, 'x')).toEqual({ mode: 'b', ipaBits: null });
  });

  it('refuses an unknown name, a wrong type or range, a missing required one, naming each', () => {
    expect(codeOf(() => checkParams(SCHEMA, { mode: 'a', ipa: 48 }, 'x'))).toMatch(
      /PARAMETER_INVALID: .*unknown parameter "ipa".*use only ipaBits, granule/,
    );
    expect(codeOf(() => checkParams(SCHEMA, { mode: 'a', ipaBits: 53 }, 'x'))).toMatch(
      /x\.ipaBits.*an integer from 32 to 52/,
    );
    expect(codeOf(() => checkParams(SCHEMA, { mode: 'a', granule: 8192 }, 'x'))).toMatch(
      /one of 4096, 16384, 65536/,
    );
    expect(codeOf(() => checkParams(SCHEMA, { mode: 'a', status: 7 }, 'x'))).toMatch(/x\.status/);
    expect(codeOf(() => checkParams(SCHEMA, {}, 'x'))).toMatch(/x\.mode.*mode is missing/);
    expect(codeOf(() => checkParams(SCHEMA, { mode: null }, 'x'))).toMatch(/x\.mode.*one of a, b/);
    expect(codeOf(() => checkParams(SCHEMA, [], 'x'))).toMatch(/not a parameter object/);
  });

  it('never reads a field polluted onto Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.ipaBits = 99;
    try {
      expect(checkParams(SCHEMA, { mode: 'a' }, 'x')).toEqual({ mode: 'a' });
    } finally {
      delete proto.ipaBits;
    }
  });

  it('parses command-line text by the schema', () => {
    expect(parseParam(SCHEMA, 'ipaBits', '48')).toBe(48);
    expect(parseParam(SCHEMA, 'status', '0x103df')).toBe(0x103dfn);
    expect(parseParam(SCHEMA, 'on', 'true')).toBe(true);
    expect(parseParam(SCHEMA, 'mode', 'b')).toBe('b');
    expect(codeOf(() => parseParam(SCHEMA, 'ipaBits', '48.5'))).toMatch(/--param ipaBits: /);
    expect(codeOf(() => parseParam(SCHEMA, 'nope', '1'))).toMatch(/unknown parameter "nope"/);
  });

  it('reads signed and wide whole numbers, and leaves the range to the schema', () => {
    const signed = {
      offset: { type: 'integer', min: -5, max: 5, description: 'an offset' },
      wide: { type: 'integer', min: 0, max: 2 ** 40, description: 'a wide count' },
      delta: { type: 'bigint', min: -(2n ** 63n), description: 'a delta from -2^63' },
    } as const;
    expect(parseParam(signed, 'offset', '-5')).toBe(-5);
    expect(Object.is(parseParam(signed, 'offset', '-0'), 0)).toBe(true);
    expect(parseParam(signed, 'offset', '+1')).toBe(1);
    expect(parseParam(signed, 'offset', '-0x5')).toBe(-5);
    expect(codeOf(() => parseParam(signed, 'offset', '-6'))).toMatch(/from -5 to 5/);
    expect(parseParam(signed, 'wide', '1099511627776')).toBe(2 ** 40);
    expect(parseParam(signed, 'wide', '0x10000000000')).toBe(2 ** 40);
    expect(codeOf(() => parseParam(signed, 'wide', '99999999999999999999'))).toMatch(/PARAMETER_INVALID/);
    expect(parseParam(signed, 'delta', '-0x8000000000000000')).toBe(-(2n ** 63n));
    expect(parseParam(signed, 'delta', '18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(codeOf(() => parseParam(signed, 'delta', '-0x8000000000000001'))).toMatch(
      /from -0x8000000000000000 to 0xffffffffffffffff/,
    );
    for (const text of ['--1', '01', '0x', '1e3', ' 1', '-']) {
      expect(
        codeOf(() => parseParam(signed, 'offset', text)),
        text,
      ).toMatch(/PARAMETER_INVALID/);
    }
  });
});

describe('markings: address bit, entry bit per format, or no bit', () => {
  // arm64 with LPA2 keeps output-address bits 51:50 in descriptor bits 9:8 (PTE_ADDR_HIGH 0x3 << 8,
  // arch/arm64/include/asm/pgtable-hwdef.h): address bit 51 is entry bit 9.
  const m = createMarking({
    maskBit: 51,
    encryptedWhen: 'clear',
    formats: [
      { id: 'lpa2', title: '4K, LPA2', entryBit: 9 },
      { id: 'flat', title: 'in place' },
    ],
  });

  it('marks entries at the entry bit of the default format, addresses at the address bit', () => {
    expect(m.maskBit).toBe(51);
    expect(m.entryBit).toBe(9);
    expect(m.mask).toBe(1n << 9n);
    expect(m.addressMask).toBe(1n << 51n);
    expect(m.decrypt(0x0n)).toBe(0x200n);
    expect(m.forFormat('flat').decrypt(0x0n)).toBe(1n << 51n);
    expect(m.forFormat('lpa2')).toBe(m);
    expect(codeOf(() => m.forFormat('x86-64'))).toMatch(/MASK_INVALID: .*use one of lpa2, flat/);
  });

  it('accepts any of the 64 bits in core, and refuses the 65th', () => {
    expect(createMarking({ maskBit: 0, encryptedWhen: 'set' }).mask).toBe(1n);
    expect(createMarking({ maskBit: 63, encryptedWhen: 'set' }).mask).toBe(1n << 63n);
    expect(codeOf(() => createMarking({ maskBit: 64, encryptedWhen: 'set' }))).toMatch(/^MASK_INVALID/);
    expect(codeOf(() => createMarking({ maskBit: 47, encryptedWhen: 'set', formats: [] }))).toMatch(
      /formats/,
    );
  });

  const base = { id: 'acme', title: 'Acme', attributes: ['mem-encrypt'] as const, cvm: 'none' };
  it('tells a type with no bit from one whose bit is unknown', () => {
    const none = createType({ ...base, maskBit: 'none', maskName: 'firmware call' });
    expect(none.maskState).toBe('none');
    expect(none.marking).toBeNull();
    expect(none.maskUnknownReason).toBeNull();
    expect(none.encryptedWhen).toBeNull();
    expect(none.describe()).toBe('Acme, no page-table bit (pages are shared by firmware call)');
    const unknown = createType({
      ...base,
      maskBit: null,
      maskUnknownReason: 'not read',
      maskName: 'bit',
      encryptedWhen: 'set',
    });
    expect(unknown.maskState).toBe('unknown');
    expect(unknown.maskUnknownReason).toBe('not read');
    expect(codeOf(() => createType({ ...base, maskBit: 47, maskName: 'bit' }))).toMatch(/PARAMETER_INVALID/);
    expect(deriveType(unknown, { maskBit: 47 }).maskState).toBe('known');
  });

  it('keeps a note in describe()', () => {
    const t = createType({ ...base, maskBit: 'none', maskName: 'call', note: 'systemd prints none here' });
    expect(t.describe()).toBe('Acme, no page-table bit (pages are shared by call); systemd prints none here');
  });
});

describe("a backend's own quirks", () => {
  it('are kept through applyQuirks and deriveType, and must be namespaced JSON', () => {
    const q = applyQuirks(NO_QUIRKS, { extra: { 'acme:doorbell': 4096 }, forceDmaUnencrypted: true });
    expect(q.extra).toEqual({ 'acme:doorbell': 4096 });
    expect(q.forceDmaUnencrypted).toBe(true);
    expect(applyQuirks(q, { extra: { 'acme:other': [1] } }).extra).toEqual({
      'acme:doorbell': 4096,
      'acme:other': [1],
    });
    const t = createType({
      id: 'acme',
      title: 'Acme',
      attributes: [],
      maskBit: 'none',
      maskName: 'call',
      cvm: 'none',
      quirks: { ...NO_QUIRKS, extra: { 'acme:doorbell': 4096 } },
    });
    expect(deriveType(t, { quirks: { notes: ['n'] } }).quirks.extra).toEqual({ 'acme:doorbell': 4096 });
    expect(codeOf(() => applyQuirks(NO_QUIRKS, { extra: { doorbell: 1 } }))).toMatch(/not namespaced/);
  });
});

describe('coco-snapshot/2', () => {
  it('keeps facts, cpuinfo fields and file contents, and writes format 1 on request', () => {
    const e = new ToyEvidenceBuilder()
      .addReg(0x1234, 0x33n, 'probe')
      .addCpuinfo(
        [
          ['vendor_id', 'IBM/S390'],
          ['processor 0', 'version = FF, identification = 0ABC12'],
        ],
        'cpuinfo',
      )
      .setFile('/sys/firmware/uv/prot_virt_guest', true, 'probe', '1\n')
      .setFile('/dev/uv', true, 'probe')
      .build();
    const doc = toSnapshot(e, { cpuinfoFields: ['vendor_id'] });
    expect(doc).toMatchObject({
      format: 'coco-snapshot/2',
      facts: { 'toy.reg': { '0x1234': '0x33' } },
      // Only the declared field: the s390 processor line holds a machine identification.
      cpuinfo: { vendor_id: 'IBM/S390' },
      files: { '/sys/firmware/uv/prot_virt_guest': { exists: true, content: '1\n' }, '/dev/uv': true },
    });
    const again = parseSnapshot(JSON.stringify(doc), { factKinds: TOY_FACTS });
    expect(again.file('/sys/firmware/uv/prot_virt_guest')?.content).toBe('1\n');
    expect(toyReg(again, 0x1234)?.value).toBe(0x33n);
    const v1 = toSnapshot(e, { version: 1, factKinds: TOY_FACTS });
    expect(v1).toMatchObject({
      format: 'coco-snapshot/1',
      reg: { '0x1234': '0x33' },
      files: { '/dev/uv': true },
    });
  });

  it('reads what a newer coco wrote, with warnings instead of a refusal', () => {
    const doc = '{"format":"coco-snapshot/2","facts":{"future.thing":{"k":1}},"later":{}}';
    const e = parseSnapshot(doc, { source: 'new.json' });
    expect(e.warnings).toEqual([
      'new.json: unknown key "later" (a newer coco may have written it): not read',
    ]);
    const d = createRegistry().use(toyBackend).detect(e).toJSON();
    expect(d.warnings.join('\n')).toMatch(
      /1 fact of kind "future\.thing" \(from snapshot new\.json\) is read by no registered plugin/,
    );
    expect(JSON.stringify(toSnapshot(e))).toContain('"future.thing":{"k":1}');
  });

  it('refuses a fact its declared kind cannot hold, naming the JSON path', () => {
    const bad = '{"format":"coco-snapshot/2","facts":{"toy.reg":{"0x1234":"zz"}}}';
    expect(codeOf(() => parseSnapshot(bad, { factKinds: TOY_FACTS }))).toMatch(
      /SNAPSHOT_INVALID: .*\$\.facts\["toy\.reg"\]\["0x1234"\].*reg 0x1234/,
    );
    // Without the kind at parse time, the registry that detects checks it.
    expect(codeOf(() => createRegistry().use(toyBackend).detect(parseSnapshot(bad)))).toMatch(
      /EVIDENCE_INVALID: .*reg 0x1234/,
    );
  });

  it('converts the plugin keys of format 1 through the kinds that declare them', () => {
    const v1 =
      '{"format":"coco-snapshot/1","reg":{"0x1234":"0x33"},"unavailable":[{"source":"/dev/x","kind":"reg","reason":"r","fix":"f"}]}';
    const early = parseSnapshot(v1);
    expect(early.legacy.has('reg')).toBe(true);
    const d = createRegistry().use(toyBackend).detect(early);
    expect(d.toJSON().maskBit).toBe(0x33);
    expect(early.unavailable[0]?.kind).toBe('reg');
    const now = createRegistry().use(toyBackend).parseSnapshot(v1);
    expect(now.unavailable[0]?.kind).toBe(TOY_REG.id);
    expect(
      codeOf(() => createRegistry().use(toyBackend).parseSnapshot('{"format":"coco-snapshot/1","regs":{}}')),
    ).toMatch(/unknown key "regs"/);
  });
});

describe('interface 1 through an adapter', () => {
  // A made-up interface-1 plugin and the adapter another plugin carries.
  const oldPlugin = { ...toyBackend, id: 'old', interfaceVersion: 1 } as unknown as CocoPlugin;
  const adapter: InterfaceAdapter = {
    fromVersion: 1,
    adapt: (p) => ({ ...(p as typeof toyBackend), interfaceVersion: PLUGIN_INTERFACE_VERSION }),
  };
  const carrier = { ...toyBackend, id: 'carrier', adapters: [adapter] };

  it('loads, before or after the carrier, with a deprecation warning in every detection', () => {
    for (const registry of [
      createRegistry().use(oldPlugin).use(carrier),
      createRegistry().use(carrier).use(oldPlugin),
    ]) {
      expect(registry.backend('old')?.interfaceVersion).toBe(PLUGIN_INTERFACE_VERSION);
      const d = registry.detect(new EvidenceBuilder().build());
      expect(d.warnings).toContain(
        'plugin "old" (toy-backend) implements plugin interface 1, which is deprecated: it runs through an adapter; update it to interface 2',
      );
    }
  });

  it('is refused at detection or seal() when no registered plugin carries the adapter', () => {
    const r = createRegistry().use(oldPlugin);
    expect(codeOf(() => r.detect(new EvidenceBuilder().build()))).toMatch(
      /PLUGIN_VERSION_UNSUPPORTED: .*interface-1 adapter/,
    );
    expect(codeOf(() => createRegistry().use(oldPlugin).seal())).toMatch(/PLUGIN_VERSION_UNSUPPORTED/);
  });
});
