// readSnapshotJson is parseSnapshot's first step on its own: the same refusals for the same texts,
// and a document that parseSnapshot turns into the evidence the text gives.
import {
  isCocoError,
  parseSnapshot,
  readMachineIdentity,
  readSnapshotJson,
  SNAPSHOT_MAX_DEPTH,
} from '@coco/core';
import { describe, expect, it } from 'vitest';

const GOOD = JSON.stringify({
  format: 'coco-snapshot/2',
  kernelLog: ['[    0.000000] Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP'],
  cpuinfo: { flags: 'fpu sme sev' },
  machine: { hostname: 'node-1' },
});

const messageOf = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    if (isCocoError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
};

describe('readSnapshotJson', () => {
  it('gives the document, which parseSnapshot reads as it reads the text', () => {
    const doc = readSnapshotJson(GOOD, { source: 'a.json' });
    expect(doc.format).toBe('coco-snapshot/2');
    const fromDoc = parseSnapshot(doc, { source: 'a.json' });
    const fromText = parseSnapshot(GOOD, { source: 'a.json' });
    expect(fromDoc.machine).toEqual({ hostname: 'node-1' });
    expect(fromDoc.kernelLog.map((l) => l.text)).toEqual([
      'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
    ]);
    expect(fromDoc.kernelLog).toEqual(fromText.kernelLog);
    expect([...fromDoc.cpuinfoFlags]).toEqual([...fromText.cpuinfoFlags]);
  });

  it('refuses what the text alone shows, with the error parseSnapshot gives, naming the source', () => {
    const bad = [
      `${GOOD.slice(0, -1)},"format":"coco-snapshot/2"}`, // a key twice
      GOOD.slice(0, -1), // not JSON
      `${'['.repeat(SNAPSHOT_MAX_DEPTH + 1)}${']'.repeat(SNAPSHOT_MAX_DEPTH + 1)}`, // too deep
      '[]', // not an object
      `{"format":"coco-snapshot/2","files":{${Array.from({ length: 70_000 }, (_, i) => `"/f${i}":true`).join(',')}}}`,
    ];
    for (const text of bad) {
      const alone = messageOf(() => readSnapshotJson(text, { source: 'bad.json' }));
      expect(alone).toMatch(/^SNAPSHOT_INVALID: bad\.json/);
      expect(alone).toBe(messageOf(() => parseSnapshot(text, { source: 'bad.json' })));
    }
  });

  it('leaves to parseSnapshot what needs the format: an unknown format is read, then refused', () => {
    const text = JSON.stringify({ format: 'coco-snapshot/9' });
    expect(readSnapshotJson(text)).toEqual({ format: 'coco-snapshot/9' });
    expect(messageOf(() => parseSnapshot(readSnapshotJson(text)))).toMatch(
      /^SNAPSHOT_INVALID: snapshot \(\$\.format\)/,
    );
  });
});

describe('readMachineIdentity', () => {
  it('gives the identity parseSnapshot gives the evidence: the same keys in the same order, frozen', () => {
    const machine = { cocoVersion: '1.2.0', hostname: 'node-17', capturedAt: '2026-11-30T06:20:00Z' };
    const identity = readMachineIdentity(machine, { source: 'a.json' });
    const evidence = parseSnapshot({ format: 'coco-snapshot/2', machine }, { source: 'a.json' });
    expect(identity).toEqual(evidence.machine);
    expect(Object.keys(identity)).toEqual(['hostname', 'capturedAt', 'cocoVersion']);
    expect(Object.keys(identity)).toEqual(Object.keys(evidence.machine ?? {}));
    expect(Object.isFrozen(identity)).toBe(true);
    expect(readMachineIdentity({})).toEqual({});
  });

  it('refuses what parseSnapshot refuses, with its error', () => {
    for (const machine of [
      { hostname: 'node 17' },
      { capturedAt: 'yesterday' },
      { cocoVersion: '1.2' },
      { owner: 'x' },
      { hostname: 17 },
      'node-17',
      null,
      [],
    ]) {
      const alone = messageOf(() => readMachineIdentity(machine, { source: 'm.json' }));
      expect(alone, JSON.stringify(machine)).toMatch(/^SNAPSHOT_INVALID: m\.json \(\$\.machine/);
      expect(alone).toBe(
        messageOf(() => parseSnapshot({ format: 'coco-snapshot/2', machine }, { source: 'm.json' })),
      );
    }
  });
});
