#!/usr/bin/env node
// JSON Schemas (draft 2020-12) of every document coco reads or writes, generated from the
// TypeScript types that describe them (ts-json-schema-generator), then post-processed:
//   1. `$schema` is the 2020-12 meta-schema and `$id` the URL documents name in their `$schema` key;
//      `title` and `description` say which format it is. Definitions move from `definitions` to
//      `$defs` (2020-12's keyword).
//   2. Every object is closed (`additionalProperties: false`, the generator's option): coco's readers
//      refuse unknown keys, and its writers never add keys a schema does not list.
//   3. TIGHTEN below adds what the types cannot say: the hex patterns and widths the snapshot parser
//      checks, the host-name, date-time and version patterns of a machine identity, the GPAW values.
//      Each entry names the JSON path in the schema it changes; a path that no longer exists fails the
//      generation, so a renamed field cannot silently lose its constraint.
// Writes schemas/*.schema.json at the repository root and the copies each owning package publishes
// (packages/core/schemas, packages/cli/schemas). `--check` writes nothing and exits 1 when a file
// differs from what would be generated (CI runs it).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASE = 'https://raw.githubusercontent.com/coco-project/coco/main/schemas/';
const HEX32 = '^0[xX]0*[0-9a-fA-F]{1,8}$';
const HEX64 = '^0[xX]0*[0-9a-fA-F]{1,16}$';

/** The documents: file name, owning package, source of the type, type name, title. */
export const DOCUMENTS = [
  {
    file: 'coco-snapshot-1.schema.json',
    pkg: 'core',
    path: 'packages/core/src/evidence/snapshot.ts',
    type: 'SnapshotJson',
    title: 'coco-snapshot/1',
    description:
      "A machine's evidence (CPUID, MSRs, the kernel log, /proc/cpuinfo flags, guest device nodes, the sources that could not be read, who it is from), as coco snapshot writes it and coco detect --snapshot reads it.",
  },
  {
    file: 'coco-detection-1.schema.json',
    pkg: 'core',
    path: 'packages/core/src/detection.ts',
    type: 'DetectionJson',
    title: 'coco-detection/1',
    description:
      'The answer of a detection (coco detect --json, Detection.toJSON()): the verdict, the type, its mask and attributes, what systemd-detect-virt --cvm prints, and the reasoning trail.',
  },
  {
    file: 'coco-attrs-1.schema.json',
    pkg: 'cli',
    path: 'packages/cli/src/formats.ts',
    type: 'AttrsJson',
    title: 'coco-attrs/1',
    description: 'The attribute table of every registered type and variant (coco attrs --json).',
  },
  {
    file: 'coco-pte-1.schema.json',
    pkg: 'cli',
    path: 'packages/cli/src/formats.ts',
    type: 'PteJson',
    title: 'coco-pte/1',
    description: 'A page-table entry marked or decoded under a type (coco pte --json).',
  },
  {
    file: 'coco-examples-1.schema.json',
    pkg: 'cli',
    path: 'packages/cli/src/formats.ts',
    type: 'ExamplesJson',
    title: 'coco-examples/1',
    description: 'The bundled evidence of real public machines (coco examples --json).',
  },
  {
    file: 'coco-fleet-1.schema.json',
    pkg: 'cli',
    path: 'packages/cli/src/formats.ts',
    type: 'FleetRecordJson',
    title: 'coco-fleet/1',
    description:
      'One line of coco fleet: one machine, with its identity and source, and either its coco-detection/1 document or the error that kept it from being read.',
  },
];

