// Tests written from Stryker's surviving mutants (docs/mutation.md): the SEV status MSR bits, their
// consistency rules, the bits snp_check_features refuses, and the `SEV: Status:` line reader.
import { describe, expect, it } from 'vitest';
import {
  decodeSevStatus,
  findSevStatusLines,
  parseSevStatusLine,
  SEV_STATUS_SPELLINGS,
  sevStatusBitName,
  snpUnsupportedBits,
  statusInconsistency,
} from '../src/index.js';

const U64_MAX = (1n << 64n) - 1n;

function line(text: string, n: number) {
  return { text, raw: text, line: n, source: 'dmesg' };
}

describe('decodeSevStatus bounds', () => {
  it('decodes the largest 64-bit value, with bit 63 unknown', () => {
    const d = decodeSevStatus(U64_MAX);
    expect(d.unknownBits.at(-1)).toBe(63);
    expect(d.bits).toHaveLength(18);
  });

  it('refuses a value over 64 bits with a range error naming input and fix', () => {
    let error: unknown;
    try {
      decodeSevStatus(U64_MAX + 1n);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({
      input: 'sevStatus',
      fix: 'pass the MSR 0xc0010131 value as a bigint from 0n to 0xffffffffffffffffn',
    });
    expect((error as Error).message).toContain('0x10000000000000000 is not a 64-bit SEV status value');
  });
});

describe('statusInconsistency: what real hardware cannot report', () => {
  it('accepts 0, SEV, SEV-ES and SEV-SNP with their prerequisites', () => {
    for (const v of [0n, 0x1n, 0x3n, 0x7n, 0x103dfn]) expect(statusInconsistency(v)).toBeNull();
  });

  it('refuses any bit without bit 0 (SEV)', () => {
    for (const v of [0x2n, 0x8n, 0x6n]) {
      expect(statusInconsistency(v)).toBe('bits are set but bit 0 (SEV) is clear');
    }
  });

  it('refuses SEV-SNP without SEV-ES', () => {
    expect(statusInconsistency(0x5n)).toBe('bit 2 (SEV-SNP) is set but bit 1 (SEV-ES) is clear');
  });
});

describe('snpUnsupportedBits (snp_check_features)', () => {
  it('checks nothing without SEV-SNP', () => {
    expect(snpUnsupportedBits(0x3n | (1n << 4n) | (1n << 40n))).toEqual([]);
  });

  it('lists the required features the kernel does not implement, lowest first', () => {
    // Azure's 0x103df: vTom (3), ReflectVC (4), AI (6), VMSARegProt (16); DebugSwap (7) is implemented.
    expect(snpUnsupportedBits(0x103dfn)).toEqual([3, 4, 6, 16]);
    expect(snpUnsupportedBits(0x7n | (1n << 13n) | (1n << 15n))).toEqual([13, 15]);
  });

  it('allows DebugSwap, SecureTSC and SecureAVIC, and the optional bits such as IBSVirt', () => {
    expect(
      snpUnsupportedBits(0x7n | (1n << 7n) | (1n << 11n) | (1n << 18n) | (1n << 14n) | (1n << 8n)),
    ).toEqual([]);
  });

  it('lists every reserved bit from 19 to 63, and only the 64 bits of the MSR', () => {
    expect(snpUnsupportedBits(0x7n | (1n << 19n) | (1n << 63n))).toEqual([19, 63]);
    expect(snpUnsupportedBits(0x7n | (1n << 64n))).toEqual([]);
  });
});

describe('SEV status names', () => {
  it("names a bit as the kernel prints it, or 'bit N'", () => {
    expect(sevStatusBitName(5)).toBe('RI');
    expect(sevStatusBitName(13)).toBe('bit 13');
  });

  it('lists every spelling once, the longest (in words) first', () => {
    expect(SEV_STATUS_SPELLINGS).toHaveLength(26);
    expect(SEV_STATUS_SPELLINGS[0]).toEqual(['VMSA reg prot', 16]);
    const lengths = SEV_STATUS_SPELLINGS.map(([s]) => s.split(' ').length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    expect(SEV_STATUS_SPELLINGS).toContainEqual(['Secure TSC', 11]);
    expect(SEV_STATUS_SPELLINGS).toContainEqual(['SEV', 0]);
  });
});

describe('the SEV: Status: line', () => {
  it('reads the spaced names of the 2024 posting as one bit each', () => {
    const parsed = parseSevStatusLine('SEV: Status: SEV SEV-ES SEV-SNP Secure TSC VMSA reg prot');
    expect(parsed?.names).toEqual(['SEV', 'SEV-ES', 'SEV-SNP', 'SecureTSC', 'VMSARegProt']);
    expect(parsed?.status).toBe(0x7n | (1n << 11n) | (1n << 16n));
    expect(parsed?.unknown).toEqual([]);
  });

  it('takes "SEV:Status:" without the space, and no other prefix or an overlong line', () => {
    expect(parseSevStatusLine('SEV:Status: vTom')?.names).toEqual(['vTom']);
    expect(parseSevStatusLine('audit: SEV: Status: vTom')).toBeNull();
    expect(parseSevStatusLine(`SEV: Status: ${'SEV '.repeat(300)}`)).toBeNull();
  });

  it('keeps unknown words', () => {
    expect(parseSevStatusLine('SEV: Status: SEV Frobnicate')?.unknown).toEqual(['Frobnicate']);
  });

  it('joins continuation lines of known names only, and not a following message', () => {
    const found = findSevStatusLines([
      line('SEV: Status: SEV SEV-ES', 1),
      line('SEV-SNP vTom', 2),
      line('Command line: ro', 3),
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]?.where).toBe('dmesg lines 1-2');
    expect(found[0]?.text).toBe('SEV: Status: SEV SEV-ES SEV-SNP vTom');
    const alone = findSevStatusLines([line('SEV: Status: SEV', 4), line('Command line: ro', 5)]);
    expect(alone.map((f) => [f.where, f.text])).toEqual([['dmesg line 4', 'SEV: Status: SEV']]);
  });
});
