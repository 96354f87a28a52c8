/**
 * The worker thread a command with `--plugin` modules runs in (see `isolation.ts`): it runs the
 * whole command with an io that posts every write to the main thread, which prints it, watches the
 * time limit and terminates this thread when a plugin does not return.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CliIo } from './io.js';
import type { FromMain, ToMain, WorkerInput } from './isolation-messages.js';
import { setPhaseReporter } from './phase.js';
import { ReadStopped } from './read-limited.js';
import { runCommand } from './run.js';

const port = parentPort;
if (!port) throw new Error('worker.js runs only as the worker of a coco command with --plugin');
const input = workerData as WorkerInput;
const post = (message: ToMain) => port.postMessage(message);

setPhaseReporter((phase) => post({ type: 'phase', phase }));

const io: CliIo = {
  stdout: { write: (text) => post({ type: 'write', stream: 'stdout', text }), isTTY: input.stdoutIsTTY },
  stderr: { write: (text) => post({ type: 'write', stream: 'stderr', text }), isTTY: input.stderrIsTTY },
  readStdin: (maxBytes) =>
    new Promise((resolve, reject) => {
      port.once('message', (message: FromMain) => {
        if (message.ok) resolve(message.data);
        else if (message.stop) reject(new ReadStopped(message.stop));
        else reject(Object.assign(new Error('standard input cannot be read'), { code: message.code }));
      });
      post({ type: 'stdin', maxBytes });
    }),
  stdinIsTTY: input.stdinIsTTY,
  env: input.env,
  cwd: input.cwd,
};

post({ type: 'done', status: await runCommand(input.argv, io) });
