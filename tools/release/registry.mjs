// A real npm registry server for the release rehearsal: Verdaccio, pinned by
// tools/release/verdaccio/package-lock.json and installed with `npm ci` into a cache outside the
// repository (never into the workspace), started on 127.0.0.1 with throwaway storage, no uplinks
// (a package not published to it is a 404) and one htpasswd user whose token can publish @coco/*.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const manifestDir = join(here, 'verdaccio');

/** The environment without the npm_config_* settings pnpm passes to its scripts. */
export function cleanEnv(extra = {}) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(config|package|lifecycle)_/i.test(k)),
  );
  return {
    ...env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

const running = new Set();

/** Signals a command `run` started and everything it started (its own process group). */
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Ends every command `run` started that is still running (on Ctrl-C, a signal or an error). */
export function killRunning() {
  for (const child of running) killGroup(child, 'SIGTERM');
}

/**
 * Runs a command in its own process group; resolves to `{ status, stdout, stderr }` (never rejects
 * on a non-zero exit). `options.timeout` (ms, 10 minutes by default) ends the whole group when it
 * runs too long.
 */
export function run(command, args, options = {}) {
  const { timeout = 600_000, ...spawnOptions } = options;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      ...spawnOptions,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeout);
    child.on('close', () => {
      running.delete(child);
      clearTimeout(timer);
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', (error) => resolve({ status: 127, stdout, stderr: `${stderr}${error.message}\n` }));
    child.on('close', (status, signal) => resolve({ status: status ?? 128, signal, stdout, stderr }));
  });
}

/**
 * Installs the pinned Verdaccio once per lockfile into the cache (COCO_REHEARSAL_CACHE, else
 * $XDG_CACHE_HOME/coco-release-rehearsal, else ~/.cache/coco-release-rehearsal); returns the
 * `node_modules` directory and whether it was already there.
 */
export async function ensureVerdaccio() {
  const files = ['package.json', 'package-lock.json'].map((f) => readFileSync(join(manifestDir, f)));
  const hash = createHash('sha256');
  for (const f of files) hash.update(f);
  // Not a turbo task's input: the cache only holds the pinned server.
  const { COCO_REHEARSAL_CACHE: cacheRoot, XDG_CACHE_HOME: xdgCache } = process.env;
  const root = cacheRoot || join(xdgCache || join(homedir(), '.cache'), 'coco-release-rehearsal');
  const pinned = JSON.parse(files[0]).dependencies.verdaccio;
  const target = join(root, `verdaccio-${pinned}-${hash.digest('hex').slice(0, 12)}`);
  const modules = join(target, 'node_modules');
  if (existsSync(join(modules, 'verdaccio', 'package.json'))) return { modules, cached: true, pinned };
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(join(root, 'installing-'));
  try {
    writeFileSync(join(work, 'package.json'), files[0]);
    writeFileSync(join(work, 'package-lock.json'), files[1]);
    const r = await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: work,
      env: cleanEnv(),
    });
    if (r.status !== 0) throw new Error(`npm ci of verdaccio ${pinned} failed:\n${r.stderr}`);
    try {
      renameSync(work, target);
    } catch (error) {
      // Another run installed it meanwhile: use theirs.
      if (!existsSync(join(modules, 'verdaccio', 'package.json'))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { modules, cached: false, pinned };
}

/**
 * Starts the registry with its storage under `dir`; resolves to
 * `{ url, port, token, user, stop }`. `stop()` ends the server and waits for it.
 */
export async function startRegistry(modules, dir) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const configFile = join(dir, 'config.json');
  const config = {
    self_path: configFile,
    storage: join(dir, 'storage'),
    // One user may sign up (the rehearsal, right below); nobody else.
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1 } },
    // No uplinks: nothing is proxied to the public registry, so anything not published here is a 404.
    uplinks: {},
    packages: {
      '@coco/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
      '**': { access: '$all', publish: 'nobody', unpublish: 'nobody' },
    },
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
  };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);

  const child = spawn(process.execPath, [join(here, 'registry-server.mjs'), modules, configFile], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...cleanEnv(), NODE_NO_WARNINGS: '1' },
  });
  let log = '';
  const exited = new Promise((resolve) => child.on('close', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  };
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the registry did not start in 60 s:\n${log}`)), 60_000);
    child.stderr.on('data', (d) => {
      log += d;
    });
    child.stdout.on('data', (d) => {
      log += d;
      const m = /\{"port":(\d+)\}/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`the registry exited (${code}) before listening:\n${log}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  const url = `http://127.0.0.1:${port}/`;
  try {
    // `npm adduser` as an HTTP call: the htpasswd plugin creates the user and returns its token.
    const user = 'coco-rehearsal';
    const response = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        _id: `org.couchdb.user:${user}`,
        name: user,
        password: randomPassword(),
        type: 'user',
        roles: [],
      }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || typeof body.token !== 'string') {
      throw new Error(`creating the publishing user failed: HTTP ${response.status} ${JSON.stringify(body)}`);
    }
    return { url, port, token: body.token, user, pid: child.pid, stop, log: () => log };
  } catch (error) {
    await stop();
    throw error;
  }
}

function randomPassword() {
  return randomBytes(18).toString('base64url');
}
