// The detection, as the page shows it: verdict first, then the facts, attributes, conflicts side by
// side, the reasoning trail linked to the input lines, and the coco-detection/1 JSON.
import { type Detection, describeConflict, type Evidence, type LogLine, type Registry } from '@coco/core';
import { byId, type Child, fill, h, t } from './dom.js';
import type { Outcome } from './engine.js';
import { lineRefs } from './lines.js';
import { teeName } from './tee.js';

/** What the verdict box says, in a word: also its `data-verdict`. */
export type VerdictKind = 'confidential' | 'not-confidential' | 'host' | 'cannot-tell' | 'conflict';

export function verdictKind(d: Detection): VerdictKind {
  if (d.conflicts.length > 0) return 'conflict';
  if (d.confidential === null) return 'cannot-tell';
  if (d.confidential) return 'confidential';
  return d.type ? 'host' : 'not-confidential';
}

/** The headline, in the CLI's words (packages/cli/src/render/detection.ts). */
function headline(d: Detection): string {
  switch (verdictKind(d)) {
    case 'conflict':
      return 'Conflicting evidence: coco decides no type.';
    case 'cannot-tell':
      return 'Cannot tell whether this is a confidential guest.';
    case 'not-confidential':
      return 'Not a confidential guest.';
    case 'host':
      return `${t(d.type?.title ?? '')}: memory encryption on a host, not a confidential guest.`;
    case 'confidential':
      return `Confidential guest: ${t(d.type?.title ?? '')}.`;
  }
}

const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no');

function verdictBox(d: Detection, box: HTMLElement): void {
  const kind = verdictKind(d);
  box.dataset.verdict = kind;
  const parts: Child[] = [h('p', { class: 'headline' }, headline(d))];
  if (d.type && kind !== 'conflict') parts.push(h('p', {}, t(d.type.describe())));
  if (kind === 'cannot-tell') {
    const fixes = [...new Set(d.undetermined.map((u) => u.fix))];
    parts.push(
      h('p', {}, h('strong', {}, 'What would decide it:')),
      h('ul', { class: 'fixes' }, ...fixes.map((f) => h('li', {}, t(f)))),
      h('p', {}, h('strong', {}, 'Why:')),
      h(
        'ul',
        { class: 'why' },
        ...(d.undetermined.length > 0
          ? d.undetermined.map((u) => h('li', {}, `${t(u.by)}: ${t(u.because)}`))
          : [h('li', {}, 'no registered plugin could decide from this evidence')]),
      ),
    );
  }
  if (kind === 'conflict')
    parts.push(
      h('p', {}, 'The evidence contradicts itself; find which source is stale or from another machine.'),
    );
  fill(box, ...parts);
}

function summary(d: Detection): HTMLElement {
  const type = d.type;
  const marking = type?.marking ?? null;
  const tee = teeName({
    confidential: d.confidential,
    type: type?.id ?? null,
    variant: type?.variant ?? null,
    hypervisor: d.hypervisor,
    paravisor: d.paravisor,
  });
  const rows: [string, string, Child][] = [
    ['type', 'f-type', type ? h('code', {}, t(type.id)) : 'none'],
    ['variant', 'f-variant', type?.variant ? h('code', {}, t(type.variant)) : '-'],
    ['hypervisor', 'f-hypervisor', d.hypervisor ? t(d.hypervisor) : '-'],
    ['paravisor', 'f-paravisor', yesNo(d.paravisor)],
    [
      'mask',
      'f-mask',
      !type
        ? '-'
        : marking
          ? `0x${marking.mask.toString(16)} (${t(type.maskName)} ${marking.maskBit}), encrypted when ${marking.encryptedWhen}`
          : `unknown: ${t(type.maskUnknownReason ?? 'not determined')}; encrypted when ${type.encryptedWhen}`,
    ],
    [
      'systemd --cvm',
      'f-cvm',
      h('span', {}, h('code', {}, d.cvm ?? 'unknown'), ' (what systemd-detect-virt --cvm prints)'),
    ],
    [
      'CoCo TEE',
      'f-tee',
      h('span', {}, h('code', {}, tee ?? 'none'), ' (the attester Confidential Containers would use)'),
    ],
  ];
  return h(
    'dl',
    { class: 'summary', id: 'facts' },
    ...rows.flatMap(([label, id, value]) => [h('dt', {}, label), h('dd', { id }, value)]),
  );
}

function attributes(d: Detection, registry: Registry): Child {
  if (!d.type) return null;
  const ids = d.type.attributes.ids as readonly string[];
  const defs = new Map(registry.attributes.map((a) => [a.id as string, a]));
  return h(
    'section',
    { 'aria-labelledby': 'det-attrs-h' },
    h('h3', { id: 'det-attrs-h' }, 'Attributes'),
    ids.length === 0
      ? h('p', {}, '(none)')
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'det-attrs', class: 'stack' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'attribute'),
                h('th', { scope: 'col' }, 'kernel name'),
                h('th', { scope: 'col' }, 'meaning'),
              ),
            ),
            h(
              'tbody',
              {},
              ...ids.map((id) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, h('code', {}, t(id))),
                  h('td', { 'data-label': 'kernel name' }, h('code', {}, t(defs.get(id)?.kernelName ?? id))),
                  h('td', { 'data-label': 'meaning' }, t(defs.get(id)?.description ?? '')),
                ),
              ),
            ),
          ),
        ),
    d.type.details.length > 0
      ? h(
          'dl',
          { class: 'summary' },
          ...d.type.details.flatMap((x) => [h('dt', {}, t(x.name)), h('dd', {}, t(x.value))]),
        )
      : null,
  );
}

