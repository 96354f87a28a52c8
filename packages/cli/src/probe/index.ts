import {
  createRegistry,
  describeValue,
  type Evidence,
  EvidenceBuilder,
  type FactProbe,
  type ProbeSink,
  type Registry,
} from '@coco/core';
import { BUILTIN_PLUGINS } from '../registry.js';
import { inferArch } from './arch.js';
import { probeCpuinfo } from './cpuinfo.js';
import { FILE_PROBE_SOURCE, probeFiles } from './files.js';
import { nodeProbeFs, type ProbeFs } from './fs.js';
import { NOT_READ_UNDER_ROOT, probeIo, type RunIO } from './io.js';
import { probeKernelLog } from './kernel-log.js';
import { probeHostname, probeSavedKernelLog, probeSavedOutputs } from './tree.js';
import { probeTsmProviders } from './tsm.js';

/** Options of {@link probeMachine}. */
export interface ProbeOptions {
  /**
   * The directory the machine's files are read under; `/` for this machine (the default). Without
   * {@link ProbeOptions.tree}, the directory stands for a live machine (tests use fake trees so).
   */
  readonly root?: string;
  /**
   * Read `root` as a machine image, a mounted disk or a support bundle (`coco detect --root DIR`):
   * the architecture comes from its `proc/cpuinfo`, devices are not read, the kernel log is a saved
   * one (`dmesg`, `sos_commands/kernel/dmesg`, `var/log/dmesg`), and its host name is recorded.
   */
  readonly tree?: boolean;
  /** Replaces the file system access entirely (tests inject failures with it). */
  readonly fs?: ProbeFs;
  /** The plugins whose declared probes are read (default: coco's built-in plugins). */
  readonly registry?: Registry;
  /**
   * The architecture whose probes are read, as Node's `process.arch` names it. Default: this
   * machine's, or for a tree the one its `proc/cpuinfo` shows, or every plugin's when it shows none.
   */
  readonly arch?: string;
}

let builtin: Registry | undefined;
function builtinRegistry(): Registry {
  if (!builtin) {
    builtin = createRegistry();
    for (const plugin of BUILTIN_PLUGINS) builtin.use(plugin);
    builtin.seal();
  }
  return builtin;
}

function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : describeValue(error);
  } catch {
    return 'an unprintable error';
  }
}

/** Runs one plugin's fact probe; its facts and notes go to `builder`, a failure is a note. */
function runFactProbe(probe: FactProbe, run: RunIO, builder: EvidenceBuilder, tree: string | null): void {
  const kind = probe.kind.id;
  // Its own reader: what another plugin's probe read is never the source of this one's facts.
  const io = run.forProbe();
  const refusedNote = (source: string) =>
    [...io.refused].some((path) => source === path || source.startsWith(`${path} `));
  const sink: ProbeSink<unknown> = {
    fact(key, value) {
      const source = io.lastPath === null ? kind : tree === null ? io.lastPath : `${tree}${io.lastPath}`;
      try {
        builder.addFact(probe.kind, key, value, source);
      } catch (error) {
        builder.addUnavailable({
          source: `${kind} ${String(key)}`,
          kind,
          reason: `the probe gave a value its fact kind refuses (${errorText(error)})`,
          fix: "report it to the plugin's authors",
        });
      }
    },
    unavailable(note) {
      const source = String(note?.source);
      builder.addUnavailable(
        refusedNote(source)
          ? { source, kind, ...NOT_READ_UNDER_ROOT }
          : { source, kind, reason: String(note?.reason), fix: String(note?.fix) },
      );
    },
    evidence: () => builder.build(),
  };
  try {
    probe.run(io, sink);
  } catch (error) {
    builder.addUnavailable({
      source: kind,
      kind,
      reason: `its probe failed: ${errorText(error)}`,
      fix: "report it to the plugin's authors",
    });
  }
}

/**
 * Reads what a Linux machine shows, as the registered plugins declare it for the machine's
 * architecture (`registry.probes(arch)`): `/proc/cpuinfo` (any architecture), the declared files,
 * devices and sysfs/configfs entries (presence, or content up to 4 KiB), the configfs TSM report
 * providers, the kernel log, and each plugin's fact probes (CPUID and MSRs through `/dev/cpu/0` on
 * x86) through a non-blocking `ProbeIO` (from @coco/core). Each source is read on its own; one that cannot be
 * read is listed in `evidence.unavailable` with its kind, the reason and what would make it
 * readable, never thrown. With {@link ProbeOptions.tree}, the root is a machine image or a support
 * bundle rather than a live machine.
 */
export function probeMachine(options: ProbeOptions = {}): Evidence {
  const root = options.root ?? '/';
  const tree = options.tree === true ? root : null;
  const fs = options.fs ?? nodeProbeFs(root);
  const registry = options.registry ?? builtinRegistry();
  const builder = new EvidenceBuilder();
  const source = tree === null ? FILE_PROBE_SOURCE : `--root ${tree}`;

  probeCpuinfo(fs, builder, tree);
  let arch = options.arch;
  if (arch === undefined && tree === null) arch = process.arch;
  if (arch === undefined) {
    const inferred = inferArch(builder.build());
    if (inferred) arch = inferred.arch;
    else
      builder.warn(
        `the architecture of ${root} is not known (its proc/cpuinfo names none): read what every plugin declares`,
      );
  }
  const plan = registry.probes(arch);

  probeFiles(fs, builder, plan.files, { tree, source });
  probeTsmProviders(fs, builder, source);
  if (tree === null) probeKernelLog(fs, builder);
  else {
    probeSavedKernelLog(fs, builder, tree);
    probeSavedOutputs(fs, builder, tree);
    probeHostname(fs, builder);
  }

  const io = probeIo(fs, { devices: tree === null });
  try {
    const saved = builder.build();
    for (const probe of plan.facts) {
      // A tree's saved output (sosreport's `cpuid -r`) already gave these facts.
      if (tree !== null && saved.storedFacts.has(probe.kind.id)) continue;
      runFactProbe(probe, io, builder, tree);
    }
  } finally {
    io.close();
  }
  return builder.build();
}
