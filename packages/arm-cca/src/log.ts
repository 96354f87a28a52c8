import type { LogLine } from '@coco/core';

/**
 * `rsi_version_matches()` (arch/arm64/kernel/rsi.c, v6.13 to v6.19; the file has no `pr_fmt`) prints
 * this when the RMM accepts the kernel's RSI ABI version: `RME: Using RSI version 1.0`. Every path
 * that turns realm support on (`static_branch_enable(&rsi_present)` in `arm64_rsi_init`) passes
 * through it, so a whole boot log without it is not a realm's.
 */
export const RSI_VERSION_LINE = /^RME: Using RSI version (\d{1,5})\.(\d{1,5})$/;

/**
 * The same function's refusal (`pr_err`): the firmware answered RSI_ABI_VERSION, so the kernel runs in
 * a realm, but it refused the version, and `arm64_rsi_init` returns before realm support is on:
 * `cc_platform_has()` answers false for everything and no page is ever shared by the shared bit.
 */
export const RSI_REFUSED_LINE =
  /^RME: RMM doesn't support RSI version (\d{1,5})\.(\d{1,5})\. Supported range: (\d{1,5})\.(\d{1,5})-(\d{1,5})\.(\d{1,5})$/;

/**
 * `arm64_create_dummy_rsi_dev()` (rsi.c, v6.14 and later) prints this only when `is_realm_world()` is
 * true and registering `/sys/devices/platform/arm-cca-dev` failed.
 */
export const RSI_DEVICE_FAILED_LINE = /^failed to register rsi platform device$/;

/**
 * `WARN_ON(rsi_get_realm_config(&config))` in `arm64_rsi_init`: `__warn()` (kernel/panic.c) prints
 * `WARNING: CPU: 0 PID: 0 at arch/arm64/kernel/rsi.c:147 arm64_rsi_init+0x...` (or without the file
 * and line). The RMM accepted the version but gave no realm configuration, and realm support stays off.
 */
export const RSI_CONFIG_WARNING_LINE =
  /^WARNING: CPU: \d{1,5} PID: \d{1,10} at (?:\S{1,256}:\d{1,6} )?arm64_rsi_init\+/;

/** Every kernel-log line this backend reads (core keeps them in snapshots). */
export const ARM_CCA_LOG_PATTERNS: readonly RegExp[] = Object.freeze([
  RSI_VERSION_LINE,
  RSI_REFUSED_LINE,
  RSI_DEVICE_FAILED_LINE,
  RSI_CONFIG_WARNING_LINE,
]);

/** One matched line, with where it is (`dmesg line 12`). */
export interface RsiLine {
  readonly line: LogLine;
  /** `line 12 of <source>`, for messages. */
  readonly where: string;
  /** The fact id for trail steps: `dmesg line 12`. */
  readonly fact: string;
}

/** A `RME: Using RSI version` line and the version it names. */
export interface RsiVersionLine extends RsiLine {
  readonly major: number;
  readonly minor: number;
}

/** A refusal line: the version the kernel asked for and the range the RMM supports. */
export interface RsiRefusedLine extends RsiLine {
  readonly requested: string;
  readonly supported: string;
}

/** The RSI lines of a kernel log, in order. */
export interface RsiLines {
  readonly using: readonly RsiVersionLine[];
  readonly refused: readonly RsiRefusedLine[];
  readonly deviceFailed: readonly RsiLine[];
  readonly configWarning: readonly RsiLine[];
}

function located(line: LogLine): RsiLine {
  return { line, where: `line ${line.line} of ${line.source}`, fact: `dmesg line ${line.line}` };
}

/** Finds the lines of {@link ARM_CCA_LOG_PATTERNS} in a normalised kernel log. */
export function findRsiLines(log: readonly LogLine[]): RsiLines {
  const using: RsiVersionLine[] = [];
  const refused: RsiRefusedLine[] = [];
  const deviceFailed: RsiLine[] = [];
  const configWarning: RsiLine[] = [];
  for (const line of log) {
    const text = line.text;
    if (!text.startsWith('RME: ') && !text.startsWith('WARNING: ') && !text.startsWith('failed to')) continue;
    let m = RSI_VERSION_LINE.exec(text);
    if (m) {
      using.push({ ...located(line), major: Number(m[1]), minor: Number(m[2]) });
      continue;
    }
    m = RSI_REFUSED_LINE.exec(text);
    if (m) {
      refused.push({
        ...located(line),
        requested: `${m[1]}.${m[2]}`,
        supported: `${m[3]}.${m[4]}-${m[5]}.${m[6]}`,
      });
      continue;
    }
    if (RSI_DEVICE_FAILED_LINE.test(text)) deviceFailed.push(located(line));
    else if (RSI_CONFIG_WARNING_LINE.test(text)) configWarning.push(located(line));
  }
  return { using, refused, deviceFailed, configWarning };
}
