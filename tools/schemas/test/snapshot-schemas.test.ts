// The snapshot schemas against documents: coco-snapshot/2 as core writes it and as the bundled
// examples hold it, and the frozen coco-snapshot/1 with the plugin keys of its fact kinds.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../packages/cli/src/examples/index.ts';
import { createRegistry, toSnapshot } from '../../../packages/core/src/index.ts';
import { tdxBackend } from '../../../packages/tdx/src/index.ts';
import { DOCUMENTS, targets } from '../generate.mjs';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const schema = (file: string) => JSON.parse(readFileSync(targets(file)[0] as string, 'utf8'));
const v2 = ajv.compile(schema('coco-snapshot-2.schema.json'));
const v1 = ajv.compile(schema('coco-snapshot-1.schema.json'));
const errors = (validate: typeof v1, doc: unknown) => (validate(doc) ? [] : ajv.errorsText(validate.errors));

describe('snapshot schemas', () => {
  it('are published by @coco/core, both formats (`pnpm schemas:check` compares the files)', () => {
    for (const file of ['coco-snapshot-1.schema.json', 'coco-snapshot-2.schema.json']) {
      expect(DOCUMENTS.find((d) => d.file === file)?.pkg, file).toBe('core');
      const [repo, pkg] = targets(file) as string[];
      expect(repo?.endsWith(`/schemas/${file}`) && !repo.includes('/packages/'), repo).toBe(true);
      expect(pkg?.endsWith(`/packages/core/schemas/${file}`), pkg).toBe(true);
    }
  });
});

describe('coco-snapshot/2', () => {
  it.each(EXAMPLES.map((e) => [e.name, e.snapshot] as const))('holds the bundled example %s', (_, doc) => {
    if ((doc as { format: string }).format !== 'coco-snapshot/2') return;
    expect(errors(v2, doc)).toEqual([]);
  });

  it('holds what toSnapshot writes, with facts of plugins and files with contents', () => {
    const registry = createRegistry().use(tdxBackend);
    const evidence = registry.parseSnapshot(
      JSON.stringify({
        format: 'coco-snapshot/2',
        machine: { hostname: 'node-17', capturedAt: '2026-11-30T06:20:00Z', cocoVersion: '2.0.0' },
        facts: { 'tdx.gpaw': { '': 52 } },
        cpuinfo: { 'CPU architecture': '8', '# processors': '2' },
        files: { '/sys/firmware/uv/prot_virt_guest': { exists: true, content: '1\n' }, '/dev/uv': true },
        unavailable: [
          { source: '/dev/cpu/0/cpuid', kind: 'x86.cpuid', reason: 'not root', fix: 'run as root' },
        ],
      }),
    );
    const doc = toSnapshot(evidence, { version: 2 });
    expect(doc.format).toBe('coco-snapshot/2');
    expect(errors(v2, doc)).toEqual([]);
  });

  it('refuses what the reader refuses', () => {
    const base = { format: 'coco-snapshot/2' };
    expect(errors(v2, base)).toEqual([]);
    expect(v2({ ...base, cpuid: [] })).toBe(false);
    expect(v2({ ...base, facts: { cpuid: {} } })).toBe(false);
    expect(v2({ ...base, files: { 'dev/uv': true } })).toBe(false);
    expect(v2({ ...base, files: { '/dev/uv': { exists: false, content: '' } } })).toBe(false);
    expect(v2({ ...base, files: { '/x': { exists: true, content: 'a'.repeat(4097) } } })).toBe(false);
    expect(v2({ ...base, unavailable: [{ source: 's', kind: 'Bad Kind', reason: 'r', fix: 'f' }] })).toBe(
      false,
    );
    expect(v2({ format: 'coco-snapshot/1' })).toBe(false);
  });
});

describe('coco-snapshot/1 (frozen)', () => {
  it('holds format 1 with its plugin keys and refuses unknown ones', () => {
    const cpuid = (eax: string) => ({
      format: 'coco-snapshot/1',
      cpuid: [{ leaf: '0x0', subleaf: '0x0', eax, ebx: '0x0', ecx: '0x0', edx: '0x0' }],
    });
    expect(errors(v1, cpuid('0xffffffff'))).toEqual([]);
    expect(v1(cpuid('0x1ffffffff'))).toBe(false);
    expect(
      errors(v1, { format: 'coco-snapshot/1', msr: { '0xc0010131': '0x103df' }, tdx: { gpaw: 52 } }),
    ).toEqual([]);
    expect(v1({ format: 'coco-snapshot/1', msr: { c0010131: '0x103df' } })).toBe(false);
    expect(v1({ format: 'coco-snapshot/1', tdx: { gpaw: 50 } })).toBe(false);
    expect(v1({ format: 'coco-snapshot/1', extra: 1 })).toBe(false);
    expect(v1({ format: 'coco-snapshot/1', facts: {} })).toBe(false);
    expect(
      errors(v1, {
        format: 'coco-snapshot/1',
        unavailable: [{ source: 's', kind: 'cpuid', reason: 'r', fix: 'f' }],
      }),
    ).toEqual([]);
  });
});
