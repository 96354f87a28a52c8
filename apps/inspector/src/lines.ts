// Links from reasoning-trail steps to the input lines they came from. Plugins name a line as
// `SOURCE line N` or `SOURCE lines N-M` in a step's text, where SOURCE is a kernel-log source
// (`dmesg.txt`, `example azure-snp-paravisor`).

/** A run of lines of one source. */
export interface LineRef {
  readonly source: string;
  readonly from: number;
  readonly to: number;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every line reference in `says` to one of `sources`, in order of appearance. */
export function lineRefs(says: string, sources: readonly string[]): LineRef[] {
  // Longest names first, so `dmesg.txt.old` is not read as `dmesg.txt`.
  const names = [...new Set(sources)].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  if (names.length === 0) return [];
  const pattern = new RegExp(`(${names.map(escapeRegExp).join('|')}) lines? (\\d+)(?:-(\\d+))?`, 'g');
  const refs: LineRef[] = [];
  for (const m of says.matchAll(pattern)) {
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (to >= from) refs.push({ source: m[1] as string, from, to });
  }
  return refs;
}
