// Runs a Node script (the CLI's bin.js) with its arguments and prints the process's peak resident
// memory on stderr when it exits: `coco-bench-maxrss <KiB>`. With no script, it measures Node alone.
//
//   node tools/bench/rss.mjs [script.js [args...]]
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

process.on('exit', () => writeSync(2, `\ncoco-bench-maxrss ${process.resourceUsage().maxRSS}\n`));
const [script, ...args] = process.argv.slice(2);
if (script) {
  process.argv = [process.argv[0], script, ...args];
  await import(pathToFileURL(script).href);
}
