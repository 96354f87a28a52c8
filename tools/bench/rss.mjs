// Runs a Node script (the CLI's bin.js) with its arguments and prints the process's peak resident
// memory on stderr when it exits: `coco-bench-maxrss <KiB>`. With no script, it measures Node alone.
// On Linux the peak is VmHWM of /proc/self/status: getrusage's maxrss survives exec, so a child of
// the bench would report the bench's own peak (its 256 MiB of tables) when that is larger.
//
//   node tools/bench/rss.mjs [script.js [args...]]
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

function peakKiB() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => writeSync(2, `\ncoco-bench-maxrss ${peakKiB()}\n`));
const [script, ...args] = process.argv.slice(2);
if (script) {
  process.argv = [process.argv[0], script, ...args];
  await import(pathToFileURL(script).href);
}
