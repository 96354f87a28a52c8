import { spawn } from 'node:child_process';
import { BIN, type CocoRun } from './cli.js';

/** Runs `node dist/bin.js args` without blocking, with the environment `coco()` gives. */
function cocoAsync(args: readonly string[], input = ''): Promise<CocoRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'NO_COLOR' && k !== 'FORCE_COLOR' && k !== 'COCO_PROBE_ROOT') env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * Runs many command lines a few at a time (each `coco` start is most of a test's time) and keeps
 * the results; `get` returns one by its arguments. Standard input is empty for all of them.
 */
export async function runBatch(
  lines: readonly (readonly string[])[],
  parallel = 4,
): Promise<(args: readonly string[]) => CocoRun> {
  const results = new Map<string, CocoRun>();
  const queue = [...new Map(lines.map((l) => [JSON.stringify(l), l])).values()];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      results.set(JSON.stringify(next), await cocoAsync(next));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return (args) => {
    const found = results.get(JSON.stringify(args));
    if (!found) throw new Error(`not run in the batch: ${args.join(' ')}`);
    return found;
  };
}
