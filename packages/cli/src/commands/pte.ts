import {
  type BackendPlugin,
  type CocoType,
  describeParam,
  type Marking,
  type ParamSchema,
  parseHex,
  parseParam,
  type Registry,
  typeProblem,
} from '@coco/core';
import { boolFlag, listFlag, stringFlag } from '../args.js';
import { CliError } from '../errors.js';
import { PTE_SCHEMA_URL, type PteJson } from '../formats.js';
import { pluginCall, pluginFailed } from '../plugin-calls.js';
import { renderNoBit, renderPte } from '../render/pte.js';
import { createStyle } from '../render/style.js';
import { COMMON_HELP, type CommandContext, type Prepared, prepare } from './common.js';

/** `coco pte --help`. */
export const help = `Usage: coco pte VALUE --type T [--mask-bit N | --param NAME=VALUE ...] [--format ID]
                [--encrypt | --decrypt] [--variant V] [--json]

Marks a 64-bit page-table entry or physical address encrypted or decrypted under a type, or
(without --encrypt/--decrypt) decodes whether it is encrypted. Draws the entry format of the
type's architecture with the bit that carries the encryption state highlighted, before and after
marking: x86-64 (the physical-address field 51..12, P RW US PWT PCD A D PS/PAT G, NX at 63), or an
arm64 page descriptor for the 4 KiB, 16 KiB or 64 KiB granule, with 48-bit output addresses or
52-bit ones (LPA2 on 4K and 16K keeps address bits 51..50 at entry bits 9..8; LPA on 64K keeps
51..48 at 15..12), so the entry bit may differ from the address bit. The polarity comes from the
type's backend: amd-cbit encrypts by setting its C-bit; tdx, amd-vtom and arm-cca by clearing
their bit. A type without a page-table bit (s390-pv, ppc-pef) shares pages by a call: coco pte
says so and prints its conversion protocol instead of a diagram.

  VALUE               the entry, 0x-prefixed hex or decimal, at most 64 bits
  --type T            a registered type id: tdx, amd-cbit, amd-vtom, arm-cca, s390-pv, ppc-pef,
                      or a plugin's
  --param NAME=VALUE  a parameter of the type, read by its backend's schema (tdx: gpaw, maskBit;
                      amd-cbit: variant, maskBit, sevStatus, ...; amd-vtom: maskBit, boundary;
                      arm-cca: ipaBits, granule, pa52); repeatable; an unknown name or value says
                      what the type accepts
  --mask-bit N        the address bit that carries the encryption state (the maskBit parameter;
                      12..51 on x86)
  --tdx-gpaw N        with --type tdx: the guest physical-address width, 48 or 52 (the gpaw
                      parameter; the shared bit is N - 1)
  --format ID         draw and mark one of the type's other entry formats (such as
                      arm64-4k-lpa2); the default is the type's own
  --encrypt           mark VALUE encrypted (private)
  --decrypt           mark VALUE decrypted (shared)
  --variant V         the type's variant (amd-cbit: sme, sev, sev-es, sev-snp; default: the
                      backend's last listed variant)
  --json              print {"$schema":..,"format":"coco-pte/1","input":..,"output":..,
                      "encrypted":..,"maskBit":..,"encryptedWhen":..,"maskState":..,
                      "entryBit":..,"entryFormat":..,"formats":[..],"maskName":..}; for a type
                      without a bit, encrypted, maskBit, encryptedWhen, entryBit and entryFormat
                      are null
${COMMON_HELP}

Examples:
  coco pte 0x8000000123456063 --type amd-cbit --mask-bit 51 --encrypt
  coco pte 0x400123456063 --type amd-vtom --mask-bit 46 --json
  coco pte 0x0060000081234f43 --type arm-cca --param ipaBits=52 --param granule=4096 --decrypt
  coco pte 0x81234f43 --type s390-pv
`;

