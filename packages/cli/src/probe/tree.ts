import { join } from 'node:path';
import { type Evidence, type EvidenceBuilder, isCocoError, parseKernelLog } from '@coco/core';
import { CPUID_FACT, parseCpuidDump } from '@coco/x86';
import type { ProbeFs } from './fs.js';
import { fileUnreadable } from './unavailable.js';

/**
 * Where a tree keeps the machine's saved kernel log, first found first read:
 * - `dmesg` (or `dmesg.txt`) at the top: coco's own convention for a tree (`dmesg > DIR/dmesg`),
 *   which `coco fleet` bundles share;
 * - `sos_commands/kernel/dmesg`: sosreport's kernel plugin runs `dmesg` and stores its output under
 *   `sos_commands/<plugin>/<command, mangled>` (sosreport/sos sos/report/plugins/kernel.py
 *   `add_cmd_output(["dmesg", "dmesg -T", ...])`; sos/report/plugins/__init__.py
 *   `_make_command_filename`, `_mangle_command`);
 * - `var/log/dmesg`: the boot log some distributions save, which the same plugin copies
 *   (`add_copy_spec([..., "/var/log/dmesg", ...])`).
 */
export const SAVED_KERNEL_LOGS: readonly string[] = Object.freeze([
  '/dmesg',
  '/dmesg.txt',
  '/sos_commands/kernel/dmesg',
  '/var/log/dmesg',
]);

/**
 * Other saved outputs a tree may hold, read as the matching evidence flag reads them: sosreport's
 * processor plugin runs `cpuid -r` (sos/report/plugins/processor.py), stored as
 * `sos_commands/processor/cpuid_-r`, which `--cpuid` reads; a `coco fleet` bundle's `cpuid.txt`
 * is the same dump.
 */
export const SAVED_OUTPUTS: readonly {
  readonly path: string;
  readonly kind: string;
  readonly parse: (text: string, options: { source: string }) => Evidence;
}[] = Object.freeze([
  { path: '/sos_commands/processor/cpuid_-r', kind: CPUID_FACT.id, parse: parseCpuidDump },
]);

/**
 * Where a tree names its host: sosreport links `hostname` at its top to the output of `hostname`
 * (sos/report/plugins/host.py `add_cmd_output('hostname', root_symlink='hostname')`); a disk image
 * has `/etc/hostname`.
 */
export const HOSTNAME_FILES: readonly string[] = Object.freeze(['/hostname', '/etc/hostname']);

/** What a snapshot's machine identity accepts as a host name. */
const HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** Reads the first saved kernel log of the tree; none is an unavailable note of kind `kernel-log`. */
export function probeSavedKernelLog(fs: ProbeFs, builder: EvidenceBuilder, tree: string): void {
  for (const path of SAVED_KERNEL_LOGS) {
    let text: string;
    try {
      if (!fs.exists(path)) continue;
      text = fs.readText(path);
    } catch (error) {
      builder.addUnavailable({
        source: join(tree, path),
        kind: 'kernel-log',
        ...fileUnreadable(error, path),
      });
      return;
    }
    try {
      builder.addLogLines(parseKernelLog(text, { source: join(tree, path) }));
    } catch (error) {
      if (!isCocoError(error)) throw error;
      builder.addUnavailable({
        source: join(tree, path),
        kind: 'kernel-log',
        reason: error.problem,
        fix: error.fix,
      });
    }
    return;
  }
  builder.addUnavailable({
    source: SAVED_KERNEL_LOGS.map((p) => p.slice(1)).join(', '),
    kind: 'kernel-log',
    reason: `the tree ${tree} holds no saved kernel log`,
    fix: `save it on the machine (dmesg > ${join(tree, 'dmesg')}), or pass it with --dmesg`,
  });
}

/** Reads the other saved outputs of {@link SAVED_OUTPUTS} the tree holds. */
export function probeSavedOutputs(fs: ProbeFs, builder: EvidenceBuilder, tree: string): void {
  for (const output of SAVED_OUTPUTS) {
    const source = join(tree, output.path);
    try {
      if (!fs.exists(output.path)) continue;
      builder.merge(output.parse(fs.readText(output.path), { source }));
    } catch (error) {
      const note = isCocoError(error)
        ? { reason: error.problem, fix: error.fix }
        : fileUnreadable(error, output.path);
      builder.addUnavailable({ source, kind: output.kind, ...note });
    }
  }
}

/** Records the tree's host name, when it names one a snapshot can hold. */
export function probeHostname(fs: ProbeFs, builder: EvidenceBuilder): void {
  for (const path of HOSTNAME_FILES) {
    try {
      if (!fs.exists(path)) continue;
      const name = fs.readText(path, 512).trim();
      if (HOSTNAME.test(name)) builder.setMachine({ hostname: name });
      return;
    } catch {
      // No host name: the machine is named by its path.
    }
  }
}
