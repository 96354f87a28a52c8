// The built command as scripts, shells, NFD and Prometheus use it: exit statuses and output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { completionCommands } from '../src/commands/completion.js';
import { EXAMPLE_NAMES } from '../src/examples/index.js';
import { BIN, type CocoRun, coco, lines, requireBuilt } from './helpers/cli.js';
import { runBatch } from './helpers/cli-batch.js';
import { checkedNfdLabels } from './helpers/labels.js';

const EXAMPLE_RUNS = EXAMPLE_NAMES.flatMap((e) => [
  ['detect', '--example', e, '--cvm'],
  ['detect', '--example', e, '--json'],
  ['detect', '--example', e, '--format', 'nfd'],
  ['detect', '--example', e, '--format', 'prometheus'],
]);
const QUIET: [readonly string[], number][] = [
  [['detect', '--example', 'snp-cbit-51', '--cvm', '-q'], 0],
  [['detect', '--example', 'not-confidential', '--cvm', '--quiet'], 1],
  [['detect', '--example', 'not-confidential', '-q'], 0],
  [['detect', '--example', 'azure-tdx-paravisor', '-q'], 0],
  [['detect', '--dmesg', '-', '--cvm', '-q'], 4],
  [['detect', '--dmesg', '-', '-q'], 4],
  [['detect', '--example', 'sev-plain', '--msr', '0xc0010131=0x7', '-q'], 3],
];
// Every command line below without its own input, environment or files, run before the tests a few
// at a time: starting node is most of the time an end-to-end test takes.
const BATCH: (readonly string[])[] = [
  ...EXAMPLE_RUNS,
  ...QUIET.map(([args]) => args),
  ['detect', '--dmesg', '-', '--cvm'],
  ['detect', '--dmesg', '-', '--format', 'nfd'],
  ['detect', '--dmesg', '-', '--format', 'prometheus'],
  ['detect', '--example', 'sev-plain', '--msr', '0xc0010131=0x7', '--cvm'],
  ['detect', '--list-cvm'],
  ['detect', '--cvm', '--json'],
  ['detect', '--format', 'yaml', '--example', 'sev-plain'],
  ['detect', '--example', 'not-confidential'],
  ['detect', '--example', 'snp-cbit-51', '--format', 'json'],
  ['help', 'detect'],
  ['detect', '--help'],
  ['help', 'completion'],
  ['completion', '--help'],
  ['help', 'dtect'],
  ['dtect'],
  ['detect', '--exmple', 'sev-plain'],
  ['zzzzzz'],
  ['-V'],
  ['-v'],
  ['--version'],
  ['man'],
  ['completion', 'bash'],
  ['completion', 'zsh'],
  ['completion', 'fish'],
  ['completion', 'tcsh'],
];
let ran: (args: readonly string[]) => CocoRun;
beforeAll(async () => {
  requireBuilt();
  ran = await runBatch(BATCH);
}, 180_000);

// What systemd-detect-virt --cvm prints on each bundled machine, from the facts sheet (C1) and each
// example's description; its exit status is 0 for a CVM and 1 for none (detect-virt.c).
const CVM: Record<string, string> = {
  'azure-snp-paravisor': 'sev-snp',
  'azure-tdx-paravisor': 'tdx',
  'azure-tdx-no-paravisor': 'tdx',
  'snp-cbit-51': 'sev-snp',
  'sev-plain': 'sev',
  'not-confidential': 'none',
};
const CANNOT_TELL = ['detect', '--dmesg', '-'] as const; // an empty log: dmesg without root
const CONFLICT = ['detect', '--example', 'sev-plain', '--msr', '0xc0010131=0x7'] as const;

