import { expect } from 'vitest';

// Kubernetes label syntax (k8s.io/apimachinery IsQualifiedName / IsValidLabelValue), written here
// from the Kubernetes documentation rather than imported from the code under test.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The labels of an NFD feature file, each checked against the Kubernetes rules. */
export function checkedNfdLabels(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    expect(eq, line).toBeGreaterThan(0);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    const [prefix, name, ...rest] = key.split('/');
    expect(rest, key).toEqual([]);
    expect(prefix && prefix.length <= 253 && SUBDOMAIN.test(prefix), key).toBe(true);
    expect(name && name.length <= 63 && NAME.test(name), key).toBe(true);
    expect(value === '' || (value.length <= 63 && NAME.test(value)), `${key}=${value}`).toBe(true);
    labels.set(key, value);
  }
  return labels;
}
