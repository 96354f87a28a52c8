import type { ProbeIO, ProbeRead } from '@coco/core';

type ProbeReadOptions = NonNullable<Parameters<ProbeIO['read']>[1]>;

import type { DeviceReader, ProbeFs } from './fs.js';

/** Default and largest read of {@link ProbeIO.read} (core's contract). */
const DEFAULT_LENGTH = 4096;
const MAX_LENGTH = 65536;
const U64_MAX = (1n << 64n) - 1n;

/** Why a device is not read under `--root`, and what to do instead. */
export const NOT_READ_UNDER_ROOT = Object.freeze({
  reason: 'not read under --root: a machine image or support bundle holds no live device',
  fix: 'run coco snapshot on the machine itself and pass the snapshot with --snapshot',
});

/**
 * What one plugin's fact probe reads through: a `ProbeIO` of its own, which remembers only that
 * probe's reads, so that its facts and notes are never credited to a path another probe read.
 */
export interface ProbeScopeIO extends ProbeIO {
  /** The last path a read of this probe succeeded on: the source of the facts it adds next. */
  readonly lastPath: string | null;
  /** Device paths this probe was refused because the run reads a tree (`--root`), not a live machine. */
  readonly refused: ReadonlySet<string>;
}

/** The reads of one probing run, which keeps its devices open until {@link RunIO.close}. */
export interface RunIO {
  /** A new reader for one fact probe; every probe's reads share the run's open devices. */
  forProbe(): ProbeScopeIO;
  close(): void;
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

function failure(error: unknown): Extract<ProbeRead, { ok: false }> {
  const code = codeOf(error);
  const own = (error as { unreadable?: { reason?: unknown } } | null)?.unreadable?.reason;
  const missing = code === 'ENOENT' || code === 'ENOTDIR';
  const reason =
    typeof own === 'string'
      ? own
      : missing
        ? 'it does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : `cannot be read (${code ?? 'an unknown error'})`;
  return Object.freeze({ ok: false as const, missing, reason, ...(code !== undefined && { code }) });
}

/**
 * The reader plugins' fact probes get: positioned, bounded, non-blocking reads through `fs` (whose
 * opens are `O_NONBLOCK`, and which refuses a FIFO or socket in place of a device or file). Each
 * path is opened once per run. With `devices: false` (a tree given with `--root`), paths under
 * `/dev` are not read at all: a device node in a tree is not the machine's device.
 */
export function probeIo(fs: ProbeFs, options: { readonly devices: boolean }): RunIO {
  const open = new Map<string, DeviceReader | Extract<ProbeRead, { ok: false }>>();
  const read = (path: unknown, readOptions: ProbeReadOptions, refused: Set<string>): ProbeRead => {
    if (typeof path !== 'string' || !path.startsWith('/') || path.split('/').includes('..'))
      return { ok: false, missing: false, reason: 'not an absolute machine path', code: 'EINVAL' };
    const length = readOptions.length ?? DEFAULT_LENGTH;
    const offset = readOptions.offset ?? 0n;
    if (!Number.isInteger(length) || length < 1 || length > MAX_LENGTH)
      return {
        ok: false,
        missing: false,
        reason: `length ${String(length)} is not 1..65536`,
        code: 'EINVAL',
      };
    if (typeof offset !== 'bigint' || offset < 0n || offset > U64_MAX)
      return { ok: false, missing: false, reason: 'the offset is not a 64-bit position', code: 'EINVAL' };
    if (!options.devices && (path === '/dev' || path.startsWith('/dev/'))) {
      refused.add(path);
      return { ok: false, missing: false, reason: NOT_READ_UNDER_ROOT.reason, code: 'ENOTSUP' };
    }
    let reader = open.get(path);
    if (reader === undefined) {
      try {
        reader = fs.openDevice(path);
      } catch (error) {
        reader = failure(error);
      }
      open.set(path, reader);
    }
    if ('ok' in reader) return reader;
    try {
      return { ok: true, bytes: reader.pread(length, offset) };
    } catch (error) {
      return failure(error);
    }
  };
  return {
    forProbe() {
      const refused = new Set<string>();
      let lastPath: string | null = null;
      return Object.freeze({
        get lastPath() {
          return lastPath;
        },
        refused,
        read(path: string, readOptions: ProbeReadOptions = {}) {
          const result = read(path, readOptions ?? {}, refused);
          if (result.ok) lastPath = path;
          return result;
        },
      });
    },
    close() {
      for (const reader of open.values()) {
        if ('ok' in reader) continue;
        try {
          reader.close();
        } catch {
          // Nothing to do: the run is over.
        }
      }
      open.clear();
    },
  };
}
