// The attribute table of every registered type and variant (`coco attrs`).
import type { Registry } from '@coco/core';
import { fill, h } from './dom.js';

export function renderAttrs(registry: Registry, into: HTMLElement): void {
  const columns = registry.backends.flatMap((b) =>
    b.variants.map((v) => ({
      type: b.id,
      variant: v.variant,
      title: v.title,
      cvm: v.cvm,
      attributes: v.attributes as readonly string[],
      conditional: v.conditional ?? [],
    })),
  );
  const notes: string[] = [];
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'attribute'),
    ...columns.map((c) =>
      h(
        'th',
        { scope: 'col', title: c.title },
        c.type,
        h('br'),
        h('span', { class: 'hint' }, c.variant ?? '-'),
      ),
    ),
  );
  const rows = registry.attributes.map((def) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, h('code', {}, def.id)),
      ...columns.map((c) => {
        if (c.attributes.includes(def.id)) return h('td', { class: 'yes' }, 'yes');
        const cond = c.conditional.find((x) => x.attribute === def.id);
        if (!cond) return h('td', { class: 'no' }, 'no');
        notes.push(`${def.id} on ${c.type}${c.variant ? ` ${c.variant}` : ''}: ${cond.when}`);
        return h('td', { class: 'if' }, `if [${notes.length}]`);
      }),
    ),
  );
  const cvm = h(
    'tr',
    {},
    h('th', { scope: 'row' }, 'systemd --cvm'),
    ...columns.map((c) => h('td', {}, h('code', {}, c.cvm))),
  );
  fill(
    into,
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Attribute table, scrolls sideways' },
      h(
        'table',
        { id: 'attrs-table' },
        h('caption', { class: 'visually-hidden' }, 'Attributes by type and variant'),
        h('thead', {}, head),
        h('tbody', {}, ...rows, cvm),
      ),
    ),
    notes.length > 0 ? h('ol', { class: 'notes' }, ...notes.map((n) => h('li', {}, n))) : null,
    h('h3', {}, 'What each attribute means'),
    h(
      'dl',
      { class: 'summary attr-defs' },
      ...registry.attributes.flatMap((d) => [
        h('dt', {}, h('code', {}, d.id)),
        h('dd', {}, h('code', {}, d.kernelName), ': ', d.description),
      ]),
    ),
  );
}
