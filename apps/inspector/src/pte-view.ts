// The interactive page-table entry: 64 bit toggles, the fields, the mask bit, and the entry after
// "mark encrypted" and "mark decrypted" under the detected type or a type picked by hand.
import type { CocoType, Registry } from '@coco/core';
import { byId, fill, h, t } from './dom.js';
import {
  ADDRESS_HIGH,
  ADDRESS_LOW,
  bitName,
  bitOf,
  bitRole,
  flagNames,
  hex64,
  parseEntry,
  physicalAddress,
  toggleBit,
} from './pte.js';

/** The bit a hand-picked type starts with: where it usually is on today's machines. */
const DEFAULT_MASK_BIT: Readonly<Record<string, number>> = { tdx: 51, 'amd-cbit': 51, 'amd-vtom': 46 };

interface Choice {
  readonly label: string;
  readonly backend: string;
  readonly variant: string | null;
}

export interface PteView {
  /** Tells the view what the evidence detected (or `null`): the "detected" choice follows it. */
  setDetected(type: CocoType | null, why: string): void;
}

export function createPteView(registry: Registry): PteView {
  const select = byId<HTMLSelectElement>('pte-type');
  const maskInput = byId<HTMLInputElement>('pte-mask');
  const valueInput = byId<HTMLInputElement>('pte-value');
  const valueError = byId('pte-value-error');
  const body = byId('pte-body');
  const choices: Choice[] = registry.backends.flatMap((b) =>
    b.variants.map((v) => ({
      label: `${b.id}${v.variant ? ` ${v.variant}` : ''}: ${v.title}`,
      backend: b.id,
      variant: v.variant,
    })),
  );
  let detected: CocoType | null = null;
  let detectedWhy = 'No evidence yet.';
  let entry = 0x8000_0001_2345_6063n;
  valueInput.value = hex64(entry);

  const fillSelect = () => {
    const keep = select.value || 'detected';
    const label = detected ? `detected: ${t(detected.describe())}` : 'detected: none';
    fill(
      select,
      h('option', { value: 'detected' }, label),
      ...choices.map((c, i) => h('option', { value: String(i) }, t(c.label))),
    );
    select.value = keep;
  };

  /** The type to draw, or why there is none. */
  const current = (): { type: CocoType | null; why: string } => {
    if (select.value === 'detected') return { type: detected, why: detectedWhy };
    const choice = choices[Number(select.value)];
    const backend = choice ? registry.backend(choice.backend) : undefined;
    if (!choice || !backend) return { type: null, why: 'Pick a type.' };
    const bit = Number(maskInput.value);
    if (!Number.isInteger(bit) || bit < ADDRESS_LOW || bit > ADDRESS_HIGH)
      return {
        type: null,
        why: `The mask bit must be a whole number from ${ADDRESS_LOW} to ${ADDRESS_HIGH}.`,
      };
    try {
      const type = backend.createType(
        choice.variant === null ? { maskBit: bit } : { maskBit: bit, variant: choice.variant },
      );
      return { type, why: '' };
    } catch (error) {
      return { type: null, why: error instanceof Error ? error.message : String(error) };
    }
  };

  let buttons: HTMLButtonElement[] = [];

  const update = (type: CocoType) => {
    const marking = type.marking;
    if (!marking) return;
    for (const button of buttons) {
      const bit = Number(button.dataset.bit);
      const on = bitOf(entry, bit) === 1;
      button.setAttribute('aria-pressed', String(on));
      const v = button.querySelector('.bv');
      if (v) v.textContent = on ? '1' : '0';
    }
    if (document.activeElement !== valueInput) valueInput.value = hex64(entry);
    valueInput.removeAttribute('aria-invalid');
    valueError.textContent = '';
    const rows: [string, string, bigint][] = [
      ['entry', 'pte-entry', entry],
      ['mark encrypted', 'pte-encrypted', marking.encrypt(entry)],
      ['mark decrypted', 'pte-decrypted', marking.decrypt(entry)],
    ];
    const strip = (value: bigint) => {
      const before = Array.from({ length: 63 - marking.maskBit }, (_, i) => bitOf(value, 63 - i)).join('');
      const after = Array.from({ length: marking.maskBit }, (_, i) =>
        bitOf(value, marking.maskBit - 1 - i),
      ).join('');
      return [before, h('span', { class: 'm' }, String(bitOf(value, marking.maskBit))), after] as const;
    };
    const state = (v: bigint) => (marking.isEncrypted(v) ? 'encrypted' : 'decrypted');
    const pa = (v: bigint) => `0x${physicalAddress(v, marking.maskBit).toString(16)}`;
    fill(
      byId('pte-strips'),
      ...rows.flatMap(([label, , value]) => [label.padEnd(15), ...strip(value), '\n']),
      `${''.padEnd(15)}${' '.repeat(63 - marking.maskBit)}^ bit ${marking.maskBit}: ${t(type.maskName)}`,
    );
    fill(
      byId('pte-rows'),
      ...rows.map(([label, id, value]) =>
        h(
          'tr',
          { id },
          h('th', { scope: 'row' }, label),
          h('td', { class: 'mono value', 'data-label': 'value' }, hex64(value)),
          h('td', { class: 'mono address', 'data-label': 'physical address' }, pa(value)),
          h(
            'td',
            { class: 'state', 'data-label': `bit ${marking.maskBit}` },
            `${bitOf(value, marking.maskBit)} (${state(value)})`,
          ),
          h('td', { class: 'flags', 'data-label': 'flags' }, flagNames(value)),
        ),
      ),
    );
  };

  const render = () => {
    const { type, why } = current();
    const manual = select.value !== 'detected';
    maskInput.disabled = !manual;
    if (!manual) maskInput.value = type?.marking ? String(type.marking.maskBit) : '';
    if (!type?.marking) {
      const conversion = type?.quirks.conversion ?? null;
      fill(
        body,
        h(
          'div',
          { class: 'no-marking', id: 'pte-none' },
          h(
            'p',
            {},
            h('strong', {}, type ? `${t(type.describe())}: no page-table bit to draw.` : 'No type to draw.'),
          ),
          h('p', {}, t(type ? (type.maskUnknownReason ?? why) : why)),
          conversion
            ? h('p', {}, `Pages are shared with ${t(conversion.name)}: ${t(conversion.mechanism)}.`)
            : null,
          ...(type?.quirks.notes ?? []).map((n) => h('p', {}, t(n))),
          type ? null : h('p', {}, 'Pick a type by hand above to draw its entry.'),
        ),
      );
      buttons = [];
      return;
    }
    const marking = type.marking;
    buttons = [];
    for (let bit = 63; bit >= 0; bit--) {
      const role = bitRole(bit, marking.maskBit);
      const name = bitName(bit, marking.maskBit, type.maskName);
      const button = h(
        'button',
        {
          type: 'button',
          class: `bit role-${role}`,
          'data-bit': bit,
          'aria-pressed': 'false',
          'aria-label': `bit ${bit}, ${t(name)}`,
          title: `bit ${bit}: ${t(name)}${role === 'mask' ? `, encrypted when ${marking.encryptedWhen}` : ''}`,
          tabindex: bit === 63 ? 0 : -1,
        },
        h('span', { class: 'bn', 'aria-hidden': 'true' }, bit),
        h('span', { class: 'bv', 'aria-hidden': 'true' }, '0'),
      );
      buttons.push(button);
    }
    const grid = h(
      'div',
      { class: 'bits', id: 'pte-bits', role: 'group', 'aria-label': 'Entry bits, 63 down to 0' },
      ...buttons,
    );
    grid.addEventListener('click', (e) => {
      const button = e.target instanceof Element ? e.target.closest('button.bit') : null;
      if (!(button instanceof HTMLButtonElement)) return;
      entry = toggleBit(entry, Number(button.dataset.bit));
      for (const b of buttons) b.tabIndex = b === button ? 0 : -1;
      update(type);
    });
    grid.addEventListener('keydown', (e) => {
      const i = buttons.indexOf(e.target as HTMLButtonElement);
      if (i < 0) return;
      const cols = getComputedStyle(grid).gridTemplateColumns.split(' ').length || 32;
      const next =
        e.key === 'ArrowRight'
          ? i + 1
          : e.key === 'ArrowLeft'
            ? i - 1
            : e.key === 'ArrowDown'
              ? i + cols
              : e.key === 'ArrowUp'
                ? i - cols
                : e.key === 'Home'
                  ? 0
                  : e.key === 'End'
                    ? 63
                    : -1;
      if (next < 0 || next > 63 || e.key.length === 1) return;
      e.preventDefault();
      for (const b of buttons) b.tabIndex = -1;
      const target = buttons[next] as HTMLButtonElement;
      target.tabIndex = 0;
      target.focus();
    });
    fill(
      body,
      h(
        'p',
        { id: 'pte-desc' },
        h('strong', {}, t(type.describe())),
        `: a page is encrypted when ${t(type.maskName)} ${marking.maskBit} is ${marking.encryptedWhen}.`,
      ),
      h(
        'ul',
        { class: 'legend', 'aria-label': 'Legend' },
        h(
          'li',
          {},
          h('span', { class: 'sw address' }),
          `physical address, bits ${ADDRESS_HIGH} to ${ADDRESS_LOW}`,
        ),
        h('li', {}, h('span', { class: 'sw flag' }), 'flags: P RW US PWT PCD A D PS/PAT G, NX at 63'),
        h('li', {}, h('span', { class: 'sw mask' }), `mask bit ${marking.maskBit} (${t(type.maskName)})`),
      ),
      grid,
      h('pre', {
        class: 'strips',
        id: 'pte-strips',
        tabindex: 0,
        'aria-label': 'The entry and the marked entries, bit 63 first',
      }),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'pte-table stack', id: 'pte-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, ''),
              h('th', { scope: 'col' }, 'value'),
              h('th', { scope: 'col' }, 'physical address'),
              h('th', { scope: 'col' }, `bit ${marking.maskBit}`),
              h('th', { scope: 'col' }, 'flags'),
            ),
          ),
          h('tbody', { id: 'pte-rows' }),
        ),
      ),
    );
    update(type);
  };

  select.addEventListener('change', () => {
    const choice = choices[Number(select.value)];
    if (select.value !== 'detected' && choice) {
      const fromDetected = detected?.id === choice.backend ? detected.marking?.maskBit : undefined;
      maskInput.value = String(fromDetected ?? DEFAULT_MASK_BIT[choice.backend] ?? ADDRESS_HIGH);
    }
    render();
  });
  maskInput.addEventListener('input', render);
  valueInput.addEventListener('input', () => {
    const value = parseEntry(valueInput.value);
    if (value === null) {
      valueInput.setAttribute('aria-invalid', 'true');
      valueError.textContent = 'Give 0x and up to 16 hex digits, or a decimal number below 2^64.';
      return;
    }
    entry = value;
    const { type } = current();
    if (type?.marking) update(type);
  });
  valueInput.addEventListener('blur', () => {
    if (!valueInput.hasAttribute('aria-invalid')) valueInput.value = hex64(entry);
  });

  fillSelect();
  render();
  return {
    setDetected(type, why) {
      detected = type;
      detectedWhy = why;
      fillSelect();
      render();
    },
  };
}
