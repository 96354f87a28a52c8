/**
 * A worker thread of `coco fleet`: builds one registry (the built-in plugins and the `--plugin`
 * modules), then reads, parses and decides each batch of machines the main thread sends, answering
 * with the NDJSON lines. Many machines per worker, one worker per core: no thread or process per
 * machine.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CliError } from './errors.js';
import { decideMachine } from './fleet/machine.js';
import type { FleetWorkerData, FromFleetWorker, ToFleetWorker } from './fleet/messages.js';
import { fleetBatch } from './fleet/summary.js';
import { commandRegistry } from './registry.js';

const port = parentPort;
if (!port) throw new Error('fleet-worker.js runs only as a worker of coco fleet');
const data = workerData as FleetWorkerData;
const post = (message: FromFleetWorker) => port.postMessage(message);
const beat = new Int32Array(data.beat);

try {
  const registry = await commandRegistry(data.plugins, data.cwd);
  port.on('message', (message: ToFleetWorker) => {
    if (message.type === 'stop') {
      port.close();
      return;
    }
    const batch = fleetBatch(
      message.inputs.map((i) => {
        const result = decideMachine(i, registry);
        Atomics.add(beat, 0, 1);
        return result;
      }),
    );
    post({ type: 'batch', id: message.id, text: batch.text, summary: batch.summary });
  });
  post({ type: 'ready' });
} catch (error) {
  const code =
    error instanceof CliError || (error as { code?: unknown })?.code
      ? String((error as { code: unknown }).code)
      : 'INTERNAL';
  post({ type: 'failed', code, message: error instanceof Error ? error.message : String(error) });
}
