import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CliError } from '../errors.js';
import { DEFAULT_PLUGIN_TIMEOUT_SECONDS } from '../plugin-plan.js';
import { commandRegistry } from '../registry.js';
import type { FleetInput } from './inputs.js';
import { decideMachine } from './machine.js';
import { DecisionMemo } from './memo.js';
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
  /** Machines the worker has decided, counted by the worker itself (its heartbeat). */
  readonly beat: Int32Array;
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
  /**
   * With `plugins`, the milliseconds a worker may take to load them and then to decide one machine
   * (`--plugin-timeout`); 5 s unless given.
   */
  readonly timeoutMs?: number;
}

/**
 * Starts the workers of a fleet run, at most one per core for now (more, when `--jobs` asks for
 * them, once the machines are known to need them); hand the pool to {@link decideFleet}, or close it.
 */
export function startFleetPool(options: FleetPoolOptions): FleetPool {
  const script = fleetWorkerScript();
  const workers: PooledWorker[] = [];
  const wanted = Math.max(1, options.jobs ?? availableParallelism());
  const grow = (count: number) => {
    if (!script) return;
    while (workers.length < count) {
      const beat = new SharedArrayBuffer(4);
      const data: FleetWorkerData = { plugins: [...options.plugins], cwd: options.cwd, beat };
      // A larger young generation: each machine makes short-lived garbage (parsed JSON, evidence,
      // the detection and its record), which a small one promotes and collects again and again.
      const worker = new Worker(script, {
        workerData: data,
        resourceLimits: { maxYoungGenerationSizeMb: FLEET_YOUNG_GENERATION_MB },
      });
      const pooled: PooledWorker = { worker, early: [], listener: null, beat: new Int32Array(beat) };
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
    const memo = new DecisionMemo({ exactLog: options.plugins.length > 0 });
    for (const batch of batches) {
      const results = batch.map((input) => decideMachine(input, registry, memo));
      done += results.length;
      options.onProgress?.(done);
      options.onBatch(fleetBatch(results));
    }
    return;
  }
  const plugins = options.plugins.map((p) => `--plugin ${p}`).join(', ');
  const limitMs = options.timeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_SECONDS * 1000;
  const limit = `${Number((limitMs / 1000).toFixed(3))} s`;
  const raise = `or raise the limit with --plugin-timeout SECONDS (now ${limit})`;
  // What each worker was last seen doing: loaded or not, the batches it holds, machines decided.
  const state = pooled.map(() => ({
    ready: false,
    held: [] as FleetInput[][],
    decided: 0,
    beat: 0,
    at: Date.now(),
  }));
  let watchdog: ReturnType<typeof setInterval> | undefined;
  await new Promise<void>((resolve, reject) => {
    const pending = new Map<number, FleetBatch>();
    let next = 0; // the next batch to send
    let emitted = 0; // the next batch to hand to onResults
    let failed = false;
    let finished = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      clearInterval(watchdog);
      pool.close();
      reject(error);
    };
    const feed = (index: number) => {
      if (next >= batches.length) return false;
      const message: ToFleetWorker = { type: 'batch', id: next, inputs: batches[next] as FleetInput[] };
      next += 1;
      state[index]?.held.push(message.inputs as FleetInput[]);
      (pooled[index] as PooledWorker).worker.postMessage(message);
      return true;
    };
    // With --plugin, a worker that loads its plugins or decides one machine for longer than the
    // limit holds a plugin that never returns: the run ends naming the plugins and the machine.
    // Each worker counts the machines it decided in shared memory, so this costs no message.
    if (options.plugins.length > 0) {
      watchdog = setInterval(
        () => {
          const now = Date.now();
          pooled.forEach((w, index) => {
            const s = state[index] as (typeof state)[number];
            const beat = Atomics.load(w.beat, 0);
            if (beat !== s.beat || (s.ready && s.held.length === 0)) {
              s.beat = beat;
              s.at = now;
              return;
            }
            if (now - s.at <= limitMs) return;
            const machine = s.held[0]?.[beat - s.decided]?.source;
            fail(
              new CliError(
                plugins,
                s.ready
                  ? `deciding ${machine ? `machine ${machine}` : 'a machine'} did not finish within ${limit} (a plugin's detect or its type's methods did not return)`
                  : `loading the plugins did not finish within ${limit} (a module's top-level code runs forever or waits for something that never comes)`,
                `leave the plugin out and report it to its authors, ${raise}`,
                { code: 'PLUGIN_TIMEOUT' },
              ),
            );
          });
        },
        Math.min(250, Math.max(10, limitMs / 4)),
      );
    }
    const onMessage = (index: number, message: FromFleetWorker) => {
      if (failed) return;
      if (message.type === 'failed') {
        fail(
          new CliError('coco fleet', `a worker could not start: ${message.message}`, 'see the message', {
            code: message.code as 'PLUGIN_LOAD_FAILED',
          }),
        );
        return;
      }
      const s = state[index] as (typeof state)[number];
      if (message.type === 'ready') {
        s.ready = true;
        // Two batches in flight per worker, so it never waits for the main thread.
        feed(index);
        feed(index);
        return;
      }
      s.decided += s.held.shift()?.length ?? 0;
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
        clearInterval(watchdog);
        for (const w of pooled) w.worker.postMessage({ type: 'stop' } satisfies ToFleetWorker);
        resolve();
        return;
      }
      feed(index);
    };
    // With --plugin, a worker that throws or ends on its own was made to by a plugin (as in
    // isolation.ts): the run ends naming the plugins, not as an internal error.
    const pluginFailure = (problem: string, code: 'PLUGIN_FAILED' | 'PLUGIN_TIMEOUT' = 'PLUGIN_FAILED') =>
      new CliError(plugins, problem, 'leave the plugin out and report it to its authors', { code });
    pooled.forEach((w, index) => {
      w.listener = (event) => {
        if (event.type === 'message') onMessage(index, event.message);
        else if (event.type === 'error') {
          if (options.plugins.length === 0) fail(event.error);
          else {
            let text: string;
            try {
              text = event.error instanceof Error ? event.error.message : String(event.error);
            } catch {
              text = 'an unprintable error';
            }
            fail(pluginFailure(`a plugin threw outside any call coco made (${text.split('\n')[0] ?? ''})`));
          }
        } else if (failed || finished) return;
        else if (options.plugins.length === 0)
          fail(new Error(`a fleet worker ended with status ${event.code}`));
        else if (event.code === 13) {
          // The worker's event loop ran empty while a top-level await was pending.
          fail(
            pluginFailure(
              'loading the plugins can never finish (a top-level await waits for a promise nothing settles)',
              'PLUGIN_TIMEOUT',
            ),
          );
        } else fail(pluginFailure(`a plugin ended the command (process.exit(${event.code}))`));
      };
      for (const event of w.early.splice(0)) w.listener(event);
    });
  });
}
