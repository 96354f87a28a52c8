/**
 * A worker thread of `coco fleet`: builds one registry (the built-in plugins and the `--plugin`
 * modules), then reads, parses and decides each batch of machines the main thread sends, answering
 * with the NDJSON lines. Many machines per worker, one worker per core: no thread or process per
 * machine.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Registry } from '@coco/core';
import { CliError } from './errors.js';
import type { FleetInput } from './fleet/inputs.js';
import { decideMachine, type FleetResult } from './fleet/machine.js';
import { DecisionMemo } from './fleet/memo.js';
import type { FleetWorkerData, FromFleetWorker, ToFleetWorker } from './fleet/messages.js';
import { fleetBatch } from './fleet/summary.js';
import { commandRegistry } from './registry.js';

const port = parentPort;
if (!port) throw new Error('fleet-worker.js runs only as a worker of coco fleet');
const data = workerData as FleetWorkerData;
const post = (message: FromFleetWorker) => port.postMessage(message);
const beat = new Int32Array(data.beat);

/** About the size of a record (2 to 3 KB for a snapshot): a batch's first guess of its bytes. */
const BYTES_PER_RECORD = 4096;

/** The machines decided one after the other, so that each result can go before the next is made. */
function* decided(
  inputs: readonly FleetInput[],
  registry: Registry,
  memo: DecisionMemo,
): Generator<FleetResult> {
  for (const input of inputs) {
    const result = decideMachine(input, registry, memo);
    Atomics.add(beat, 0, 1); // the watchdog's heartbeat: one machine more
    yield result;
  }
}

try {
  const registry = await commandRegistry(data.plugins, data.cwd);
  // A third-party plugin may read a log line's raw text, timestamp and all: keep lines whole.
  const memo = new DecisionMemo({ exactLog: data.plugins.length > 0 });
  port.on('message', (message: ToFleetWorker) => {
    if (message.type === 'stop') {
      port.close();
      return;
    }
    const batch = fleetBatch(
      decided(message.inputs, registry, memo),
      message.inputs.length * BYTES_PER_RECORD,
    );
    const ndjson = batch.ndjson;
    port.postMessage(
      { type: 'batch', id: message.id, ndjson, summary: batch.summary } satisfies FromFleetWorker,
      [ndjson.buffer as ArrayBuffer],
    );
  });
  post({ type: 'ready' });
} catch (error) {
  const code =
    error instanceof CliError || (error as { code?: unknown })?.code
      ? String((error as { code: unknown }).code)
      : 'INTERNAL';
  post({ type: 'failed', code, message: error instanceof Error ? error.message : String(error) });
}
