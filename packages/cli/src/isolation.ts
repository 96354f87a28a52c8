import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EXIT } from './errors.js';
import type { CliIo } from './io.js';
import type { FromMain, ToMain, WorkerInput } from './isolation-messages.js';
import type { Phase } from './phase.js';
import type { PluginPlan } from './plugin-plan.js';
import { ReadStopped } from './read-limited.js';
import { safeText } from './render/safe-text.js';

/**
 * The built worker script next to this module, or `null` when there is none (running from the
 * TypeScript sources, as the unit tests do): then plugins run in the main thread, unguarded.
 */
export function workerScript(): URL | null {
  const url = new URL('./worker.js', import.meta.url);
  if (url.protocol !== 'file:') return null;
  return existsSync(fileURLToPath(url)) ? url : null;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

function pluginList(plugins: readonly string[]): string {
  return plugins.map((p) => `--plugin ${p}`).join(', ');
}

/** The one stderr line when the time limit passes, naming what the command was doing. */
function timeoutLine(phase: Phase, plan: PluginPlan): string {
  const limit = seconds(plan.timeoutMs);
  const raise = `or raise the limit with --plugin-timeout SECONDS (now ${limit})`;
  switch (phase.kind) {
    case 'load':
      return `coco: PLUGIN_TIMEOUT: --plugin ${phase.plugin}: loading the module did not finish within ${limit} (its top-level code runs forever or waits for something that never comes). Fix: leave the plugin out and report it to its authors, ${raise}`;
    case 'input':
      return `coco: INPUT_BLOCKING: ${phase.input}: reading it did not finish within ${limit}, the time limit of a command with --plugin. Fix: pass the evidence as a regular file, ${raise}`;
    case 'run':
      return `coco: PLUGIN_TIMEOUT: ${pluginList(plan.plugins)}: the command did not finish within ${limit} (a plugin's detect or its type's methods did not return). Fix: leave the plugin out and report it to its authors, ${raise}`;
  }
}

/** The one stderr line when a plugin awaits a promise that nothing can settle. */
function neverSettledLine(phase: Phase, plan: PluginPlan): string {
  const who = phase.kind === 'load' ? `--plugin ${phase.plugin}` : pluginList(plan.plugins);
  const what = phase.kind === 'load' ? 'loading the module' : 'the command';
  return `coco: PLUGIN_TIMEOUT: ${who}: ${what} can never finish (a top-level await waits for a promise nothing settles). Fix: leave the plugin out and report it to its authors`;
}

/**
 * Runs the command in a worker thread, so that a third-party plugin that never returns (an endless
 * loop, a top-level `await` that never settles, a blocking wait) cannot hang `coco`: the main
 * thread prints what the worker writes, and when the time limit passes it terminates the worker
 * and exits 2 with one line naming the plugin. The time spent reading standard input (done here,
 * for the worker) does not count.
 */
export function runInWorker(
  argv: readonly string[],
  io: CliIo,
  plan: PluginPlan,
  script: URL,
): Promise<number> {
  return new Promise((resolve) => {
    const data: WorkerInput = {
      argv: [...argv],
      env: { ...io.env },
      cwd: io.cwd,
      stdoutIsTTY: io.stdout.isTTY === true,
      stderrIsTTY: io.stderr.isTTY === true,
      stdinIsTTY: io.stdinIsTTY === true,
    };
    const worker = new Worker(script, { workerData: data });
    let phase: Phase = { kind: 'run' };
    let settled = false;
    let remaining = plan.timeoutMs;
    let armedAt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (status: number, line?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (line !== undefined) io.stderr.write(`${line}\n`);
      void worker.terminate();
      resolve(status);
    };
    const arm = () => {
      armedAt = Date.now();
      timer = setTimeout(
        () => finish(EXIT.usage, safeText(timeoutLine(phase, plan))),
        Math.max(0, remaining),
      );
    };
    const pause = () => {
      clearTimeout(timer);
      remaining -= Date.now() - armedAt;
    };
    const answerStdin = async (maxBytes: number) => {
      pause();
      let answer: FromMain;
      try {
        answer = { ok: true, data: await io.readStdin(maxBytes) };
      } catch (error) {
        answer =
          error instanceof ReadStopped
            ? { ok: false, stop: error.stop }
            : { ok: false, code: String((error as NodeJS.ErrnoException | null)?.code ?? 'error') };
      }
      if (settled) return;
      worker.postMessage(answer);
      arm();
    };
    worker.on('message', (message: ToMain) => {
      if (settled) return;
      switch (message.type) {
        case 'write':
          (message.stream === 'stdout' ? io.stdout : io.stderr).write(message.text);
          break;
        case 'phase':
          phase = message.phase;
          break;
        case 'stdin':
          void answerStdin(message.maxBytes);
          break;
        case 'done':
          finish(message.status);
          break;
      }
    });
    worker.on('error', (error) => {
      let text: string;
      try {
        text = error instanceof Error ? error.message : String(error);
      } catch {
        text = 'an unprintable error';
      }
      finish(
        EXIT.usage,
        `coco: PLUGIN_FAILED: ${safeText(pluginList(plan.plugins))}: a plugin threw outside any call coco made (${safeText(text.split('\n')[0] ?? '')}). Fix: leave the plugin out and report it to its authors`,
      );
    });
    worker.on('exit', (code) => {
      // 13: the worker's event loop ran empty while a top-level await was pending: a plugin's
      // module awaits a promise nothing can settle, the same hang as one that waits forever.
      if (code === 13) {
        finish(EXIT.usage, safeText(neverSettledLine(phase, plan)));
        return;
      }
      finish(
        EXIT.usage,
        `coco: PLUGIN_FAILED: ${safeText(pluginList(plan.plugins))}: a plugin ended the command (process.exit(${code})). Fix: leave the plugin out and report it to its authors`,
      );
    });
    arm();
  });
}
