import type { DetectionJson } from '@coco/core';

/** Where node-feature-discovery's `local` source reads feature files on each node. */
export const NFD_FEATURES_DIR = '/etc/kubernetes/node-feature-discovery/features.d';

/** The namespace of coco's labels: NFD's own, which nfd-master allows without configuration. */
export const NFD_NAMESPACE = 'feature.node.kubernetes.io';

/** What `coco.confidential` says when coco cannot tell, or the evidence conflicts. */
export const NFD_UNKNOWN = 'unknown';

// Kubernetes label rules (k8s.io/apimachinery validation, as NFD applies them): the name after
// the prefix and the value are at most 63 characters of [A-Za-z0-9._-], beginning and ending with
// an alphanumeric; a value may also be empty.
const LABEL_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Whether `value` may be a Kubernetes label value. */
export function isLabelValue(value: string): boolean {
  return value === '' || LABEL_PART.test(value);
}

/** Options of {@link renderNfd}. */
export interface NfdOptions {
  /** The coco version, for the header comment. */
  readonly version: string;
  /** When the labels stop counting: an `# +expiry-time=` directive (RFC 3339, UTC) goes first. */
  readonly expires?: Date;
}

/** The labels of a detection, each name without the namespace, in a fixed order; `null` values are left out. */
export function nfdLabels(detection: DetectionJson): [name: string, value: string | null][] {
  const decided = detection.confidential !== null;
  const bool = (b: boolean | null) => (b === null ? null : String(b));
  return [
    ['coco.confidential', decided ? String(detection.confidential) : NFD_UNKNOWN],
    ['coco.type', detection.type ?? (detection.confidential === false ? 'none' : null)],
    ['coco.variant', detection.variant],
    ['coco.cvm', detection.cvm],
    ['coco.tee', detection.tee],
    ['coco.paravisor', bool(detection.paravisor)],
    ['coco.hypervisor', detection.hypervisor],
  ];
}

/**
 * A feature file for node-feature-discovery's `local` source (one `name=value` line per label,
 * `#` comments, the `# +expiry-time=` directive), written from NFD's source/local/local.go and its
 * customization guide. Every name carries the `feature.node.kubernetes.io/` namespace, so nothing
 * depends on NFD's deprecated automatic prefix. A value that is not a valid label value (a plugin's
 * id with a space, say) is left out with a comment saying so, never written broken.
 */
export function renderNfd(detection: DetectionJson, options: NfdOptions): string {
  let out = `# coco ${options.version}: coco detect --format nfd, for ${NFD_FEATURES_DIR}\n`;
  if (options.expires) {
    out += `# +expiry-time=${options.expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}\n`;
  }
  for (const [name, value] of nfdLabels(detection)) {
    if (value === null) continue;
    if (!isLabelValue(value)) {
      out += `# ${name} left out: its value is not a valid Kubernetes label value\n`;
      continue;
    }
    out += `${NFD_NAMESPACE}/${name}=${value}\n`;
  }
  return out;
}
