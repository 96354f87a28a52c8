import type { SnapshotCpuidJson } from '@coco/x86';
import { ascii4, hypervisorRegs, leaf } from './model.js';

/**
 * Hyper-V's own leaves of an isolated (confidential) partition (facts §6): the "Microsoft Hv"
 * signature with max leaf 0x4000000C, the "Hv#1" interface, 0x40000003 EBX with only bit 22
 * (isolation) of the bits that matter (bit 12, CPU management, clear), and the isolation
 * configuration leaf with the given EAX (Group A) and EBX (Group B).
 */
export function hypervIsolationLeaves(groupA: number, groupB: number): SnapshotCpuidJson[] {
  return [
    leaf(0x4000_0000, hypervisorRegs('Microsoft Hv', 0x4000_000c)),
    leaf(0x4000_0001, { eax: ascii4('Hv#1') }),
    leaf(0x4000_0003, { ebx: 1 << 22 }),
    leaf(0x4000_000c, { eax: groupA, ebx: groupB }),
  ];
}
