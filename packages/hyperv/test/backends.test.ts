import { amdVtomBackend } from '@coco/amd-vtom';
import { isCocoError } from '@coco/core';
import { tdxBackend } from '@coco/tdx';
import { describe, expect, it } from 'vitest';
import { cpuidEvidence, HIGH_ISOLATED, hypervLog, logEvidence, registryWith } from './fixtures.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('only some backends installed', () => {
  it('SNP with a paravisor and no @coco/amd-vtom fails with BACKEND_MISSING naming the package', () => {
    for (const evidence of [
      cpuidEvidence({ high: HIGH_ISOLATED, groupA: 1, groupB: 0xba2 }),
      logEvidence(hypervLog(1, 0xba2)),
    ]) {
      const error = thrown(() => registryWith([tdxBackend]).detect(evidence));
      expect(isCocoError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'BACKEND_MISSING' });
      expect((error as Error).message).toContain('@coco/amd-vtom');
    }
  });

  it('TDX with a paravisor and no @coco/tdx fails with BACKEND_MISSING naming @coco/tdx (kernel log too)', () => {
    for (const evidence of [
      cpuidEvidence({ high: HIGH_ISOLATED, groupA: 1, groupB: 0xbe3 }),
      logEvidence(hypervLog(1, 0xbe3)),
    ]) {
      const error = thrown(() => registryWith([amdVtomBackend]).detect(evidence));
      expect(error).toMatchObject({ code: 'BACKEND_MISSING' });
      expect((error as { fix: string }).fix).toContain('install @coco/tdx');
    }
  });

  it('TDX without a paravisor and no @coco/tdx names @coco/tdx; SNP without one names @coco/amd-cbit', () => {
    const tdx = thrown(() =>
      registryWith([]).detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0, groupB: 3 })),
    );
    expect((tdx as Error).message).toContain('@coco/tdx');
    const snp = thrown(() =>
      registryWith([]).detect(cpuidEvidence({ high: HIGH_ISOLATED, groupA: 0, groupB: 2 })),
    );
    expect((snp as Error).message).toContain('@coco/amd-cbit');
  });

  it('with just the backend the guest needs, detection works', () => {
    const snp = registryWith([amdVtomBackend]).detect(
      cpuidEvidence({ high: HIGH_ISOLATED, groupA: 1, groupB: 0xba2 }),
    );
    expect(snp.toJSON()).toMatchObject({ type: 'amd-vtom', maskBit: 46, hypervisor: 'hyperv' });
    const tdx = registryWith([tdxBackend]).detect(
      cpuidEvidence({ high: HIGH_ISOLATED, groupA: 1, groupB: 0xbe3 }),
    );
    expect(tdx.toJSON()).toMatchObject({ type: 'tdx', maskBit: 47, hypervisor: 'hyperv' });
  });

  it('a machine that is not an isolated Hyper-V guest needs no backend at all', () => {
    expect(
      registryWith([])
        .detect(cpuidEvidence({ high: 0 }))
        .toJSON(),
    ).toMatchObject({ type: null });
  });
});
