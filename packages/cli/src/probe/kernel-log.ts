import { type EvidenceBuilder, parseKernelLog } from '@coco/core';
import type { ProbeFs } from './fs.js';
import { kernelLogUnreadable } from './unavailable.js';

/** The kernel's log device. */
export const KMSG_PATH = '/dev/kmsg';

/**
 * `/dev/kmsg` records are `prio,seq,usec,flags;message`, followed by ` KEY=value` dictionary lines;
 * keeps the message lines (core strips the record header).
 */
function kmsgMessages(text: string): string {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith(' '))
    .join('\n');
}

/**
 * Reads the kernel log without ever blocking: `/dev/kmsg` opened non-blocking and read until
 * `EAGAIN`, else `dmesg` (on the real machine only). Unreadable becomes an unavailable source.
 */
export function probeKernelLog(fs: ProbeFs, builder: EvidenceBuilder): void {
  const path = KMSG_PATH;
  let kmsgError: unknown;
  try {
    const text = kmsgMessages(fs.readKernelRecords(path));
    builder.addLogLines(parseKernelLog(text, { source: path }));
    return;
  } catch (error) {
    kmsgError = error;
  }
  if (fs.runDmesg) {
    try {
      builder.addLogLines(parseKernelLog(fs.runDmesg(), { source: 'dmesg' }));
      return;
    } catch {
      // Report the /dev/kmsg reason below: it is the one the fix addresses.
    }
  }
  builder.addUnavailable({
    kind: 'kernel-log',
    source: fs.runDmesg ? `${path} and dmesg` : path,
    ...kernelLogUnreadable(kmsgError),
  });
}
