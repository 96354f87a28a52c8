// The inspector as a person uses it, in Debian's Chromium: paste, pick, hover, click; and the
// page's answers compared with the built `coco` command's on the same evidence.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXAMPLES } from '@coco/cli/examples';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, DIST, launch, ROOT, SHOTS, type StaticServer, serve } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const BENCH = join(ROOT, 'tools', 'bench', 'fixtures');

let server: StaticServer;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
/** Every URL the browser asked for, over all tests. */
const requested: string[] = [];

beforeAll(async () => {
  assertBuilt();
  mkdirSync(SHOTS, { recursive: true });
  server = await serve(DIST);
  const launched = await launch();
  context = launched.context;
  closeBrowser = launched.close;
  context.setDefaultTimeout(60_000);
  context.on('request', (request) => requested.push(request.url()));
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
}, 60_000);

/** A fresh page at the inspector, ready. */
async function open(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${server.origin}/index.html`);
  await page.waitForSelector('html[data-ready]');
  return page;
}

const pageErrors = (page: Page) => (page as Page & { errors: string[] }).errors;

/** Waits until the page has run the detection for what was typed. */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
}

/** Pastes `text` into a text box (the first one, or a new one), named like the file it came from. */
async function paste(page: Page, name: string, text: string, kind = 'auto'): Promise<void> {
  const emptyCard = () =>
    page.$$eval('.input-card', (cards) => {
      const card = cards.find(
        (c) => (c.querySelector('textarea') as HTMLTextAreaElement | null)?.value === '',
      );
      return card?.getAttribute('data-input') ?? null;
    });
  let id = await emptyCard();
  if (id === null) {
    await page.click('#add-input');
    id = await emptyCard();
  }
  await page.fill(`#name-${id}`, name);
  await page.selectOption(`#kind-${id}`, kind);
  await page.fill(`#text-${id}`, text);
  await settle(page);
}

async function addExample(page: Page, name: string): Promise<void> {
  await page.selectOption('#example-pick', name);
  await page.click('#add-example');
  await settle(page);
}

const pageJson = async (page: Page) => JSON.parse((await page.textContent('#json')) ?? 'null') as unknown;
const verdict = (page: Page) => page.getAttribute('#verdict', 'data-verdict');
const fact = async (page: Page, id: string) => ((await page.textContent(`#${id}`)) ?? '').trim();

/** `coco detect ARGS --json` run in `cwd`, as a parsed document. */
function cliJson(args: string[], cwd = ROOT): unknown {
  const run = cli(['detect', ...args, '--json'], cwd);
  expect(run.stdout, run.stderr).not.toBe('');
  return JSON.parse(run.stdout);
}

