/**
 * Kafka's primitive encodings (docs/protocol.html "Protocol Primitive Types"): fixed-width
 * big-endian integers, unsigned varints, classic strings/bytes/arrays (int16/int32 length, −1 for
 * null) and their compact forms (uvarint length + 1, 0 for null), UUIDs, tagged-field sections.
 * The reader never reads past its end: every overrun is a `DecodeError`, never a crash.
 */

/** Malformed input. `path` says where (`TopicData[0].Name`), `offset` how far the reader got. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(message: string, readonly path = '', readonly offset = 0) {
    super(path ? `${path}: ${message}` : message);
  }
}

export class Reader {
  offset: number;
  constructor(readonly buf: Buffer, offset = 0, readonly end = buf.length) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    if (n < 0 || this.offset + n > this.end) throw new DecodeError(`needs ${n} bytes, ${this.end - this.offset} left`, '', this.offset);
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int8(): number { return this.buf.readInt8(this.need(1)); }
  int16(): number { return this.buf.readInt16BE(this.need(2)); }
  uint16(): number { return this.buf.readUInt16BE(this.need(2)); }
  int32(): number { return this.buf.readInt32BE(this.need(4)); }
  uint32(): number { return this.buf.readUInt32BE(this.need(4)); }
  int64(): bigint { return this.buf.readBigInt64BE(this.need(8)); }
  float64(): number { return this.buf.readDoubleBE(this.need(8)); }
  bool(): boolean { return this.int8() !== 0; }
  uuid(): Buffer { return this.slice(16); }

  /** An unsigned varint of at most 5 bytes (32 bits). */
  uvarint(): number {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.buf.readUInt8(this.need(1));
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw new DecodeError('varint exceeds 32 bits', '', this.offset);
        return value;
      }
    }
    throw new DecodeError('varint longer than 5 bytes', '', this.offset);
  }

  /** A zero-copy view of the next `n` bytes. */
  slice(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  /** Length of a string/bytes/array: classic (int16 or int32) or compact (uvarint − 1); −1 = null. */
  length(compact: boolean, wide: boolean): number {
    if (compact) return this.uvarint() - 1;
    return wide ? this.int32() : this.int16();
  }

  string(compact: boolean, nullable: boolean): string | null {
    const n = this.length(compact, false);
    if (n < 0) {
      if (!nullable) throw new DecodeError('null in a non-nullable string', '', this.offset);
      return null;
    }
    return this.slice(n).toString('utf8');
  }

  bytes(compact: boolean, nullable: boolean): Buffer | null {
    const n = this.length(compact, true);
    if (n < 0) {
      if (!nullable) throw new DecodeError('null in non-nullable bytes', '', this.offset);
      return null;
    }
    return this.slice(n);
  }

  /** An array count, bounded by the bytes left (each element takes at least one byte). */
  arrayLength(compact: boolean): number {
    const n = this.length(compact, true);
    if (n > this.remaining) throw new DecodeError(`array of ${n} elements in ${this.remaining} bytes`, '', this.offset);
    return n;
  }
}

export class Writer {
  private buf: Buffer;
  private at = 0;
  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): number {
    if (this.at + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
      this.buf.copy(next, 0, 0, this.at);
      this.buf = next;
    }
    const at = this.at;
    this.at += n;
    return at;
  }

  get length(): number { return this.at; }
  // `room` may replace `this.buf`: reserve first, then write into the (possibly new) buffer.
  int8(v: number): this { const at = this.room(1); this.buf.writeInt8(v, at); return this; }
  int16(v: number): this { const at = this.room(2); this.buf.writeInt16BE(v, at); return this; }
  uint16(v: number): this { const at = this.room(2); this.buf.writeUInt16BE(v, at); return this; }
  int32(v: number): this { const at = this.room(4); this.buf.writeInt32BE(v, at); return this; }
  uint32(v: number): this { const at = this.room(4); this.buf.writeUInt32BE(v, at); return this; }
  int64(v: bigint): this { const at = this.room(8); this.buf.writeBigInt64BE(v, at); return this; }
  float64(v: number): this { const at = this.room(8); this.buf.writeDoubleBE(v, at); return this; }
  bool(v: boolean): this { return this.int8(v ? 1 : 0); }

  uvarint(v: number): this {
    let value = v;
    while (value >= 0x80) {
      const at = this.room(1);
      this.buf.writeUInt8((value & 0x7f) | 0x80, at);
      value = Math.floor(value / 128);
    }
    const at = this.room(1);
    this.buf.writeUInt8(value, at);
    return this;
  }

  raw(bytes: Uint8Array): this {
    const at = this.room(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  length_(n: number, compact: boolean, wide: boolean): this {
    if (compact) return this.uvarint(n + 1);
    return wide ? this.int32(n) : this.int16(n);
  }

  string(v: string | null, compact: boolean): this {
    if (v === null) return this.length_(-1, compact, false);
    const bytes = Buffer.from(v, 'utf8');
    return this.length_(bytes.length, compact, false).raw(bytes);
  }

  bytes(v: Uint8Array | null, compact: boolean): this {
    if (v === null) return this.length_(-1, compact, true);
    return this.length_(v.length, compact, true).raw(v);
  }

  /** The bytes written so far (a copy-free view). */
  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}
