import { boolFlag } from '../args.js';
import { ATTRS_SCHEMA_URL, type AttrsJson } from '../formats.js';
import { pluginCall } from '../plugin-calls.js';
import { attrsColumns, renderAttrs } from '../render/attrs.js';
import { createStyle } from '../render/style.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';

/** `coco attrs --help`. */
export const help = `Usage: coco attrs [--json]

Prints the attribute table: for each registered type and variant, the attributes the kernel's
cc_platform_has answers true (yes), those that depend on a feature (if, with the condition), and
what systemd-detect-virt --cvm prints. Plugins loaded with --plugin add their columns and
attributes.

  --json              print {"$schema":..,"format":"coco-attrs/1","attributes":[...],"types":[...]}
${COMMON_HELP}
`;

/** Runs `coco attrs`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('attrs', help, context, { json: { type: 'boolean' } });
  if (!prepared) return 0;
  const { io } = context;
  const { registry } = prepared;
  // Each backend's variants are its plugin's data: one that cannot be read names its plugin.
  const columns = registry.backends.flatMap((b) => pluginCall(b, 'variants', () => attrsColumns([b])));
  if (boolFlag(prepared.values, 'json')) {
    const doc: AttrsJson = {
      $schema: ATTRS_SCHEMA_URL,
      format: 'coco-attrs/1',
      attributes: registry.attributes.map((a) => ({
        id: a.id,
        kernelName: a.kernelName,
        description: a.description,
      })),
      types: columns,
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    io.stdout.write(renderAttrs(registry.attributes, columns, createStyle(io.stdout, io.env)));
  }
  return 0;
}
