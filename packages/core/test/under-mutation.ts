// True while Stryker runs the tests (tools/mutation/run.mjs sets COCO_MUTATION_PACKAGE; see
// docs/mutation.md): the heaviest tests then do less, since the instrumented sources run several
// times slower and a surviving mutant runs every test that covers it. Read through globalThis, as
// core's tests are typed without Node.
export const UNDER_MUTATION =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.COCO_MUTATION_PACKAGE !== undefined;
