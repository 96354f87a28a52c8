// coco inspector: wires the inputs, the detection, the page-table entry and the attribute table.
import './styles.css';
import { EXAMPLES } from '@coco/cli/examples';
import { renderAttrs } from './attrs-view.js';
import { byId, fill, h, t } from './dom.js';
import {
  createInspectorRegistry,
  guessKind,
  type Input,
  type InputKind,
  inspect,
  KIND_LABELS,
} from './engine.js';
import { createPteView } from './pte-view.js';
import { renderOutcome, verdictKind, wireTrail } from './results.js';

const registry = createInspectorRegistry();

interface Card {
  readonly id: number;
  kind: InputKind | 'auto';
  name: string;
  text: string;
  readonly el: HTMLLIElement;
}

const cards: Card[] = [];
let nextId = 1;
const list = byId<HTMLOListElement>('inputs');

/** The kind a card is read as: its choice, or the guess from its name and text. */
const kindOf = (card: Card): InputKind =>
  card.kind === 'auto' ? guessKind(card.name, card.text) : card.kind;

function inputs(): Input[] {
  return cards.map((c) => ({ kind: kindOf(c), name: c.name, text: c.text }));
}

function addCard(init: { kind: InputKind | 'auto'; name: string; text: string }): Card {
  const id = nextId++;
  const el = h('li', { class: 'input-card', 'data-input': id });
  const card: Card = { id, ...init, el };
  cards.push(card);
  const remove = h(
    'button',
    { type: 'button', class: 'remove', 'aria-label': `Remove input ${id}` },
    'Remove',
  );
  remove.addEventListener('click', () => {
    cards.splice(cards.indexOf(card), 1);
    el.remove();
    schedule();
  });
  if (init.kind === 'example') {
    const example = EXAMPLES.find((e) => e.name === init.text);
    el.append(
      h(
        'div',
        { class: 'row' },
        h('span', {}, h('strong', {}, 'Bundled example '), h('code', {}, init.text), ' (--example)'),
        remove,
      ),
      h('p', { class: 'desc' }, example?.description ?? ''),
      h(
        'details',
        {},
        h('summary', {}, 'Its snapshot and sources'),
        h('ul', {}, ...(example?.sources ?? []).map((s) => h('li', {}, s))),
        h('pre', { class: 'mono' }, JSON.stringify(example?.snapshot ?? null, null, 2)),
      ),
    );
  } else {
    const nameInput = h('input', {
      type: 'text',
      class: 'input-name',
      id: `name-${id}`,
      value: init.name,
      spellcheck: 'false',
    });
    const kindSelect = h(
      'select',
      { class: 'input-kind', id: `kind-${id}` },
      h('option', { value: 'auto' }, 'guess from the text'),
      ...(['dmesg', 'cpuid', 'cpuinfo', 'snapshot', 'msr'] as const).map((k) =>
        h('option', { value: k }, KIND_LABELS[k]),
      ),
    );
    kindSelect.value = init.kind;
    const readAs = h('span', { class: 'read-as', id: `read-as-${id}`, 'aria-live': 'polite' });
    const area = h('textarea', {
      class: 'input-text',
      id: `text-${id}`,
      spellcheck: 'false',
      autocomplete: 'off',
      autocapitalize: 'off',
      'aria-describedby': `read-as-${id}`,
      placeholder: 'Paste dmesg, journalctl -k, cpuid -r, /proc/cpuinfo or a coco snapshot here',
    });
    area.value = init.text;
    const showKind = () => {
      readAs.textContent = card.text.trim() === '' ? '' : `read as ${KIND_LABELS[kindOf(card)]}`;
    };
    nameInput.addEventListener('input', () => {
      card.name = nameInput.value;
      showKind();
      schedule();
    });
    kindSelect.addEventListener('change', () => {
      card.kind = kindSelect.value as Card['kind'];
      showKind();
      schedule();
    });
    area.addEventListener('input', () => {
      card.text = area.value;
      showKind();
      schedule();
    });
    showKind();
    el.append(
      h(
        'div',
        { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: `name-${id}` }, 'Name (as a file name)'), nameInput),
        h('div', { class: 'field' }, h('label', { for: `kind-${id}` }, 'Read as'), kindSelect),
        readAs,
        remove,
      ),
      h('label', { for: `text-${id}`, class: 'visually-hidden' }, `Evidence text ${id}`),
      area,
    );
  }
  list.append(el);
  return card;
}

let timer: number | undefined;
function schedule(): void {
  document.body.dataset.busy = 'true';
  window.clearTimeout(timer);
  timer = window.setTimeout(run, 120);
}

const pte = createPteView(registry);

function run(): void {
  const outcome = inspect(registry, inputs());
  renderOutcome(outcome, registry);
  if (outcome.kind === 'detection') {
    const d = outcome.detection;
    const why =
      verdictKind(d) === 'conflict'
        ? 'The evidence conflicts, so no type was decided.'
        : d.confidential === null
          ? 'The evidence cannot tell which type this is.'
          : 'Not a confidential guest: no type.';
    pte.setDetected(d.type, why);
  } else pte.setDetected(null, outcome.kind === 'error' ? 'The input cannot be read.' : 'No evidence yet.');
  document.body.dataset.busy = 'false';
}

// Examples.
const examplePick = byId<HTMLSelectElement>('example-pick');
fill(examplePick, ...EXAMPLES.map((e) => h('option', { value: e.name }, `${e.name}: ${e.description}`)));
byId('add-example').addEventListener('click', () => {
  addCard({ kind: 'example', name: `example ${examplePick.value}`, text: examplePick.value });
  schedule();
});

// Text boxes and files.
let pasted = 0;
const addTextBox = (text = '', name?: string) =>
  addCard({ kind: 'auto', name: name ?? `pasted-${++pasted}`, text });
byId('add-input').addEventListener('click', () => {
  const card = addTextBox();
  card.el.querySelector('textarea')?.focus();
});
byId('clear-all').addEventListener('click', () => {
  for (const card of cards.splice(0)) card.el.remove();
  addTextBox();
  schedule();
});
// Files are added in the order the user gave them: a drop while picked files are still being
// read waits for them (each read is asynchronous, and a small file would otherwise come first).
let adding: Promise<void> = Promise.resolve();
function addFiles(files: FileList | null): Promise<void> {
  const list = Array.from(files ?? []);
  adding = adding.then(async () => {
    for (const file of list) {
      const text = await file.text().catch(() => null);
      if (text !== null) addTextBox(text, file.name);
    }
    // The first, empty text box gives way to the files.
    const first = cards[0];
    if (first && first.kind === 'auto' && first.text === '' && cards.length > 1) {
      cards.shift();
      first.el.remove();
    }
    schedule();
  });
  return adding;
}
const filePick = byId<HTMLInputElement>('file-pick');
filePick.addEventListener('change', () => {
  void addFiles(filePick.files).then(() => {
    filePick.value = '';
  });
});
document.addEventListener('dragover', (e) => {
  if (!e.dataTransfer?.types.includes('Files')) return;
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  document.body.classList.remove('dragging');
  if (!e.dataTransfer?.files.length) return;
  e.preventDefault();
  void addFiles(e.dataTransfer.files);
});

wireTrail(byId('detail'));
renderAttrs(registry, byId('attrs-body'));
addTextBox();
run();
// For tests and the curious: the page's own version of `coco detect --json` is in #json.
document.documentElement.dataset.ready = t('true');