describe('coco detect --cvm: a drop-in for systemd-detect-virt --cvm', () => {
  it('knows every bundled example', () => {
    expect(Object.keys(CVM).sort()).toEqual([...EXAMPLE_NAMES].sort());
  });

  for (const [example, label] of Object.entries(CVM)) {
    it(`${example}: prints ${label} alone and exits ${label === 'none' ? 1 : 0}`, () => {
      const run = ran(['detect', '--example', example, '--cvm']);
      expect(run.stdout).toBe(`${label}\n`);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(label === 'none' ? 1 : 0);
    });
  }

  it('cannot tell: exit 4, nothing on stdout, one CANNOT_TELL line', () => {
    const run = ran([...CANNOT_TELL, '--cvm']);
    expect(run.status).toBe(4);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^coco: CANNOT_TELL: /);
  });

  it('conflicting evidence: exit 3 with one EVIDENCE_CONFLICT line', () => {
    const run = ran([...CONFLICT, '--cvm']);
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^coco: EVIDENCE_CONFLICT: /);
  });

  it('-q and --quiet print nothing at all and keep the status, with --cvm and without', () => {
    const cases = QUIET;
    for (const [args, status] of cases) {
      const run = ran(args);
      expect({ args, status: run.status, out: run.stdout, err: run.stderr }).toEqual({
        args,
        status,
        out: '',
        err: '',
      });
    }
  });

  it("a shell script's if works as with systemd-detect-virt", () => {
    const script = `if node ${JSON.stringify(BIN)} detect --example azure-snp-paravisor --cvm -q; then echo cvm; else echo no; fi
if node ${JSON.stringify(BIN)} detect --example not-confidential --cvm -q; then echo cvm; else echo no; fi`;
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(run.stdout).toBe('cvm\nno\n');
  });

  it("--list-cvm prints systemd's labels in its order, none included, and exits 0", () => {
    const run = ran(['detect', '--list-cvm']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('none\nsev\nsev-es\nsev-snp\ntdx\nprotvirt\ncca\n');
  });

  it('refuses --cvm with another format, and a format it does not know', () => {
    expect(ran(['detect', '--cvm', '--json']).status).toBe(2);
    const bad = ran(['detect', '--format', 'yaml', '--example', 'sev-plain']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/use one of human, json, nfd, prometheus/);
  });
});

describe('the hypervisor is named as systemd-detect-virt names it', () => {
  it('kvm for a KVM guest, in JSON and in the summary', () => {
    const json = JSON.parse(ran(['detect', '--example', 'sev-plain', '--json']).stdout);
    expect(json.hypervisor).toBe('kvm');
    expect(ran(['detect', '--example', 'not-confidential']).stdout).toMatch(/hypervisor\s+kvm/);
  });

  it('lists the attestation files the evidence shows', () => {
    const json = JSON.parse(ran(['detect', '--example', 'azure-tdx-no-paravisor', '--json']).stdout);
    expect(json.attestation).toContain('/dev/tdx_guest');
  });
});

