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

const SIZE_4K = 4096;
const SIZE_2M = 2 * 1024 * 1024;
const SIZE_1G = 1024 * 1024 * 1024;

const step = (kind: string, detail: string): ConversionStep => ({ kind, detail });

// The generic order is arch/x86/mm/pat/set_memory.c __set_memory_enc_pgtable(): cache flush (when
// required), prepare hook, page-table change, TLB flush, finish hook. The AMD hooks are
// arch/x86/mm/mem_encrypt_amd.c amd_enc_status_change_prepare()/_finish(); the SNP work is
// arch/x86/coco/sev/core.c __set_pages_state() (v6.18).
const CACHE = step(
  'flush-cache',
  'flush the range from the caches (clflush), unless the CPU has SME_COHERENT',
);
const TO_SHARED_PTE = step('page-table-change', 'clear the C-bit in the page-table entries');
const TO_PRIVATE_PTE = step('page-table-change', 'set the C-bit in the page-table entries');
const TLB = step('flush-tlb', 'flush the TLB for the range (always required with the C-bit)');
const KVM_NOTIFY = step(
  'notify-host',
  `KVM hypercall MAP_GPA_RANGE (${KVM_HC_MAP_GPA_RANGE}) per mapped page, through notify_page_enc_status_changed; only on KVM with KVM_FEATURE_MIGRATION_CONTROL, a no-op elsewhere`,
);
const PSC = (state: string) =>
  step(
    'notify-host',
    `GHCB page state change to ${state} (VMGEXIT 0x80000010), re-issued until the host has processed every entry`,
  );

const NOTIFY_PROTOCOL: ConversionProtocol = {
  name: 'KVM page encryption status notification',
  mechanism: `KVM_HC_MAP_GPA_RANGE (hypercall ${KVM_HC_MAP_GPA_RANGE}), a paravirt notification on KVM only`,
  batchLimit: null,
  batchUnit: 'pages',
  pageSizes: [SIZE_4K, SIZE_2M, SIZE_1G],
  retry: null,
  toShared: [TO_SHARED_PTE, TLB, KVM_NOTIFY],
  toPrivate: [TO_PRIVATE_PTE, TLB, KVM_NOTIFY],
};

const SNP_PROTOCOL: ConversionProtocol = {
  name: 'SNP page state change',
  mechanism: `GHCB page state change request (VMGEXIT, SW_EXITCODE 0x80000010); before the GHCB is set up, the GHCB MSR protocol request 0x${GHCB_MSR_PSC_REQ.toString(16).padStart(3, '0')}, one page at a time`,
  batchLimit: PSC_MAX_ENTRIES,
  batchUnit: 'entries',
  pageSizes: [SIZE_4K, SIZE_2M],
  retry:
    'the guest re-issues the request until the host has processed every entry (cur_entry past end_entry); a host that moves backwards is fatal',
  toShared: [
    step('rescind-validation', 'PVALIDATE with validate=0 on every page, BEFORE the page state change'),
    PSC('shared'),
    TO_SHARED_PTE,
    TLB,
    KVM_NOTIFY,
  ],
  toPrivate: [
    TO_PRIVATE_PTE,
    TLB,
    PSC('private'),
    step('validate', 'PVALIDATE with validate=1 on every page, AFTER the page state change'),
    KVM_NOTIFY,
  ],
};

/** The inputs quirks depend on. */
export interface AmdCbitQuirkInputs {
  readonly variant: AmdCbitVariant;
  /** CPUID 0x8000001F EAX bit 10; `undefined` when unknown, which means the cache must be flushed. */
  readonly smeCoherent?: boolean | undefined;
}

function withCacheFlush(protocol: ConversionProtocol | null, cache: boolean): ConversionProtocol | null {
  if (!protocol || !cache) return protocol;
  return { ...protocol, toShared: [CACHE, ...protocol.toShared], toPrivate: [CACHE, ...protocol.toPrivate] };
}

/**
 * The quirks of one amd-cbit machine (facts §5): TLB flush always; cache flush unless SME_COHERENT;
 * SNP converts through GHCB page state changes with PVALIDATE rescinded before going shared and
 * done after going private; every SEV guest notifies KVM with MAP_GPA_RANGE; an SME host converts
 * with no protocol at all; plain SEV unrolls string I/O.
 */
export function amdCbitQuirks(inputs: AmdCbitQuirkInputs): Quirks {
  const { variant } = inputs;
  const cache = inputs.smeCoherent !== true;
  const base = variant === 'sev-snp' ? SNP_PROTOCOL : variant === 'sme' ? null : NOTIFY_PROTOCOL;
  const notes: string[] = [];
  if (inputs.smeCoherent === undefined)
    notes.push('SME_COHERENT (CPUID 0x8000001F EAX bit 10) is unknown, so the cache flush is kept.');
  if (variant === 'sev-snp')
    notes.push(
      `The kernel sends at most ${PSC_KERNEL_BATCH} page state change entries per request (since v6.5); the GHCB allows ${PSC_MAX_ENTRIES}. A 2M entry is used when the range is 2M-aligned and at least 2M long.`,
    );
  if (variant === 'sev')
    notes.push(
      'Plain SEV has no #VC handler, so INS/OUTS are unrolled into IN/OUT (GUEST_UNROLL_STRING_IO).',
    );
  if (variant === 'sme')
    notes.push(
      'An SME host changes the C-bit with in-place encryption and tells no one: no conversion protocol.',
    );
  return defineQuirks({
    privateMmio: [],
    flush: { toShared: { cache, tlb: true }, toPrivate: { cache, tlb: true } },
    conversion: withCacheFlush(base, cache),
    unrollStringIo: variant === 'sev',
    notes,
  });
}
