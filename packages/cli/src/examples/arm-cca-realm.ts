import type { BundledExample } from './model.js';

/** An Arm CCA realm guest on Linux 6.15, started by kvmtool under TF-RMM on the Arm FVP. */
export const armCcaRealm: BundledExample = {
  name: 'arm-cca-realm',
  description: 'Arm CCA realm guest (Linux 6.15 under TF-RMM v0.8.0 on the Arm FVP, kvmtool --realm)',
  sources: [
    'kernel log: the banner, "RME: Using RSI version 1.0" and the end of boot of a real realm boot, DaiZhiyuan/arm-cca-forge README.md @ebab043267d7 ("Relam VM (EL1&EL0)"); only the lines a snapshot keeps',
    '"RME: Using RSI version %lu.%lu" is rsi_version_matches() in Linux arch/arm64/kernel/rsi.c (v6.13+); it is printed before realm support is turned on',
    '/sys/devices/platform/arm-cca-dev: registered by arm64_create_dummy_rsi_dev() in every realm from v6.14 (rsi.c); systemd prints cca when it exists (src/basic/confidential-virt.c)',
    '/sys/module/arm_cca_guest: the attestation module, which loads only in a realm and registers the configfs-tsm provider arm_cca_guest (drivers/virt/coco/arm-cca-guest)',
    'cpuinfo: "CPU architecture: 8" as arm64 c_show() prints it (arch/arm64/kernel/cpuinfo.c); the Features words are representative',
  ],
  snapshot: {
    format: 'coco-snapshot/2',
    kernelLog: [
      '[    0.000000] Linux version 6.15.0-rc1-g916aeec68dd4 (tuxmake@shrinkwrap) (aarch64-linux-gnu-gcc (Debian 14.2.0-19) 14.2.0, GNU ld (GNU Binutils for Debian) 2.44) #1 SMP PREEMPT @1768980112',
      '[    0.000000] RME: Using RSI version 1.0',
      '[   52.767816] Freeing unused kernel memory: 3200K',
      '[   52.792966] Run /sbin/init as init process',
    ],
    cpuinfo: {
      'CPU architecture': '8',
      Features:
        'fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 asimdfhm dit uscat ilrcpc flagm sb paca pacg dcpodp flagm2 frint',
    },
    files: {
      '/sys/devices/platform/arm-cca-dev': true,
      '/sys/module/arm_cca_guest': true,
      '/proc/sys/kernel/osrelease': { exists: true, content: '6.15.0-rc1-g916aeec68dd4\n' },
    },
  },
};
