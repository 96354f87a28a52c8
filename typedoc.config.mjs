// API docs (`pnpm docs:api`): one TypeDoc run over every published package's public entry points,
// discovered from the manifests (tools/packaging/workspace.cjs): each `exports` subpath with a
// `@coco/source` condition (core's `.` and `./testing`, each backend's `.`, the CLI's `.` and
// `./examples`), so a new package is documented without editing this file. Warnings are errors.
import workspace from './tools/packaging/workspace.cjs';

const entryPoints = workspace.discoverPackages().flatMap((pkg) =>
  workspace
    .entryPoints(pkg)
    .filter((e) => e.source)
    .map((e) => `packages/${pkg.dirName}/${e.source}`),
);

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  $schema: 'https://typedoc.org/schema.json',
  name: 'coco',
  entryPoints,
  tsconfig: 'tools/typedoc/tsconfig.json',
  out: 'docs/api',
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  logLevel: 'Warn',
};
