import { createRegistry, isCocoError, type Registry } from '@coco/core';
import { withAttestationInterfaces } from './attestation.js';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import { CliError } from './errors.js';
import { reportPhase } from './phase.js';
import { loadPluginModule } from './plugins.js';

export { BUILTIN_PLUGINS };

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
