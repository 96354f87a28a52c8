import type { CocoType, Detection, Evidence } from '@coco/core';
import { describeConflict } from '@coco/core';
import { undecidedFixes } from '../commands/conflicts.js';
import { safeText } from './safe-text.js';
import type { Style } from './style.js';

const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');

function row(style: Style, label: string, value: string): string {
  return `  ${style.dim(label.padEnd(11))} ${safeText(value)}\n`;
}

/** The headline: what the machine is, in a few words. */
function headline(detection: Detection, style: Style): string {
  if (detection.conflicts.length > 0) return style.bad('Conflicting evidence: coco decides no type.');
  if (detection.confidential === null) return style.bad('Cannot tell whether this is a confidential guest.');
  const type = detection.type;
  if (!type) return 'Not a confidential guest.';
  if (!detection.confidential)
    return `${safeText(type.title)}: memory encryption on a host, not a confidential guest.`;
  return style.good(`Confidential guest: ${safeText(type.title)}.`);
}

/**
 * The mask of a type in words: the bit (and, where the entry format keeps it elsewhere, the entry
 * bit), "unknown" with the reason, or "no page-table bit" and how pages are shared instead.
 */
export function maskLine(type: CocoType): string {
  const marking = type.marking;
  if (type.maskState === 'none') return `no page-table bit; pages are shared by ${type.maskName}`;
  if (!marking)
    return `unknown: ${type.maskUnknownReason ?? 'not determined'}; encrypted when ${type.encryptedWhen}`;
  const bit = `0x${marking.addressMask.toString(16)} (${type.maskName} ${marking.maskBit}), encrypted when ${marking.encryptedWhen}`;
  if (marking.entryBit === marking.maskBit) return bit;
  return `${bit}; in ${marking.format.title} entries it is entry bit ${marking.entryBit}`;
}

/** The human summary of a detection: type, variant, hypervisor, paravisor, mask, attributes, systemd label. */
export function renderDetection(detection: Detection, evidence: Evidence, style: Style): string {
  const type = detection.type;
  let out = `${style.bold(headline(detection, style))}\n\n`;
  if (detection.confidential === null && detection.conflicts.length === 0) {
    out += `${style.bold('What would decide it:')}\n`;
    for (const fix of undecidedFixes(detection)) out += `  - ${safeText(fix)}\n`;
    out += `${style.dim('Why:')}\n`;
    for (const u of detection.undetermined) out += `  ${safeText(u.by)}: ${safeText(u.because)}\n`;
    if (detection.undetermined.length === 0)
      out += '  no registered plugin could decide from this evidence\n';
    out += '\n';
  }
  out += row(style, 'type', type ? type.id : 'none');
  out += row(style, 'variant', type?.variant ?? '-');
  out += row(style, 'hypervisor', detection.hypervisor ?? '-');
  out += row(style, 'paravisor', yesNo(detection.paravisor));
  if (type) {
    out += row(style, 'mask', maskLine(type));
    out += row(
      style,
      'attributes',
      type.attributes.ids.length > 0 ? type.attributes.ids.join(', ') : '(none)',
    );
    if (type.details.length > 0) {
      const width = Math.max(...type.details.map((d) => safeText(d.name).length)) + 2;
      out += `  ${style.dim('details')}\n`;
      for (const detail of type.details)
        out += `    ${style.dim(safeText(detail.name).padEnd(width))}${safeText(detail.value)}\n`;
    }
  }
  out += row(style, 'systemd', `${detection.cvm ?? 'unknown'} (what systemd-detect-virt --cvm prints)`);
  for (const conflict of detection.conflicts)
    out += `\n${style.bad('conflict')}: ${safeText(describeConflict(conflict))}\n`;
  if (detection.warnings.length > 0) {
    out += '\n';
    for (const warning of detection.warnings) out += `${style.bad('warning')}: ${safeText(warning)}\n`;
  }
  if (evidence.unavailable.length > 0) {
    out += `\n${style.dim('Not read:')}\n`;
    for (const note of evidence.unavailable)
      out += `  ${safeText(`${note.source}: ${note.reason}; ${note.fix}`)}\n`;
  }
  out += `\n${style.dim('coco explain shows the reasoning step by step.')}\n`;
  return out;
}
