// Unit tests of the logic behind the shell, Kubernetes and Prometheus idioms: did-you-mean, the flag
// table read from help texts, the NFD feature file and the Prometheus text format.
import { DETECTION_SCHEMA_URL, type DetectionJson } from '@coco/core';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { completionCommands } from '../src/commands/completion.js';
import { CVM_LABELS, help as detectHelp } from '../src/commands/detect.js';
import { roffText } from '../src/commands/man.js';
import { didYouMean, editDistance } from '../src/did-you-mean.js';
import { helpFlags } from '../src/help-flags.js';
import type { CliIo } from '../src/io.js';
import { isLabelValue, renderNfd } from '../src/render/nfd.js';
import { escapeLabelValue, renderPrometheus } from '../src/render/prometheus.js';
import { runCommand } from '../src/run.js';
import { checkedNfdLabels } from './helpers/labels.js';

const BASE: DetectionJson = {
  $schema: DETECTION_SCHEMA_URL,
  format: 'coco-detection/1',
  confidential: true,
  type: 'amd-vtom',
  variant: null,
  hypervisor: 'hyperv',
  paravisor: true,
  attributes: ['guest-mem-encrypt', 'mem-encrypt'],
  mask: '0x400000000000',
  maskBit: 46,
  encryptedWhen: 'clear',
  cvm: 'sev-snp',
  evidence: [],
  warnings: [],
  undetermined: [],
  conflicts: [],
  tee: 'az-snp-vtpm',
  attestation: [],
};

describe('did you mean', () => {
  it('measures insertions, deletions, substitutions and swaps as one edit each', () => {
    expect(editDistance('dtect', 'detect')).toBe(1);
    expect(editDistance('detcet', 'detect')).toBe(1);
    expect(editDistance('explian', 'explain')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('attrs', 'attrs')).toBe(0);
  });

  it('suggests the close command, and nothing for a word far from all', () => {
    const commands = [
      'detect',
      'explain',
      'snapshot',
      'attrs',
      'pte',
      'examples',
      'completion',
      'man',
      'help',
    ];
    expect(didYouMean('dtect', commands)).toBe('detect');
    expect(didYouMean('Detect', commands)).toBe('detect');
    expect(didYouMean('snapshto', commands)).toBe('snapshot');
    expect(didYouMean('exampels', commands)).toBe('examples');
    expect(didYouMean('complet', commands)).toBe('completion');
    expect(didYouMean('kubernetes', commands)).toBeUndefined();
    expect(didYouMean('x', commands)).toBeUndefined();
  });
});

describe('the flag table read from help texts', () => {
  it('reads long and short names and value placeholders, once each, ignoring continuation lines', () => {
    const flags = helpFlags(detectHelp);
    const byName = new Map(flags.map((f) => [f.name, f]));
    expect(byName.get('format')).toMatchObject({ value: 'F' });
    expect(byName.get('quiet')).toMatchObject({ short: 'q' });
    expect(byName.get('help')).toMatchObject({ short: 'h' });
    expect(byName.get('msr')).toMatchObject({ value: 'ADDR=VALUE' });
    expect(byName.get('cvm')?.value).toBeUndefined();
    expect(new Set(flags.map((f) => f.name)).size).toBe(flags.length);
    for (const name of ['snapshot', 'cpuid', 'dmesg', 'example', 'json', 'list-cvm', 'output', 'no-color'])
      expect(byName.has(name), name).toBe(true);
  });

  it('gives completion every command and the help pseudo-command', async () => {
    const names = (await completionCommands()).map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['detect', 'explain', 'attrs', 'pte', 'completion', 'man', 'help']),
    );
  });
});

describe('systemd labels', () => {
  it("lists systemd's confidential_virtualization table in its order, none first", () => {
    expect(CVM_LABELS).toEqual(['none', 'sev', 'sev-es', 'sev-snp', 'tdx', 'protvirt', 'cca']);
  });
});

describe('roff escaping', () => {
  it('escapes backslashes and minus signs and guards lines that start with a request character', () => {
    expect(roffText('--json')).toBe('\\-\\-json');
    expect(roffText('a\\b')).toBe('a\\eb');
    expect(roffText(".TH x\n'y")).toBe("\\&.TH x\n\\&'y");
  });
});

