import { type Evidence, type FileFact, readBootLog } from '@coco/core';

/**
 * `/sys/devices/platform/arm-cca-dev`: the platform device `arm64_create_dummy_rsi_dev()` registers
 * when `is_realm_world()` (arch/arm64/kernel/rsi.c, `RSI_PDEV_NAME` in arch/arm64/include/asm/rsi.h).
 * Added in v6.14; present in v6.14, v6.18.2 and v6.19. systemd's aarch64 `--cvm` procedure tests it.
 */
export const ARM_CCA_DEV = '/sys/devices/platform/arm-cca-dev';

/**
 * `/sys/module/arm_cca_guest`: the loaded `arm-cca-guest` module (drivers/virt/coco/arm-cca-guest,
 * `KBUILD_MODNAME` `arm_cca_guest`). Its init returns `-ENODEV` unless `is_realm_world()`, and a module
 * whose init fails is freed with its sysfs directory (kernel/module/main.c `do_init_module`), so the
 * directory proves a realm. Built in (`=y`) it has no directory: the module has no parameters and no
 * version (kernel/params.c), so its absence proves nothing.
 */
export const ARM_CCA_MODULE = '/sys/module/arm_cca_guest';

/** The kernel release (`6.14.0-1-arm64\n`), to tell which kernel facts apply. */
export const OSRELEASE = '/proc/sys/kernel/osrelease';

/**
 * configfs-tsm report directories (`/sys/kernel/config/tsm/report/<name>/provider`): the directory is
 * made by whoever asks for a report, so no fixed path can be probed; a snapshot or a root tree may hold
 * one. The provider reads `arm_cca_guest\n` for the CCA driver (`.name = KBUILD_MODNAME`,
 * drivers/virt/coco/guest/report.c prints `"%s\n"`), which registers only in a realm.
 */
export const TSM_PROVIDER = /^\/sys\/kernel\/config\/tsm\/report\/[^/]{1,255}\/provider$/;

/** The provider name of the CCA attestation driver. */
export const CCA_TSM_PROVIDER = 'arm_cca_guest';

/** The first and last kernels known to register `arm-cca-dev` whenever they run in a realm. */
export const ARM_CCA_DEV_SINCE = { major: 6, minor: 14 } as const;
/**
 * The newest kernel checked (v6.19). A patch series posted from October 2025 renames the device to
 * `arm-rsi-dev` (a faux device); whether and when it lands is not known, so a newer kernel without
 * `arm-cca-dev` proves nothing.
 */
export const ARM_CCA_DEV_CHECKED_UNTIL = { major: 6, minor: 19 } as const;

/** cpuinfo fields arm64's `c_show` never prints and other architectures do (x86 `flags`, s390 `features`, ...). */
const OTHER_ARCH_FIELDS = ['flags', 'vendor_id', 'features', 'cpu', 'cpu family'];

/** What the evidence says about the architecture. */
export interface ArchReading {
  /** `true`: arm64; `false`: another architecture; `undefined`: the evidence does not say. */
  readonly arm64: boolean | undefined;
  /** Why, for the trail. */
  readonly says: string;
  readonly fact?: string;
}

/**
 * arm64's `/proc/cpuinfo` always has `CPU architecture: 8` (arch/arm64/kernel/cpuinfo.c `c_show`; a
 * 32-bit Arm kernel prints 7 or lower), and `Features` for the hardware capabilities.
 */
export function readArch(evidence: Evidence): ArchReading {
  const arch = evidence.cpuinfo.get('CPU architecture');
  if (arch) {
    return arch.value.trim() === '8'
      ? {
          arm64: true,
          says: `cpuinfo "CPU architecture: 8" from ${arch.source}: arm64`,
          fact: 'cpuinfo CPU architecture',
        }
      : {
          arm64: false,
          says: `cpuinfo "CPU architecture: ${arch.value}" from ${arch.source}: not arm64 (arm64 prints 8)`,
          fact: 'cpuinfo CPU architecture',
        };
  }
  for (const field of OTHER_ARCH_FIELDS) {
    const v = evidence.cpuinfo.get(field);
    if (v)
      return {
        arm64: false,
        says: `cpuinfo has "${field}" (from ${v.source}), which arm64 never prints: not arm64`,
        fact: `cpuinfo ${field}`,
      };
  }
  return { arm64: undefined, says: 'the evidence does not show the architecture' };
}

/** The kernel's major and minor version, from the boot banner or `/proc/sys/kernel/osrelease`. */
export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly from: string;
  readonly fact: string;
}

export function readKernelVersion(evidence: Evidence): KernelVersion | null {
  const banner = readBootLog(evidence.kernelLog);
  if (banner.kernelVersion && banner.banner) {
    return {
      ...banner.kernelVersion,
      from: `the boot banner (line ${banner.banner.line} of ${banner.banner.source})`,
      fact: `dmesg line ${banner.banner.line}`,
    };
  }
  const release = evidence.file(OSRELEASE);
  const m = release?.content !== undefined ? /^(\d{1,3})\.(\d{1,3})/.exec(release.content.trim()) : null;
  if (release && m) {
    return {
      major: Number(m[1]),
      minor: Number(m[2]),
      from: `${OSRELEASE} "${release.content?.trim()}" (${release.source})`,
      fact: `file ${OSRELEASE}`,
    };
  }
  return null;
}

/** True when `v` is at least `min` and at most `max`. */
export function versionWithin(
  v: { readonly major: number; readonly minor: number },
  min: { readonly major: number; readonly minor: number },
  max: { readonly major: number; readonly minor: number },
): boolean {
  const n = v.major * 1000 + v.minor;
  return n >= min.major * 1000 + min.minor && n <= max.major * 1000 + max.minor;
}

/** A configfs-tsm provider file of the evidence and what it names. */
export interface TsmProvider {
  readonly path: string;
  readonly provider: string;
  readonly file: FileFact;
}

/** Every `/sys/kernel/config/tsm/report/<name>/provider` the evidence read with its content. */
export function tsmProviders(evidence: Evidence): TsmProvider[] {
  const out: TsmProvider[] = [];
  for (const [path, file] of evidence.files) {
    if (file.value && file.content !== undefined && TSM_PROVIDER.test(path))
      out.push({ path, provider: file.content.trim(), file });
  }
  return out;
}
