import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CocoPlugin } from '@coco/core';
import { CliError } from './errors.js';

const FLAG = '--plugin';
const FIX_NOT_FOUND =
  'give a path to the plugin module (./my-plugin.js), a package directory, or the name of an installed package';

function isPathLike(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || spec.startsWith('file:') || /\.[cm]?js$/.test(spec);
}

type ExportsValue = string | null | { readonly [key: string]: ExportsValue } | readonly ExportsValue[];

/** Picks the ESM entry of a package `exports` value: conditions `import`, `node`, `default`. */
function pickTarget(value: ExportsValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    for (const v of value as readonly ExportsValue[]) {
      const t = pickTarget(v);
      if (t) return t;
    }
    return undefined;
  }
  const conditions = value as { readonly [key: string]: ExportsValue };
  for (const condition of ['import', 'node', 'default']) {
    if (condition in conditions) {
      const t = pickTarget(conditions[condition]);
      if (t) return t;
    }
  }
  return undefined;
}

/** The ESM entry of the package in `pkgDir` for `subpath` (`.` or `./sub`), from its `package.json`. */
function packageEntry(pkgDir: string, subpath: string, spec: string): string {
  const manifest = join(pkgDir, 'package.json');
  let pkg: { exports?: ExportsValue; main?: string };
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    throw new CliError(
      `${FLAG} ${spec}`,
      `its package.json (${manifest}) is not valid JSON`,
      'reinstall the package',
      {
        code: 'PLUGIN_LOAD_FAILED',
      },
    );
  }
  if (typeof pkg !== 'object' || pkg === null) {
    throw new CliError(
      `${FLAG} ${spec}`,
      `its package.json (${manifest}) is not an object`,
      'reinstall the package',
      {
        code: 'PLUGIN_LOAD_FAILED',
      },
    );
  }
  if (pkg.exports !== undefined) {
    const exp = pkg.exports;
    const keyed =
      typeof exp === 'object' &&
      exp !== null &&
      !Array.isArray(exp) &&
      Object.keys(exp).some((k) => k.startsWith('.'));
    const entry = keyed
      ? (exp as { readonly [key: string]: ExportsValue })[subpath]
      : subpath === '.'
        ? exp
        : undefined;
    const target = pickTarget(entry);
    if (!target) {
      throw new CliError(
        `${FLAG} ${spec}`,
        `package ${pkgDir} exports no ES module entry for ${JSON.stringify(subpath)}`,
        'pass a path the package exports, or the file itself',
        { code: 'PLUGIN_LOAD_FAILED' },
      );
    }
    return join(pkgDir, target);
  }
  const main = typeof pkg.main === 'string' ? pkg.main : 'index.js';
  return join(pkgDir, subpath === '.' ? main : subpath);
}

/** Finds an installed package's ESM entry from `cwd` upwards, the way Node resolves `import`. */
function findInstalled(spec: string, cwd: string): string | undefined {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join('/')}` : '.';
  for (let dir = cwd; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    if (existsSync(join(pkgDir, 'package.json'))) return packageEntry(pkgDir, subpath, spec);
    if (dirname(dir) === dir) return undefined;
  }
}

function describe(error: unknown): string {
  let message: string;
  try {
    message = error instanceof Error ? error.message : String(error);
  } catch {
    return 'an unprintable error';
  }
  return message.split('\n')[0] ?? message;
}

/** A URL scheme (`https:`, `data:`) at the start of a spec; one letter is a drive, not a scheme. */
const SCHEME = /^([a-z][a-z0-9+.-]+):/i;

/** The file a path-like spec names: a module file, or the entry of a package directory. */
function fileOf(spec: string, cwd: string): string {
  let file: string;
  if (spec.startsWith('file:')) {
    try {
      file = fileURLToPath(spec);
    } catch (error) {
      throw new CliError(
        `${FLAG} ${spec}`,
        `not a valid file: URL (${describe(error)})`,
        'give a path, or a URL such as file:///opt/plugins/my-plugin.mjs',
      );
    }
  } else {
    file = resolve(cwd, spec);
  }
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats)
    throw new CliError(`${FLAG} ${spec}`, `module not found (${file})`, FIX_NOT_FOUND, {
      code: 'PLUGIN_NOT_FOUND',
    });
  if (stats.isDirectory()) {
    if (!existsSync(join(file, 'package.json'))) {
      throw new CliError(
        `${FLAG} ${spec}`,
        `${file} is a directory without a package.json`,
        'give the plugin module inside it, or a package directory with a package.json',
        { code: 'PLUGIN_NOT_FOUND' },
      );
    }
    return packageEntry(file, '.', spec);
  }
  return file;
}

/** Imports a plugin module; a module that cannot be found or loaded is a {@link CliError}. */
async function importModule(spec: string, cwd: string): Promise<Record<string, unknown>> {
  const scheme = SCHEME.exec(spec)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'file') {
    throw new CliError(
      `${FLAG} ${spec}`,
      `${scheme}: URLs are not loaded (coco runs as root and imports plugins only from files on this machine)`,
      'download the plugin, review it, and pass its path or its installed package name',
    );
  }
  let url: string;
  if (spec === '') {
    throw new CliError(FLAG, 'the module name is empty', FIX_NOT_FOUND);
  }
  if (isPathLike(spec)) {
    url = pathToFileURL(fileOf(spec, cwd)).href;
  } else {
    const file = findInstalled(spec, cwd);
    url = file ? pathToFileURL(file).href : spec;
  }
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' && url === spec) {
      throw new CliError(
        `${FLAG} ${spec}`,
        `module not found (no package ${spec} is installed from ${cwd})`,
        FIX_NOT_FOUND,
        { code: 'PLUGIN_NOT_FOUND' },
      );
    }
    throw new CliError(
      `${FLAG} ${spec}`,
      `loading it failed: ${describe(error)}`,
      'check that it is an ES module that Node can import',
      { code: 'PLUGIN_LOAD_FAILED' },
    );
  }
}

/**
 * Loads a third-party plugin module and returns its default export: one plugin, or an array of
 * plugins. The registry then checks each one (interface version, shape).
 */
export async function loadPluginModule(spec: string, cwd: string): Promise<CocoPlugin[]> {
  const module = await importModule(spec, cwd);
  if (!('default' in module) || module.default === undefined) {
    throw new CliError(
      `${FLAG} ${spec}`,
      'the module has no default export',
      'export the plugin as the default export (export default defineBackend({ ... }))',
      { code: 'PLUGIN_LOAD_FAILED' },
    );
  }
  const value = module.default;
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== 'object' || item === null || typeof (item as { kind?: unknown }).kind !== 'string') {
      throw new CliError(
        `${FLAG} ${spec}`,
        'its default export is not a coco plugin (an object with kind, id, interfaceVersion and detect)',
        'export default a plugin built with defineBackend or defineHypervisor from @coco/core',
        { code: 'PLUGIN_LOAD_FAILED' },
      );
    }
  }
  return list as CocoPlugin[];
}