describe('--format json, nfd and prometheus', () => {
  it('--format json is --json', () => {
    const a = ran(['detect', '--example', 'snp-cbit-51', '--json']);
    const b = ran(['detect', '--example', 'snp-cbit-51', '--format', 'json']);
    expect(b.stdout).toBe(a.stdout);
    expect(b.status).toBe(0);
  });

  for (const example of EXAMPLE_NAMES) {
    it(`${example}: an NFD feature file whose every label is valid, agreeing with the JSON`, () => {
      const run = ran(['detect', '--example', example, '--format', 'nfd']);
      expect(run.status).toBe(0);
      const labels = checkedNfdLabels(run.stdout);
      const doc = JSON.parse(ran(['detect', '--example', example, '--json']).stdout);
      expect(labels.get('feature.node.kubernetes.io/coco.confidential')).toBe(String(doc.confidential));
      expect(labels.get('feature.node.kubernetes.io/coco.cvm')).toBe(CVM[example]);
      if (doc.type) expect(labels.get('feature.node.kubernetes.io/coco.type')).toBe(doc.type);
    });

    it(`${example}: Prometheus text that a parser reads back`, () => {
      const run = ran(['detect', '--example', example, '--format', 'prometheus']);
      expect(run.status).toBe(0);
      const families = parsePrometheusTextFormat(run.stdout) as {
        name: string;
        metrics: { value: string; labels?: Record<string, string> }[];
      }[];
      const doc = JSON.parse(ran(['detect', '--example', example, '--json']).stdout);
      const value = (name: string) => families.find((f) => f.name === name)?.metrics[0]?.value;
      expect(value('coco_confidential')).toBe(doc.confidential ? '1' : '0');
      expect(families.find((f) => f.name === 'coco_info')?.metrics[0]?.labels?.cvm).toBe(CVM[example]);
      expect(families.find((f) => f.name === 'coco_build_info')?.metrics[0]?.labels?.version).toMatch(/^\d/);
    });
  }

  it('cannot tell: NFD says coco.confidential=unknown, Prometheus leaves coco_confidential out; exit 4', () => {
    const nfd = ran([...CANNOT_TELL, '--format', 'nfd']);
    expect(nfd.status).toBe(4);
    expect(Object.fromEntries(checkedNfdLabels(nfd.stdout))).toEqual({
      'feature.node.kubernetes.io/coco.confidential': 'unknown',
    });
    const prom = ran([...CANNOT_TELL, '--format', 'prometheus']);
    expect(prom.status).toBe(4);
    const names = (parsePrometheusTextFormat(prom.stdout) as { name: string }[]).map((f) => f.name);
    expect(names).not.toContain('coco_confidential');
    expect(prom.stdout).toMatch(/^coco_decided 0$/m);
  });

  it('--output writes the file whole through a dot file and leaves nothing else behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coco-features-'));
    const run = coco([
      'detect',
      '--example',
      'azure-snp-paravisor',
      '--format',
      'nfd',
      '--output',
      join(dir, 'coco'),
    ]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['coco']);
    expect(readFileSync(join(dir, 'coco'), 'utf8')).toMatch(
      /^feature\.node\.kubernetes\.io\/coco\.confidential=true$/m,
    );
    const missing = coco(['detect', '--example', 'sev-plain', '--output', join(dir, 'no', 'such', 'dir')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^coco: WRITE_FAILED: /);
  });

  it('--nfd-expiry writes an RFC 3339 expiry that far ahead', () => {
    const before = Date.now();
    const run = coco(['detect', '--example', 'sev-plain', '--format', 'nfd', '--nfd-expiry', '3600']);
    const directive = /^# \+expiry-time=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/m.exec(run.stdout);
    expect(directive).not.toBeNull();
    const at = Date.parse((directive as RegExpExecArray)[1] as string);
    expect(at).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(coco(['detect', '--example', 'sev-plain', '--nfd-expiry', '60']).status).toBe(2);
  });
});

const commands = ['detect', 'explain', 'snapshot', 'attrs', 'pte', 'examples', 'completion', 'man'];

