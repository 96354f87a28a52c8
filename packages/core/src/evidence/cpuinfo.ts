import { CocoError, isCocoError } from '../errors.js';
import { type Evidence, EvidenceBuilder } from './model.js';
import type { ParseOptions } from './snapshot.js';

const FIELD_LINE = /^([^:\n]{1,64}?)\s*:\s?(.*)$/;
const FIELD_NAME = /^[A-Za-z0-9_ ()#./-]{1,64}$/;
const MAX_FIELDS = 4096;

/**
 * Parses `/proc/cpuinfo` of any architecture Linux runs on: every `name : value` field, the first
 * occurrence of each (the first processor's, and the machine-wide ones some architectures print
 * after or before the processors). The feature words (`flags`, `Features` or `features`) also
 * become flags. Lines that are not fields are skipped; text with no field at all is refused.
 */
export function parseCpuinfo(text: string, options: ParseOptions = {}): Evidence {
  const name = options.source ?? 'cpuinfo';
  if (typeof text !== 'string') {
    throw new CocoError('CPUINFO_INVALID', 'cpuinfo is not text', {
      input: name,
      fix: 'pass the contents of /proc/cpuinfo',
    });
  }
  const source = options.source === undefined ? name : `cpuinfo ${name}`;
  const fields = new Map<string, string>();
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  for (const raw of lines) {
    const match = FIELD_LINE.exec(raw.replace(/\r$/, ''));
    if (!match) continue;
    const field = (match[1] as string).trim();
    if (!FIELD_NAME.test(field) || fields.has(field)) continue;
    fields.set(field, (match[2] as string).trim().slice(0, 8192));
    if (fields.size >= MAX_FIELDS) break;
  }
  if (fields.size === 0) {
    throw new CocoError('CPUINFO_INVALID', 'no "name : value" field found', {
      input: name,
      fix: 'pass /proc/cpuinfo as the kernel writes it',
    });
  }
  try {
    return new EvidenceBuilder().addCpuinfo(fields, source).build();
  } catch (error) {
    // The builder's problem alone: its message repeats the source and adds a fix of its own.
    throw new CocoError('CPUINFO_INVALID', isCocoError(error) ? error.problem : 'not valid', {
      input: name,
      fix: 'pass /proc/cpuinfo as the kernel writes it',
    });
  }
}
