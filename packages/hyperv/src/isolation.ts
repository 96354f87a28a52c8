/** Hyper-V's isolation types, the values of CPUID 0x4000000C EBX[3:0]. */
export type IsolationType = 'none' | 'vbs' | 'snp' | 'tdx';

// HV_ISOLATION_TYPE_* in arch/x86/include/asm/mshyperv.h (v6.18), as named there; 4..15 are undefined.
const NAMES = ['none', 'VBS', 'SNP', 'TDX'];

// The fields of Group A (EAX) and Group B (EBX) of CPUID 0x4000000C, as the kernel's
// `struct ms_hyperv_info` unions lay them out (include/asm-generic/mshyperv.h, v6.18):
// EAX bit 0 paravisor; EBX[3:0] type, bit 4 reserved, bit 5 boundary active, [11:6] boundary bits.
const A_DEFINED = 0x1;
const B_DEFINED = 0xfef;

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
  const typeCode = b & 0xf;
  return Object.freeze({
    groupA: a,
    groupB: b,
    paravisor: (a & 1) === 1,
    type: (NAMES[typeCode]?.toLowerCase() as IsolationType | undefined) ?? null,
    typeCode,
    boundaryActive: (b & 0x20) !== 0,
    boundaryBits: (b >>> 6) & 0x3f,
    reservedA: setBits(a & ~A_DEFINED),
    reservedB: setBits(b & ~B_DEFINED),
  });
}

/** The name Linux gives an isolation type: `VBS`, `SNP`, `TDX`. */
export function isolationTypeName(config: IsolationConfig): string {
  return NAMES[config.typeCode] ?? `type ${config.typeCode}`;
}

/** One line: `SNP, paravisor, boundary bit 46 (Group A 0x1, Group B 0xba2)`. */
export function describeIsolation(config: IsolationConfig): string {
  return `${isolationTypeName(config)}, ${config.paravisor ? '' : 'no '}paravisor, boundary ${config.boundaryActive ? `bit ${config.boundaryBits}` : 'inactive'} (${formatIsolationGroups(config.groupA, config.groupB)})`;
}

/** The raw registers as the kernel prints them: `Group A 0x1, Group B 0xba2`. */
export function formatIsolationGroups(groupA: number, groupB: number): string {
  return `Group A 0x${groupA.toString(16)}, Group B 0x${groupB.toString(16)}`;
}
