import type { FleetInput } from './inputs.js';
import type { FleetResult } from './machine.js';

/** What a fleet worker is started with. */
export interface FleetWorkerData {
  /** The `--plugin` modules each worker registers in its own registry, after the built-in plugins. */
  readonly plugins: readonly string[];
  readonly cwd: string;
}

/** A batch of machines for a worker, or the end of the work. */
export type ToFleetWorker =
  | { readonly type: 'batch'; readonly id: number; readonly inputs: readonly FleetInput[] }
  | { readonly type: 'stop' };

/** A worker's answer: ready (registry built), a finished batch, or a failure to start. */
export type FromFleetWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'batch'; readonly id: number; readonly results: readonly FleetResult[] }
  | { readonly type: 'failed'; readonly code: string; readonly message: string };
