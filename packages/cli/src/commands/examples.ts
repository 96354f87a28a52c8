import { SNAPSHOT_SCHEMA_URL } from '@coco/core';
import { boolFlag } from '../args.js';
import { CliError } from '../errors.js';
import { EXAMPLE_NAMES, EXAMPLES, findExample } from '../examples/index.js';
import { EXAMPLES_SCHEMA_URL, type ExamplesJson } from '../formats.js';
import { createStyle } from '../render/style.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';

/** `coco examples --help`. */
export const help = `Usage: coco examples [NAME] [--json]

Lists the bundled evidence of real public machines, built from public values (each example says
where they come from). Use one with coco detect --example NAME; coco examples NAME prints its
coco-snapshot/1 document.

  --json              print the list as {"$schema":..,"format":"coco-examples/1","examples":[
                      {"name","description","sources"}, ...]} (NAME always prints JSON)
${COMMON_HELP}

Examples:
  coco examples
  coco detect --example snp-cbit-51
  coco examples azure-snp-paravisor > azure.json
`;

/** Runs `coco examples`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('examples', help, context, { json: { type: 'boolean' } }, 1);
  if (!prepared) return 0;
  const { io } = context;
  const name = prepared.positionals[0];
  if (name !== undefined) {
    const example = findExample(name);
    if (!example) {
      throw new CliError(
        `coco examples ${name}`,
        'no bundled example has that name',
        `use one of ${EXAMPLE_NAMES.join(', ')}`,
      );
    }
    io.stdout.write(`${JSON.stringify({ $schema: SNAPSHOT_SCHEMA_URL, ...example.snapshot }, null, 2)}\n`);
    return 0;
  }
  if (boolFlag(prepared.values, 'json')) {
    const doc: ExamplesJson = {
      $schema: EXAMPLES_SCHEMA_URL,
      format: 'coco-examples/1',
      examples: EXAMPLES.map((e) => ({ name: e.name, description: e.description, sources: e.sources })),
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  const style = createStyle(io.stdout, io.env);
  const width = Math.max(...EXAMPLE_NAMES.map((n) => n.length)) + 2;
  let out = `${style.bold('Bundled evidence (coco detect --example NAME)')}\n\n`;
  for (const e of EXAMPLES) {
    out += `  ${e.name.padEnd(width)}${e.description}\n`;
    for (const source of e.sources) out += `  ${' '.repeat(width)}${style.dim(`- ${source}`)}\n`;
  }
  io.stdout.write(out);
  return 0;
}
