// The command on plugin interface 2, through the built command: arm64 entry formats and types
// without a page-table bit in `coco pte`, typed `--param`, coco-snapshot/2 and /1, and the human
// output of types whose bit is elsewhere in the entry or absent. Expected values come from the
// architectures' sources, not from coco's output:
// - arm64 52-bit descriptors: the kernel's PTE_ADDR_HIGH (arch/arm64/include/asm/pgtable-hwdef.h)
//   is `0x3 << 8` for 4K and 16K granules with LPA2 (OA[51:50] at descriptor bits 9:8) and
//   `0xf << 12` for 64K (OA[51:48] at bits 15:12); below that, OA bits sit in place.
// - A realm's shared bit is the top IPA bit, `BIT(ipa_bits - 1)`, set on a shared page (rsi.c).
// - s390: UVC_CMD_SET_SHARED_ACCESS 0x1000, UVC_CMD_REMOVE_SHARED_ACCESS 0x1001, one per 4 KiB page
//   (arch/s390/include/asm/uv.h). POWER: UV_SHARE_PAGE 0xF130, UV_UNSHARE_PAGE 0xF134
//   (arch/powerpc/include/asm/ultravisor-api.h).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';

beforeAll(requireBuilt);

const pteJson = (args: string[]) => {
  const run = coco(['pte', ...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
};

// A level-3 page descriptor: valid (bit 0), page (bit 1), AP[1] (bit 6), AF (bit 10), output
// address 0x81234000, bits 9 and 15 clear.
const DESC = 0x0060_0000_8123_4443n;
const hex = (v: bigint) => `0x${v.toString(16)}`;

describe('coco pte on arm64 entry formats', () => {
  it('48-bit IPA: the shared bit is IPA bit 47, in place; set on a shared page', () => {
    const doc = pteJson([hex(DESC), '--type', 'arm-cca', '--param', 'ipaBits=48', '--decrypt']);
    expect(doc).toMatchObject({
      output: hex(DESC | (1n << 47n)),
      encrypted: false,
      maskBit: 47,
      entryBit: 47,
      encryptedWhen: 'clear',
      maskState: 'known',
      entryFormat: 'arm64-4k',
    });
  });

  it('52-bit IPA, 4K granule (LPA2): address bit 51 lives at descriptor bit 9', () => {
    const doc = pteJson([hex(DESC), '--type', 'arm-cca', '--param', 'ipaBits=52', '--decrypt']);
    expect(doc).toMatchObject({
      output: hex(DESC | (1n << 9n)),
      encrypted: false,
      maskBit: 51,
      entryBit: 9,
      entryFormat: 'arm64-4k-lpa2',
    });
    expect(doc.formats[0]).toBe('arm64-4k-lpa2');
    expect(doc.formats).toEqual(expect.arrayContaining(['arm64-16k-lpa2', 'arm64-64k-lpa']));
    // Encrypting the shared entry clears bit 9 again.
    expect(
      pteJson([hex(DESC | (1n << 9n)), '--type', 'arm-cca', '--param', 'ipaBits=52', '--encrypt']),
    ).toMatchObject({ output: hex(DESC), encrypted: true });
  });

  it('52-bit IPA, 16K granule (LPA2): bit 9 too', () => {
    const args = ['--type', 'arm-cca', '--param', 'ipaBits=52', '--param', 'granule=16384', '--decrypt'];
    expect(pteJson([hex(DESC), ...args])).toMatchObject({
      output: hex(DESC | (1n << 9n)),
      entryBit: 9,
      entryFormat: 'arm64-16k-lpa2',
    });
  });

  it('52-bit IPA, 64K granule (LPA): address bit 51 lives at descriptor bit 15', () => {
    const args = ['--type', 'arm-cca', '--param', 'ipaBits=52', '--param', 'granule=65536', '--decrypt'];
    expect(pteJson([hex(DESC), ...args])).toMatchObject({
      output: hex(DESC | (1n << 15n)),
      maskBit: 51,
      entryBit: 15,
      entryFormat: 'arm64-64k-lpa',
    });
  });

  it('--format picks another of the type’s formats', () => {
    const args = ['--type', 'arm-cca', '--param', 'ipaBits=52', '--format', 'arm64-64k-lpa', '--decrypt'];
    expect(pteJson([hex(DESC), ...args])).toMatchObject({ entryBit: 15, entryFormat: 'arm64-64k-lpa' });
    const bad = coco(['pte', hex(DESC), '--type', 'arm-cca', '--param', 'ipaBits=52', '--format', 'x86-64']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^coco: MASK_INVALID: .*x86-64.*arm64-4k-lpa2/);
  });

  it('draws the LPA2 descriptor with bit 9 marked and the moved address bits named', () => {
    const run = coco(['pte', hex(DESC), '--type', 'arm-cca', '--param', 'ipaBits=52', '--decrypt']);
    expect(run.status).toBe(0);
    const out = lines(run.stdout);
    expect(out[0]).toBe(
      'arm-cca: shared bit: address bit 51, at entry bit 9; a page is encrypted when it is clear',
    );
    const before = out.find((l) => l.startsWith('before ')) as string;
    const after = out.find((l) => l.startsWith('after ')) as string;
    const caret = out.find((l) => l.includes('^ bit 9')) as string;
    const start = before.search(/[01]{64}$/);
    // Bit 9 is 54 digits after bit 63.
    expect(before[start + 54]).toBe('0');
    expect(after[start + 54]).toBe('1');
    expect(caret.indexOf('^')).toBe(start + 54);
    expect(caret).toContain('shared bit (address bit 51)');
    const fields = out.find((l) => l.startsWith('fields')) as string;
    // OA[49:12] in place, OA[51:50] at 9:8 (where SH is in the 48-bit format).
    expect(fields.slice(start)).toMatch(/^iPBHA<sw>XpCMG<-+output address 49\.\.12-+>nFOAAPSIdxTV$/);
    expect(run.stdout).toContain('address bits 51..50 are kept at entry bits 9..8');
    // The address row puts the moved bits back and leaves the shared bit out.
    expect(run.stdout).toMatch(/address\s+0x81234000\s+0x81234000/);
  });

  it('draws the 48-bit 4K descriptor with SH at 9:8', () => {
    const run = coco(['pte', hex(DESC), '--type', 'arm-cca', '--param', 'ipaBits=48']);
    expect(run.status).toBe(0);
    const fields = lines(run.stdout).find((l) => l.startsWith('fields')) as string;
    expect(fields).toMatch(/r0<-+output address 47\.\.12-+>nFSHAPSIdxTV$/);
  });

  it('an unknown bit says so (exit 2), naming the parameter that fixes it', () => {
    const run = coco(['pte', hex(DESC), '--type', 'arm-cca']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/shared bit is unknown/);
    expect(run.stderr).toContain('ipaBits');
  });
});

describe('coco pte on types without a page-table bit', () => {
  it('s390-pv: no bit, pages shared by ultravisor calls 0x1000 and 0x1001; exit 0', () => {
    const run = coco(['pte', '0x81234000', '--type', 's390-pv']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(lines(run.stdout)[0]).toMatch(/^s390-pv: no page-table bit: pages are shared by ultravisor call/);
    expect(run.stdout).toContain('0x1000');
    expect(run.stdout).toContain('0x1001');
    expect(run.stdout).toMatch(
      /to shared \(decrypt\):\n\s+1\. firmware-call: .*UVC_CMD_SET_SHARED_ACCESS \(0x1000\)/,
    );
    expect(run.stdout).toMatch(
      /to private \(encrypt\):\n\s+1\. firmware-call: .*UVC_CMD_REMOVE_SHARED_ACCESS \(0x1001\)/,
    );
    expect(run.stdout).toContain('4 KiB');
    expect(run.stdout).not.toMatch(/^bit /m);
  });

  it('ppc-pef: UV_SHARE_PAGE 0xF130 and UV_UNSHARE_PAGE 0xF134, also with --decrypt', () => {
    const run = coco(['pte', '0x81234000', '--type', 'ppc-pef', '--decrypt']);
    expect(run.status).toBe(0);
    expect(lines(run.stdout)[0]).toMatch(/^ppc-pef: no page-table bit: pages are shared by /);
    expect(run.stdout).toMatch(/0xF130/i);
    expect(run.stdout).toMatch(/0xF134/i);
  });

  it('--json: maskState none, no bit, output equals input', () => {
    expect(pteJson(['0x81234000', '--type', 's390-pv', '--encrypt'])).toMatchObject({
      format: 'coco-pte/1',
      input: '0x81234000',
      output: '0x81234000',
      encrypted: null,
      maskBit: null,
      encryptedWhen: null,
      maskState: 'none',
      entryBit: null,
      entryFormat: null,
      formats: [],
    });
  });

  it('--mask-bit for a type without a bit is the typed error naming what it takes (exit 2)', () => {
    const run = coco(['pte', '0x1000', '--type', 's390-pv', '--mask-bit', '47']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^coco: PARAMETER_INVALID: .*maskBit/);
  });
});

describe('coco pte --param', () => {
  it('parses values by the backend schema: tdx gpaw=52 is shared bit 51, as --tdx-gpaw 52', () => {
    const viaParam = pteJson(['0x8008000123456063', '--type', 'tdx', '--param', 'gpaw=52', '--encrypt']);
    const viaFlag = pteJson(['0x8008000123456063', '--type', 'tdx', '--tdx-gpaw', '52', '--encrypt']);
    expect(viaParam).toMatchObject({ output: '0x8000000123456063', maskBit: 51, encrypted: true });
    expect(viaFlag).toEqual(viaParam);
    // GPAW 48: the shared bit is 47.
    expect(pteJson(['0x0', '--type', 'tdx', '--tdx-gpaw', '48', '--decrypt'])).toMatchObject({
      output: '0x800000000000',
      maskBit: 47,
    });
  });

  it('--param maskBit=51 equals --mask-bit 51; an enum and a bigint parse too', () => {
    const a = pteJson(['0x123456063', '--type', 'amd-cbit', '--param', 'maskBit=51', '--encrypt']);
    const b = pteJson(['0x123456063', '--type', 'amd-cbit', '--mask-bit', '51', '--encrypt']);
    expect(a).toEqual(b);
    expect(a.output).toBe('0x8000123456063');
    expect(
      pteJson(['0x0', '--type', 'amd-cbit', '--param', 'variant=sev', '--param', 'maskBit=47', '--encrypt']),
    ).toMatchObject({ output: '0x800000000000' });
    expect(
      pteJson(['0x0', '--type', 'amd-vtom', '--param', 'boundary=0x400000000000', '--decrypt']),
    ).toMatchObject({ output: '0x400000000000', maskBit: 46 });
  });

  it('an unknown name names the parameters the type takes (exit 2)', () => {
    const run = coco(['pte', '0x0', '--type', 'arm-cca', '--param', 'gpaw=52']);
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^coco: PARAMETER_INVALID: .*unknown parameter "gpaw"/);
    expect(run.stderr).toContain('ipaBits');
    expect(run.stderr).toContain('granule');
  });

  it('a bad value names the parameter and what it accepts (exit 2)', () => {
    const run = coco(['pte', '0x0', '--type', 'arm-cca', '--param', 'ipaBits=52', '--param', 'granule=8192']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^coco: PARAMETER_INVALID: .*granule/);
    expect(run.stderr).toContain('one of 4096, 16384, 65536');
    const gpaw = coco(['pte', '0x0', '--type', 'tdx', '--tdx-gpaw', '50']);
    expect(gpaw.status).toBe(2);
    expect(gpaw.stderr).toContain('one of 48, 52');
    const noEq = coco(['pte', '0x0', '--type', 'tdx', '--param', 'gpaw']);
    expect(noEq.status).toBe(2);
    expect(noEq.stderr).toContain('NAME=VALUE');
  });

  it('--tdx-gpaw with another type says it goes with tdx (exit 2)', () => {
    const run = coco(['pte', '0x0', '--type', 'amd-cbit', '--tdx-gpaw', '52']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--type tdx');
  });

  it('coco help pte, the man page and completion list the new flags', () => {
    const help = coco(['help', 'pte']).stdout;
    for (const flag of ['--param NAME=VALUE', '--format ID', '--tdx-gpaw N', '--mask-bit N'])
      expect(help).toContain(flag);
    expect(help).toContain('arm-cca, s390-pv, ppc-pef');
    const man = coco(['man']).stdout;
    expect(man).toMatch(/\\-\\-param/);
    expect(man).toMatch(/\\-\\-format/);
    for (const shell of ['bash', 'zsh', 'fish']) {
      const script = coco(['completion', shell]).stdout;
      expect(script, shell).toContain('param');
      expect(script, shell).toContain('format-version');
    }
  });
});

describe('coco snapshot formats', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'coco-v2-'));

  it('writes coco-snapshot/2 by default and /1 with --format-version 1; both read back the same', () => {
    const v2 = coco(['snapshot', '--example', 'snp-cbit-51']);
    const v1 = coco(['snapshot', '--example', 'snp-cbit-51', '--format-version', '1']);
    expect([v2.status, v1.status]).toEqual([0, 0]);
    const a = JSON.parse(v2.stdout);
    const b = JSON.parse(v1.stdout);
    expect(a.format).toBe('coco-snapshot/2');
    expect(a.$schema).toMatch(/\/coco-snapshot-2\.schema\.json$/);
    // SEV status MSR 0xc0010131 (facts §1): SNP active.
    expect(a.facts['x86.msr']['0xc0010131']).toBeDefined();
    expect(b.format).toBe('coco-snapshot/1');
    expect(b.msr['0xc0010131']).toBe(a.facts['x86.msr']['0xc0010131']);
    const dir = tmp();
    const detections = [v2.stdout, v1.stdout].map((text, i) => {
      const file = join(dir, `m${i}.json`);
      writeFileSync(file, text);
      const run = coco(['detect', '--snapshot', file, '--json']);
      expect(run.status).toBe(0);
      const { evidence: _e, ...rest } = JSON.parse(run.stdout);
      return rest;
    });
    expect(detections[1]).toEqual(detections[0]);
    expect(detections[0]).toMatchObject({ type: 'amd-cbit', variant: 'sev-snp', maskBit: 51 });
  });

  it('keeps file contents and cpuinfo fields in format 2, and says what format 1 cannot hold', () => {
    const v2 = JSON.parse(coco(['snapshot', '--example', 'arm-cca-realm']).stdout);
    expect(v2.files['/proc/sys/kernel/osrelease']).toEqual({
      exists: true,
      content: '6.15.0-rc1-g916aeec68dd4\n',
    });
    expect(v2.cpuinfo['CPU architecture']).toBe('8');
    const v1 = coco(['snapshot', '--example', 'arm-cca-realm', '--format-version', '1']);
    expect(v1.status).toBe(0);
    expect(JSON.parse(v1.stdout).files['/proc/sys/kernel/osrelease']).toBe(true);
    expect(v1.stderr).toMatch(/coco-snapshot\/1 cannot hold file contents, cpuinfo fields other than flags/);
  });

  it('leaves out files and cpuinfo fields no plugin reads', () => {
    const dir = tmp();
    const file = join(dir, 'in.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'coco-snapshot/2',
        cpuinfo: { 'CPU architecture': '8', Serial: '00000000deadbeef' },
        files: {
          '/sys/devices/platform/arm-cca-dev': true,
          '/etc/machine-id': { exists: true, content: 'secret\n' },
        },
      }),
    );
    const run = coco(['snapshot', '--snapshot', file]);
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc.files)).toEqual(['/sys/devices/platform/arm-cca-dev']);
    expect(doc.cpuinfo).toEqual({ 'CPU architecture': '8' });
    expect(run.stderr).toContain('left out 1 file no plugin reads');
    expect(run.stdout).not.toContain('secret');
    expect(run.stdout).not.toContain('deadbeef');
  });

  it('refuses a format version it cannot write (exit 2)', () => {
    const run = coco(['snapshot', '--example', 'sev-plain', '--format-version', '3']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^coco: .*--format-version 3.*give 2 .* or 1/);
  });
});

