import type { LogLine } from './model.js';

/** What a kernel log says about itself: whether it holds a whole boot, and from which kernel. */
export interface BootLogShape {
  /** The `Linux version ...` banner (init/main.c prints it first at every boot), when present. */
  readonly banner: LogLine | null;
  /** The kernel's major and minor version, from the banner. */
  readonly kernelVersion: { readonly major: number; readonly minor: number } | null;
  /** True when a line shows that the log was cut (`...` in a ticket, `<snip>`). */
  readonly elided: boolean;
  /**
   * The first line after the banner that the kernel prints only at the end of its boot, once all
   * of its own setup is done (`Freeing unused kernel ... memory`, `Run /sbin/init as init process`),
   * when present: it shows that the log was not cut at its end (`dmesg | head`) nor filtered by
   * level (`journalctl -p notice` keeps the banner, a `pr_notice`, and drops the `pr_info` lines).
   */
  readonly end: LogLine | null;
  /**
   * True when the log can prove a line absent: it starts at the banner (the ring buffer had not
   * wrapped), reaches the end of the kernel's boot, and nothing was cut. A `grep` of a log, its
   * first lines, or a few lines pasted, are never complete.
   */
  readonly complete: boolean;
}

// init/main.c: pr_notice("%s", linux_banner), "Linux version %s (%s) ..." since the first releases.
const BANNER = /^Linux version (\d{1,3})\.(\d{1,3})\S{0,64} \(/;
/** The text a normalised elision marker has (core's normaliser turns `…`, `[...]`, `<snip>` into it). */
export const ELISION = '...';

// The kernel's last boot lines, printed by kernel_init (init/main.c) after every initcall and after
// mem_encrypt_init (arch_cpu_finalize_init, start_kernel): free_initmem's "Freeing unused kernel
// image (initmem) memory: %ldK" (x86 v4.19+; "Freeing unused kernel memory: %ldK" in older kernels
// and on other architectures, mm/page_alloc.c free_reserved_area), and "Run %s as init process"
// (v5.9+). Both are pr_info.
const END = /^(?:Freeing unused kernel\b|Run \S{1,4096} as init process$)/;

/**
 * The lines core itself reads: the banner and the end of boot, which together prove a log whole,
 * and elision markers.
 */
export const CORE_LOG_PATTERNS: readonly RegExp[] = Object.freeze([/^Linux version \d/, END, /^\.\.\.$/]);

const cache = new WeakMap<readonly LogLine[], BootLogShape>();

/** Reads the shape of a normalised kernel log; computed once per list of lines. */
export function readBootLog(lines: readonly LogLine[]): BootLogShape {
  const known = cache.get(lines);
  if (known) return known;
  let banner: LogLine | null = null;
  let version: BootLogShape['kernelVersion'] = null;
  let end: LogLine | null = null;
  let elided = false;
  for (const line of lines) {
    if (line.text === ELISION) elided = true;
    else if (banner === null) {
      const match = BANNER.exec(line.text);
      if (match) {
        banner = line;
        version = Object.freeze({ major: Number(match[1]), minor: Number(match[2]) });
      }
    } else if (end === null && END.test(line.text)) end = line;
  }
  const shape: BootLogShape = Object.freeze({
    banner,
    kernelVersion: version,
    elided,
    end,
    complete: banner !== null && end !== null && !elided,
  });
  cache.set(lines, shape);
  return shape;
}

/** True when a kernel of `version` is at least `major.minor`. */
export function kernelAtLeast(
  version: { readonly major: number; readonly minor: number } | null,
  major: number,
  minor: number,
): boolean {
  return version !== null && (version.major > major || (version.major === major && version.minor >= minor));
}
