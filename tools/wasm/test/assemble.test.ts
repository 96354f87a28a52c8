// The committed WebAssembly module is what its text assembles to (`pnpm wasm` rewrites it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../assemble.mjs';

describe('the bulk-marking WebAssembly module', () => {
  it('is the assembly of packages/core/wasm/marking.wat', async () => {
    const committed = readFileSync(
      new URL('../../../packages/core/src/marking-simd-module.ts', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(await assemble());
  });
});
