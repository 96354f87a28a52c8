// A fleet batch's records as UTF-8 bytes: the same bytes as writing each line and a newline as text.
import { describe, expect, it } from 'vitest';
import { NdjsonBytes } from '../src/fleet/ndjson.js';
import { fleetBatch } from '../src/fleet/summary.js';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

describe('NdjsonBytes', () => {
  it('encodes lines as UTF-8 with newlines, growing past its first size', () => {
    const lines = [
      '{"a":1}',
      '{"name":"hôte-é"}',
      `{"x":"${'z'.repeat(100)}"}`,
      '{"emoji":"😀"}',
      '\ufeff{}',
    ];
    const bytes = new NdjsonBytes(8);
    for (const l of lines) bytes.push(l);
    const out = bytes.take();
    expect(Buffer.from(out)).toEqual(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'));
    expect(utf8.decode(out)).toBe(lines.map((l) => `${l}\n`).join(''));
    // Its own memory, from offset 0: safe to transfer to another thread.
    expect(out.byteOffset).toBe(0);
    expect(bytes.take()).toHaveLength(0);
  });

  it('writes a line given as pieces of text and bytes as the same line given as text', () => {
    const pieces = [
      '{"a":"hôte',
      Buffer.from('-é😀","b":', 'utf8'),
      `"${'z'.repeat(50)}"`,
      Buffer.alloc(0),
      '}',
    ];
    const whole = `{"a":"hôte-é😀","b":"${'z'.repeat(50)}"}`;
    const a = new NdjsonBytes(4);
    a.push(pieces);
    a.push('{}');
    a.push(pieces);
    expect(utf8.decode(a.take())).toBe(`${whole}\n{}\n${whole}\n`);
  });

  it('gives a batch its bytes and its counts', () => {
    const fact = (name: string, verdict: 'confidential' | 'error') => ({
      name,
      verdict,
      type: verdict === 'error' ? null : 'tdx',
      variant: null,
      cvm: null,
      code: verdict === 'error' ? 'SNAPSHOT_INVALID' : null,
    });
    const batch = fleetBatch([
      { line: '{"m":1}', fact: fact('a', 'confidential') },
      { line: '{"m":2}', fact: fact('b', 'error') },
    ]);
    expect(utf8.decode(batch.ndjson)).toBe('{"m":1}\n{"m":2}\n');
    expect(batch.summary.machines).toBe(2);
    expect(batch.summary.errors).toEqual(['b (SNAPSHOT_INVALID)']);
  });
});
