import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CliError } from '../errors.js';
import { commandRegistry } from '../registry.js';
import type { FleetInput } from './inputs.js';
import { decideMachine } from './machine.js';
import type { FleetWorkerData, FromFleetWorker, ToFleetWorker } from './messages.js';
import { type FleetBatch, fleetBatch } from './summary.js';

/** Options of {@link decideFleet}. */
export interface FleetOptions extends FleetPoolOptions {
  /** Called with each batch, in input order (so output order never depends on timing). */
  readonly onBatch: (batch: FleetBatch) => void;
  /** Called as machines finish (in any order), with the number done so far. */
  readonly onProgress?: (done: number) => void;
}

/** The built worker script next to this module, or `null` when running from the TypeScript sources. */
function fleetWorkerScript(): URL | null {
  const url = new URL('./fleet-worker.js', import.meta.url);
  if (url.protocol !== 'file:') return null;
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** The young generation of a fleet worker, in MiB (V8's default is 16 on 64-bit machines). */
const FLEET_YOUNG_GENERATION_MB = 64;

/** Machines per batch: enough batches for every worker to stay busy, few enough to keep messages cheap. */
export function batchSize(machines: number, workers: number): number {
  return Math.max(1, Math.min(512, Math.ceil(machines / (workers * 8))));
}

/** What a worker said or did, kept until {@link decideFleet} listens. */
type WorkerEvent =
  | { readonly type: 'message'; readonly message: FromFleetWorker }
  | { readonly type: 'error'; readonly error: Error }
  | { readonly type: 'exit'; readonly code: number };

interface PooledWorker {
  readonly worker: Worker;
  /** Events before anyone listened. */
  readonly early: WorkerEvent[];
  listener: ((event: WorkerEvent) => void) | null;
}

/**
 * Worker threads started before the machines are known: each loads the CLI's modules and builds
 * its registry (a few hundred milliseconds) while the main thread walks the directories.
 */
export interface FleetPool {
  /** The workers; empty when running from the TypeScript sources (no built worker script). */
  readonly workers: readonly PooledWorker[];
  /** The number of workers asked for (`--jobs`, or the number of cores). */
  readonly wanted: number;
  /** Starts workers until there are `count` (none from the TypeScript sources). */
  grow(count: number): void;
  /** Ends the workers that are still running (nothing to decide, or an error before deciding). */
  close(): void;
}

/** Options of {@link startFleetPool}. */
export interface FleetPoolOptions {
  /** Worker threads at most; the number of cores unless given. */
  readonly jobs?: number;
  readonly plugins: readonly string[];
  readonly cwd: string;
}

/**
 * Starts the workers of a fleet run, at most one per core for now (more, when `--jobs` asks for
 * them, once the machines are known to need them); hand the pool to {@link decideFleet}, or close it.
 */
export function startFleetPool(options: FleetPoolOptions): FleetPool {
  const script = fleetWorkerScript();
  const workers: PooledWorker[] = [];
  const wanted = Math.max(1, options.jobs ?? availableParallelism());
  const data: FleetWorkerData = { plugins: [...options.plugins], cwd: options.cwd };
  const grow = (count: number) => {
    if (!script) return;
    while (workers.length < count) {
      // A larger young generation: each machine makes short-lived garbage (parsed JSON, evidence,
      // the detection and its record), which a small one promotes and collects again and again.
      const worker = new Worker(script, {
        workerData: data,
        resourceLimits: { maxYoungGenerationSizeMb: FLEET_YOUNG_GENERATION_MB },
      });
      const pooled: PooledWorker = { worker, early: [], listener: null };
      const emit = (event: WorkerEvent) =>
        pooled.listener ? pooled.listener(event) : void pooled.early.push(event);
      worker.on('message', (message: FromFleetWorker) => emit({ type: 'message', message }));
      worker.on('error', (error) => emit({ type: 'error', error }));
      worker.on('exit', (code) => emit({ type: 'exit', code }));
      workers.push(pooled);
    }
  };
  grow(Math.min(wanted, availableParallelism()));
  return {
    workers,
    wanted,
    grow,
    close() {
      for (const w of workers) {
        w.listener = () => {};
        void w.worker.terminate();
      }
    },
  };
}

/**
 * Decides every machine: in batches spread over worker threads (one registry each, started once,
 * by {@link startFleetPool} unless `pool` is given), results handed to `onResults` in input order.
 * From the TypeScript sources (no built worker script) it runs in this thread.
 */
export async function decideFleet(
  inputs: readonly FleetInput[],
  options: FleetOptions & { readonly pool?: FleetPool },
): Promise<void> {
  const pool = options.pool ?? startFleetPool(options);
  // No more workers than machines: the others end now.
  const count = Math.max(1, Math.min(pool.wanted, inputs.length));
  pool.grow(count);
  for (const extra of pool.workers.slice(count)) {
    extra.listener = () => {};
    void extra.worker.terminate();
  }
  const pooled = pool.workers.slice(0, count);
  const size = batchSize(inputs.length, count);
  const batches: FleetInput[][] = [];
  for (let i = 0; i < inputs.length; i += size) batches.push(inputs.slice(i, i + size));
  let done = 0;
  if (pooled.length === 0) {
    const registry = await commandRegistry(options.plugins, options.cwd);
    for (const batch of batches) {
      const results = batch.map((input) => decideMachine(input, registry));
      done += results.length;
      options.onProgress?.(done);
      options.onBatch(fleetBatch(results));
    }
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const pending = new Map<number, FleetBatch>();
    let next = 0; // the next batch to send
    let emitted = 0; // the next batch to hand to onResults
    let failed = false;
    let finished = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      pool.close();
      reject(error);
    };
    const feed = (worker: Worker) => {
      if (next >= batches.length) return false;
      const message: ToFleetWorker = { type: 'batch', id: next, inputs: batches[next] as FleetInput[] };
      next += 1;
      worker.postMessage(message);
      return true;
    };
    const onMessage = (worker: Worker, message: FromFleetWorker) => {
      if (failed) return;
      if (message.type === 'failed') {
        fail(
          new CliError('coco fleet', `a worker could not start: ${message.message}`, 'see the message', {
            code: message.code as 'PLUGIN_LOAD_FAILED',
          }),
        );
        return;
      }
      if (message.type === 'ready') {
        // Two batches in flight per worker, so it never waits for the main thread.
        feed(worker);
        feed(worker);
        return;
      }
      pending.set(message.id, { ndjson: message.ndjson, summary: message.summary });
      done += message.summary.machines;
      options.onProgress?.(done);
      while (pending.has(emitted)) {
        const batch = pending.get(emitted) as FleetBatch;
        pending.delete(emitted);
        emitted += 1;
        options.onBatch(batch);
      }
      if (emitted === batches.length) {
        finished = true;
        for (const w of pooled) w.worker.postMessage({ type: 'stop' } satisfies ToFleetWorker);
        resolve();
        return;
      }
      feed(worker);
    };
    for (const w of pooled) {
      const worker = w.worker;
      w.listener = (event) => {
        if (event.type === 'message') onMessage(worker, event.message);
        else if (event.type === 'error') fail(event.error);
        else if (!failed && !finished) fail(new Error(`a fleet worker ended with status ${event.code}`));
      };
      for (const event of w.early.splice(0)) w.listener(event);
    }
  });
}
