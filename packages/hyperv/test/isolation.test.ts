import { describe, expect, it } from 'vitest';
import { decodeIsolationConfig, describeIsolation } from '../src/index.js';

// Decoded by hand from the field layout of facts §6: EAX bit 0 paravisor; EBX[3:0] type,
// bit 4 reserved, bit 5 boundary active, EBX[11:6] boundary bits.
describe('decodeIsolationConfig', () => {
  it('Azure SNP: Group A 0x1, Group B 0xba2', () => {
    expect(decodeIsolationConfig(0x1, 0xba2)).toEqual({
      groupA: 0x1,
      groupB: 0xba2,
      paravisor: true,
      type: 'snp',
      typeCode: 2,
      boundaryActive: true,
      boundaryBits: 46,
      reservedA: [],
      reservedB: [],
    });
  });

  it('Azure TDX: Group A 0x1, Group B 0xbe3', () => {
    expect(decodeIsolationConfig(0x1, 0xbe3)).toMatchObject({
      paravisor: true,
      type: 'tdx',
      typeCode: 3,
      boundaryActive: true,
      boundaryBits: 47,
      reservedA: [],
      reservedB: [],
    });
  });

  it('Azure TDX preview without a paravisor: Group A 0x0, Group B 0x3', () => {
    expect(decodeIsolationConfig(0x0, 0x3)).toMatchObject({
      paravisor: false,
      type: 'tdx',
      boundaryActive: false,
      boundaryBits: 0,
      reservedB: [],
    });
  });

  it('VBS is type 1', () => {
    expect(decodeIsolationConfig(0x1, 0xba1).type).toBe('vbs');
    expect(decodeIsolationConfig(0x0, 0x0).type).toBe('none');
  });

  it('types 4 to 15 are not defined', () => {
    for (const code of [4, 7, 15]) {
      expect(decodeIsolationConfig(0, code)).toMatchObject({ type: null, typeCode: code });
    }
  });

  it('reports reserved bits by number: EBX bit 4 and 12..31, EAX 1..31', () => {
    const c = decodeIsolationConfig(0x8000_0002, 0x8000_1bb2);
    expect(c.reservedA).toEqual([1, 31]);
    expect(c.reservedB).toEqual([4, 12, 31]);
    // the defined fields are unaffected
    expect(c).toMatchObject({ paravisor: false, type: 'snp', boundaryActive: true, boundaryBits: 46 });
  });

  it('describes the configuration in one line', () => {
    expect(describeIsolation(decodeIsolationConfig(0x1, 0xba2))).toBe(
      'SNP, paravisor, boundary bit 46 (Group A 0x1, Group B 0xba2)',
    );
    expect(describeIsolation(decodeIsolationConfig(0x0, 0x3))).toBe(
      'TDX, no paravisor, boundary inactive (Group A 0x0, Group B 0x3)',
    );
    expect(describeIsolation(decodeIsolationConfig(0x0, 0x9))).toBe(
      'type 9, no paravisor, boundary inactive (Group A 0x0, Group B 0x9)',
    );
  });
});
