// The plugin guide's interface-2 KVM plugin (packages/core/docs/plugins.md, "Example: a hypervisor
// plugin"), run as written: its code block is written to a module and imported, so the guide's own
// example cannot rot.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { amdCbitBackend } from '@coco/amd-cbit';
import { type CocoPlugin, createRegistry, EvidenceBuilder } from '@coco/core';
import { tdxBackend } from '@coco/tdx';
import { X86EvidenceBuilder } from '@coco/x86';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const guide = readFileSync(resolve(here, '../../../packages/core/docs/plugins.md'), 'utf8');
const section = guide.slice(guide.indexOf('### Example: a hypervisor plugin'));
const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const dir = join(here, '.generated');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the plugin guide's KVM example (interface 2)", () => {
  it('loads without the adapter and composes amd-cbit for a KVM SEV-SNP guest', async () => {
    expect(code).toContain('interfaceVersion: 2');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'guide-kvm.ts');
    writeFileSync(file, code);
    const mod = (await import(file)) as { default: CocoPlugin };
    // KVM's leaf (Documentation/virt/kvm/x86/cpuid.rst: "KVMKVMKVM\0\0\0"), an AMD SEV-SNP guest:
    // CPUID 1 ECX bit 31 (hypervisor), max extended leaf 0x80000021, 0x8000001F C-bit 51, status SNP.
    const b = new X86EvidenceBuilder()
      .addCpuid(0x1, 0, { eax: 0xa10f11, ebx: 0x800, ecx: 0xfef83203, edx: 0x178bfbff }, 't')
      .addCpuid(0x4000_0000, 0, { eax: 0x40000001, ebx: 0x4b4d564b, ecx: 0x564b4d56, edx: 0x4d }, 't')
      .addCpuid(0x8000_0000, 0, { eax: 0x80000021, ebx: 0x68747541, ecx: 0x444d4163, edx: 0x69746e65 }, 't')
      .addCpuid(0x8000_001f, 0, { eax: 0x0101fd3f, ebx: 0x4173, ecx: 0x1fd, edx: 0x80 }, 't')
      .addMsr(0xc0010131, 0x7n, 't');
    const d = createRegistry()
      .use(mod.default)
      .use(amdCbitBackend)
      .use(tdxBackend)
      .detect(new EvidenceBuilder().merge(b.build()).build())
      .toJSON();
    expect(d).toMatchObject({ type: 'amd-cbit', variant: 'sev-snp', hypervisor: 'kvm', maskBit: 51 });
    expect(d.warnings).toEqual([]);
    expect(d.evidence).toContainEqual({
      source: 'cpuid',
      says: 'CPUID 0x40000000 reads "KVMKVMKVM\\0\\0\\0": a KVM guest',
      by: 'kvm',
      fact: 'cpuid 0x40000000/0x0',
    });
  });
});