describe('the NFD feature file', () => {
  it('writes namespaced labels, leaving out what is unknown', () => {
    const labels = checkedNfdLabels(renderNfd(BASE, { version: '1.2.3' }));
    expect(Object.fromEntries(labels)).toEqual({
      'feature.node.kubernetes.io/coco.confidential': 'true',
      'feature.node.kubernetes.io/coco.type': 'amd-vtom',
      'feature.node.kubernetes.io/coco.cvm': 'sev-snp',
      'feature.node.kubernetes.io/coco.tee': 'az-snp-vtpm',
      'feature.node.kubernetes.io/coco.paravisor': 'true',
      'feature.node.kubernetes.io/coco.hypervisor': 'hyperv',
    });
  });

  it('says unknown when coco cannot tell, and type none for a machine proved not confidential', () => {
    const unknown = checkedNfdLabels(
      renderNfd(
        { ...BASE, confidential: null, type: null, cvm: null, tee: null, paravisor: null, hypervisor: null },
        { version: '1' },
      ),
    );
    expect(Object.fromEntries(unknown)).toEqual({
      'feature.node.kubernetes.io/coco.confidential': 'unknown',
    });
    const plain = checkedNfdLabels(
      renderNfd(
        {
          ...BASE,
          confidential: false,
          type: null,
          cvm: 'none',
          tee: null,
          paravisor: null,
          hypervisor: 'kvm',
        },
        { version: '1' },
      ),
    );
    expect(plain.get('feature.node.kubernetes.io/coco.confidential')).toBe('false');
    expect(plain.get('feature.node.kubernetes.io/coco.type')).toBe('none');
  });

  it('leaves out a value that is not a label value (a plugin id with a space or 64 characters)', () => {
    const text = renderNfd({ ...BASE, type: 'acme box', tee: 'x'.repeat(64) }, { version: '1' });
    const labels = checkedNfdLabels(text);
    expect(labels.has('feature.node.kubernetes.io/coco.type')).toBe(false);
    expect(labels.has('feature.node.kubernetes.io/coco.tee')).toBe(false);
    expect(text).toContain('# coco.type left out');
    expect(isLabelValue('x'.repeat(63))).toBe(true);
    expect(isLabelValue('-a')).toBe(false);
  });

  it('puts the expiry directive first, in RFC 3339 UTC as NFD parses it', () => {
    const text = renderNfd(BASE, { version: '1', expires: new Date('2030-07-29T09:22:33.456Z') });
    expect(text.split('\n')[1]).toBe('# +expiry-time=2030-07-29T09:22:33Z');
  });
});

interface PromFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}
const parse = (text: string) => parsePrometheusTextFormat(text) as PromFamily[];

describe('the Prometheus text format', () => {
  it('parses with a real parser: every family a gauge with help, the values and labels as written', () => {
    const families = parse(renderPrometheus(BASE, '1.2.3'));
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const family of families) {
      expect(family.type).toBe('GAUGE');
      expect(family.help.length).toBeGreaterThan(10);
    }
    expect(byName.get('coco_confidential')?.metrics).toEqual([{ value: '1' }]);
    expect(byName.get('coco_decided')?.metrics).toEqual([{ value: '1' }]);
    expect(byName.get('coco_info')?.metrics).toEqual([
      {
        value: '1',
        labels: {
          type: 'amd-vtom',
          variant: '',
          cvm: 'sev-snp',
          hypervisor: 'hyperv',
          paravisor: 'true',
          tee: 'az-snp-vtpm',
        },
      },
    ]);
    expect(byName.get('coco_attribute')?.metrics.map((m) => m.labels?.id)).toEqual([
      'guest-mem-encrypt',
      'mem-encrypt',
    ]);
    expect(byName.get('coco_build_info')?.metrics).toEqual([{ value: '1', labels: { version: '1.2.3' } }]);
  });

  it('leaves coco_confidential out when coco cannot tell, with coco_decided 0', () => {
    const families = parse(
      renderPrometheus(
        { ...BASE, confidential: null, type: null, attributes: [], cvm: null, tee: null },
        '1',
      ),
    );
    const names = families.map((f) => f.name);
    expect(names).not.toContain('coco_confidential');
    expect(names).not.toContain('coco_attribute');
    expect(families.find((f) => f.name === 'coco_decided')?.metrics).toEqual([{ value: '0' }]);
  });

  it('escapes label values so that a plugin id cannot break a line or a quote', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const families = parse(renderPrometheus({ ...BASE, type: 'acme "box"\\\nx' }, '1'));
    expect(families.find((f) => f.name === 'coco_info')?.metrics[0]?.labels?.type).toBe('acme "box"\\\nx');
  });
});

/** Runs a command in process, capturing what it prints. */
async function inProcess(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: {
      write: (t) => {
        out += t;
      },
    },
    stderr: {
      write: (t) => {
        err += t;
      },
    },
    readStdin: () => '',
    env: {},
    cwd: process.cwd(),
  };
  const status = await runCommand(argv, io);
  return { status, out, err };
}

// A value each flag takes that passes the checks made before --help is answered.
const SAMPLE_VALUE: Readonly<Record<string, string>> = { 'plugin-timeout': '5' };

describe('help texts are the flag table', () => {
  it('every flag a help lists is one its command accepts, and coco help CMD is coco CMD --help', async () => {
    for (const command of await completionCommands()) {
      if (command.name === 'help') continue;
      const own = await inProcess([command.name, '--help']);
      expect(own.status).toBe(0);
      expect((await inProcess(['help', command.name])).out).toBe(own.out);
      expect((await inProcess([command.name, '-h'])).out).toBe(own.out);
      for (const flag of command.flags) {
        if (flag.name === 'help') continue;
        const args = [
          command.name,
          `--${flag.name}`,
          ...(flag.value ? [SAMPLE_VALUE[flag.name] ?? 'x'] : []),
          '--help',
        ];
        const run = await inProcess(args);
        expect({ args, status: run.status, err: run.err }).toEqual({ args, status: 0, err: '' });
        if (flag.short)
          expect((await inProcess([command.name, `-${flag.short}`, '--help'])).status, args.join(' ')).toBe(
            0,
          );
      }
    }
  });
});
