import {
  createRegistry,
  type Evidence,
  EvidenceBuilder,
  mergeEvidence,
  parseCpuinfo,
  parseKernelLog,
} from '@coco/core';
import { describe, expect, it } from 'vitest';
import { armCcaBackend, TSM_PROVIDER } from '../src/index.js';

// Every file of the fake trees under ./roots (see roots/README.md), by path.
const TREE = import.meta.glob<string>('./roots/**/*', { query: '?raw', import: 'default', eager: true });

/**
 * Reads a tree as the live probe reads a machine: the plugin's declared files (a directory exists when
 * a file is under it), `proc/cpuinfo`, the saved `dmesg`, and any configfs-tsm report provider.
 */
function readRoot(name: string): Evidence {
  const prefix = `./roots/${name}`;
  const paths = Object.keys(TREE)
    .filter((p) => p.startsWith(`${prefix}/`))
    .map((p) => p.slice(prefix.length));
  const text = (path: string) => TREE[`${prefix}${path}`];
  const b = new EvidenceBuilder();
  const plan = createRegistry().use(armCcaBackend).probes('arm64');
  for (const probe of plan.files) {
    const exists = paths.some((p) => p === probe.path || p.startsWith(`${probe.path}/`));
    const content = exists && probe.read === 'content' ? text(probe.path) : undefined;
    b.setFile(probe.path, exists, `root ${name}`, content);
  }
  for (const p of paths) if (TSM_PROVIDER.test(p)) b.setFile(p, true, `root ${name}`, text(p));
  const dmesg = text('/dmesg');
  if (dmesg !== undefined) b.addLogLines(parseKernelLog(dmesg, { source: `${name}/dmesg` }));
  const parts = [b.build()];
  const cpuinfo = text('/proc/cpuinfo');
  if (cpuinfo !== undefined) parts.push(parseCpuinfo(cpuinfo, { source: `${name}/proc/cpuinfo` }));
  return mergeEvidence(...parts);
}

describe('fake probe roots', () => {
  it('realm: an Arm CCA realm, systemd prints cca, attestation through configfs-tsm', () => {
    const d = createRegistry().use(armCcaBackend).detect(readRoot('realm'));
    expect(d.type?.id).toBe('arm-cca');
    expect(d.confidential).toBe(true);
    expect(d.cvm).toBe('cca');
    expect(d.tee).toBe('cca');
    expect(d.attestation).toEqual(['configfs-tsm:arm_cca_guest']);
    expect(d.type?.maskState).toBe('unknown');
  });

  it('arm64-not-realm: proved not a realm, systemd prints none', () => {
    const d = createRegistry().use(armCcaBackend).detect(readRoot('arm64-not-realm'));
    expect(d.type).toBeNull();
    expect(d.confidential).toBe(false);
    expect(d.cvm).toBe('none');
    expect(d.attestation).toEqual([]);
  });
});
