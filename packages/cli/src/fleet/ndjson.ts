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

  /** Appends `line` (UTF-8) and a newline. */
  push(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, 2 units, takes 4).
    const most = line.length * 3 + 1;
    if (this.#length + most > this.#bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.#bytes.length * 2, this.#length + most));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#bytes = grown;
    }
    this.#length += this.#bytes.write(line, this.#length, 'utf8');
    this.#bytes[this.#length++] = 0x0a;
  }

  /** The lines so far, as one `Uint8Array` over memory of its own (safe to transfer). */
  take(): Uint8Array {
    const out = new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset, this.#length);
    this.#bytes = Buffer.allocUnsafeSlow(0);
    this.#length = 0;
    return out;
  }
}
