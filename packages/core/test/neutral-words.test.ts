// Core knows no architecture, vendor or backend (issue 12, "Done when"): outside comments, no word of
// core's source names one. The sources are read with the TypeScript parser, and only its tokens count
// (identifiers, keywords, string, template and regular-expression literals); the text between tokens,
// where comments live, is never looked at, so core's comments may cite the kernel and the hardware.
// Each token is split into words (`cpuidOf` -> cpuid, of; `guest-sev-snp` -> guest, sev, snp;
// `x86_64` -> x86, 64) and a word is forbidden when it is one of WORDS or matches one of PATTERNS.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Architecture, vendor, platform and backend words (compared lower-case, whole words). Not in it, as
 * roles any architecture has: hypervisor, paravisor (a field of coco-detection/1), guest, host,
 * realm (an ordinary word; core's messages use it in made-up third-party ids such as "acme-realm").
 */
const WORDS = new Set([
  // architectures and instruction-set words
  'x86',
  'amd64',
  'i386',
  'ia32',
  'arm',
  'arm64',
  'aarch64',
  'riscv',
  'risc',
  's390',
  's390x',
  'zarch',
  'ppc',
  'powerpc',
  'power',
  'pseries',
  'powernv',
  'cpuid',
  'msr',
  'msrs',
  'lpa2',
  // vendors and clouds
  'amd',
  'intel',
  'ibm',
  'microsoft',
  'azure',
  'google',
  'aws',
  'nitro',
  // confidential-computing technologies and backends
  'tdx',
  'tdcall',
  'gpaw',
  'sev',
  'snp',
  'sme',
  'vtom',
  'cbit',
  'hyperv',
  'cca',
  'rme',
  'rsi',
  'protvirt',
  'ultravisor',
  'pef',
  'svm',
  'cove',
  'kvm',
  'xen',
  'vmware',
]);

/** Word shapes: x86_64 spellings, numbered POWER and ppc generations. */
const PATTERNS = [/^x86\w*$/, /^ppc\d+(le)?$/, /^power\d+$/, /^rv\d+$/];

/**
 * The allowlist, each entry for string literals of one file only:
 * - attributes.ts, `sev`, `snp`, `sme`: the kernel's cc_attr vocabulary of include/linux/cc_platform.h
 *   (CC_ATTR_GUEST_SEV_SNP, CC_ATTR_HOST_SEV_SNP, CC_ATTR_GUEST_SNP_SECURE_TSC, CC_ATTR_SNP_SECURE_AVIC,
 *   and "Examples include SME." of CC_ATTR_HOST_MEM_ENCRYPT), which is the kernel's arch-neutral API
 *   and is kept verbatim in the attribute ids (guest-sev-snp, ...), kernel names and descriptions.
 * - marking.ts, `power`: "a power of two" in a message about masks, not the POWER architecture.
 */
const ALLOWED: readonly { file: string; words: readonly string[] }[] = [
  { file: 'attributes.ts', words: ['sev', 'snp', 'sme'] },
  { file: 'marking.ts', words: ['power'] },
];

/** Splits a token's text into lower-case words: on non-alphanumerics and camelCase humps. */
export function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

const forbidden = (word: string) => WORDS.has(word) || PATTERNS.some((p) => p.test(word));

interface Finding {
  file: string;
  line: number;
  word: string;
  text: string;
}

const STRINGS = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
]);

/** The forbidden words of one source file outside comments, with their lines. */
export function scan(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split('\n');
  const allowed = ALLOWED.filter((a) => file === a.file || file.endsWith(`/${a.file}`));
  const findings: Finding[] = [];
  const visit = (node: ts.Node) => {
    // JSDoc blocks are comments; the parser attaches them as children.
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(source);
    if (children.length > 0) {
      for (const child of children) visit(child);
      return;
    }
    const start = node.getStart(source);
    const tokenText = text.slice(start, node.getEnd());
    const isString = STRINGS.has(node.kind);
    for (const word of wordsOf(tokenText)) {
      if (!forbidden(word)) continue;
      if (isString && allowed.some((a) => a.words.includes(word))) continue;
      const line = source.getLineAndCharacterOfPosition(start).line + 1;
      findings.push({ file, line, word, text: (lines[line - 1] ?? '').trim() });
    }
  };
  visit(source);
  return findings;
}

/** Core's source files, relative to packages/core/src, with their text. */
function coreSources(): { file: string; text: string }[] {
  const here = decodeURIComponent((import.meta as { url: string }).url.replace(/^file:\/\//, ''));
  const src = `${here.slice(0, here.lastIndexOf('/test/'))}/src`;
  return ts.sys
    .readDirectory(src, ['.ts'])
    .filter((f) => !f.endsWith('.d.ts'))
    .sort()
    .map((f) => ({ file: f.slice(src.length + 1), text: ts.sys.readFile(f) ?? '' }));
}

describe("core's source names no architecture, vendor or backend outside comments", () => {
  it('finds the words of tokens, not of comments, and honours the attributes allowlist', () => {
    const sample = [
      '// cpuid leaves are x86; so are MSRs',
      '/** Reads the SEV status MSR. */',
      'const readCpuidLeaf = (leaf: number) => leaf; // tdx',
      "const id = 'guest-sev-snp';",
      'const re = /Intel TDX/;',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the sample is source text holding a template
      'const t = `${id} on ppc64le`;',
      'const several = 7; const alarm = 1; const param = 2;',
    ].join('\n');
    expect(scan('evidence/sample.ts', sample).map((f) => [f.line, f.word])).toEqual([
      [3, 'cpuid'],
      [4, 'sev'],
      [4, 'snp'],
      [5, 'intel'],
      [5, 'tdx'],
      [6, 'ppc64le'],
    ]);
    expect(scan('attributes.ts', "const a = ['guest-sev-snp', 'GUEST_SEV_SNP'];\nconst sevSnp = 1;")).toEqual(
      [
        { file: 'attributes.ts', line: 2, word: 'sev', text: 'const sevSnp = 1;' },
        { file: 'attributes.ts', line: 2, word: 'snp', text: 'const sevSnp = 1;' },
      ],
    );
  });

  it('holds for every file of packages/core/src', () => {
    const sources = coreSources();
    expect(sources.length).toBeGreaterThan(10);
    const findings = sources.flatMap(({ file, text }) => scan(file, text));
    const report = findings.map((f) => `packages/core/src/${f.file}:${f.line}: "${f.word}" in: ${f.text}`);
    expect(report).toEqual([]);
  });
});
