import type { BundledExample } from './model.js';

/** A KVM guest on IBM z15 running as a Secure Execution (Protected Virtualization) guest. */
export const s390PvGuest: BundledExample = {
  name: 's390-pv-guest',
  description: 'KVM guest on IBM z15 (8561) in Secure Execution: s390x Protected Virtualization',
  sources: [
    '/sys/firmware/uv/prot_virt_guest "1\\n": "%d\\n" of prot_virt_guest (Linux arch/s390/kernel/uv.c uv_is_prot_virt_guest, since 5.13), set by the decompressor when the ultravisor offers UVC_CMD_SET_SHARED_ACCESS and UVC_CMD_REMOVE_SHARED_ACCESS (arch/s390/boot/uv.c)',
    '/dev/uv: the ultravisor device for attestation and secrets (drivers/s390/char/uvdevice.c, Linux 5.19)',
    "cpuinfo vendor_id and features as arch/s390/kernel/processor.c show_cpu_summary prints them (a z15's feature words); the kernel banner is Ubuntu 24.04's s390x kernel's, representative; \"Linux is running under KVM in 64-bit mode\" is arch/s390/kernel/setup.c's",
  ],
  snapshot: {
    format: 'coco-snapshot/2',
    cpuinfo: {
      vendor_id: 'IBM/S390',
      features:
        'esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx vxd vxe gs vxe2 vxp sort dflt',
    },
    files: {
      '/sys/firmware/uv/prot_virt_guest': { exists: true, content: '1\n' },
      '/sys/firmware/uv': true,
      '/dev/uv': true,
    },
    kernelLog: [
      '[    0.000000] Linux version 6.8.0-49-generic (buildd@bos01-s390x-010) (s390x-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #49-Ubuntu SMP Mon Nov  4 02:04:19 UTC 2024 (Ubuntu 6.8.0-49.49-generic 6.8.12)',
      '[    0.000000] setup: Linux is running under KVM in 64-bit mode',
    ],
  },
};
