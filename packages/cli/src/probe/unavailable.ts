/** Why a source could not be read, and what would make it readable. */
export interface Unreadable {
  readonly reason: string;
  readonly fix: string;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'an unknown error';
}

const ROOT_FIX = 'run coco as root (sudo)';

/** A path that is a symbolic link loop (`ELOOP`): no user can read it, root neither. */
const LINK_LOOP: Unreadable = Object.freeze({
  reason: 'a symbolic link loop',
  fix: 'remove the symbolic link loop',
});

/** The reason an error carries itself (probe/fs.ts: a FIFO in place of a file), if any. */
function ownReason(error: unknown): Unreadable | undefined {
  const own = (error as { unreadable?: Unreadable } | null)?.unreadable;
  return own && typeof own.reason === 'string' && typeof own.fix === 'string' ? own : undefined;
}

/** The reason and fix for a kernel-log failure. */
export function kernelLogUnreadable(error: unknown): Unreadable {
  const own = ownReason(error);
  if (own) return own;
  const code = codeOf(error);
  if (code === 'ELOOP') return LINK_LOOP;
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      reason: 'permission denied',
      fix: `${ROOT_FIX}, or allow it with sysctl kernel.dmesg_restrict=0`,
    };
  }
  if (code === 'ENOENT')
    return {
      reason: 'it does not exist',
      fix: 'run coco on the Linux machine itself (not in a container without /dev/kmsg), or pass a log with --dmesg',
    };
  if (code === 'ETIMEDOUT')
    return { reason: 'dmesg did not answer in time', fix: 'pass the log with --dmesg (dmesg > log.txt)' };
  return { reason: `cannot be read (${code})`, fix: `${ROOT_FIX}, or pass a log with --dmesg` };
}

/** The reason and fix for a plain file (`/proc/cpuinfo`, a sysfs entry). */
export function fileUnreadable(error: unknown, path: string): Unreadable {
  const own = ownReason(error);
  if (own) return own;
  const code = codeOf(error);
  if (code === 'ELOOP') return LINK_LOOP;
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'permission denied', fix: ROOT_FIX };
  if (code === 'ENOENT') {
    return path.startsWith('/proc')
      ? { reason: 'it does not exist', fix: 'mount procfs (mount -t proc proc /proc)' }
      : { reason: 'it does not exist', fix: 'run coco on the Linux machine itself' };
  }
  if (code === 'EISDIR')
    return { reason: 'it is a directory, not a file', fix: 'check that the kernel provides it' };
  return { reason: `cannot be read (${code})`, fix: ROOT_FIX };
}
