import { CocoError } from '../errors.js';
import { type Evidence, EvidenceBuilder } from './model.js';
import type { ParseOptions } from './snapshot.js';

const FLAGS_LINE = /^flags\s*:(.*)$/;
const FLAG = /^[a-z0-9_]{1,64}$/;

/** Parses `/proc/cpuinfo`: the flags of the first processor. */
export function parseCpuinfo(text: string, options: ParseOptions = {}): Evidence {
  const name = options.source ?? 'cpuinfo';
  if (typeof text !== 'string') {
    throw new CocoError('CPUINFO_INVALID', 'cpuinfo is not text', {
      input: name,
      fix: 'pass the contents of /proc/cpuinfo',
    });
  }
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = FLAGS_LINE.exec((lines[i] as string).trim());
    if (!match) continue;
    const flags = (match[1] as string).trim().split(/\s+/).filter(Boolean);
    const bad = flags.find((f) => !FLAG.test(f));
    if (bad !== undefined) {
      throw new CocoError('CPUINFO_INVALID', `${JSON.stringify(bad.slice(0, 40))} is not a cpuinfo flag`, {
        input: name,
        location: `line ${i + 1}`,
        fix: 'pass /proc/cpuinfo as the kernel writes it',
      });
    }
    return new EvidenceBuilder()
      .addFlags(flags, options.source === undefined ? name : `cpuinfo ${name}`)
      .build();
  }
  throw new CocoError('CPUINFO_INVALID', 'no "flags" line found', {
    input: name,
    fix: 'pass /proc/cpuinfo of an x86 machine (it has a "flags : ..." line per processor)',
  });
}
