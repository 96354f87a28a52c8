import { CocoError, type Evidence, type ParseOptions, parseHex32 } from '@coco/core';
import { X86EvidenceBuilder } from './facts.js';

const HEADER = /^CPU(?: (\d{1,6}))?:$/;
const ENTRY = /^(0x[0-9a-fA-F]+) (0x[0-9a-fA-F]+): eax=(\S+) ebx=(\S+) ecx=(\S+) edx=(\S+)$/;
const EXPECTED = 'expected "0xLEAF 0xSUBLEAF: eax=0x... ebx=0x... ecx=0x... edx=0x..." or a "CPU n:" header';

/**
 * Parses the raw output of the Debian `cpuid` tool (`cpuid -r` or `cpuid -1 -r`): CPU 0's leaves
 * (or the only CPU's), tolerating headers, blank lines and `#` comments. Errors name the line.
 */
export function parseCpuidDump(text: string, options: ParseOptions = {}): Evidence {
  const name = options.source ?? 'cpuid dump';
  const source = options.source === undefined ? name : `cpuid dump ${name}`;
  const fail = (line: number, problem: string, fix: string): never => {
    throw new CocoError('CPUID_DUMP_INVALID', problem, { input: name, location: `line ${line}`, fix });
  };
  if (typeof text !== 'string') fail(0, 'the dump is not text', 'pass the output of cpuid -r as a string');
  const builder = new X86EvidenceBuilder();
  let entries = 0;
  let cpu: number | null = null;
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] as string;
    if (raw.length > 512) fail(lineNo, `the line is ${raw.length} characters long`, EXPECTED);
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = HEADER.exec(line);
    if (header) {
      const n = header[1] === undefined ? 0 : Number(header[1]);
      if (cpu !== null && n !== cpu) break;
      cpu = n;
      if (n !== 0)
        fail(
          lineNo,
          `the dump starts with CPU ${n}, not CPU 0`,
          'dump every CPU with cpuid -r, or CPU 0 with cpuid -1 -r',
        );
      continue;
    }
    const entry = ENTRY.exec(line);
    if (!entry)
      fail(
        lineNo,
        `cannot read ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line)}`,
        EXPECTED,
      );
    const m = entry as RegExpExecArray;
    const reg = (index: number, what: string) =>
      parseHex32(m[index], { input: name, location: `line ${lineNo}, ${what}`, code: 'CPUID_DUMP_INVALID' });
    builder.addCpuid(
      reg(1, 'leaf'),
      reg(2, 'subleaf'),
      { eax: reg(3, 'eax'), ebx: reg(4, 'ebx'), ecx: reg(5, 'ecx'), edx: reg(6, 'edx') },
      source,
    );
    entries++;
  }
  if (entries === 0)
    fail(lines.length, 'the dump holds no CPUID entries', 'pass the output of cpuid -r or cpuid -1 -r');
  return builder.build();
}
