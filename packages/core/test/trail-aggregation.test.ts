// Repeated evidence is one step with a count: the trail does not grow with a repeated log line.
import {
  aggregateTrail,
  createDetection,
  createRegistry,
  defineBackend,
  parseKernelLogEvidence,
  type TrailStep,
} from '@coco/core';
import { describe, expect, it } from 'vitest';

const step = (says: string, source = 'kernel-log', by = 'p'): TrailStep => ({ source, says, by });

describe('trail aggregation', () => {
  it('folds equal steps in a row, and a kernel-log step repeated anywhere', () => {
    const trail = aggregateTrail([
      step('a'),
      step('b', 'cpuid'),
      step('b', 'cpuid'),
      step('a'),
      step('c', 'cpuid'),
      step('b', 'cpuid'),
      { ...step('a'), count: 3 },
    ]);
    expect(trail).toEqual([
      { ...step('a'), count: 5 },
      { ...step('b', 'cpuid'), count: 2 },
      step('c', 'cpuid'),
      step('b', 'cpuid'),
    ]);
    expect(aggregateTrail(trail)).toEqual(trail);
  });

  it('folds kernel-log steps that differ only in the line they cite, keeping the first wording', () => {
    const trail = aggregateTrail([
      step('"x" (dmesg line 3): yes'),
      step('cpuid says', 'cpuid'),
      step('"x" (dmesg line 40): yes'),
      { ...step('"x": yes'), fact: 'dmesg line 3' },
      { ...step('"x": yes'), fact: 'dmesg line 9' },
      step('"x" (dmesg line 41): no'),
    ]);
    expect(trail).toEqual([
      { ...step('"x" (dmesg line 3): yes'), count: 2 },
      step('cpuid says', 'cpuid'),
      { ...step('"x": yes'), fact: 'dmesg line 3', count: 2 },
      step('"x" (dmesg line 41): no'),
    ]);
    expect(aggregateTrail([step('a line 1', 'cpuid'), step('a line 2', 'cpuid')])).toHaveLength(2);
  });

  it('keeps steps that differ in source, says, by or fact apart', () => {
    const steps = [step('a'), step('a', 'cpuid'), step('a', 'kernel-log', 'q'), { ...step('a'), fact: 'x' }];
    expect(aggregateTrail(steps)).toEqual(steps);
    // In a row, outside the kernel log: by and fact count as much as says.
    const inRow = [step('a', 'cpuid'), step('a', 'cpuid', 'q'), { ...step('a', 'cpuid', 'q'), fact: 'x' }];
    expect(aggregateTrail(inRow)).toEqual(inRow);
    // An empty fact is a fact, not the absence of one; a step that cites no line is not one that does.
    const kernel = [step('a'), { ...step('a'), fact: '' }, step('x (line 1)'), step('x ()')];
    expect(aggregateTrail(kernel)).toEqual(kernel);
  });

  it('writes a count into the detection document only when a step stands for more than one', () => {
    const detection = createDetection({
      type: null,
      confidential: null,
      hypervisor: null,
      paravisor: null,
      cvm: null,
      trail: [{ ...step('once'), count: 1 }, step('twice'), step('twice')],
      warnings: [],
      conflicts: [],
    });
    expect(detection.toJSON().evidence).toEqual([
      { source: 'kernel-log', says: 'once', by: 'p' },
      { source: 'kernel-log', says: 'twice', by: 'p', count: 2 },
    ]);
  });

  it('gives a constant-size trail and JSON for a line repeated 100,000 times', () => {
    const registry = createRegistry().use(
      defineBackend({
        interfaceVersion: 2,
        kind: 'backend',
        id: 'repeat-reader',
        params: {},
        packageName: 'repeat-reader',
        variants: [],
        logPatterns: [/^SEV: Status:/],
        createType: () => {
          throw new Error('never claims');
        },
        detect: (evidence, context) => {
          for (const line of evidence.kernelLog) context.step('kernel-log', `"${line.text}": read`);
          context.step('cpuid', 'nothing else');
          return null;
        },
      }),
    );
    const size = (n: number) => {
      const log = '[    0.100000] SEV: Status: SEV SEV-ES \n'.repeat(n);
      const detection = registry.detect(parseKernelLogEvidence(log));
      return { steps: detection.trail.length, json: JSON.stringify(detection.toJSON()), detection };
    };
    const small = size(10);
    const large = size(100_000);
    expect(large.steps).toBe(small.steps);
    expect(large.json.length - small.json.length).toBeLessThanOrEqual(4);
    const repeated = large.detection.trail.find((s) => s.source === 'kernel-log');
    expect(repeated?.count).toBe(100_000);
    expect(large.detection.toJSON().evidence.find((e) => e.source === 'kernel-log')?.count).toBe(100_000);
  });
});
