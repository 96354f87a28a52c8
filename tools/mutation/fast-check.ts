// fast-check as the tests see it under Stryker: vitest.stryker.config.ts aliases `fast-check` here.
// Every property runs a tenth of its runs (at least 10). Instrumented sources run several times
// slower, and a surviving mutant runs every test that covers it: at full strength core's property
// tests alone took longer than a whole core run could (docs/mutation.md). Plain test runs are
// unchanged.
import real from '../../node_modules/fast-check/lib/fast-check.js';

type Params = Parameters<typeof real.assert>[1];

function assert(property: Parameters<typeof real.assert>[0], params?: Params) {
  const numRuns = Math.max(10, Math.ceil((params?.numRuns ?? 100) / 10));
  return real.assert(property, { ...params, numRuns } as Params);
}

const fc: typeof real = { ...real, assert: assert as typeof real.assert };
export default fc;
