import { type ConversionProtocol, type ConversionStep, defineQuirks, type Quirks } from '@coco/core';
import type { AmdCbitVariant } from './variants.js';

/** Most entries one GHCB page state change request may carry (GHCB spec; `VMGEXIT_PSC_MAX_COUNT`). */
export const PSC_MAX_ENTRIES = 253;
/** Entries the kernel puts in one request since v6.5 (`VMGEXIT_PSC_MAX_ENTRY`, a stack-size limit). */
export const PSC_KERNEL_BATCH = 64;
/** The GHCB MSR protocol request code for a one-page state change (`GHCB_MSR_PSC_REQ`). */
export const GHCB_MSR_PSC_REQ = 0x014;
/** The SW_EXITCODE of a GHCB page state change request (`SVM_VMGEXIT_PSC`). */
export const SVM_VMGEXIT_PSC = 0x8000_0010;
/** KVM's hypercall that tells the host a guest range changed encryption state (`KVM_HC_MAP_GPA_RANGE`). */
export const KVM_HC_MAP_GPA_RANGE = 12;

const step = (kind: string, detail: string): ConversionStep => ({ kind, detail });

// The generic order is arch/x86/mm/pat/set_memory.c __set_memory_enc_pgtable(): cache flush (when
// required), prepare hook, page-table change, TLB flush, finish hook. The AMD hooks are
// arch/x86/mm/mem_encrypt_amd.c amd_enc_status_change_prepare()/_finish() (the finish hook calls
// KVM's notify_page_enc_status_changed for every SEV guest, SNP too); the SNP work is
// arch/x86/coco/sev/core.c __set_pages_state() (v6.18).
const CACHE = step('flush-cache', 'clflush the range (not needed with SME_COHERENT)');
const TLB = step('flush-tlb', 'flush the TLB (always)');
const PTE = (set: boolean) => step('page-table-change', `${set ? 'set' : 'clear'} the C-bit`);
const KVM = step(
  'notify-host',
  'KVM_HC_MAP_GPA_RANGE per mapping; only on KVM with KVM_FEATURE_MIGRATION_CONTROL',
);
const PSC = (state: string) =>
  step('notify-host', `GHCB page state change to ${state}, re-issued until every entry is done`);
const PVALIDATE = (kind: string, when: string) =>
  step(kind, `PVALIDATE on each page, ${when} the page state change`);

const NOTIFY_PROTOCOL: ConversionProtocol = {
  name: 'KVM MAP_GPA_RANGE',
  mechanism: `KVM hypercall ${KVM_HC_MAP_GPA_RANGE} (MAP_GPA_RANGE), KVM only`,
  batchLimit: null,
  batchUnit: 'pages',
  pageSizes: [4096, 2 ** 21, 2 ** 30],
  retry: null,
  toShared: [PTE(false), TLB, KVM],
  toPrivate: [PTE(true), TLB, KVM],
};

const SNP_PROTOCOL: ConversionProtocol = {
  name: 'SNP page state change',
  mechanism:
    'GHCB page state change (VMGEXIT 0x80000010); GHCB MSR request 0x014 for one page before the GHCB exists',
  batchLimit: PSC_MAX_ENTRIES,
  batchUnit: 'entries',
  pageSizes: [4096, 2 ** 21],
  retry: 're-issued until cur_entry passes end_entry; a host going backwards is fatal',
  toShared: [PVALIDATE('rescind-validation', 'BEFORE'), PSC('shared'), PTE(false), TLB, KVM],
  toPrivate: [PTE(true), TLB, PSC('private'), PVALIDATE('validate', 'AFTER'), KVM],
};

/** The inputs quirks depend on. */
export interface AmdCbitQuirkInputs {
  readonly variant: AmdCbitVariant;
  /** CPUID 0x8000001F EAX bit 10; `undefined` when unknown, which means the cache must be flushed. */
  readonly smeCoherent?: boolean | undefined;
}

/**
 * The quirks of one amd-cbit machine (facts §5): TLB flush always; cache flush unless SME_COHERENT;
 * SNP converts through GHCB page state changes with PVALIDATE rescinded before going shared and
 * done after going private; every SEV guest notifies KVM with MAP_GPA_RANGE; an SME host converts
 * with no protocol at all; plain SEV unrolls string I/O.
 */
export function amdCbitQuirks(inputs: AmdCbitQuirkInputs): Quirks {
  const { variant, smeCoherent } = inputs;
  const cache = smeCoherent !== true;
  const base = variant === 'sev-snp' ? SNP_PROTOCOL : variant === 'sme' ? null : NOTIFY_PROTOCOL;
  const notes: string[] = [];
  if (smeCoherent === undefined) notes.push('SME_COHERENT is unknown, so the cache is flushed.');
  if (variant === 'sev-snp')
    notes.push(
      `The kernel sends ${PSC_KERNEL_BATCH} entries per request (v6.5+); 2M entries for aligned 2M runs.`,
    );
  if (variant === 'sev') notes.push('No #VC handler: INS/OUTS are unrolled into IN/OUT.');
  if (variant === 'sme') {
    notes.push('A host: C-bit changes need no protocol.');
    notes.push(
      'DMA goes unencrypted only for devices that cannot address the C-bit (force_dma_unencrypted).',
    );
  }
  return defineQuirks({
    privateMmio: [],
    flush: { toShared: { cache, tlb: true }, toPrivate: { cache, tlb: true } },
    conversion:
      base && cache
        ? { ...base, toShared: [CACHE, ...base.toShared], toPrivate: [CACHE, ...base.toPrivate] }
        : base,
    unrollStringIo: variant === 'sev',
    // force_dma_unencrypted() is true whenever GUEST_MEM_ENCRYPT is (arch/x86/mm/mem_encrypt.c, v6.18);
    // on an SME host it depends on each device's DMA mask.
    forceDmaUnencrypted: variant !== 'sme',
    notes,
  });
}
