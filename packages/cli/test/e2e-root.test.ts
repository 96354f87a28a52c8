// `coco detect --root DIR` through the built command on the fake trees of the new backends (each
// described in its package's test/roots/README.md). The expectations come from the facts sheet
// (shared/facts/other-arches-and-versions.md), not from coco's output:
// - Arm CCA realm (A1): cc_platform_has answers only CC_ATTR_MEM_ENCRYPT; the shared bit is the top
//   IPA bit, set = shared (so encrypted when clear), and the IPA width is not in the tree (the kernel
//   never prints it): mask unknown; systemd prints cca when /sys/devices/platform/arm-cca-dev exists
//   (C1); TEE cca (C3); attestation through the configfs TSM provider arm_cca_guest.
// - s390 PV guest (A2): no cc_platform_has attribute at all; no page-table bit (one UVC per page):
//   maskState none; systemd prints protvirt when prot_virt_guest reads 1; TEE se; /dev/uv is there
//   whenever the ultravisor is, so the host that is not a guest shows it too.
// - POWER secure guest (A3): only CC_ATTR_MEM_ENCRYPT; no page-table bit (UV_SHARE_PAGE); systemd
//   has no detection on powerpc and prints none (C1), so `--cvm` exits 1 although it is confidential.
// `coco detect` exits 0 for a decided machine, confidential or not; `--cvm` exits as
// systemd-detect-virt --cvm does: 0 with a label, 1 for none.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';
import { AZURE_SNP_MACHINE, writeTree } from './helpers/tree.js';

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = (pkg: string, name: string) => join(PACKAGES, pkg, 'test', 'roots', name);

interface Expected {
  readonly tree: string;
  readonly confidential: boolean;
  readonly type: string | null;
  readonly attributes: readonly string[];
  readonly maskState: 'known' | 'unknown' | 'none' | null;
  readonly encryptedWhen: string | null;
  readonly cvm: string;
  readonly cvmStatus: number;
  readonly tee: string | null;
  readonly attestation: readonly string[];
}

const MACHINES: Record<string, Expected> = {
  'arm-cca realm': {
    tree: root('arm-cca', 'realm'),
    confidential: true,
    type: 'arm-cca',
    attributes: ['mem-encrypt'],
    maskState: 'unknown',
    encryptedWhen: 'clear',
    cvm: 'cca',
    cvmStatus: 0,
    tee: 'cca',
    attestation: ['configfs-tsm:arm_cca_guest'],
  },
  'arm64 machine that is not a realm': {
    tree: root('arm-cca', 'arm64-not-realm'),
    confidential: false,
    type: null,
    attributes: [],
    maskState: null,
    encryptedWhen: null,
    cvm: 'none',
    cvmStatus: 1,
    tee: null,
    attestation: [],
  },
  's390 PV guest': {
    tree: root('s390-pv', 'pv-guest'),
    confidential: true,
    type: 's390-pv',
    attributes: [],
    maskState: 'none',
    encryptedWhen: null,
    cvm: 'protvirt',
    cvmStatus: 0,
    tee: 'se',
    attestation: ['/dev/uv'],
  },
  's390 machine that is not a PV guest': {
    tree: root('s390-pv', 's390-not-pv'),
    confidential: false,
    type: null,
    attributes: [],
    maskState: null,
    encryptedWhen: null,
    cvm: 'none',
    cvmStatus: 1,
    tee: null,
    attestation: ['/dev/uv'],
  },
  'POWER secure guest': {
    tree: root('ppc-pef', 'secure-guest'),
    confidential: true,
    type: 'ppc-pef',
    attributes: ['mem-encrypt'],
    maskState: 'none',
    encryptedWhen: null,
    cvm: 'none',
    cvmStatus: 1,
    tee: null,
    attestation: [],
  },
  'POWER guest that is not secure': {
    tree: root('ppc-pef', 'power-not-secure'),
    confidential: false,
    type: null,
    attributes: [],
    maskState: null,
    encryptedWhen: null,
    cvm: 'none',
    cvmStatus: 1,
    tee: null,
    attestation: [],
  },
};

// Every tree answers as the facts say; the POWER guest that is not secure needs the x86 backends
// to stay silent on a ppc64 cpuinfo (@coco/x86 \`notX86\`), not to say "cannot tell".

beforeAll(() => requireBuilt());

describe('coco detect --root on the fake trees', () => {
  for (const [name, want] of Object.entries(MACHINES)) {
    it(`${name}: type, attributes, mask, label, TEE, attestation and exit status`, () => {
      const run = coco(['detect', '--root', want.tree, '--json']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const doc = JSON.parse(run.stdout);
      expect(doc).toMatchObject({
        format: 'coco-detection/1',
        confidential: want.confidential,
        type: want.type,
        attributes: want.attributes,
        maskState: want.maskState,
        maskBit: null,
        mask: null,
        encryptedWhen: want.encryptedWhen,
        cvm: want.cvm,
        tee: want.tee,
        attestation: want.attestation,
        conflicts: [],
      });
      const cvm = coco(['detect', '--root', want.tree, '--cvm']);
      expect([cvm.stdout, cvm.status]).toEqual([`${want.cvm}\n`, want.cvmStatus]);
    });
  }

  it('a relative --root is read from the working directory, and the text output names the type', () => {
    const run = coco(['detect', '--root', join('s390-pv', 'test', 'roots', 'pv-guest')], { cwd: PACKAGES });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('s390-pv');
  });

  it('a --root that is not a directory is a usage error naming the flag (exit 2)', () => {
    const missing = coco(['detect', '--root', join(tmpdir(), 'no-such-tree-coco')]);
    expect(missing.status).toBe(2);
    expect(lines(missing.stderr)[0]).toMatch(/^coco: FILE_NOT_FOUND: .*--root .*no such directory/);
    const file = join(mkdtempSync(join(tmpdir(), 'coco-file-')), 'f');
    writeFileSync(file, '');
    const notDir = coco(['detect', '--root', file]);
    expect(notDir.status).toBe(2);
    expect(notDir.stderr).toContain('not a directory');
  });

  it('says the devices of a tree are not read, never to load a module', () => {
    const run = coco(['detect', '--root', writeTree(AZURE_SNP_MACHINE), '--json']);
    const doc = JSON.parse(run.stdout);
    const says = (doc.evidence as { says: string }[]).map((s) => s.says).join('\n');
    expect(says).toContain('/dev/cpu/0/cpuid not read: not read under --root');
    expect(says).not.toMatch(/cpuid not read[^\n]*modprobe/);
  });

  it('explain and snapshot take --root too; the snapshot reads back to the same answer', () => {
    const tree = MACHINES['s390 PV guest']?.tree as string;
    const explain = coco(['explain', '--root', tree]);
    expect(explain.status).toBe(0);
    expect(explain.stdout).toContain('prot_virt_guest');
    const snap = coco(['snapshot', '--root', tree]);
    expect(snap.status).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'coco-snap-')), 'pv.json');
    writeFileSync(file, snap.stdout);
    const back = JSON.parse(coco(['detect', '--snapshot', file, '--json']).stdout);
    expect(back).toMatchObject({ type: 's390-pv', confidential: true, cvm: 'protvirt' });
  });
});
