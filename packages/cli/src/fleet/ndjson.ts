import type { FleetLine } from './machine.js';

/** A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, 2 units, takes 4). */
const utf8Most = (text: string) => text.length * 3;

/**
 * NDJSON lines gathered as UTF-8 bytes outside the JavaScript heap: a fleet worker's batch of
 * records is one buffer that moves to the main thread without a copy (a transferred
 * `ArrayBuffer`) and is written as it is. Lines kept as strings until the batch is done survive
 * the young generation's collections and are copied into the old one; bytes here are not.
 */
export class NdjsonBytes {
  #bytes: Buffer;
  #length = 0;

  constructor(capacity = 64 * 1024) {
    this.#bytes = Buffer.allocUnsafeSlow(capacity);
  }

  /** Appends `line` (text as UTF-8, bytes as they are) and a newline. */
  push(line: FleetLine): void {
    if (typeof line === 'string') {
      this.#room(utf8Most(line) + 1);
      this.#length += this.#bytes.write(line, this.#length, 'utf8');
    } else {
      let most = 1;
      for (const piece of line) most += typeof piece === 'string' ? utf8Most(piece) : piece.byteLength;
      this.#room(most);
      for (const piece of line) {
        if (typeof piece === 'string') this.#length += this.#bytes.write(piece, this.#length, 'utf8');
        else {
          this.#bytes.set(piece, this.#length);
          this.#length += piece.byteLength;
        }
      }
    }
    this.#bytes[this.#length++] = 0x0a;
  }

  #room(bytes: number): void {
    if (this.#length + bytes <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.#bytes.length * 2, this.#length + bytes));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }

  /** The lines so far, as one `Uint8Array` over memory of its own (safe to transfer). */
  take(): Uint8Array {
    const out = new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset, this.#length);
    this.#bytes = Buffer.allocUnsafeSlow(0);
    this.#length = 0;
    return out;
  }
}