describe('command-line conventions', () => {
  it('coco help CMD prints what coco CMD --help prints', () => {
    for (const command of ['detect', 'completion']) {
      const a = ran(['help', command]);
      const b = ran([command, '--help']);
      expect(a.status).toBe(0);
      expect(a.stdout).toBe(b.stdout);
    }
    const wrong = ran(['help', 'dtect']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/did you mean coco help detect\?/);
  });

  it('suggests the command or flag meant', () => {
    const command = ran(['dtect']);
    expect(command.status).toBe(2);
    expect(command.stderr).toBe(
      'coco: USAGE: unknown command "dtect". Fix: did you mean detect? (coco --help lists the commands)\n',
    );
    const flag = ran(['detect', '--exmple', 'sev-plain']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/unknown flag --exmple\. Fix: did you mean --example\?/);
    expect(ran(['zzzzzz']).stderr).not.toMatch(/did you mean/);
  });

  it('-V, -v and --version print the version', () => {
    const v = ran(['-V']);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(ran(['-v']).stdout).toBe(v.stdout);
    expect(ran(['--version']).stdout).toBe(v.stdout);
  });

  it('--no-color turns FORCE_COLOR off, before or after the command', () => {
    const env = { FORCE_COLOR: '1' };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape sequences.
    const ansi = /\u001b\[/;
    expect(coco(['detect', '--example', 'sev-plain'], { env }).stdout).toMatch(ansi);
    expect(coco(['detect', '--example', 'sev-plain', '--no-color'], { env }).stdout).not.toMatch(ansi);
    expect(coco(['--no-color', 'detect', '--example', 'sev-plain'], { env }).stdout).not.toMatch(ansi);
  });
});

describe('coco man', () => {
  it('is roff naming every command and every flag of every help', async () => {
    const man = ran(['man']);
    expect(man.status).toBe(0);
    expect(man.stdout).toMatch(/^\.\\" coco\(1\)/);
    expect(man.stdout).toMatch(/^\.TH COCO 1 /m);
    const plain = man.stdout.replace(/\\-/g, '-');
    const table = await completionCommands();
    expect(table.map((c) => c.name)).toEqual(expect.arrayContaining(commands));
    for (const command of table) {
      if (command.name !== 'help') expect(plain).toContain(`.SS "coco ${command.name}"`);
      for (const flag of command.flags) expect(plain).toContain(`--${flag.name}`);
    }
  });

  const groff = spawnSync('groff', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!groff)('renders with groff -man without a warning', () => {
    const source = ran(['man']).stdout;
    const run = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: source, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });
});

describe('coco completion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coco-completion-'));
  const script = (shell: string) => {
    const run = ran(['completion', shell]);
    expect(run.status).toBe(0);
    const path = join(dir, `coco.${shell}`);
    writeFileSync(path, run.stdout);
    return path;
  };
  const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

  /** What bash suggests for the words typed so far (the last one being completed). */
  const bashSuggests = (path: string, typed: string[]) => {
    const words = typed.map((w) => `'${w}'`).join(' ');
    const run = spawnSync(
      'bash',
      [
        '-c',
        `source ${path}; COMP_WORDS=(${words}); COMP_CWORD=${typed.length - 1}; _coco; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    return lines(run.stdout);
  };

  it('bash: registers _coco for coco and suggests commands, flags and values', () => {
    const path = script('bash');
    const registered = spawnSync(
      'bash',
      ['-c', `source <(node ${JSON.stringify(BIN)} completion bash); complete -p coco`],
      {
        encoding: 'utf8',
      },
    );
    expect(registered.stdout.trim()).toBe('complete -F _coco coco');
    expect(bashSuggests(path, ['coco', 'de'])).toEqual(['detect']);
    expect(bashSuggests(path, ['coco', 'detect', '--for'])).toEqual(['--format']);
    expect(bashSuggests(path, ['coco', 'detect', '--format', ''])).toEqual([
      'human',
      'json',
      'nfd',
      'prometheus',
    ]);
    expect(bashSuggests(path, ['coco', 'detect', '--example', 'azure-tdx'])).toEqual([
      'azure-tdx-paravisor',
      'azure-tdx-no-paravisor',
    ]);
    expect(bashSuggests(path, ['coco', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(bashSuggests(path, ['coco', 'detect', '--cv'])).toEqual(['--cvm']);
  });

  it('refuses a shell it does not know', () => {
    const run = ran(['completion', 'tcsh']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/give one of bash, zsh, fish/);
  });

  it.skipIf(!has('zsh'))('zsh: parses (zsh -n) and loads under compinit', () => {
    const path = script('zsh');
    expect(spawnSync('zsh', ['-n', path], { encoding: 'utf8' }).status).toBe(0);
    const load = spawnSync(
      'zsh',
      ['-f', '-c', `autoload -Uz compinit && compinit -u -D && source ${path} && print -r -- $_comps[coco]`],
      { encoding: 'utf8', env: { ...process.env, HOME: dir } },
    );
    expect(load.stderr).toBe('');
    expect(load.stdout.trim()).toBe('_coco');
  });

  it.skipIf(!has('fish'))('fish: parses (fish -n) and completes commands, flags and values', () => {
    const path = script('fish');
    expect(spawnSync('fish', ['--no-execute', path], { encoding: 'utf8' }).status).toBe(0);
    const complete = (line: string) => {
      const run = spawnSync(
        'fish',
        ['--no-config', '-c', `source ${path}; complete -C ${JSON.stringify(line)}`],
        {
          encoding: 'utf8',
          env: { ...process.env, HOME: dir },
        },
      );
      expect(run.stderr).toBe('');
      return lines(run.stdout).map((l) => l.split('\t')[0]);
    };
    expect(complete('coco de')).toEqual(['detect']);
    expect(complete('coco detect --form')).toEqual(['--format']);
    expect(complete('coco detect --format ')).toEqual(['human', 'json', 'nfd', 'prometheus']);
  });
});