describe('bundled examples', () => {
  it.each(EXAMPLES.map((e) => e.name))(
    'picking %s shows what coco detect --example gives, JSON for JSON',
    async (name) => {
      const page = await open();
      await addExample(page, name);
      expect(await pageJson(page)).toEqual(cliJson(['--example', name]));
      expect(pageErrors(page)).toEqual([]);
      await page.close();
    },
    120_000,
  );

  it.each(EXAMPLES.map((e) => e.name))(
    "pasting %s's snapshot as a file equals coco detect --snapshot FILE",
    async (name) => {
      const example = EXAMPLES.find((e) => e.name === name);
      const text = `${JSON.stringify(example?.snapshot, null, 2)}\n`;
      const dir = mkdtempSync(join(tmpdir(), 'coco-inspector-'));
      writeFileSync(join(dir, `${name}.json`), text);
      const page = await open();
      await paste(page, `${name}.json`, text);
      expect(await page.textContent('.read-as')).toContain('snapshot');
      expect(await pageJson(page)).toEqual(cliJson(['--snapshot', `${name}.json`], dir));
      await page.close();
    },
    120_000,
  );

  it('shows the verdict, the facts and the CoCo TEE name of each kind of machine', async () => {
    const expected: Record<string, [string, string, string, string]> = {
      'azure-snp-paravisor': ['confidential', 'amd-vtom', 'sev-snp', 'az-snp-vtpm'],
      'azure-tdx-paravisor': ['confidential', 'tdx', 'tdx', 'az-tdx-vtpm'],
      'azure-tdx-no-paravisor': ['confidential', 'tdx', 'tdx', 'tdx'],
      'snp-cbit-51': ['confidential', 'amd-cbit', 'sev-snp', 'snp'],
      'sev-plain': ['confidential', 'amd-cbit', 'sev', 'none'],
      'not-confidential': ['not-confidential', 'none', 'none', 'none'],
    };
    for (const [name, [kind, type, cvm, tee]] of Object.entries(expected)) {
      const page = await open();
      await addExample(page, name);
      expect(await verdict(page), name).toBe(kind);
      expect(await fact(page, 'f-type'), name).toBe(type);
      expect(await fact(page, 'f-cvm'), name).toMatch(new RegExp(`^${cvm} `));
      expect(await fact(page, 'f-tee'), name).toMatch(new RegExp(`^${tee} `));
      if (name === 'azure-snp-paravisor') {
        expect(await page.textContent('#verdict')).toContain(
          'Confidential guest: AMD SEV-SNP with vTOM under Hyper-V SNP with paravisor.',
        );
        expect(await fact(page, 'f-paravisor')).toBe('yes');
        const attrs = await page.$$eval('#det-attrs tbody tr', (rows) =>
          rows.map((r) => [...r.children].map((c) => c.textContent?.trim())),
        );
        expect(attrs).toEqual([
          [
            'guest-mem-encrypt',
            'CC_ATTR_GUEST_MEM_ENCRYPT',
            'Guest memory encryption is active (SEV, SEV-ES, SEV-SNP, TDX, vTOM).',
          ],
          ['mem-encrypt', 'CC_ATTR_MEM_ENCRYPT', 'Memory encryption is active (host or guest).'],
        ]);
        await page.screenshot({ path: join(SHOTS, 'desktop-azure-snp-paravisor.png'), fullPage: true });
      }
      await page.close();
    }
  }, 180_000);
});