describe('coco detect and explain, human output on interface 2', () => {
  it('a type without a bit: "no page-table bit; pages are shared by ..."', () => {
    const run = coco(['detect', '--example', 's390-pv-guest']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/mask\s+no page-table bit; pages are shared by ultravisor call/);
    expect(run.stdout).toMatch(/attributes\s+\(none\)/);
    expect(run.stdout).toMatch(/systemd\s+protvirt/);
    const ppc = coco(['explain', '--example', 'power-secure-guest']);
    expect(ppc.status).toBe(0);
    expect(ppc.stdout).toMatch(/no page-table bit \(pages are shared by /);
  });

  it('a realm whose shared bit is stored elsewhere in the entry names both bits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-realm-'));
    const file = join(dir, 'ipa.json');
    // The realm's IPA width, as RSI_REALM_CONFIG reports it: 52 bits, so the shared bit is 51.
    writeFileSync(
      file,
      JSON.stringify({ format: 'coco-snapshot/2', facts: { 'arm-cca.realm-config': { 'ipa-bits': 52 } } }),
    );
    const args = ['--example', 'arm-cca-realm', '--snapshot', file];
    const json = JSON.parse(coco(['detect', ...args, '--json']).stdout);
    expect(json).toMatchObject({ type: 'arm-cca', maskBit: 51, maskState: 'known', encryptedWhen: 'clear' });
    const run = coco(['detect', ...args]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /mask\s+0x8000000000000 \(shared bit 51\), encrypted when clear; in arm64, 4 KiB granule, LPA2 entries it is entry bit 9/,
    );
    const explain = coco(['explain', ...args]);
    expect(explain.stdout).toMatch(/in arm64, 4 KiB granule, LPA2 entries the shared bit is entry bit 9/);
  });
});
