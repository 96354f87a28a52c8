// Reads a probe-root tree (test/roots/<name>/ of a backend) as the live probe reads a machine. Shared
// by the tests of @coco/s390-pv and @coco/ppc-pef; see backend-evidence.ts for how core is imported.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Evidence,
  EvidenceBuilder,
  parseCpuinfo,
  parseKernelLog,
} from '../../packages/core/src/index.js';

/** What a plugin declares it probes: files (read whole or only tested) and cpuinfo fields. */
export interface Probes {
  readonly files: readonly { readonly path: string; readonly read: 'content' | 'exists' }[];
  readonly cpuinfo: readonly string[];
}

/**
 * Reads a probe-root tree as the live probe reads a machine: the files the plugin declares (their
 * text when it reads contents), /proc/cpuinfo, and the saved `dmesg` when there is one. With
 * `cpuinfo: 'declared'` only the cpuinfo fields the plugin declares are parsed, as `coco snapshot`
 * keeps them; with `'whole'` the whole file.
 */
export function readRoot(root: string, probes: Probes, cpuinfo: 'whole' | 'declared'): Evidence {
  const b = new EvidenceBuilder();
  const file = join(root, 'proc/cpuinfo');
  if (existsSync(file)) {
    let text = readFileSync(file, 'utf8');
    if (cpuinfo === 'declared') {
      text = text
        .split('\n')
        .filter((line) => probes.cpuinfo.includes(line.split(':')[0]?.trim() ?? ''))
        .join('\n');
    }
    b.merge(parseCpuinfo(text, { source: file }));
  }
  for (const probe of probes.files) {
    const path = join(root, probe.path);
    const exists = existsSync(path);
    if (probe.read === 'content' && exists) b.setFile(probe.path, true, path, readFileSync(path, 'utf8'));
    else b.setFile(probe.path, exists, path);
  }
  const dmesg = join(root, 'dmesg');
  if (existsSync(dmesg)) b.addLogLines(parseKernelLog(readFileSync(dmesg, 'utf8'), { source: dmesg }));
  return b.build();
}
