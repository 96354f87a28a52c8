import { CocoRangeError, describeValue } from './errors.js';
import { MARKING_SIMD_MODULE } from './marking-simd-module.js';
import { LITTLE_ENDIAN, tableOf } from './marking-words.js';

// What core uses of the engine's WebAssembly API (ES2022's lib does not declare it; every
// JavaScript engine core runs on has it, unless it runs without a JIT).
declare const WebAssembly:
  | {
      Module: new (bytes: Uint8Array) => object;
      Memory: new (size: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
      Instance: new (module: object, imports: object) => { readonly exports: object };
    }
  | undefined;
declare function atob(base64: string): string;

/** The bulk loops of marking over a byte range `[start, end)` of one table's memory. */
export interface SimdKernels {
  or(start: number, end: number, mask: bigint): void;
  and(start: number, end: number, keep: bigint): void;
  count(start: number, end: number, bit: number): number;
}

/**
 * The most entries {@link createEntryTable} places in WebAssembly memory: 2^28 (2 GiB), which keeps
 * every byte offset inside the module's 32-bit arithmetic. A longer table is an ordinary one.
 */
export const ENTRY_TABLE_SIMD_MAX = 2 ** 28;

const PAGE = 65_536;
const kernelsOfBuffer = new WeakMap<ArrayBufferLike, SimdKernels>();
let module: object | null | undefined;

/** The compiled module, or null where the engine has no WebAssembly SIMD (or stores big-endian). */
function simdModule(): object | null {
  if (module === undefined) {
    module = null;
    if (LITTLE_ENDIAN && typeof WebAssembly !== 'undefined') {
      try {
        module = new WebAssembly.Module(Uint8Array.from(atob(MARKING_SIMD_MODULE), (c) => c.charCodeAt(0)));
      } catch {
        // An engine without SIMD, or with WebAssembly turned off: the JavaScript loops do the work.
      }
    }
  }
  return module;
}

/**
 * Allocates a table of `length` 64-bit entries, all zero, for bulk marking.
 *
 * It is an ordinary `BigUint64Array`: read, write, `subarray` and fill it as any other. When the
 * engine has WebAssembly SIMD, its memory is a `WebAssembly.Memory` of its own, and
 * `encryptAll`, `decryptAll` and `count` of every marking run on it (and on any view of its
 * buffer) as WebAssembly SIMD loops, two entries per instruction, at the speed of a vectorised C
 * loop; on any other `BigUint64Array` they run as JavaScript loops (about two thirds of that
 * speed, see docs/performance.md). Results are the same either way. Where there is no SIMD, on a
 * big-endian machine, or past {@link ENTRY_TABLE_SIMD_MAX} entries, the table is an ordinary one.
 *
 * @throws `VALUE_OUT_OF_RANGE` when `length` is not an integer from 0 to 2^53 - 1.
 */
export function createEntryTable(length: number): BigUint64Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new CocoRangeError(`${describeValue(length)} is not a table length`, {
      input: 'length',
      fix: 'pass the number of 64-bit entries, an integer of 0 or more',
    });
  }
  const simd = length > 0 && length <= ENTRY_TABLE_SIMD_MAX ? simdModule() : null;
  if (simd !== null && typeof WebAssembly !== 'undefined') {
    let memory: { readonly buffer: ArrayBuffer } | undefined;
    try {
      const pages = Math.ceil((length * 8) / PAGE);
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch {
      // The engine refused the memory (its own limits): an ordinary table below.
    }
    if (memory !== undefined) {
      const { exports } = new WebAssembly.Instance(simd, { coco: { memory } });
      kernelsOfBuffer.set(memory.buffer, exports as SimdKernels);
      return new BigUint64Array(memory.buffer, 0, length);
    }
  }
  return new BigUint64Array(length);
}

/** The SIMD loops for `buffer` when it is the memory of a table from {@link createEntryTable}. */
export function simdKernelsOf(buffer: ArrayBufferLike): SimdKernels | undefined {
  return kernelsOfBuffer.get(buffer);
}

/** Whether bulk marking of `entries` runs as WebAssembly SIMD (a table from {@link createEntryTable}). */
export function isSimdTable(entries: BigUint64Array): boolean {
  const table = tableOf(entries);
  return table !== undefined && kernelsOfBuffer.has(table.buffer);
}