/** The kernel-log lines of the evidence, one entry per source line, and their element ids. */
interface LineIndex {
  readonly sources: readonly string[];
  readonly bySource: ReadonlyMap<string, ReadonlyMap<number, LogLine>>;
  id(source: string, line: number): string;
}

function lineIndex(evidence: Evidence): LineIndex {
  // One entry per source line (one line may hold several kernel messages).
  const bySource = new Map<string, Map<number, LogLine>>();
  for (const line of evidence.kernelLog) {
    const lines = bySource.get(line.source) ?? new Map<number, LogLine>();
    bySource.set(line.source, lines);
    if (!lines.has(line.line)) lines.set(line.line, line);
  }
  const sources = [...bySource.keys()];
  const index = new Map(sources.map((s, i) => [s, i]));
  return { sources, bySource, id: (source, line) => `L${index.get(source)}-${line}` };
}

/** The ids of the shown lines `text` names, and a link to each run of them. */
function lineLinks(lines: LineIndex, text: string): { ids: string[]; links: HTMLElement[] } {
  const ids: string[] = [];
  const links: HTMLElement[] = [];
  for (const ref of lineRefs(text, lines.sources)) {
    const known = lines.bySource.get(ref.source);
    const own: string[] = [];
    for (let line = ref.from; line <= ref.to; line++)
      if (known?.has(line)) own.push(lines.id(ref.source, line));
    if (own.length === 0) continue;
    ids.push(...own);
    const label = ref.from === ref.to ? `line ${ref.from}` : `lines ${ref.from}-${ref.to}`;
    links.push(
      h(
        'a',
        {
          class: 'line-link',
          href: `#${own[0]}`,
          'data-lines': own.join(' '),
          'aria-label': `show ${t(ref.source)} ${label}`,
        },
        `→ ${label}`,
      ),
    );
  }
  return { ids, links };
}

function conflicts(d: Detection, lines: LineIndex): Child {
  if (d.conflicts.length === 0) return null;
  return h(
    'section',
    { 'aria-labelledby': 'conflicts-h', id: 'conflicts' },
    h('h3', { id: 'conflicts-h' }, 'Conflicts'),
    ...d.conflicts.map((c) =>
      h(
        'div',
        { class: 'conflict', title: t(describeConflict(c)) },
        h('h4', {}, t(c.what)),
        h(
          'div',
          { class: 'sides' },
          ...c.sides.map((s) =>
            h(
              'div',
              { class: 'side' },
              t(s.says),
              h('span', { class: 'from' }, `from ${t(s.source)}`, ...lineLinks(lines, s.source).links),
            ),
          ),
        ),
      ),
    ),
  );
}

function notes(d: Detection, evidence: Evidence): Child {
  const items: Child[] = [];
  if (d.warnings.length > 0)
    items.push(
      h('h3', {}, 'Warnings'),
      h('ul', { id: 'warnings' }, ...d.warnings.map((w) => h('li', {}, t(w)))),
    );
  if (evidence.unavailable.length > 0)
    items.push(
      h('h3', {}, 'Not read'),
      h('ul', {}, ...evidence.unavailable.map((n) => h('li', {}, t(`${n.source}: ${n.reason}; ${n.fix}`)))),
    );
  return items.length > 0 ? h('div', {}, ...items) : null;
}

/** Logs longer than this show only the lines the trail names, with a little context. */
const FULL_LOG_LINES = 400;
const CONTEXT = 2;

