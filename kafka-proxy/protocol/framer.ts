/**
 * Splits a byte stream into Kafka frames (int32 size + payload) without copying more than once,
 * and with a hard bound: a size prefix above `maxFrameBytes`, or negative, is an error before any
 * of the frame is buffered. Memory held is at most one frame plus one chunk.
 */
export type FramerResult = { readonly kind: 'frame'; readonly frame: Buffer } | { readonly kind: 'more' } | { readonly kind: 'error'; readonly message: string };

export class Framer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole frame (size prefix included), `more` when incomplete, or an error. */
  next(): FramerResult {
    if (this.buffered < 4) return { kind: 'more' };
    const size = this.peekSize();
    if (size < 0 || size > this.maxFrameBytes) return { kind: 'error', message: `frame size ${size} outside 0..${this.maxFrameBytes}` };
    if (this.buffered < size + 4) return { kind: 'more' };
    return { kind: 'frame', frame: this.take(size + 4) };
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 8)).subarray(0, 4);
    return head.readInt32BE(0);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const frame = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return frame;
    }
    const frame = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0]!;
      const want = Math.min(chunk.length, n - at);
      chunk.copy(frame, at, 0, want);
      at += want;
      if (want === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(want);
    }
    this.buffered -= n;
    return frame;
  }
}
