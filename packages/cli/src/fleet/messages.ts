import type { FleetInput } from './inputs.js';
import type { FleetSummary } from './summary.js';

/** What a fleet worker is started with. */
export interface FleetWorkerData {
  /** The `--plugin` modules each worker registers in its own registry, after the built-in plugins. */
  readonly plugins: readonly string[];
  readonly cwd: string;
  /** One 32-bit counter the worker adds 1 to after each machine, for the main thread's watchdog. */
  readonly beat: SharedArrayBuffer;
}

/** A batch of machines for a worker, or the end of the work. */
export type ToFleetWorker =
  | { readonly type: 'batch'; readonly id: number; readonly inputs: readonly FleetInput[] }
  | { readonly type: 'stop' };

/** A worker's answer: ready (registry built), a finished batch, or a failure to start. */
export type FromFleetWorker =
  | { readonly type: 'ready' }
  // The batch's NDJSON as UTF-8 bytes (their buffer transferred, not copied) and its counts, not an
  // object per machine: cheap to pass between threads.
  | {
      readonly type: 'batch';
      readonly id: number;
      readonly ndjson: Uint8Array;
      readonly summary: FleetSummary;
    }
  | { readonly type: 'failed'; readonly code: string; readonly message: string };
