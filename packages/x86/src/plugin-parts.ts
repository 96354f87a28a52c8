import { CocoRangeError, describeValue, type EntryFormatSpec, type PluginProbes } from '@coco/core';
import { X86_FACT_PROBES } from './device-probes.js';
import { X86_FACTS } from './facts.js';
import { INTERFACE_1_ADAPTER } from './interface-1.js';
import { X86_ATTESTATION_FILES, X86_MACHINE_READER } from './machine.js';
import { X86_CVM_PROCEDURE } from './systemd.js';
import { TPM_DEVICES } from './vtpm.js';

/** The lowest bit of an x86-64 page-table entry's physical-address field (Intel SDM vol. 3A 4.5). */
export const X86_PA_BIT_MIN = 12;
/** The highest: bit 51, the top of the 52-bit physical-address field. */
export const X86_PA_BIT_MAX = 51;

/**
 * Refuses a mask bit outside the x86-64 physical-address field with `MASK_INVALID` naming the
 * input: core accepts any of the 64 bits, an x86 type only 12..51.
 */
export function checkX86MaskBit(bit: unknown, input = 'type.maskBit'): void {
  if (bit === null || bit === undefined) return;
  if (typeof bit !== 'number' || !Number.isInteger(bit) || bit < X86_PA_BIT_MIN || bit > X86_PA_BIT_MAX) {
    throw new CocoRangeError(
      `mask bit ${describeValue(bit)} is outside the physical-address field`,
      { input, fix: `use a bit from ${X86_PA_BIT_MIN} to ${X86_PA_BIT_MAX}` },
      'MASK_INVALID',
    );
  }
}

/**
 * The bit of a one-bit mask (such as a vTOM boundary address) inside the physical-address field;
 * throws `MASK_INVALID` naming `input` otherwise.
 */
export function x86MaskBitOf(mask: unknown, input = 'mask'): number {
  if (typeof mask === 'bigint' && mask > 0n && (mask & (mask - 1n)) === 0n) {
    const bit = mask.toString(2).length - 1;
    if (bit >= X86_PA_BIT_MIN && bit <= X86_PA_BIT_MAX) return bit;
  }
  throw new CocoRangeError(
    `mask ${describeValue(mask)} is not exactly one bit inside bits ${X86_PA_BIT_MIN}..${X86_PA_BIT_MAX}`,
    { input, fix: 'pass a power of two from 0x1000n (bit 12) to 0x8000000000000n (bit 51)' },
    'MASK_INVALID',
  );
}

/** The x86-64 entry format: 4- and 5-level paging keep the encryption bit in place (it is an address bit). */
export const X86_ENTRY_FORMATS: readonly EntryFormatSpec[] = Object.freeze([
  Object.freeze({ id: 'x86-64', title: 'x86-64 page-table entry (4- or 5-level paging)' }),
]);

/**
 * What a composing hypervisor passes to the x86 backend it builds a guest's type on (amd-vtom and
 * tdx take a boundary bit; amd-cbit the SNP variant): the parameter types of those backends extend
 * it, so `context.backend<BackendPlugin<X86ComposedParams>>(id, pkg).createType(...)` is checked.
 */
export interface X86ComposedParams {
  /** The bit, 12..51: a vTOM boundary or the shared bit. */
  readonly maskBit?: number | undefined;
  /** Why the bit is unknown; only without `maskBit`. */
  readonly maskUnknownReason?: string | undefined;
}

/** Node's `process.arch` names of x86 machines. */
export const X86_ARCHITECTURES: readonly string[] = Object.freeze(['x64', 'ia32']);

/**
 * What every x86 plugin reads from a live machine: the attestation devices and sysfs entries, the
 * TPM devices (Azure's vTPM holds the paravisor's HCL report), the cpuinfo fields, and the CPUID
 * and MSR facts, read through `/dev/cpu/0/cpuid` and `/dev/cpu/0/msr` by {@link X86_FACT_PROBES}.
 */
export const X86_PROBES: PluginProbes = Object.freeze({
  architectures: X86_ARCHITECTURES,
  files: Object.freeze(
    [...X86_ATTESTATION_FILES, ...TPM_DEVICES].map((path) =>
      Object.freeze({ path, read: 'exists' as const }),
    ),
  ),
  cpuinfo: Object.freeze(['flags', 'vendor_id']),
  facts: X86_FACT_PROBES,
});

/**
 * The parts every x86 plugin shares, to spread into its definition: systemd's `--cvm` procedure,
 * the machine reader, the x86 fact kinds, the probes, and the interface-1 adapter (interface 1
 * described x86 machines, so the x86 plugins are the ones that can load its plugins).
 */
export const X86_PLUGIN_PARTS = Object.freeze({
  cvm: X86_CVM_PROCEDURE,
  machine: X86_MACHINE_READER,
  facts: X86_FACTS,
  probes: X86_PROBES,
  adapters: Object.freeze([INTERFACE_1_ADAPTER]),
});
