import type { AttributeDefinition, BackendPlugin } from '@coco/core';
import { safeText } from './safe-text.js';
import type { Style } from './style.js';

/** One column of the attribute table: a backend's variant. */
export interface AttrsColumn {
  readonly type: string;
  readonly variant: string | null;
  readonly title: string;
  readonly cvm: string;
  readonly attributes: readonly string[];
  readonly conditional: readonly { readonly attribute: string; readonly when: string }[];
}

/** The columns of the table, one per variant of each registered backend, in registration order. */
export function attrsColumns(backends: readonly BackendPlugin[]): AttrsColumn[] {
  return backends.flatMap((b) =>
    b.variants.map((v) => ({
      type: b.id,
      variant: v.variant,
      title: v.title,
      cvm: v.cvm,
      attributes: [...v.attributes],
      conditional: [...(v.conditional ?? [])],
    })),
  );
}

/** The attribute table: attributes down, types and variants across; `yes`, `if` (footnoted) or `-`. */
export function renderAttrs(
  rawDefinitions: readonly AttributeDefinition[],
  rawColumns: readonly AttrsColumn[],
  style: Style,
): string {
  // Plugins supply ids, labels and descriptions: shown with control characters escaped.
  const definitions = rawDefinitions.map((d) => ({
    id: safeText(d.id),
    kernelName: safeText(d.kernelName),
    description: safeText(d.description),
  }));
  const columns: AttrsColumn[] = rawColumns.map((c) => ({
    type: safeText(c.type),
    variant: c.variant === null ? null : safeText(c.variant),
    title: safeText(c.title),
    cvm: safeText(c.cvm),
    attributes: c.attributes.map(safeText),
    conditional: c.conditional.map((x) => ({ attribute: safeText(x.attribute), when: safeText(x.when) })),
  }));
  const labelWidth = Math.max(14, ...definitions.map((d) => d.id.length)) + 2;
  const widths = columns.map((c) => Math.max(5, c.type.length, (c.variant ?? '-').length) + 2);
  const notes: string[] = [];
  let out = `${style.bold("Attributes by type and variant (what the kernel's cc_platform_has answers)")}\n\n`;
  const header = (cell: (c: AttrsColumn) => string) =>
    `${' '.repeat(labelWidth)}${columns.map((c, i) => cell(c).padEnd(widths[i] as number)).join('')}`.trimEnd();
  out += `${header((c) => c.type)}\n${header((c) => c.variant ?? '-')}\n`;
  for (const def of definitions) {
    let line = def.id.padEnd(labelWidth);
    columns.forEach((c, i) => {
      const width = widths[i] as number;
      const cond = c.conditional.find((x) => x.attribute === def.id);
      let cell = '-';
      if (c.attributes.includes(def.id)) cell = 'yes';
      else if (cond) {
        notes.push(
          `[${notes.length + 1}] ${def.id} on ${c.type}${c.variant ? ` ${c.variant}` : ''}: ${cond.when}`,
        );
        cell = `if[${notes.length}]`;
      }
      const padded = cell.padEnd(width);
      line += cell === 'yes' ? style.good('yes') + padded.slice(3) : padded;
    });
    out += `${line.trimEnd()}\n`;
  }
  let cvm = 'systemd --cvm'.padEnd(labelWidth);
  columns.forEach((c, i) => {
    cvm += c.cvm.padEnd(widths[i] as number);
  });
  out += `${style.dim(cvm.trimEnd())}\n`;
  if (notes.length > 0) out += `\n${notes.join('\n')}\n`;
  out += `\n${style.bold('Attributes')}\n`;
  for (const def of definitions)
    out += `  ${def.id.padEnd(labelWidth)}${def.kernelName}: ${def.description}\n`;
  return out;
}
