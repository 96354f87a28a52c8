import { amdCbitBackend } from '@coco/amd-cbit';
import { amdVtomBackend } from '@coco/amd-vtom';
import { armCcaBackend } from '@coco/arm-cca';
import { type CocoPlugin, createRegistry, isCocoError, type Registry } from '@coco/core';
import { hypervPlugin } from '@coco/hyperv';
import { ppcPefBackend } from '@coco/ppc-pef';
import { s390PvBackend } from '@coco/s390-pv';
import { tdxBackend } from '@coco/tdx';
import { withAttestationInterfaces } from './attestation.js';
import { CliError } from './errors.js';
import { reportPhase } from './phase.js';
import { loadPluginModule } from './plugins.js';

/**
 * The plugins every `coco` command registers: hypervisor plugins, then the backends. This is the
 * one list a backend of the repository is added to; everything else (probes, snapshot contents,
 * `pte` types and parameters, help) comes from the plugins themselves.
 */
export const BUILTIN_PLUGINS: readonly CocoPlugin[] = Object.freeze([
  hypervPlugin,
  tdxBackend,
  amdCbitBackend,
  amdVtomBackend,
  armCcaBackend,
  s390PvBackend,
  ppcPefBackend,
]);

/**
 * The registry a command uses: a new one for every command (so a `--plugin` of one `run()` call is
 * not registered in the next), with the built-in plugins and each `--plugin` module's default
 * export registered. A plugin that imports its own copy of `@coco/core` works: the registry checks
 * plugins by shape and interface version, not by the copy of core that built them.
 */
export async function commandRegistry(pluginSpecs: readonly string[], cwd: string): Promise<Registry> {
  const registry = createRegistry();
  for (const plugin of BUILTIN_PLUGINS) registry.use(plugin);
  for (const spec of pluginSpecs) {
    reportPhase({ kind: 'load', plugin: spec });
    const plugins = await loadPluginModule(spec, cwd);
    for (const plugin of plugins) {
      try {
        registry.use(plugin);
      } catch (error) {
        if (!isCocoError(error)) throw error;
        throw new CliError(`--plugin ${spec}`, `its plugin was refused: ${error.problem}`, error.fix, {
          code: error.code,
        });
      }
    }
  }
  reportPhase({ kind: 'run' });
  return withAttestationInterfaces(registry);
}