describe('real-format evidence', () => {
  const cases: [string, string, string][] = [
    ['azure-snp-dmesg.txt', 'dmesg', '--dmesg'],
    ['tdx-journal.txt', 'dmesg', '--dmesg'],
    ['unrelated-dmesg.txt', 'dmesg', '--dmesg'],
    ['sev-snp-cpuinfo.txt', 'cpuinfo', '--cpuinfo'],
    ['snp-cpuid-r.txt', 'cpuid', '--cpuid'],
  ];
  it.each(cases)(
    '%s, recognised as %s, equals coco detect %s',
    async (file, kind, flag) => {
      const page = await open();
      await paste(page, file, fixture(file));
      expect(await page.textContent('.read-as')).toContain(`(${flag})`);
      expect(kind).not.toBe('');
      expect(await pageJson(page)).toEqual(cliJson([flag, file], FIXTURES));
      await page.close();
    },
    120_000,
  );

  it.each(readdirSync(BENCH).filter((f) => f.endsWith('.json')))(
    'the test fixture %s equals coco detect --snapshot',
    async (file) => {
      const page = await open();
      await paste(page, file, readFileSync(join(BENCH, file), 'utf8'));
      expect(await pageJson(page)).toEqual(cliJson(['--snapshot', file], BENCH));
      await page.close();
    },
    120_000,
  );

  it('combines several inputs as coco detect does with several flags', async () => {
    const page = await open();
    await paste(page, 'sev-snp-cpuinfo.txt', fixture('sev-snp-cpuinfo.txt'));
    await paste(page, 'snp-cpuid-r.txt', fixture('snp-cpuid-r.txt'));
    await paste(page, 'msr.txt', '0xc0010131=0x7', 'msr');
    expect(await verdict(page)).toBe('confidential');
    expect(await pageJson(page)).toEqual(
      cliJson(
        ['--cpuid', 'snp-cpuid-r.txt', '--cpuinfo', 'sev-snp-cpuinfo.txt', '--msr', '0xc0010131=0x7'],
        FIXTURES,
      ),
    );
    await page.close();
  }, 120_000);

  it('opens and drops files, each named by its file name, as coco detect reads them', async () => {
    const page = await open();
    await page.setInputFiles('#file-pick', [
      join(FIXTURES, 'snp-cpuid-r.txt'),
      join(FIXTURES, 'sev-snp-cpuinfo.txt'),
    ]);
    await settle(page);
    // A file dropped on the page, as a browser delivers it.
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'msr.txt', { type: 'text/plain' }));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, '0xc0010131=0x7\n');
    await page.waitForFunction(() => document.querySelectorAll('.input-card').length === 3);
    await settle(page);
    const names = await page.$$eval('.input-name', (els) => els.map((e) => (e as HTMLInputElement).value));
    expect(names).toEqual(['snp-cpuid-r.txt', 'sev-snp-cpuinfo.txt', 'msr.txt']);
    expect(await pageJson(page)).toEqual(
      cliJson(
        ['--cpuid', 'snp-cpuid-r.txt', '--cpuinfo', 'sev-snp-cpuinfo.txt', '--msr', '0xc0010131=0x7'],
        FIXTURES,
      ),
    );
    await page.close();
  }, 120_000);

  it('links each reasoning step to the log line it came from, highlighted on hover and click', async () => {
    const page = await open();
    const log = fixture('azure-snp-dmesg.txt');
    await paste(page, 'dmesg.txt', log);
    expect(await verdict(page)).toBe('confidential');
    const links = await page.$$eval('#trail a.line-link', (as) =>
      as.map((a) => ({
        href: a.getAttribute('href'),
        step: a.closest('li')?.id,
        says: a.closest('li')?.textContent,
      })),
    );
    expect(links.length).toBeGreaterThan(0);
    const lines = log.split('\n');
    for (const link of links) {
      const m = /^#L0-(\d+)$/.exec(link.href ?? '');
      expect(m, link.href ?? '').not.toBeNull();
      const n = Number(m?.[1]);
      expect(link.says).toMatch(new RegExp(`dmesg\\.txt lines? ${n}\\b`));
      // The linked line shows the input's own line n.
      expect(await page.textContent(`#L0-${n} code`)).toBe(lines[n - 1]);
    }
    // "SEV: Status: vTom" is the line amd-cbit names when it rules its type out.
    const isolation = lines.findIndex((l) => l.includes('SEV: Status: vTom')) + 1;
    expect(links.map((l) => l.href)).toContain(`#L0-${isolation}`);
    const step = page.locator(`#trail li:has(a[href="#L0-${isolation}"])`).first();
    await step.hover();
    await expect.poll(() => page.getAttribute(`#L0-${isolation}`, 'class')).toContain('hl');
    await page.screenshot({ path: join(SHOTS, 'trail-hover.png'), fullPage: true });
    await step.locator('a.line-link').first().click();
    expect(await page.getAttribute(`#L0-${isolation}`, 'class')).toContain('pinned');
    expect(new URL(page.url()).hash).toBe(`#L0-${isolation}`);
    // The README's picture (docs/inspector.png is a copy): the input, the verdict, the trail with a
    // step and its line highlighted (focus highlights as hover does).
    await step.focus();
    expect(await step.getAttribute('class')).toContain('hl');
    const bottom = await page.$eval('.reasoning', (el) => el.getBoundingClientRect().bottom + window.scrollY);
    await page.screenshot({
      path: join(SHOTS, 'readme.png'),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) + 16 },
    });
    // And back: the line links to its steps.
    const back = await page.$$eval(`#L0-${isolation} .steps-of-line a`, (as) =>
      as.map((a) => a.getAttribute('href')),
    );
    expect(back).toContain(`#${await step.getAttribute('id')}`);
    await page.close();
  }, 120_000);
});

