import { CocoError } from './errors.js';

/** The attributes of the kernel's `enum cc_attr` (newest mainline), as kebab-case ids. */
export type KernelAttributeId =
  | 'mem-encrypt'
  | 'host-mem-encrypt'
  | 'guest-mem-encrypt'
  | 'guest-state-encrypt'
  | 'guest-unroll-string-io'
  | 'guest-sev-snp'
  | 'guest-snp-secure-tsc'
  | 'host-sev-snp'
  | 'snp-secure-avic';

/**
 * An attribute id: one of the kernel's, or a third party's namespaced id (`namespace:name`,
 * lower-case letters, digits and dashes).
 */
export type AttributeId = KernelAttributeId | `${string}:${string}`;

/** One attribute of the vocabulary. */
export interface AttributeDefinition {
  readonly id: AttributeId;
  /** The kernel's name (`CC_ATTR_MEM_ENCRYPT`), or the third party's own constant name. */
  readonly kernelName: string;
  /** One line saying what the attribute means. */
  readonly description: string;
}

// include/linux/cc_platform.h, v6.18. Ordinals changed between versions: never store numbers.
const KERNEL_ATTRIBUTES: readonly AttributeDefinition[] = [
  ['mem-encrypt', 'MEM_ENCRYPT', 'Memory encryption is active (host or guest).'],
  [
    'host-mem-encrypt',
    'HOST_MEM_ENCRYPT',
    'Memory encryption is active on bare metal or a hypervisor (SME).',
  ],
  ['guest-mem-encrypt', 'GUEST_MEM_ENCRYPT', 'Guest memory encryption is active.'],
  ['guest-state-encrypt', 'GUEST_STATE_ENCRYPT', 'Guest register state is encrypted too.'],
  ['guest-unroll-string-io', 'GUEST_UNROLL_STRING_IO', 'String I/O (INS/OUTS) must be unrolled into IN/OUT.'],
  ['guest-sev-snp', 'GUEST_SEV_SNP', 'The guest is using SEV-SNP features.'],
  ['guest-snp-secure-tsc', 'GUEST_SNP_SECURE_TSC', 'SEV-SNP Secure TSC is active.'],
  ['host-sev-snp', 'HOST_SEV_SNP', 'The host can run SEV-SNP guests (set by the host at boot).'],
  ['snp-secure-avic', 'SNP_SECURE_AVIC', 'SEV-SNP Secure AVIC is active.'],
].map(([id, name, description]) =>
  Object.freeze({ id: id as AttributeId, kernelName: `CC_ATTR_${name}`, description: description as string }),
);

/** The kernel's attribute vocabulary, in the kernel's order. */
export const ATTRIBUTES: readonly AttributeDefinition[] = Object.freeze(KERNEL_ATTRIBUTES);

const KERNEL_IDS: ReadonlySet<string> = new Set(KERNEL_ATTRIBUTES.map((a) => a.id));
const NAMESPACED_ID = /^[a-z][a-z0-9-]{0,62}:[a-z][a-z0-9-]{0,62}$/;

/** True when `id` is one of the kernel's attribute ids. */
export function isKernelAttribute(id: string): id is KernelAttributeId {
  return KERNEL_IDS.has(id);
}

/** Checks an attribute id, throwing `ATTRIBUTE_INVALID` with the fix when it is neither kernel nor namespaced. */
export function assertAttributeId(id: unknown, input = 'attribute'): AttributeId {
  if (typeof id === 'string' && (KERNEL_IDS.has(id) || NAMESPACED_ID.test(id))) return id as AttributeId;
  throw new CocoError(
    'ATTRIBUTE_INVALID',
    `${String(typeof id === 'string' ? JSON.stringify(id) : typeof id)} is not an attribute id`,
    {
      input,
      fix: `use one of ${[...KERNEL_IDS].join(', ')}, or a namespaced id such as "acme:secure-io"`,
    },
  );
}

/** A set of attributes with O(1) membership, iterated in sorted order. */
export interface AttributeSet extends Iterable<AttributeId> {
  /** True when the kernel's `cc_platform_has` (or the third party's equivalent) answers true. */
  has(id: AttributeId | string): boolean;
  /** The ids, sorted. */
  readonly ids: readonly AttributeId[];
  readonly size: number;
}

/** Builds an immutable attribute set; every id is checked. */
export function createAttributeSet(ids: Iterable<AttributeId | string>, input = 'attributes'): AttributeSet {
  const members = new Set<string>();
  for (const id of ids) members.add(assertAttributeId(id, input));
  const sorted = Object.freeze([...members].sort()) as readonly AttributeId[];
  return Object.freeze({
    has: (id: string) => members.has(id),
    ids: sorted,
    size: sorted.length,
    [Symbol.iterator]: () => sorted[Symbol.iterator](),
  });
}
