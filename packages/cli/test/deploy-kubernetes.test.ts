// deploy/kubernetes: every manifest parses as YAML with the Kubernetes object shapes it uses, and the
// DaemonSet's coco command line is a real one: run against the built CLI, it writes the feature file
// whose labels the example workload selects on.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { coco, requireBuilt } from './helpers/cli.js';
import { checkedNfdLabels } from './helpers/labels.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'deploy', 'kubernetes');
const FEATURES_D = '/etc/kubernetes/node-feature-discovery/features.d';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown, what: string): Obj => {
  expect(isObj(v), `${what} is an object`).toBe(true);
  return v as Obj;
};
const list = (v: unknown, what: string): unknown[] => {
  expect(Array.isArray(v), `${what} is a list`).toBe(true);
  return v as unknown[];
};
const str = (v: unknown, what: string): string => {
  expect(typeof v, `${what} is a string`).toBe('string');
  return v as string;
};

/** Every document of every manifest, parsed strictly (an error or warning fails). */
function manifests(): { file: string; doc: Obj }[] {
  const out: { file: string; doc: Obj }[] = [];
  for (const file of readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f))) {
    for (const document of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'), { strict: true })) {
      expect(document.errors, file).toEqual([]);
      expect(document.warnings, file).toEqual([]);
      out.push({ file, doc: obj(document.toJS(), file) });
    }
  }
  return out;
}

/** Checks a pod spec's containers, their volume mounts against its volumes; returns the containers by name. */
function checkPodSpec(spec: Obj, where: string): Map<string, Obj> {
  const volumes = new Map<string, Obj>();
  for (const v of list(spec.volumes ?? [], `${where}.volumes`)) {
    const volume = obj(v, `${where} volume`);
    volumes.set(str(volume.name, `${where} volume name`), volume);
  }
  const containers = new Map<string, Obj>();
  for (const key of ['initContainers', 'containers']) {
    if (key === 'initContainers' && spec[key] === undefined) continue;
    for (const c of list(spec[key], `${where}.${key}`)) {
      const container = obj(c, `${where} container`);
      const name = str(container.name, `${where} container name`);
      str(container.image, `${name}.image`);
      for (const field of ['command', 'args']) {
        if (container[field] !== undefined)
          for (const a of list(container[field], `${name}.${field}`)) str(a, `${name}.${field}[]`);
      }
      for (const m of list(container.volumeMounts ?? [], `${name}.volumeMounts`)) {
        const mount = obj(m, `${name} volume mount`);
        expect(volumes.has(str(mount.name, 'mount name')), `${name} mounts a declared volume`).toBe(true);
        expect(str(mount.mountPath, 'mountPath').startsWith('/')).toBe(true);
      }
      if (container.securityContext !== undefined) {
        const sc = obj(container.securityContext, `${name}.securityContext`);
        for (const flag of [
          'privileged',
          'readOnlyRootFilesystem',
          'allowPrivilegeEscalation',
          'runAsNonRoot',
        ])
          if (sc[flag] !== undefined) expect(typeof sc[flag], `${name}.${flag}`).toBe('boolean');
      }
      containers.set(name, container);
    }
  }
  for (const [name, volume] of volumes) {
    if (volume.hostPath !== undefined) str(obj(volume.hostPath, name).path, `${name}.hostPath.path`);
  }
  return containers;
}

beforeAll(requireBuilt);

