/** Hyper-V's isolation types, the values of CPUID 0x4000000C EBX[3:0]. */
export type IsolationType = 'none' | 'vbs' | 'snp' | 'tdx';

// HV_ISOLATION_TYPE_* in arch/x86/include/asm/mshyperv.h (v6.18); 4..15 are undefined.
const TYPES: readonly IsolationType[] = ['none', 'vbs', 'snp', 'tdx'];

/** How the kernel and Microsoft's documents name each isolation type. */
export const ISOLATION_TYPE_NAMES: Readonly<Record<IsolationType, string>> = Object.freeze({
  none: 'none',
  vbs: 'VBS',
  snp: 'SNP',
  tdx: 'TDX',
});

// The fields of Group A (EAX) and Group B (EBX) of CPUID 0x4000000C, as the kernel's
// `struct ms_hyperv_info` unions lay them out (include/asm-generic/mshyperv.h, v6.18).
const A_PARAVISOR = 0x1; // EAX bit 0: paravisor present
const A_DEFINED = A_PARAVISOR;
const B_TYPE = 0xf; // EBX[3:0]: isolation type; EBX bit 4 is reserved
const B_BOUNDARY_ACTIVE = 0x20; // EBX bit 5: shared-GPA boundary active
const B_BOUNDARY_SHIFT = 6; // EBX[11:6]: shared-GPA boundary bits
const B_BOUNDARY_BITS = 0x3f;
const B_DEFINED = B_TYPE | B_BOUNDARY_ACTIVE | (B_BOUNDARY_BITS << B_BOUNDARY_SHIFT);

/** Hyper-V's isolation configuration (CPUID 0x4000000C), every field decoded. */
export interface IsolationConfig {
  /** Group A, CPUID 0x4000000C EAX. */
  readonly groupA: number;
  /** Group B, CPUID 0x4000000C EBX. */
  readonly groupB: number;
  /** EAX bit 0: a paravisor runs inside the guest's trust boundary. */
  readonly paravisor: boolean;
  /** EBX[3:0] decoded; `null` for a value Hyper-V does not define (4 to 15). */
  readonly type: IsolationType | null;
  /** EBX[3:0] as a number. */
  readonly typeCode: number;
  /** EBX bit 5: the shared-GPA boundary (vTOM) is in use. */
  readonly boundaryActive: boolean;
  /** EBX[11:6]: the boundary is `2^boundaryBits` when active. */
  readonly boundaryBits: number;
  /** Set bits of Group A outside its defined fields, by bit number. */
  readonly reservedA: readonly number[];
  /** Set bits of Group B outside its defined fields (bit 4 and 12..31), by bit number. */
  readonly reservedB: readonly number[];
}

function setBits(value: number): number[] {
  const bits: number[] = [];
  for (let bit = 0; bit < 32; bit++) if ((value >>> bit) & 1) bits.push(bit);
  return bits;
}

/**
 * Decodes Group A (EAX) and Group B (EBX) of CPUID 0x4000000C, as printed by the kernel in
 * `Hyper-V: Isolation Config: Group A 0x1, Group B 0xba2`.
 */
export function decodeIsolationConfig(groupA: number, groupB: number): IsolationConfig {
  const a = groupA >>> 0;
  const b = groupB >>> 0;
  const typeCode = b & B_TYPE;
  return Object.freeze({
    groupA: a,
    groupB: b,
    paravisor: (a & A_PARAVISOR) !== 0,
    type: TYPES[typeCode] ?? null,
    typeCode,
    boundaryActive: (b & B_BOUNDARY_ACTIVE) !== 0,
    boundaryBits: (b >>> B_BOUNDARY_SHIFT) & B_BOUNDARY_BITS,
    reservedA: Object.freeze(setBits(a & ~A_DEFINED)),
    reservedB: Object.freeze(setBits(b & ~B_DEFINED)),
  });
}

/** One line: `SNP, paravisor, boundary bit 46`. */
export function describeIsolation(config: IsolationConfig): string {
  const type = config.type ? ISOLATION_TYPE_NAMES[config.type] : `undefined type ${config.typeCode}`;
  const paravisor = config.paravisor ? 'paravisor' : 'no paravisor';
  const boundary = config.boundaryActive ? `boundary bit ${config.boundaryBits}` : 'boundary inactive';
  return `${type}, ${paravisor}, ${boundary}`;
}

/** The raw registers as the kernel prints them: `Group A 0x1, Group B 0xba2`. */
export function formatIsolationGroups(config: IsolationConfig): string {
  return `Group A 0x${config.groupA.toString(16)}, Group B 0x${config.groupB.toString(16)}`;
}
