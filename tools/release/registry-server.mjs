// The child process that runs the rehearsal's npm registry (Verdaccio) on 127.0.0.1.
//   node registry-server.mjs VERDACCIO_NODE_MODULES CONFIG_JSON_FILE
// Listens on a free loopback port chosen by the system, prints `{"port":N}` on one line when it
// accepts connections, and exits when its standard input closes: the rehearsal holds the other end
// of that pipe, so the server goes away with it however the rehearsal ends (even on SIGKILL).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [modules, configFile] = process.argv.slice(2);
if (!modules || !configFile) {
  console.error('usage: registry-server.mjs VERDACCIO_NODE_MODULES CONFIG_JSON_FILE');
  process.exit(2);
}
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

const { runServer } = createRequire(join(modules, 'noop.js'))('verdaccio');
const app = await runServer(JSON.parse(readFileSync(configFile, 'utf8')));
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
server.on('error', (error) => {
  console.error(`registry server: ${error.message}`);
  process.exit(1);
});
