import { type CocoType, parseHex, type Registry } from '@coco/core';
import { boolFlag, stringFlag } from '../args.js';
import { CliError } from '../errors.js';
import { PTE_SCHEMA_URL, type PteJson } from '../formats.js';
import { renderPte } from '../render/pte.js';
import { createStyle } from '../render/style.js';
import { COMMON_HELP, type CommandContext, prepare } from './common.js';

/** `coco pte --help`. */
export const help = `Usage: coco pte VALUE --type T --mask-bit N [--encrypt | --decrypt] [--variant V] [--json]

Marks a 64-bit page-table entry or physical address encrypted or decrypted under a type, or
(without --encrypt/--decrypt) decodes whether it is encrypted. Draws the 64-bit layout: the
physical-address field, the flag bits (P RW US PWT PCD A D PS/PAT G, NX at 63) and the mask bit
highlighted, before and after marking. The polarity comes from the type's backend: amd-cbit
encrypts by setting its C-bit; tdx and amd-vtom by clearing their bit.

  VALUE               the entry, 0x-prefixed hex or decimal, at most 64 bits
  --type T            a registered type id: tdx, amd-cbit, amd-vtom, or a plugin's
  --mask-bit N        the bit that carries the encryption state (12..51)
  --encrypt           mark VALUE encrypted (private)
  --decrypt           mark VALUE decrypted (shared)
  --variant V         the type's variant (amd-cbit: sme, sev, sev-es, sev-snp; default: the
                      backend's last listed variant)
  --json              print {"$schema":..,"format":"coco-pte/1","input":..,"output":..,
                      "encrypted":..,"maskBit":..,"encryptedWhen":..}
${COMMON_HELP}

Examples:
  coco pte 0x8000000123456063 --type amd-cbit --mask-bit 51 --encrypt
  coco pte 0x400123456063 --type amd-vtom --mask-bit 46 --json
`;

const OPTIONS = {
  type: { type: 'string' },
  'mask-bit': { type: 'string' },
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

function buildType(
  registry: Registry,
  typeId: string,
  maskBit: number,
  variantFlag: string | undefined,
): CocoType {
  const backend = registry.backend(typeId);
  if (!backend) {
    const known = registry.backends.map((b) => b.id).join(', ');
    throw new CliError(
      `--type ${typeId}`,
      'no registered backend produces that type',
      `use one of ${known}, or load its plugin with --plugin`,
    );
  }
  const named = backend.variants.map((v) => v.variant).filter((v): v is string => v !== null);
  if (variantFlag !== undefined && !named.includes(variantFlag)) {
    throw new CliError(
      `--variant ${variantFlag}`,
      `type ${typeId} has no such variant`,
      named.length > 0 ? `use one of ${named.join(', ')}` : `leave --variant out: ${typeId} has no variants`,
    );
  }
  const variant = variantFlag ?? named[named.length - 1];
  return backend.createType(variant === undefined ? { maskBit } : { maskBit, variant });
}

/** Runs `coco pte`. */
export async function run(context: CommandContext): Promise<number> {
  const prepared = await prepare('pte', help, context, OPTIONS, 1);
  if (!prepared) return 0;
  const { io } = context;
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
  const bitText = stringFlag(values, 'mask-bit');
  if (bitText === undefined)
    throw new CliError('coco pte', '--mask-bit is missing', 'give the bit, such as --mask-bit 51');
  if (!/^\d{1,2}$/.test(bitText))
    throw new CliError(`--mask-bit ${bitText}`, 'it is not a bit number', 'give a bit from 12 to 51');
  const encrypt = boolFlag(values, 'encrypt');
  const decrypt = boolFlag(values, 'decrypt');
  if (encrypt && decrypt)
    throw new CliError(
      'coco pte',
      '--encrypt and --decrypt both given',
      'give one of them, or neither to decode',
    );
  const input = parseValue(valueText);
  const type = buildType(registry, typeId, Number(bitText), stringFlag(values, 'variant'));
  const marking = type.marking;
  if (!marking) {
    throw new CliError(
      `--type ${typeId}`,
      `the backend built no marking for mask bit ${bitText}`,
      "report it to the backend's authors",
    );
  }
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
        maskName: type.maskName,
        encryptedWhen: marking.encryptedWhen,
        typeLabel: type.variant ? `${type.id} (${type.variant})` : type.id,
        action: encrypt ? 'encrypt' : decrypt ? 'decrypt' : 'decode',
        isEncrypted: (v) => marking.isEncrypted(v),
      },
      createStyle(io.stdout, io.env),
    ),
  );
  return 0;
}
