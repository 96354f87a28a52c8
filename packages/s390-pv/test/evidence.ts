import type { Evidence } from '@coco/core';
import { readRoot as readTree } from '../../../tools/testing/probe-root.js';
import { s390PvBackend } from '../src/index.js';

export {
  evidence,
  PSERIES_CPUINFO,
  recorder,
  S390_CPUINFO,
  X86_CPUINFO,
} from '../../../tools/testing/backend-evidence.js';

export const PVG = '/sys/firmware/uv/prot_virt_guest';

// init/main.c prints the banner first at every boot; this is Ubuntu 24.04's s390x kernel's.
export const BANNER_6_8 =
  '[    0.000000] Linux version 6.8.0-49-generic (buildd@bos01-s390x-010) (s390x-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #49-Ubuntu SMP Mon Nov  4 02:04:19 UTC 2024 (Ubuntu 6.8.0-49.49-generic 6.8.12)';
// RHEL 8's kernel 4.18 (before prot_virt_guest, which Linux 5.13 added).
export const BANNER_4_18 =
  '[    0.000000] Linux version 4.18.0-553.el8_10.s390x (mockbuild@s390-070.build.eng.bos.redhat.com) (gcc version 8.5.0 20210514 (Red Hat 8.5.0-22) (GCC)) #1 SMP Fri May 10 15:19:13 EDT 2024';

/**
 * Reads a probe-root tree as the live probe reads a machine: the files the plugin declares (their
 * text when it reads contents), the cpuinfo fields it declares (as `coco snapshot` keeps them), and
 * the saved `dmesg`.
 */
export function readRoot(root: string): Evidence {
  return readTree(root, s390PvBackend.probes, 'declared');
}
