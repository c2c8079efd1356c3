/**
 * An ascending list of flow sequence numbers (one index key's postings), in a typed array that
 * grows by doubling and forgets its front as the store's ring overwrites old flows. Sequence
 * numbers are doubles: exact far past 2^32 flows.
 */
export class SeqList {
  private buf = new Float64Array(8);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  push(seq: number): void {
    if (this.end > 0 && this.buf[this.end - 1] === seq) return;
    if (this.end === this.buf.length) {
      const live = this.end - this.start;
      const next = live * 2 > this.buf.length ? new Float64Array(this.buf.length * 2) : this.buf;
      next.set(this.buf.subarray(this.start, this.end), 0);
      this.buf = next;
      this.start = 0;
      this.end = live;
    }
    this.buf[this.end++] = seq;
  }

  /** Drops every entry below `oldest` (binary search: the list is ascending). */
  pruneBelow(oldest: number): void {
    if (this.start === this.end || (this.buf[this.start] ?? Infinity) >= oldest) return;
    let lo = this.start;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.buf[mid] ?? 0) < oldest) lo = mid + 1;
      else hi = mid;
    }
    this.start = lo;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      if (this.buf.length > 64) this.buf = new Float64Array(8);
    }
  }

  /** The i-th entry from the newest (0 = newest). */
  fromNewest(i: number): number | undefined {
    const at = this.end - 1 - i;
    return at >= this.start ? this.buf[at] : undefined;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.buf.byteLength;
  }
}