describe('deploy/kubernetes manifests', () => {
  const all = manifests();

  it('are Kubernetes objects: apiVersion, kind and metadata.name strings, and a spec where the kind has one', () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const { file, doc } of all) {
      str(doc.apiVersion, `${file} apiVersion`);
      const kind = str(doc.kind, `${file} kind`);
      const metadata = obj(doc.metadata, `${file} metadata`);
      expect(str(metadata.name, `${file} name`)).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (kind !== 'Namespace') obj(doc.spec, `${file} spec`);
    }
  });

  it('pod templates: selectors match their labels, containers and volumes are well formed', () => {
    const workloads = all.filter(({ doc }) => doc.kind === 'DaemonSet' || doc.kind === 'Deployment');
    expect(workloads.map(({ doc }) => doc.kind).sort()).toEqual(['DaemonSet', 'Deployment']);
    for (const { file, doc } of workloads) {
      expect(doc.apiVersion).toBe('apps/v1');
      const spec = obj(doc.spec, file);
      const matchLabels = obj(obj(spec.selector, `${file} selector`).matchLabels, `${file} matchLabels`);
      const template = obj(spec.template, `${file} template`);
      const labels = obj(
        obj(template.metadata, `${file} template metadata`).labels,
        `${file} template labels`,
      );
      for (const [k, v] of Object.entries(matchLabels)) expect(labels[k], `${file} label ${k}`).toBe(v);
      checkPodSpec(obj(template.spec, `${file} pod spec`), file);
    }
  });

  it("the DaemonSet's coco command writes the feature file the workload's node selector matches", () => {
    const daemonSet = all.find(({ doc }) => doc.kind === 'DaemonSet')?.doc as Obj;
    const pod = obj(obj(obj(daemonSet.spec, 'spec').template, 'template').spec, 'pod spec');
    const containers = checkPodSpec(pod, 'DaemonSet');
    const cocoContainer = containers.get('coco') as Obj;
    expect(cocoContainer.command).toEqual(['coco']);
    expect(obj(cocoContainer.securityContext, 'coco securityContext').privileged).toBe(true);
    const args = list(cocoContainer.args, 'args').map((a) => str(a, 'arg'));
    const output = args[args.indexOf('--output') + 1] as string;
    expect(output.startsWith(`${FEATURES_D}/`)).toBe(true);
    const hostPaths = list(pod.volumes, 'volumes').map(
      (v) => obj(obj(v, 'volume').hostPath ?? {}, 'hostPath').path,
    );
    expect(hostPaths).toContain(FEATURES_D);

    // The same command line on a bundled machine, writing into a directory of the test's.
    const dir = mkdtempSync(join(tmpdir(), 'coco-features-d-'));
    const local = args.map((a) => (a.startsWith(FEATURES_D) ? join(dir, a.slice(FEATURES_D.length)) : a));
    const run = coco([...local, '--example', 'azure-snp-paravisor']);
    expect(run.status).toBe(0);
    expect(readdirSync(dir)).toEqual(['coco']);
    const labels = checkedNfdLabels(readFileSync(join(dir, 'coco'), 'utf8'));

    const workload = all.find(({ doc }) => doc.kind === 'Deployment')?.doc as Obj;
    const podSpec = obj(obj(obj(workload.spec, 'spec').template, 'template').spec, 'pod spec');
    const selector = obj(podSpec.nodeSelector, 'nodeSelector');
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(selector)) {
      expect(typeof value, `${key} is quoted: label values are strings`).toBe('string');
      expect(labels.get(key), key).toBe(value);
    }
    const terms = obj(
      obj(obj(podSpec.affinity, 'affinity').nodeAffinity, 'nodeAffinity')
        .requiredDuringSchedulingIgnoredDuringExecution,
      'required',
    ).nodeSelectorTerms;
    for (const term of list(terms, 'terms')) {
      for (const e of list(obj(term, 'term').matchExpressions, 'matchExpressions')) {
        const expression = obj(e, 'expression');
        expect(expression.operator).toBe('In');
        expect(list(expression.values, 'values')).toContain(labels.get(str(expression.key, 'key')));
      }
    }
  });

  it('a machine coco cannot tell about gets coco.confidential=unknown, which the selector does not match', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-features-d-'));
    const run = coco(['detect', '--format', 'nfd', '--output', join(dir, 'coco'), '--dmesg', '-']);
    expect(run.status).toBe(4);
    const labels = checkedNfdLabels(readFileSync(join(dir, 'coco'), 'utf8'));
    expect(labels.get('feature.node.kubernetes.io/coco.confidential')).toBe('unknown');
  });
});