/** Hand-tightening: [schema file, JSON pointer inside the generated schema, keywords to add]. */
const TIGHTEN = [
  ['coco-snapshot-1.schema.json', '/$defs/SnapshotCpuidJson/properties/leaf', { pattern: HEX32 }],
  ['coco-snapshot-1.schema.json', '/$defs/SnapshotCpuidJson/properties/subleaf', { pattern: HEX32 }],
  ['coco-snapshot-1.schema.json', '/$defs/SnapshotCpuidJson/properties/eax', { pattern: HEX32 }],
  ['coco-snapshot-1.schema.json', '/$defs/SnapshotCpuidJson/properties/ebx', { pattern: HEX32 }],
  ['coco-snapshot-1.schema.json', '/$defs/SnapshotCpuidJson/properties/ecx', { pattern: HEX32 }],
  ['coco-snapshot-1.schema.json', '/$defs/SnapshotCpuidJson/properties/edx', { pattern: HEX32 }],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/SnapshotJson/properties/msr',
    {
      type: 'object',
      propertyNames: { type: 'string', pattern: HEX32 },
      additionalProperties: { type: 'string', pattern: HEX64 },
    },
  ],
  ['coco-snapshot-1.schema.json', '/$defs/SnapshotJson/properties/tdx/properties/gpaw', { enum: [48, 52] }],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/SnapshotJson/properties/cpuinfoFlags/items',
    { pattern: '^[a-z0-9_]{1,64}$' },
  ],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/SnapshotJson/properties/files',
    { type: 'object', propertyNames: { type: 'string', pattern: '^/' } },
  ],
  ['coco-snapshot-1.schema.json', '/$defs/SnapshotJson/properties/$schema', { maxLength: 2048 }],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/SnapshotUnavailableJson/properties/source',
    { minLength: 1, maxLength: 1024 },
  ],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/SnapshotUnavailableJson/properties/reason',
    { minLength: 1, maxLength: 1024 },
  ],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/SnapshotUnavailableJson/properties/fix',
    { minLength: 1, maxLength: 1024 },
  ],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/MachineIdentity/properties/hostname',
    { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$' },
  ],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/MachineIdentity/properties/capturedAt',
    { pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?(?:Z|[+-]\\d\\d:\\d\\d)$' },
  ],
  [
    'coco-snapshot-1.schema.json',
    '/$defs/MachineIdentity/properties/cocoVersion',
    { pattern: '^\\d{1,9}\\.\\d{1,9}\\.\\d{1,9}(?:[-+][0-9A-Za-z.-]{1,64})?$' },
  ],
  ['coco-detection-1.schema.json', '/$defs/DetectionJson/properties/mask', { pattern: '^0x[0-9a-f]{1,16}$' }],
  ['coco-detection-1.schema.json', '/$defs/DetectionJson/properties/maskBit', { minimum: 0, maximum: 63 }],
];

const at = (schema, pointer) => {
  let node = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node?.[key];
  }
  return node;
};

/** Integers: the generator says `number`; JSON Schema can say `integer` for the fields that are. */
const INTEGERS = new Set(['maskBit', 'gpaw']);
function integers(node, key) {
  if (Array.isArray(node)) for (const n of node) integers(n, key);
  else if (node && typeof node === 'object') {
    if (
      INTEGERS.has(key) &&
      (node.type === 'number' || (Array.isArray(node.type) && node.type.includes('number')))
    )
      node.type = Array.isArray(node.type)
        ? node.type.map((t) => (t === 'number' ? 'integer' : t))
        : 'integer';
    for (const [k, v] of Object.entries(node)) integers(v, k === 'properties' ? key : k);
    if (node.properties) for (const [k, v] of Object.entries(node.properties)) integers(v, k);
  }
}

/** `#/definitions/X` becomes `#/$defs/X` everywhere. */
function renameRefs(node) {
  if (Array.isArray(node)) return node.map(renameRefs);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/definitions/', '#/$defs/') : renameRefs(v);
  }
  return out;
}

/** Generates every schema; returns a map of file name to text. */
export function generateSchemas() {
  const out = new Map();
  for (const doc of DOCUMENTS) {
    const generated = createGenerator({
      path: join(root, doc.path),
      tsconfig: join(root, 'packages', doc.pkg, 'tsconfig.json'),
      type: doc.type,
      expose: 'all',
      topRef: true,
      jsDoc: 'extended',
      additionalProperties: false,
      skipTypeCheck: true,
      sortProps: true,
    }).createSchema(doc.type);
    const defs = renameRefs(generated.definitions ?? {});
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `${BASE}${doc.file}`,
      title: doc.title,
      description: doc.description,
      $ref: `#/$defs/${doc.type}`,
      $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => (a < b ? -1 : 1))),
    };
    integers(schema.$defs, '');
    out.set(doc.file, schema);
  }
  for (const [file, pointer, keywords] of TIGHTEN) {
    const node = at(out.get(file), pointer);
    if (!node || typeof node !== 'object')
      throw new Error(`${file}: ${pointer} is not in the generated schema`);
    Object.assign(node, keywords);
  }
  return new Map([...out].map(([file, schema]) => [file, `${JSON.stringify(schema, null, 2)}\n`]));
}

/** Where each schema is written: the repository's schemas/ and its owning package's schemas/. */
export function targets(file) {
  const doc = DOCUMENTS.find((d) => d.file === file);
  return [join(root, 'schemas', file), join(root, 'packages', doc.pkg, 'schemas', file)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const schemas = generateSchemas();
  const stale = [];
  for (const [file, text] of schemas) {
    for (const target of targets(file)) {
      const current = existsSync(target) ? readFileSync(target, 'utf8') : null;
      if (current === text) continue;
      if (check) stale.push(target.slice(root.length + 1));
      else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, text);
        console.log(`wrote ${target.slice(root.length + 1)}`);
      }
    }
  }
  if (check) {
    if (stale.length > 0) {
      console.log(`schemas: out of date: ${stale.join(', ')}; run pnpm schemas and commit the result`);
      process.exit(1);
    }
    console.log(`schemas: ${schemas.size} schemas up to date`);
  }
}
