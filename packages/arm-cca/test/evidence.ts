import { type Evidence, EvidenceBuilder, mergeEvidence, parseCpuinfo, parseKernelLog } from '@coco/core';

// Real kernel-log lines, each with its source. Lines left out of an excerpt are other subsystems'.

/**
 * A realm guest's boot (Linux 6.15.0-rc1 under TF-RMM v0.8.0 on the Arm FVP Base RevC, started by
 * kvmtool `--realm`): DaiZhiyuan/arm-cca-forge README.md @ebab043267d7, section "Relam VM (EL1&EL0)".
 * An excerpt: the banner, the PSCI probe, the RSI line, swiotlb's bounce-buffer line, the end of boot.
 */
export const REALM_BOOT_LOG = [
  '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd0f0]',
  '[    0.000000] Linux version 6.15.0-rc1-g916aeec68dd4 (tuxmake@shrinkwrap) (aarch64-linux-gnu-gcc (Debian 14.2.0-19) 14.2.0, GNU ld (GNU Binutils for Debian) 2.44) #1 SMP PREEMPT @1768980112',
  '[    0.000000] psci: probing for conduit method from ACPI.',
  '[    0.000000] psci: PSCIv1.1 detected in firmware.',
  '[    0.000000] psci: Using standard PSCI v0.2 function IDs',
  '[    0.000000] psci: SMC Calling Convention v1.2',
  '[    0.000000] RME: Using RSI version 1.0',
  '[    0.000000] percpu: Embedded 24 pages/cpu s60952 r8192 d29160 u98304',
  '[   40.643161] software IO TLB: Memory encryption is active and system is using DMA bounce buffers',
  '[   52.767816] Freeing unused kernel memory: 3200K',
  '[   52.792966] Run /sbin/init as init process',
].join('\n');

/**
 * The host of that realm (Linux 6.15.0-rc1 at non-secure EL2 on the same FVP; the RMM answers its RMI
 * calls): the same README, section "Linux (Non-secure EL2&EL0 with VHE mode)". Its whole log has no
 * `RME:` line. An excerpt: the banner, the PSCI probe and the next line, KVM's RMI lines, the end.
 */
export const HOST_BOOT_LOG = [
  '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd0f0]',
  '[    0.000000] Linux version 6.15.0-rc1-g916aeec68dd4 (tuxmake@shrinkwrap) (aarch64-linux-gnu-gcc (Debian 14.2.0-19) 14.2.0, GNU ld (GNU Binutils for Debian) 2.44) #1 SMP PREEMPT @1768980112',
  '[    0.000000] Machine model: FVP Base RevC',
  '[    0.000000] psci: probing for conduit method from ACPI.',
  '[    0.000000] psci: PSCIv1.1 detected in firmware.',
  '[    0.000000] psci: Using standard PSCI v0.2 function IDs',
  '[    0.000000] psci: SMC Calling Convention v1.5',
  '[    0.000000] percpu: Embedded 24 pages/cpu s60952 r8192 d29160 u98304',
  '[    0.716726] kvm [1]: RMI ABI version 1.0',
  '[    0.717352] kvm [1]: IPA Size Limit: 48 bits',
  '[    2.321237] Freeing unused kernel memory: 3200K',
  '[    2.321948] Run /sbin/init as init process',
].join('\n');

/**
 * A kvmtool realm with its memory above 2^47 (`lkvm run --realm -m 512M@128T`), in the message of
 * "arm64: realm: Fix PTE_NS_SHARED for 52bit PA support" (upstream 8c6e9b60f5c7, Suzuki K Poulose;
 * 6.19-stable review <20260323134511.394565416@linuxfoundation.org>): `dmesg | grep "LPA2\|RSI"`.
 */
export const LPA2_REALM_GREP = [
  '[    0.000000] RME: Using RSI version 1.0',
  '[    0.000000] CPU features: detected: 52-bit Virtual Addressing (LPA2)',
  '[    0.777354] CPU features: detected: 52-bit Virtual Addressing for KVM (LPA2)',
].join('\n');

/**
 * The refusal, as `rsi_version_matches()` formats it (arch/arm64/kernel/rsi.c, v6.18.2): the kernel
 * asks for 1.0, here of an RMM that supports only 2.0 (the numbers are illustrative, the text is the
 * kernel's format string filled in).
 */
export const REFUSED_LINE =
  "[    0.000000] RME: RMM doesn't support RSI version 1.0. Supported range: 2.0-2.0";

/**
 * `WARN_ON(rsi_get_realm_config(&config))` as `__warn()` (kernel/panic.c, v6.18.2) prints it:
 * "WARNING: CPU: %d PID: %d at %s:%d %pS" with rsi.c line 147 (v6.18.2); the offsets are illustrative.
 */
export const CONFIG_WARNING_LINE =
  '[    0.000000] WARNING: CPU: 0 PID: 0 at arch/arm64/kernel/rsi.c:147 arm64_rsi_init+0x98/0x1d0';

/**
 * arm64 `/proc/cpuinfo` as `c_show()` (arch/arm64/kernel/cpuinfo.c) writes it, for the FVP's CPU:
 * MIDR 0x410fd0f0 from the realm's "Booting Linux on physical CPU" line gives implementer 0x41,
 * variant 0x0, part 0xd0f, revision 0; BogoMIPS 200.00 from its "Calibrating delay loop" line. The
 * Features words are representative.
 */
export const FVP_CPUINFO = [
  'processor\t: 0',
  'BogoMIPS\t: 200.00',
  'Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 asimdfhm dit uscat ilrcpc flagm sb paca pacg dcpodp flagm2 frint',
  'CPU implementer\t: 0x41',
  'CPU architecture: 8',
  'CPU variant\t: 0x0',
  'CPU part\t: 0xd0f',
  'CPU revision\t: 0',
  '',
].join('\n');

/** x86-64 `/proc/cpuinfo` head (an AMD EPYC guest): the fields arm64 never prints. */
export const X86_CPUINFO = [
  'processor\t: 0',
  'vendor_id\t: AuthenticAMD',
  'cpu family\t: 25',
  'model\t\t: 1',
  'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm hypervisor sev sev_es sev_snp',
  '',
].join('\n');

export const ARM_CCA_DEV = '/sys/devices/platform/arm-cca-dev';
export const ARM_CCA_MODULE = '/sys/module/arm_cca_guest';
export const OSRELEASE = '/proc/sys/kernel/osrelease';

/** Evidence from the parts given: a kernel log, cpuinfo, files (`[path, exists, content?]`). */
export function evidenceOf(parts: {
  readonly log?: string;
  readonly cpuinfo?: string;
  readonly files?: readonly (readonly [string, boolean, string?])[];
  readonly build?: (b: EvidenceBuilder) => void;
}): Evidence {
  const list: Evidence[] = [];
  if (parts.cpuinfo !== undefined) list.push(parseCpuinfo(parts.cpuinfo, { source: 'cpuinfo' }));
  const b = new EvidenceBuilder();
  if (parts.log !== undefined) b.addLogLines(parseKernelLog(parts.log, { source: 'dmesg' }));
  for (const [path, exists, content] of parts.files ?? []) b.setFile(path, exists, 'test', content);
  parts.build?.(b);
  list.push(b.build());
  return mergeEvidence(...list);
}
