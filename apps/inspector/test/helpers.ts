// Shared by the inspector's browser tests: the built page served from 127.0.0.1, Debian's
// Chromium driven by playwright-core, and the built CLI to compare with.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';

export const APP = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const ROOT = resolve(APP, '..', '..');
export const DIST = join(APP, 'dist');
export const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
export const CHROMIUM = process.env.COCO_CHROMIUM ?? '/usr/bin/chromium';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Fails with what to run when the page or the CLI is not built, or the page is older than its
 * sources (`pnpm test` builds both with turbo first).
 */
export function assertBuilt(): void {
  const index = join(DIST, 'index.html');
  if (!existsSync(index) || !existsSync(CLI))
    throw new Error(
      'apps/inspector/dist or packages/cli/dist is missing: run `pnpm build` (or `pnpm --filter inspector... build`) first; `pnpm test` does it',
    );
  const built = statSync(index).mtimeMs;
  const sources = Math.max(newest(join(APP, 'src')), statSync(join(APP, 'index.html')).mtimeMs);
  if (sources > built)
    throw new Error(
      'apps/inspector/dist is older than its sources: run `pnpm --filter inspector build` first',
    );
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set COCO_CHROMIUM)`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** A static server for `dir` on 127.0.0.1; `requests` lists every path asked for. */
export interface StaticServer {
  readonly origin: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function serve(dir: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Headless Chromium with a fresh profile (its --user-data-dir); `close()` removes the profile too. */
export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'coco-inspector-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Runs the built CLI; returns its stdout, stderr and status (never throws on a non-zero exit). */
export function cli(args: readonly string[], cwd = ROOT): { stdout: string; stderr: string; status: number } {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status ?? -1 };
}

/** The example names `coco examples --json` lists. */
export function exampleNames(): string[] {
  const out = execFileSync(process.execPath, [CLI, 'examples', '--json'], { encoding: 'utf8' });
  const doc = JSON.parse(out) as unknown;
  const list = Array.isArray(doc) ? doc : ((doc as { examples?: unknown[] }).examples ?? []);
  return list.map((e) => (e as { name: string }).name);
}

/** Where the tests put their screenshots (kept after the run, to be looked at). */
export const SHOTS = join(APP, 'test', '.screenshots');
