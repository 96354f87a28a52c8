import { amdCbitBackend } from '@coco/amd-cbit';
import { amdVtomBackend } from '@coco/amd-vtom';
import { type CocoPlugin, defaultRegistry, isCocoError, type Registry } from '@coco/core';
import { hypervPlugin } from '@coco/hyperv';
import { tdxBackend } from '@coco/tdx';
import { CliError } from './errors.js';
import { loadPluginModule } from './plugins.js';

/** The plugins every `coco` command registers: hypervisor plugins, then the backends. */
export const BUILTIN_PLUGINS: readonly CocoPlugin[] = Object.freeze([
  hypervPlugin,
  tdxBackend,
  amdCbitBackend,
  amdVtomBackend,
]);

/**
 * The registry a command uses: core's default registry (shared by every copy of `@coco/core` of
 * this major, so a plugin that imports its own copy of core joins the same one), with the
 * built-in plugins and each `--plugin` module's default export registered.
 */
export async function commandRegistry(pluginSpecs: readonly string[], cwd: string): Promise<Registry> {
  const registry = defaultRegistry();
  for (const plugin of BUILTIN_PLUGINS) registry.use(plugin);
  for (const spec of pluginSpecs) {
    const plugins = await loadPluginModule(spec, cwd);
    for (const plugin of plugins) {
      try {
        registry.use(plugin);
      } catch (error) {
        if (!isCocoError(error)) throw error;
        throw new CliError(`--plugin ${spec}`, `its plugin was refused: ${error.problem}`, error.fix);
      }
    }
  }
  return registry;
}
