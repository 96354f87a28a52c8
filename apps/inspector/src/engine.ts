// The detection the page runs: the CLI's plugins in the CLI's order, its evidence flags merged in
// the CLI's order, and its one-line error. No DOM here, so the tests can run it in Node as well.
import { amdCbitBackend } from '@coco/amd-cbit';
import { amdVtomBackend } from '@coco/amd-vtom';
import { findExample } from '@coco/cli/examples';
import {
  type CocoPlugin,
  createRegistry,
  type Detection,
  type Evidence,
  isCocoError,
  mergeEvidence,
  parseCpuidDump,
  parseCpuinfo,
  parseKernelLogEvidence,
  parseMsrAssignment,
  parseSnapshot,
  type Registry,
} from '@coco/core';
import { hypervPlugin } from '@coco/hyperv';
import { tdxBackend } from '@coco/tdx';

/** What an input is read as: the CLI flag of the same name (`example` is `--example NAME`). */
export type InputKind = 'snapshot' | 'cpuid' | 'dmesg' | 'cpuinfo' | 'msr' | 'example';

/** The kinds in the order `coco detect` reads its flags (packages/cli/src/inputs.ts). */
export const KIND_ORDER: readonly InputKind[] = ['snapshot', 'cpuid', 'dmesg', 'cpuinfo', 'msr', 'example'];

/** The label of each kind, with the CLI flag that reads the same thing. */
export const KIND_LABELS: Readonly<Record<InputKind, string>> = {
  dmesg: 'kernel log (--dmesg)',
  cpuid: 'cpuid -r dump (--cpuid)',
  cpuinfo: '/proc/cpuinfo (--cpuinfo)',
  snapshot: 'coco snapshot (--snapshot)',
  msr: 'MSR values (--msr)',
  example: 'bundled example (--example)',
};

/** One input: `name` is what the CLI would call the file (errors and the trail name it). */
export interface Input {
  readonly kind: InputKind;
  readonly name: string;
  /** The text; for `example`, the example's name. */
  readonly text: string;
}

/** The plugins `coco` registers, in its order (BUILTIN_PLUGINS in packages/cli/src/registry.ts). */
export const PLUGINS: readonly CocoPlugin[] = [hypervPlugin, tdxBackend, amdCbitBackend, amdVtomBackend];

/** A sealed registry with {@link PLUGINS}. */
export function createInspectorRegistry(): Registry {
  const registry = createRegistry();
  for (const plugin of PLUGINS) registry.use(plugin);
  return registry.seal();
}

/** Guesses what a pasted or dropped text is, as a person would from its first lines. */
export function guessKind(name: string, text: string): Exclude<InputKind, 'example'> {
  const head = text.slice(0, 4096);
  const trimmed = head.trimStart();
  // journalctl -o json is JSON too, one record a line, with MESSAGE fields.
  if ((trimmed.startsWith('{') || /\.json$/i.test(name)) && !/"MESSAGE"\s*:/.test(head)) return 'snapshot';
  if (/^\s*(CPU \d+:|0x[0-9a-f]{8} 0x[0-9a-f]{2}:)/im.test(head)) return 'cpuid';
  if (/^(processor|flags)\s*:/m.test(head)) return 'cpuinfo';
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > 0 && lines.every((l) => /^\s*0x[0-9a-f]+\s*=\s*0x[0-9a-f]+\s*$/i.test(l))) return 'msr';
  return 'dmesg';
}

/** `safeText` of the CLI (packages/cli/src/render/safe-text.ts): control characters escaped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
export function safeText(text: string): string {
  return String(text).replace(UNSAFE, (char) => {
    const named = NAMED[char];
    if (named) return named;
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The line `coco` prints on standard error for an error (describeFailure in packages/cli/src/errors.ts). */
export function errorLine(error: unknown): string {
  const oneLine = (text: string) => text.replace(/\s*\r?\n\s*/g, ' ').trim();
  if (isCocoError(error)) {
    const code = typeof error.code === 'string' ? error.code : 'USAGE';
    return `coco: ${safeText(code)}: ${safeText(oneLine(error.message))}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `coco: INTERNAL: internal error: ${safeText(oneLine(message))}. Fix: please report it with the input you pasted`;
}

function parseInput(input: Input): Evidence[] {
  switch (input.kind) {
    case 'snapshot':
      return [parseSnapshot(input.text, { source: input.name })];
    case 'cpuid':
      return [parseCpuidDump(input.text, { source: input.name })];
    case 'dmesg':
      return [parseKernelLogEvidence(input.text, { source: input.name })];
    case 'cpuinfo':
      return [parseCpuinfo(input.text, { source: input.name })];
    case 'msr':
      return input.text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .map((line) => parseMsrAssignment(line, '--msr'));
    case 'example': {
      const example = findExample(input.text);
      if (!example) throw new Error(`no bundled example is called ${input.text}`);
      return [parseSnapshot(example.snapshot, { source: `example ${example.name}` })];
    }
  }
}

/** What the page shows: a detection, the error line, or nothing to look at yet. */
export type Outcome =
  | { readonly kind: 'detection'; readonly evidence: Evidence; readonly detection: Detection }
  | { readonly kind: 'error'; readonly line: string }
  | { readonly kind: 'empty' };

/**
 * Reads every input as `coco detect` reads its flags (snapshots, CPUID dumps, kernel logs,
 * cpuinfo, MSRs, then examples; the order given within a kind), merges them and detects.
 */
export function inspect(registry: Registry, inputs: readonly Input[]): Outcome {
  // An empty text box is an input not given (not an empty log, which would say something).
  const given = inputs.filter((i) => i.text.trim() !== '');
  if (given.length === 0) return { kind: 'empty' };
  try {
    const parts: Evidence[] = [];
    for (const kind of KIND_ORDER)
      for (const input of given) if (input.kind === kind) parts.push(...parseInput(input));
    if (parts.length === 0) return { kind: 'empty' };
    const evidence = parts.length === 1 ? (parts[0] as Evidence) : mergeEvidence(...parts);
    return { kind: 'detection', evidence, detection: registry.detect(evidence) };
  } catch (error) {
    return { kind: 'error', line: errorLine(error) };
  }
}
