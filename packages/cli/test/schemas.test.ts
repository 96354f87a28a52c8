// Every JSON document the built `coco` prints validates against its published schema, with a real
// JSON Schema 2020-12 validator (Ajv), and names that schema in its `$schema` key.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coco, lines, requireBuilt } from './helpers/cli.js';
import { writeTree } from './helpers/tree.js';

const schemaDir = fileURLToPath(new URL('../../../schemas/', import.meta.url));
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = new Map<string, ValidateFunction>();
for (const file of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json'))) {
  const schema = JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as { $id: string };
  validators.set(schema.$id, ajv.compile(schema));
}

/** Validates a document against the schema its `$schema` names, and checks it is the expected one. */
function expectValid(doc: unknown, schemaFile: string): void {
  const id = (doc as { $schema?: string }).$schema;
  expect(id, 'the document names its schema').toMatch(
    new RegExp(`/schemas/${schemaFile.replace('.', '\\.')}$`),
  );
  const validate = validators.get(id as string);
  expect(validate, `a schema with $id ${id}`).toBeDefined();
  const ok = (validate as ValidateFunction)(doc);
  expect(ok ? [] : ajv.errorsText((validate as ValidateFunction).errors), schemaFile).toEqual([]);
}

const json = (args: string[], options = {}) => {
  const run = coco(args, options);
  expect(run.stderr.startsWith('coco: INTERNAL')).toBe(false);
  return { ...run, doc: JSON.parse(run.stdout) as unknown };
};

const EXAMPLES = (
  JSON.parse(coco(['examples', '--json']).stdout) as { examples: { name: string }[] }
).examples.map((e) => e.name);

beforeAll(() => requireBuilt());

describe('published JSON Schemas', () => {
  it('are six draft 2020-12 schemas, each with a stable $id under the repository', () => {
    expect([...validators.keys()].sort()).toEqual(
      ['attrs', 'detection', 'examples', 'fleet', 'pte', 'snapshot'].map(
        (n) => `https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-${n}-1.schema.json`,
      ),
    );
  });

  it('reject what the readers refuse: an unknown key, a hex value that is too wide, a wrong format tag', () => {
    const snapshot = validators.get(
      'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-snapshot-1.schema.json',
    ) as ValidateFunction;
    expect(snapshot({ format: 'coco-snapshot/1' })).toBe(true);
    expect(snapshot({ format: 'coco-snapshot/1', extra: 1 })).toBe(false);
    expect(snapshot({ format: 'coco-snapshot/2' })).toBe(false);
    const cpuid = (eax: string) => ({
      format: 'coco-snapshot/1',
      cpuid: [{ leaf: '0x0', subleaf: '0x0', eax, ebx: '0x0', ecx: '0x0', edx: '0x0' }],
    });
    expect(snapshot(cpuid('0xffffffff'))).toBe(true);
    expect(snapshot(cpuid('0x1ffffffff'))).toBe(false);
    expect(snapshot(cpuid('12'))).toBe(false);
    expect(snapshot({ format: 'coco-snapshot/1', msr: { '0xc0010131': '0x103df' } })).toBe(true);
    expect(snapshot({ format: 'coco-snapshot/1', msr: { c0010131: '0x103df' } })).toBe(false);
    expect(snapshot({ format: 'coco-snapshot/1', tdx: { gpaw: 50 } })).toBe(false);
  });

  it.each(EXAMPLES)('coco detect --example %s --json is valid coco-detection/1', (name) => {
    expectValid(json(['detect', '--example', name, '--json']).doc, 'coco-detection-1.schema.json');
  });

  it.each(EXAMPLES)('coco examples %s is a valid coco-snapshot/1 that coco detect reads back', (name) => {
    const { doc, stdout } = json(['examples', name]);
    expectValid(doc, 'coco-snapshot-1.schema.json');
    const back = coco(['detect', '--snapshot', '-', '--json'], { input: stdout });
    expectValid(JSON.parse(back.stdout), 'coco-detection-1.schema.json');
  });

  it('coco examples --json is coco-examples/1, its list under examples', () => {
    const { doc } = json(['examples', '--json']);
    expectValid(doc, 'coco-examples-1.schema.json');
    expect((doc as { format: string }).format).toBe('coco-examples/1');
  });

  it('coco attrs --json is valid coco-attrs/1', () => {
    expectValid(json(['attrs', '--json']).doc, 'coco-attrs-1.schema.json');
  });

  it.each([
    ['0x8000000123456063', 'amd-cbit', '51', '--encrypt'],
    ['0x400123456063', 'amd-vtom', '46', '--decrypt'],
    ['0x1000', 'tdx', '47', '--decrypt'],
  ])('coco pte %s --type %s is valid coco-pte/1', (value, type, bit, action) => {
    expectValid(
      json(['pte', value, '--type', type, '--mask-bit', bit, action, '--json']).doc,
      'coco-pte-1.schema.json',
    );
  });

  it('coco snapshot, live (with its machine identity) and from evidence flags, is valid coco-snapshot/1', () => {
    const root = writeTree({
      cpuinfo: 'processor\t: 0\nflags\t\t: fpu sse2 hypervisor\n',
      files: ['/dev/sev-guest'],
    });
    try {
      const live = json(['snapshot'], { env: { COCO_PROBE_ROOT: root } });
      expectValid(live.doc, 'coco-snapshot-1.schema.json');
      expect((live.doc as { machine?: unknown }).machine).toBeDefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const merged = json(['snapshot', '--example', 'sev-plain', '--msr', '0xc0010010=0x0']);
    expectValid(merged.doc, 'coco-snapshot-1.schema.json');
  });

  describe('coco fleet', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'coco-fleet-schema-'));
      mkdirSync(join(dir, 'nested'));
      for (const name of EXAMPLES)
        writeFileSync(join(dir, 'nested', `${name}.json`), coco(['examples', name]).stdout);
      writeFileSync(join(dir, 'broken.json'), '{"format":"coco-snapshot/1",');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('prints one valid coco-fleet/1 record per machine, decided or broken', () => {
      const run = coco(['fleet', dir]);
      const records = lines(run.stdout).map((l) => JSON.parse(l) as unknown);
      expect(records).toHaveLength(EXAMPLES.length + 1);
      for (const record of records) {
        expectValid(record, 'coco-fleet-1.schema.json');
        const detection = (record as { detection?: unknown }).detection;
        if (detection) expectValid(detection, 'coco-detection-1.schema.json');
      }
    });
  });
});
