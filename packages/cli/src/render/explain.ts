import type { Detection, Evidence } from '@coco/core';
import { describeConflict } from '@coco/core';
import { safeText } from './safe-text.js';
import type { Style } from './style.js';

/** What each source supplied, one line per source: the evidence the steps below refer to. */
export function summariseSources(evidence: Evidence): string[] {
  const bySource = new Map<string, string[]>();
  const add = (source: string, what: string) => {
    const list = bySource.get(source) ?? [];
    list.push(what);
    bySource.set(source, list);
  };
  // Facts of any kind, grouped by source: "3 x86.cpuid facts (0x0/0x0, 0x1/0x0, ...)".
  for (const [kind, byKey] of evidence.storedFacts) {
    const bySourceKeys = new Map<string, string[]>();
    for (const [key, v] of byKey) bySourceKeys.set(v.source, [...(bySourceKeys.get(v.source) ?? []), key]);
    for (const [source, keys] of bySourceKeys) {
      const shown = keys.filter((k) => k !== '');
      const value = keys.length === 1 && keys[0] === '' ? byKey.get('')?.value : undefined;
      add(
        source,
        value !== undefined
          ? `${kind} ${JSON.stringify(value)}`
          : `${keys.length} ${kind} fact${keys.length === 1 ? '' : 's'} (${shown.slice(0, 6).join(', ')}${shown.length > 6 ? ', ...' : ''})`,
      );
    }
  }
  const logs = new Map<string, number>();
  for (const line of evidence.kernelLog) logs.set(line.source, (logs.get(line.source) ?? 0) + 1);
  for (const [source, n] of logs) add(source, `${n} kernel-log line${n === 1 ? '' : 's'}`);
  const flags = new Map<string, string[]>();
  for (const [flag, source] of evidence.cpuinfoFlags) flags.set(source, [...(flags.get(source) ?? []), flag]);
  for (const [source, list] of flags) {
    const cc = list.filter((f) => /^(sev|sev_es|sev_snp|tdx_guest|hypervisor)$/.test(f));
    add(
      source,
      `${list.length} cpuinfo flag${list.length === 1 ? '' : 's'}${cc.length > 0 ? ` (${cc.join(' ')})` : ''}`,
    );
  }
  for (const [path, v] of evidence.files)
    add(
      v.source,
      `${path} ${v.value ? (v.content !== undefined ? `reads ${JSON.stringify(v.content.trim().slice(0, 40))}` : 'exists') : 'absent'}`,
    );
  const lines = [...bySource].map(([source, what]) => `${source}: ${what.join('; ')}`);
  for (const note of evidence.unavailable)
    lines.push(`${note.source}: not read (${note.reason}; ${note.fix})`);
  return lines;
}

/** The reasoning trail, step by step, each step naming its evidence and the plugin that took it. */
export function renderExplain(detection: Detection, evidence: Evidence, style: Style): string {
  let out = `${style.bold('Evidence')}\n`;
  const sources = summariseSources(evidence);
  if (sources.length === 0) out += '  (none)\n';
  for (const line of sources) out += `  ${safeText(line)}\n`;
  out += `\n${style.bold('Reasoning')}\n`;
  if (detection.trail.length === 0) out += '  (no plugin found anything to say)\n';
  const width = String(detection.trail.length).length;
  detection.trail.forEach((step, i) => {
    const times = step.count !== undefined && step.count > 1 ? ` (×${step.count})` : '';
    out += `  ${String(i + 1).padStart(width)}. [${safeText(step.source)}] ${safeText(step.says)}${times} ${style.dim(`(${safeText(step.by)})`)}\n`;
  });
  for (const warning of detection.warnings) out += `  ${style.bad('warning')}: ${safeText(warning)}\n`;
  for (const conflict of detection.conflicts)
    out += `  ${style.bad('conflict')}: ${safeText(describeConflict(conflict))}\n`;
  out += `\n${style.bold('Conclusion')}\n  `;
  const type = detection.type;
  if (detection.conflicts.length > 0) out += 'conflicting evidence: no type decided (coco never guesses)';
  else if (detection.confidential === null)
    out += `cannot tell (${safeText(detection.undetermined.map((u) => `${u.by}: ${u.because}`).join('; ')) || 'no plugin could decide'})`;
  else if (!type) out += 'not a confidential guest';
  else {
    let described: string;
    try {
      // A plugin's type: its describe() is the plugin's code.
      described = String(type.describe());
    } catch {
      described = `${type.id} (its plugin's describe() failed)`;
    }
    out += safeText(described);
    const m = type.marking;
    if (m && m.entryBit !== m.maskBit)
      out += `; in ${safeText(m.format.title)} entries the ${safeText(type.maskName)} is entry bit ${m.entryBit}`;
    if (detection.hypervisor)
      out += `; composed by ${safeText(detection.hypervisor)}, paravisor ${detection.paravisor === null ? 'unknown' : detection.paravisor ? 'yes' : 'no'}`;
    out += `; attributes ${safeText(type.attributes.ids.join(', ')) || '(none)'}`;
  }
  out += `; systemd-detect-virt --cvm: ${safeText(detection.cvm ?? 'unknown')}
`;
  return out;
}