const OPTIONS = {
  type: { type: 'string' },
  'mask-bit': { type: 'string' },
  param: { type: 'string', multiple: true },
  'tdx-gpaw': { type: 'string' },
  format: { type: 'string' },
  encrypt: { type: 'boolean' },
  decrypt: { type: 'boolean' },
  variant: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function parseValue(text: string): bigint {
  if (/^\d{1,20}$/.test(text)) {
    const value = BigInt(text);
    if (value >> 64n !== 0n) {
      throw new CliError(
        `VALUE ${text}`,
        'it is wider than 64 bits',
        'give a value from 0 to 18446744073709551615',
      );
    }
    return value;
  }
  return parseHex(text, 64, {
    input: `VALUE ${text.slice(0, 40)}`,
    location: 'coco pte',
    code: 'PARAMETER_INVALID',
  });
}

/** The backend of `typeId`, or the error naming the registered ones. */
function backendOf(registry: Registry, typeId: string): BackendPlugin {
  const backend = registry.backend(typeId);
  if (!backend) {
    const known = registry.backends.map((b) => b.id).join(', ');
    throw new CliError(
      `--type ${typeId}`,
      'no registered backend produces that type',
      `use one of ${known}, or load its plugin with --plugin`,
    );
  }
  return backend;
}

/** What a backend's schema accepts, for errors: `gpaw (one of 48, 52), maskBit (an integer from 12 to 51)`. */
function accepted(schema: ParamSchema): string {
  const names = Object.keys(schema);
  if (names.length === 0) return 'it takes no parameters';
  // A plugin's schema may be long: the first few, then how many in all.
  const listed = names
    .slice(0, 8)
    .map((n) => `${n} (${describeParam(schema[n] as ParamSchema[string])})`)
    .join(', ');
  return names.length > 8 ? `${listed}, … (${names.length} parameters in all)` : listed;
}

/**
 * The parameters of `createType` from the command line: each `--param NAME=VALUE` read by the
 * backend's schema, `--mask-bit` as `maskBit`, `--tdx-gpaw` as `gpaw`, `--variant` as `variant`.
 * A backend without a schema (an interface-1 plugin) gets `maskBit` and `variant` as it always did.
 */
export function pteParams(
  backend: BackendPlugin,
  values: { params: readonly string[]; maskBit?: string; gpaw?: string; variant?: string },
): Record<string, unknown> {
  const schema = backend.params ?? {};
  const declared = Object.keys(schema).length > 0;
  const params: Record<string, unknown> = Object.create(null);
  const set = (name: string, value: unknown, flag: string) => {
    if (Object.hasOwn(params, name)) {
      throw new CliError(flag, `parameter ${name} is given twice`, `give ${name} once`);
    }
    params[name] = value;
  };
  for (const text of values.params) {
    const eq = text.indexOf('=');
    if (eq <= 0) {
      throw new CliError(
        `--param ${text}`,
        'it is not NAME=VALUE',
        `give a parameter of ${backend.id} as NAME=VALUE; ${accepted(schema)}`,
      );
    }
    const name = text.slice(0, eq);
    set(name, parseParam(schema, name, text.slice(eq + 1), `--param ${name}`), `--param ${name}`);
  }
  if (values.maskBit !== undefined) {
    if (!/^\d{1,2}$/.test(values.maskBit))
      throw new CliError(
        `--mask-bit ${values.maskBit}`,
        'it is not a bit number',
        'give a bit from 12 to 51',
      );
    if (declared && !Object.hasOwn(schema, 'maskBit')) {
      throw new CliError(
        `--mask-bit ${values.maskBit}`,
        `type ${backend.id} takes no maskBit parameter`,
        `give --param NAME=VALUE instead; ${accepted(schema)}`,
      );
    }
    set(
      'maskBit',
      declared ? parseParam(schema, 'maskBit', values.maskBit, '--mask-bit') : Number(values.maskBit),
      '--mask-bit',
    );
  }
  if (values.gpaw !== undefined) {
    if (!Object.hasOwn(schema, 'gpaw')) {
      throw new CliError(
        `--tdx-gpaw ${values.gpaw}`,
        `type ${backend.id} takes no GPAW`,
        '--tdx-gpaw goes with --type tdx',
      );
    }
    set('gpaw', parseParam(schema, 'gpaw', values.gpaw, '--tdx-gpaw'), '--tdx-gpaw');
  }
  const named = backend.variants.map((v) => v.variant).filter((v): v is string => v !== null);
  if (values.variant !== undefined && !named.includes(values.variant)) {
    throw new CliError(
      `--variant ${values.variant}`,
      `type ${backend.id} has no such variant`,
      named.length > 0
        ? `use one of ${named.join(', ')}`
        : `leave --variant out: ${backend.id} has no variants`,
    );
  }
  const variant = values.variant ?? named[named.length - 1];
  if (
    variant !== undefined &&
    !Object.hasOwn(params, 'variant') &&
    (!declared || Object.hasOwn(schema, 'variant'))
  )
    params.variant = variant;
  return params;
}

/** The backend's type for `params`, checked: a type `createType` built, of this backend. */
function createChecked(
  backend: BackendPlugin,
  registry: Registry,
  params: Record<string, unknown>,
): CocoType {
  return pluginCall(backend, 'createType', () => {
    const type: unknown = backend.createType(params as never);
    const problem = typeProblem(type, registry);
    if (problem !== null) throw pluginFailed(backend, `its createType returned no valid type (${problem})`);
    if ((type as CocoType).id !== backend.id)
      throw pluginFailed(
        backend,
        `its createType returned a type of ${JSON.stringify((type as CocoType).id)}`,
      );
    return type as CocoType;
  });
}

/** Runs `coco pte`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('pte', help, context, OPTIONS, 1);
  if (!prepared) return 0;
  const { values, positionals, registry } = prepared;
  const valueText = positionals[0];
  if (valueText === undefined)
    throw new CliError(
      'coco pte',
      'VALUE is missing',
      'give the entry, such as coco pte 0x8000000123456063 --type amd-cbit --mask-bit 51',
    );
  const typeId = stringFlag(values, 'type');
  if (typeId === undefined)
    throw new CliError('coco pte', '--type is missing', 'give the type, such as --type amd-cbit');
  const encrypt = boolFlag(values, 'encrypt');
  const decrypt = boolFlag(values, 'decrypt');
  if (encrypt && decrypt)
    throw new CliError(
      'coco pte',
      '--encrypt and --decrypt both given',
      'give one of them, or neither to decode',
    );
  const input = parseValue(valueText);
  const backend = backendOf(registry, typeId);
  const maskBit = stringFlag(values, 'mask-bit');
  const gpaw = stringFlag(values, 'tdx-gpaw');
  const variant = stringFlag(values, 'variant');
  const params = pteParams(backend, {
    params: listFlag(values, 'param'),
    ...(maskBit !== undefined && { maskBit }),
    ...(gpaw !== undefined && { gpaw }),
    ...(variant !== undefined && { variant }),
  });
  const type = createChecked(backend, registry, params);
  // The type's fields and methods are the plugin's code too (it may bring its own copy of core).
  return pluginCall(backend, "type's methods", () =>
    drawPte(context, { backend, type, typeId, input, encrypt, decrypt, values }),
  );
}

function drawPte(
  context: CommandContext,
  args: {
    backend: BackendPlugin;
    type: CocoType;
    typeId: string;
    input: bigint;
    encrypt: boolean;
    decrypt: boolean;
    values: Prepared['values'];
  },
): number {
  const { io } = context;
  const { backend, type, typeId, input, encrypt, decrypt, values } = args;
  const typeLabel = type.variant ? `${type.id} (${type.variant})` : type.id;
  const formatId = stringFlag(values, 'format');
  if (type.maskState === 'none') {
    if (formatId !== undefined)
      throw new CliError(
        `--format ${formatId}`,
        `type ${typeId} has no page-table bit`,
        'leave --format out',
      );
    if (boolFlag(values, 'json')) {
      const doc: PteJson = {
        $schema: PTE_SCHEMA_URL,
        format: 'coco-pte/1',
        input: `0x${input.toString(16)}`,
        output: `0x${input.toString(16)}`,
        encrypted: null,
        maskBit: null,
        encryptedWhen: null,
        maskState: 'none',
        entryBit: null,
        entryFormat: null,
        formats: [],
        maskName: type.maskName,
      };
      io.stdout.write(`${JSON.stringify(doc)}\n`);
      return 0;
    }
    io.stdout.write(
      renderNoBit(typeLabel, type.maskName, type.quirks.conversion, createStyle(io.stdout, io.env)),
    );
    return 0;
  }
  if (!type.marking) {
    const schema = backend.params ?? {};
    throw new CliError(
      `--type ${typeId}`,
      `the ${type.maskName} is unknown${type.maskUnknownReason ? ` (${type.maskUnknownReason})` : ''}`,
      Object.keys(schema).length > 0
        ? `give the parameter that fixes it with --param NAME=VALUE (or --mask-bit N); ${accepted(schema)}`
        : 'give --mask-bit N',
    );
  }
  const marking: Marking = formatId === undefined ? type.marking : type.marking.forFormat(formatId);
  const output = encrypt ? marking.encrypt(input) : decrypt ? marking.decrypt(input) : input;
  if (boolFlag(values, 'json')) {
    const doc: PteJson = {
      $schema: PTE_SCHEMA_URL,
      format: 'coco-pte/1',
      input: `0x${input.toString(16)}`,
      output: `0x${output.toString(16)}`,
      encrypted: marking.isEncrypted(output),
      maskBit: marking.maskBit,
      encryptedWhen: marking.encryptedWhen,
      maskState: 'known',
      entryBit: marking.entryBit,
      entryFormat: marking.format.id,
      formats: marking.formats.map((f) => f.id),
      maskName: type.maskName,
    };
    io.stdout.write(`${JSON.stringify(doc)}\n`);
    return 0;
  }
  io.stdout.write(
    renderPte(
      {
        before: input,
        after: encrypt || decrypt ? output : null,
        maskBit: marking.maskBit,
        entryBit: marking.entryBit,
        format: { id: marking.format.id, title: marking.format.title },
        maskName: type.maskName,
        encryptedWhen: marking.encryptedWhen,
        typeLabel,
        action: encrypt ? 'encrypt' : decrypt ? 'decrypt' : 'decode',
        isEncrypted: (v) => marking.isEncrypted(v),
      },
      createStyle(io.stdout, io.env),
    ),
  );
  return 0;
}
