import {
  absent,
  type BackendResult,
  type CocoType,
  type CvmProcedure,
  cannotTell,
  checkParams,
  createType,
  type DetectContext,
  defineBackend,
  type Evidence,
  type FactKind,
  type JsonValue,
  PLUGIN_INTERFACE_VERSION,
} from '@coco/core';

// Everything here comes from the out-of-tree "[RFC 00/48] RISC-V CoVE support" series (Atish Patra,
// 2023-04-19, Message-ID 20230419221716.3603068-1-atishp@rivosinc.com): mainline Linux has no CoVE
// guest code as of v6.19, so this is what a third party would ship on its own.

/** The SBI extension id of CoVE's guest interface: "COVG" (arch/riscv/include/asm/sbi.h of the series). */
export const SBI_EXT_COVG = 0x434f_5647;
/** COVG function ids: SHARE_MEMORY 2, UNSHARE_MEMORY 3 (the same series). */
export const COVG_SHARE_MEMORY = 2;
export const COVG_UNSHARE_MEMORY = 3;

/**
 * The result of probing an SBI extension (`sbi_probe_extension`), by extension id in hex: the
 * plugin's own namespaced fact, which a snapshot carries as `{"cove.sbi-probe": {"0x434f5647": 1}}`.
 */
export const SBI_PROBE_FACT: FactKind<number> = {
  id: 'cove.sbi-probe',
  title: 'SBI extension probes',
  decode(json: JsonValue, key: string): number {
    if (!/^0x[0-9a-f]{1,8}$/.test(key)) throw new Error(`key ${key} is not an extension id in hex`);
    if (typeof json !== 'number' || !Number.isInteger(json)) throw new Error('not an integer');
    return json;
  },
  encode: (value: number) => value,
  describeKey: (key: string) => `sbi probe ${key}`,
};

const COVG_KEY = `0x${SBI_EXT_COVG.toString(16)}`;

/** A CoVE guest (TVM): the series' cc_platform_has answers MEM_ENCRYPT and GUEST_MEM_ENCRYPT. */
export function createCoveType(params: unknown = {}): CocoType {
  checkParams({}, params, 'riscv-cove params');
  return createType({
    id: 'acme:riscv-cove',
    title: 'RISC-V CoVE guest (TVM)',
    attributes: ['mem-encrypt', 'guest-mem-encrypt'],
    maskBit: 'none',
    maskName: 'SBI COVG call',
    quirks: {
      privateMmio: [],
      flush: { toShared: { cache: false, tlb: false }, toPrivate: { cache: false, tlb: false } },
      conversion: {
        name: 'CoVE COVG share/unshare',
        mechanism: `sbi_ecall(COVG 0x${SBI_EXT_COVG.toString(16)}, SHARE_MEMORY ${COVG_SHARE_MEMORY} / UNSHARE_MEMORY ${COVG_UNSHARE_MEMORY}, addr, len)`,
        batchLimit: null,
        batchUnit: 'bytes',
        pageSizes: [4096],
        retry: null,
        toShared: [
          { kind: 'firmware-call', detail: `COVG SHARE_MEMORY (${COVG_SHARE_MEMORY}) over the byte range` },
        ],
        toPrivate: [
          {
            kind: 'firmware-call',
            detail: `COVG UNSHARE_MEMORY (${COVG_UNSHARE_MEMORY}) over the byte range`,
          },
        ],
      },
      unrollStringIo: false,
      notes: ['MMIO regions are registered with COVG ADD_MMIO_REGION from the ioremap hook.'],
      extra: { 'acme:sbi-extension': 'COVG' },
    },
    // systemd has no RISC-V detection: it prints none.
    cvm: 'none',
    note: 'systemd-detect-virt --cvm has no RISC-V detection and prints none',
  });
}

/** The machine is RISC-V when its cpuinfo has an `isa` field starting rv32/rv64 (arch/riscv/kernel/cpu.c). */
function isRiscv(evidence: Evidence): boolean | undefined {
  const isa = evidence.cpuinfo.get('isa')?.value;
  if (isa !== undefined) return /^rv(32|64)/.test(isa);
  return evidence.cpuinfo.size > 0 ? false : undefined;
}

function detectCove(evidence: Evidence, context: DetectContext): BackendResult {
  const riscv = isRiscv(evidence);
  const probe = evidence.fact(SBI_PROBE_FACT, COVG_KEY);
  if (riscv === false && !probe) return null;
  if (!probe) {
    return riscv
      ? cannotTell('the COVG SBI probe was not read', 'take a snapshot inside the guest with the acme probe')
      : null;
  }
  context.step(SBI_PROBE_FACT.id, `sbi_probe_extension(COVG) = ${probe.value}`, `sbi probe ${COVG_KEY}`);
  if (probe.value <= 0) return absent('the SBI implementation has no COVG extension');
  return { type: createCoveType() };
}

/** systemd's label on RISC-V: none, for every machine (no detection on this architecture). */
const RISCV_CVM: CvmProcedure = {
  id: 'systemd-riscv64',
  read: (evidence) =>
    isRiscv(evidence) ? { label: 'none', steps: ['systemd has no RISC-V detection'] } : null,
};

/** The third party's backend, on plugin interface 2. */
export const riscvCoveBackend = defineBackend({
  kind: 'backend',
  id: 'acme:riscv-cove',
  packageName: 'coco-plugin-riscv-cove',
  interfaceVersion: PLUGIN_INTERFACE_VERSION,
  variants: [
    {
      variant: null,
      title: 'RISC-V CoVE guest (TVM)',
      attributes: ['guest-mem-encrypt', 'mem-encrypt'],
      cvm: 'none',
    },
  ],
  params: {},
  createType: createCoveType,
  detect: detectCove,
  facts: [SBI_PROBE_FACT as FactKind],
  probes: { architectures: ['riscv64'], cpuinfo: ['isa', 'mmu'] },
  cvm: RISCV_CVM,
});