function reasoning(d: Detection, lines: LineIndex): HTMLElement {
  const { sources, bySource } = lines;
  const lineId = lines.id;
  const stepsOfLine = new Map<string, number[]>();

  const steps = d.trail.map((step, i) => {
    const n = i + 1;
    const { ids, links } = lineLinks(lines, step.says);
    for (const id of ids) stepsOfLine.set(id, [...(stepsOfLine.get(id) ?? []), n]);
    return h(
      'li',
      {
        id: `step-${n}`,
        class: 'step',
        'data-lines': ids.join(' ') || undefined,
        tabindex: ids.length > 0 ? 0 : undefined,
      },
      h('span', { class: 'src' }, `[${t(step.source)}]`),
      ' ',
      h('span', { class: 'says' }, t(step.says)),
      ' ',
      h('span', { class: 'by' }, `(${t(step.by)})`),
      ...links,
    );
  });

  const logs = sources.map((source) => {
    const lines = [...(bySource.get(source)?.values() ?? [])];
    const shown = new Set<number>();
    if (lines.length <= FULL_LOG_LINES) for (const l of lines) shown.add(l.line);
    else
      for (const l of lines)
        if (stepsOfLine.has(lineId(source, l.line)))
          for (let k = l.line - CONTEXT; k <= l.line + CONTEXT; k++) shown.add(k);
    const items: HTMLElement[] = [];
    let skipped = 0;
    for (const l of lines) {
      if (!shown.has(l.line)) {
        skipped++;
        continue;
      }
      if (skipped > 0) items.push(h('li', { class: 'gap' }, `… ${skipped} lines not shown`));
      skipped = 0;
      const id = lineId(source, l.line);
      const steps = stepsOfLine.get(id) ?? [];
      items.push(
        h(
          'li',
          { id, class: steps.length > 0 ? 'ref' : undefined, 'data-steps': steps.join(' ') || undefined },
          h('span', { class: 'ln' }, l.line),
          h('code', {}, t(l.raw)),
          steps.length > 0
            ? h(
                'span',
                { class: 'steps-of-line' },
                ...steps.map((s) =>
                  h('a', { href: `#step-${s}`, 'aria-label': `reasoning step ${s}` }, `step ${s}`),
                ),
              )
            : null,
        ),
      );
    }
    if (skipped > 0) items.push(h('li', { class: 'gap' }, `… ${skipped} lines not shown`));
    return h(
      'div',
      { class: 'log-source' },
      h('h4', {}, t(source)),
      h('ol', { class: 'log', 'aria-label': `kernel log ${t(source)}` }, ...items),
    );
  });

  return h(
    'section',
    { 'aria-labelledby': 'trail-h', class: 'reasoning' },
    h('div', {}, h('h3', { id: 'trail-h' }, 'Reasoning'), h('ol', { class: 'trail', id: 'trail' }, ...steps)),
    h(
      'div',
      { id: 'lines' },
      h('h3', {}, 'Kernel-log lines'),
      logs.length > 0 ? h('div', {}, ...logs) : h('p', { class: 'hint' }, 'No kernel log in the evidence.'),
    ),
  );
}

function json(d: Detection): HTMLElement {
  return h(
    'details',
    { class: 'json' },
    h('summary', {}, 'coco-detection/1 JSON (what coco detect --json prints)'),
    h('pre', { id: 'json', tabindex: 0 }, JSON.stringify(d.toJSON(), null, 2)),
  );
}

/** Highlights the lines a step names while it is hovered or focused; a click pins them. */
export function wireTrail(root: HTMLElement): void {
  const mark = (ids: string | undefined, cls: string, on: boolean) => {
    for (const id of (ids ?? '').split(' ').filter(Boolean))
      document.getElementById(id)?.classList.toggle(cls, on);
  };
  const stepOf = (target: EventTarget | null) =>
    target instanceof Element ? target.closest('li.step') : null;
  const lineOf = (target: EventTarget | null) =>
    target instanceof Element ? target.closest('li[data-steps]') : null;
  const hover = (event: Event, on: boolean) => {
    const step = stepOf(event.target);
    if (step instanceof HTMLElement) {
      mark(step.dataset.lines, 'hl', on);
      step.classList.toggle('hl', on);
    }
    const line = lineOf(event.target);
    if (line instanceof HTMLElement) {
      line.classList.toggle('hl', on);
      for (const s of (line.dataset.steps ?? '').split(' ').filter(Boolean))
        document.getElementById(`step-${s}`)?.classList.toggle('hl', on);
    }
  };
  root.addEventListener('mouseover', (e) => hover(e, true));
  root.addEventListener('mouseout', (e) => hover(e, false));
  root.addEventListener('focusin', (e) => hover(e, true));
  root.addEventListener('focusout', (e) => hover(e, false));
  root.addEventListener('click', (e) => {
    const link = e.target instanceof Element ? e.target.closest('a.line-link') : null;
    if (!(link instanceof HTMLElement)) return;
    for (const el of root.querySelectorAll('.pinned')) el.classList.remove('pinned');
    mark(link.dataset.lines, 'pinned', true);
  });
}

/** Shows an outcome in the verdict box and the detail area. */
export function renderOutcome(outcome: Outcome, registry: Registry): void {
  const box = byId('verdict');
  const detail = byId('detail');
  if (outcome.kind === 'empty') {
    box.dataset.verdict = 'empty';
    fill(
      box,
      h('p', { class: 'headline' }, 'No evidence yet.'),
      h('p', {}, 'Paste or drop evidence, or add a bundled example.'),
    );
    fill(detail);
    return;
  }
  if (outcome.kind === 'error') {
    box.dataset.verdict = 'error';
    fill(
      box,
      h('p', { class: 'headline' }, 'This input cannot be read.'),
      h('p', {}, 'coco detect would print:'),
      h('p', {}, h('code', { class: 'error-line', id: 'error-line' }, outcome.line)),
    );
    fill(detail);
    return;
  }
  const { detection: d, evidence } = outcome;
  const lines = lineIndex(evidence);
  verdictBox(d, box);
  fill(
    detail,
    summary(d),
    conflicts(d, lines) ?? '',
    attributes(d, registry) ?? '',
    notes(d, evidence) ?? '',
    reasoning(d, lines),
    json(d),
  );
}
