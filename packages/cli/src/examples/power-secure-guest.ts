import type { BundledExample } from './model.js';

/** A KVM (QEMU pseries) guest on POWER9 running as a secure VM under the Protected Execution Facility. */
export const powerSecureGuest: BundledExample = {
  name: 'power-secure-guest',
  description: 'KVM pseries guest on POWER9 with the ultravisor, booted with svm=on: a PEF secure VM',
  sources: [
    '/sys/devices/system/cpu/svm "1\\n": "%u\\n" of is_secure_guest(), the MSR S bit (Linux arch/powerpc/kernel/sysfs.c show_svm; Documentation/ABI/testing/sysfs-devices-system-cpu, August 2019)',
    "cpuinfo fields as arch/powerpc/kernel/setup-common.c and platforms/pseries/setup.c print them; the model is QEMU pseries's; timebase is representative of POWER9",
    'no kernel-log line: prom_init\'s "Switching to secure mode." is written to the firmware console (prom_printf), not the kernel log',
  ],
  snapshot: {
    format: 'coco-snapshot/2',
    cpuinfo: {
      cpu: 'POWER9 (architected), altivec supported',
      timebase: '512000000',
      platform: 'pSeries',
      machine: 'CHRP IBM pSeries (emulated by qemu)',
      MMU: 'Radix',
    },
    files: {
      '/sys/devices/system/cpu/svm': { exists: true, content: '1\n' },
    },
  },
};