describe('verdicts that are not a yes', () => {
  it('shows conflicting evidence side by side, with the JSON coco gives', async () => {
    const page = await open();
    await addExample(page, 'sev-plain');
    await paste(page, 'msr', '0xc0010131=0x7', 'msr');
    expect(await verdict(page)).toBe('conflict');
    expect(await page.textContent('#verdict')).toContain('Conflicting evidence: coco decides no type.');
    const sides = await page.$$eval('#conflicts .conflict', (cs) =>
      cs.map((c) => ({
        what: c.querySelector('h4')?.textContent,
        sides: [...c.querySelectorAll('.side')].map((s) => s.textContent),
      })),
    );
    expect(sides[0]).toEqual({
      what: 'msr 0xc0010131',
      sides: ['0x7from --msr', '0x1from snapshot example sev-plain'],
    });
    // Side by side: the two sides share a row on a wide screen.
    const tops = await page.$$eval('#conflicts .conflict:first-of-type .side', (s) =>
      s.map((x) => Math.round(x.getBoundingClientRect().top)),
    );
    expect(new Set(tops).size).toBe(1);
    expect(await pageJson(page)).toEqual(cliJson(['--msr', '0xc0010131=0x7', '--example', 'sev-plain']));
    // A side that names a log line links to it.
    const sideLinks = await page.$$eval('#conflicts .side a.line-link', (as) =>
      as.map((a) => a.getAttribute('href')),
    );
    expect(sideLinks).toEqual(['#L0-2', '#L0-1']);
    expect(await page.textContent('#L0-2 code')).toContain('SEV: Status: SEV');
    await page.screenshot({ path: join(SHOTS, 'conflict.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('says it cannot tell, why, and what would decide it', async () => {
    const page = await open();
    await paste(page, 'unrelated.txt', fixture('unrelated-dmesg.txt'));
    expect(await verdict(page)).toBe('cannot-tell');
    const json = (await pageJson(page)) as { undetermined: { by: string; because: string; fix: string }[] };
    expect(json.undetermined.length).toBeGreaterThan(0);
    const fixes = await page.$$eval('#verdict .fixes li', (li) => li.map((l) => l.textContent));
    expect(fixes).toEqual([...new Set(json.undetermined.map((u) => u.fix))]);
    const why = await page.$$eval('#verdict .why li', (li) => li.map((l) => l.textContent));
    expect(why).toEqual(json.undetermined.map((u) => `${u.by}: ${u.because}`));
    await page.close();
  }, 120_000);

  const bad: [string, string, string][] = [
    ['bad.json', '--snapshot', '{"format":"coco-snapshot/1","cpuid":[{"leaf":"0x0"}]}\n'],
    ['broken.json', '--snapshot', 'not json at all\n'],
    ['cpuid.txt', '--cpuid', 'CPU 0:\n   0x00000000 0x00: eax=0x00000010 ebx=banana\n'],
    ['cpuinfo.txt', '--cpuinfo', 'processor : 0\nflags : fpu Sev-Bad!\n'],
    ['kernel.log', '--dmesg', 'a log\0with a NUL byte\n'],
  ];
  it.each(bad)(
    'an invalid %s shows the one-line error coco detect %s prints',
    async (file, flag, text) => {
      const dir = mkdtempSync(join(tmpdir(), 'coco-inspector-bad-'));
      writeFileSync(join(dir, file), text);
      const run = cli(['detect', flag, file], dir);
      expect(run.status).toBe(2);
      const kind = {
        '--snapshot': 'snapshot',
        '--cpuid': 'cpuid',
        '--cpuinfo': 'cpuinfo',
        '--dmesg': 'dmesg',
      }[flag];
      const page = await open();
      await paste(page, file, text, kind);
      expect(await verdict(page)).toBe('error');
      expect(await page.textContent('#error-line')).toBe(run.stderr.trim());
      await page.close();
    },
    120_000,
  );
});

describe('page-table entry', () => {
  /** The entry's bits as the buttons show them, bit 63 first. */
  const bits = (page: Page) =>
    page.$$eval('#pte-bits button', (bs) =>
      bs.map((b) => (b.getAttribute('aria-pressed') === 'true' ? '1' : '0')).join(''),
    );
  const row = async (page: Page, id: string) =>
    page.$$eval(`#${id} td`, (tds) => tds.map((td) => td.textContent?.trim() ?? ''));

  it('builds an entry from clicked bits and marks it under the detected type (vTOM bit 46, encrypted when clear)', async () => {
    const page = await open();
    await addExample(page, 'azure-snp-paravisor');
    expect(await page.inputValue('#pte-mask')).toBe('46');
    await page.fill('#pte-value', '0');
    await page.locator('#pte-value').blur();
    for (const bit of [0, 1, 5, 6, 30, 46, 63]) await page.click(`#pte-bits button[data-bit="${bit}"]`);
    const value = (1n << 0n) | (1n << 1n) | (1n << 5n) | (1n << 6n) | (1n << 30n) | (1n << 46n) | (1n << 63n);
    const hex = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;
    expect(await bits(page)).toBe(value.toString(2).padStart(64, '0'));
    expect(await page.inputValue('#pte-value')).toBe(hex(value));
    expect(await row(page, 'pte-entry')).toEqual([hex(value), '0x40000000', '1 (decrypted)', 'NX D A RW P']);
    expect(await row(page, 'pte-encrypted')).toEqual([
      hex(value & ~(1n << 46n)),
      '0x40000000',
      '0 (encrypted)',
      'NX D A RW P',
    ]);
    expect((await row(page, 'pte-decrypted'))[0]).toBe(hex(value));
    // The CLI agrees.
    const pte = cli(['pte', hex(value), '--type', 'amd-vtom', '--mask-bit', '46', '--encrypt', '--json']);
    expect(JSON.parse(pte.stdout).output).toBe(`0x${(value & ~(1n << 46n)).toString(16)}`);
    expect(await page.getAttribute('#pte-bits button[data-bit="46"]', 'class')).toContain('role-mask');
    await page.locator('#pte').screenshot({ path: join(SHOTS, 'pte-vtom.png') });
    await page.close();
  }, 120_000);

  it('works from the keyboard and for a type picked by hand (amd-cbit sev-snp, C-bit 51, encrypted when set)', async () => {
    const page = await open();
    const choice = await page.$$eval('#pte-type option', (os) =>
      os.find((o) => o.textContent?.startsWith('amd-cbit sev-snp'))?.getAttribute('value'),
    );
    await page.selectOption('#pte-type', choice ?? '');
    expect(await page.inputValue('#pte-mask')).toBe('51');
    await page.fill('#pte-value', '0x8000000123456063');
    const before = await bits(page);
    await page.focus('#pte-bits button[data-bit="63"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-bit'))).toBe('62');
    const after = await bits(page);
    expect(after[1]).not.toBe(before[1]);
    await page.keyboard.press('Space');
    expect(await bits(page)).toBe(before);
    const pte = cli([
      'pte',
      '0x8000000123456063',
      '--type',
      'amd-cbit',
      '--mask-bit',
      '51',
      '--encrypt',
      '--json',
    ]);
    expect((await row(page, 'pte-encrypted'))[0]).toBe(
      `0x${JSON.parse(pte.stdout).output.slice(2).padStart(16, '0')}`,
    );
    expect((await row(page, 'pte-encrypted'))[2]).toBe('1 (encrypted)');
    await page.fill('#pte-mask', '40');
    expect((await row(page, 'pte-encrypted'))[0]).toBe('0x8000010123456063');
    await page.close();
  }, 120_000);

  it('says how pages are shared when the type has no page-table bit it can draw', async () => {
    const page = await open();
    await paste(
      page,
      'snp.txt',
      '[    0.000000] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP\n',
    );
    expect(await verdict(page)).toBe('confidential');
    expect(await page.locator('#pte-bits').count()).toBe(0);
    const json = (await pageJson(page)) as { mask: string | null };
    expect(json.mask).toBeNull();
    const text = await page.textContent('#pte-none');
    expect(text).toContain('no page-table bit to draw');
    expect(text).toContain('CPUID 0x80000000 (the maximum leaf) is not in the evidence');
    await page.close();
  }, 120_000);
});

describe('the page itself', () => {
  it('shows the attribute table of every registered type and variant, as coco attrs --json', async () => {
    const page = await open();
    const attrs = JSON.parse(cli(['attrs', '--json']).stdout) as {
      attributes: { id: string }[];
      types: {
        type: string;
        variant: string | null;
        cvm: string;
        attributes: string[];
        conditional: { attribute: string }[];
      }[];
    };
    const table = await page.$$eval('#attrs-table tr', (rows) =>
      rows.map((r) => [...r.children].map((c) => c.textContent?.trim() ?? '')),
    );
    const [head, ...body] = table;
    const cvmRow = body.pop();
    expect(head?.slice(1)).toEqual(attrs.types.map((t) => `${t.type}${t.variant ?? '-'}`));
    expect(body.map((r) => r[0])).toEqual(attrs.attributes.map((a) => a.id));
    attrs.types.forEach((t, col) => {
      body.forEach((r, i) => {
        const id = attrs.attributes[i]?.id ?? '';
        const cell = r[col + 1] ?? '';
        if (t.attributes.includes(id)) expect(cell).toBe('yes');
        else if (t.conditional.some((c) => c.attribute === id)) expect(cell).toMatch(/^if \[\d+\]$/);
        else expect(cell).toBe('no');
      });
    });
    expect(cvmRow?.slice(1)).toEqual(attrs.types.map((t) => t.cvm));
    await page.close();
  }, 120_000);

  it('makes no request beyond its own files', async () => {
    const page = await open();
    await addExample(page, 'azure-tdx-paravisor');
    await paste(page, 'dmesg.txt', fixture('azure-snp-dmesg.txt'));
    await page.close();
    const own = new Set(
      readdirSync(DIST, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => `/${relative(DIST, join(e.parentPath, e.name)).split('\\').join('/')}`),
    );
    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) {
      const u = new URL(url);
      expect(u.origin, url).toBe(server.origin);
      expect(own.has(u.pathname), url).toBe(true);
    }
    for (const path of server.requests) expect(own.has(path), path).toBe(true);
  }, 120_000);

  it('works offline, opened straight from the built files (file://)', async () => {
    const page = await context.newPage();
    const seen: string[] = [];
    page.on('request', (r) => seen.push(r.url()));
    await page.goto(pathToFileURL(join(DIST, 'index.html')).href);
    await page.waitForSelector('html[data-ready]');
    await addExample(page, 'snp-cbit-51');
    expect(await verdict(page)).toBe('confidential');
    expect(seen.every((u) => u.startsWith('file://'))).toBe(true);
    await page.close();
  }, 120_000);

  it('fits a phone-sized screen', async () => {
    const page = await open({ width: 390, height: 844 });
    await addExample(page, 'azure-snp-paravisor');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    // The bit grid wraps into rows of 8 with buttons big enough to touch.
    const box = await page.locator('#pte-bits button').first().boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(24);
    expect(box?.height).toBeGreaterThanOrEqual(24);
    await page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('labels every control and says that nothing leaves the browser', async () => {
    const page = await open();
    // Keyboard: the first Tab reaches the skip link, which leads to the detection.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await addExample(page, 'sev-plain');
    const unlabelled = await page.$$eval('input, select, textarea, button', (els) =>
      els
        .filter((el) => !(el as HTMLInputElement).hidden && (el as HTMLInputElement).type !== 'file')
        .filter((el) => {
          const labels = (el as HTMLInputElement).labels;
          const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
          const text = el.tagName === 'BUTTON' && el.textContent?.trim();
          return !(labels && labels.length > 0) && !named && !text;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    expect(await page.textContent('#privacy')).toContain('Nothing leaves this browser.');
    await page.close();
  }, 120_000);
});
