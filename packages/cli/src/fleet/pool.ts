import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CliError } from '../errors.js';
import { commandRegistry } from '../registry.js';
import type { FleetInput } from './inputs.js';
import { decideMachine, type FleetResult } from './machine.js';
import type { FleetWorkerData, FromFleetWorker, ToFleetWorker } from './messages.js';

/** Options of {@link decideFleet}. */
export interface FleetOptions {
  /** Worker threads at most; the number of cores unless given. */
  readonly jobs?: number;
  readonly plugins: readonly string[];
  readonly cwd: string;
  /** Called with the results of each batch, in input order (so output order never depends on timing). */
  readonly onResults: (results: readonly FleetResult[]) => void;
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

/**
 * Decides every machine: in batches spread over worker threads (one registry each, started once),
 * results handed to `onResults` in input order. From the TypeScript sources (no built worker
 * script) it runs in this thread.
 */
export async function decideFleet(inputs: readonly FleetInput[], options: FleetOptions): Promise<void> {
  const script = fleetWorkerScript();
  const workers = Math.max(1, Math.min(options.jobs ?? availableParallelism(), inputs.length));
  const size = batchSize(inputs.length, workers);
  const batches: FleetInput[][] = [];
  for (let i = 0; i < inputs.length; i += size) batches.push(inputs.slice(i, i + size));
  let done = 0;
  if (!script) {
    const registry = await commandRegistry(options.plugins, options.cwd);
    for (const batch of batches) {
      const results = batch.map((input) => decideMachine(input, registry));
      done += results.length;
      options.onProgress?.(done);
      options.onResults(results);
    }
    return;
  }
  const data: FleetWorkerData = { plugins: [...options.plugins], cwd: options.cwd };
  await new Promise<void>((resolve, reject) => {
    const pending = new Map<number, readonly FleetResult[]>();
    const pool: Worker[] = [];
    let next = 0; // the next batch to send
    let emitted = 0; // the next batch to hand to onResults
    let failed = false;
    let finished = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(error);
    };
    const feed = (worker: Worker) => {
      if (next >= batches.length) return false;
      const message: ToFleetWorker = { type: 'batch', id: next, inputs: batches[next] as FleetInput[] };
      next += 1;
      worker.postMessage(message);
      return true;
    };
    for (let i = 0; i < workers; i++) {
      // A larger young generation: each machine makes short-lived garbage (parsed JSON, evidence,
      // the detection and its record), which a small one promotes and collects again and again.
      const worker = new Worker(script, {
        workerData: data,
        resourceLimits: { maxYoungGenerationSizeMb: FLEET_YOUNG_GENERATION_MB },
      });
      pool.push(worker);
      worker.on('message', (message: FromFleetWorker) => {
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
        pending.set(message.id, message.results);
        done += message.results.length;
        options.onProgress?.(done);
        while (pending.has(emitted)) {
          const results = pending.get(emitted) as readonly FleetResult[];
          pending.delete(emitted);
          emitted += 1;
          options.onResults(results);
        }
        if (emitted === batches.length) {
          finished = true;
          for (const w of pool) w.postMessage({ type: 'stop' } satisfies ToFleetWorker);
          resolve();
          return;
        }
        feed(worker);
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        if (!failed && !finished) fail(new Error(`a fleet worker ended with status ${code}`));
      });
    }
  });
}
