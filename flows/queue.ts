/**
 * The bounded hand-off between the collector's gRPC streams and whatever consumes flows (the
 * store, the metrics, the exports): a fixed-size ring. A full queue drops the newest offer and
 * counts it; nothing here ever waits, so a proxy streaming its log is never held up and memory
 * never grows past `capacity` entries.
 */
export class BoundedQueue<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private length = 0;
  /** Offers refused because the queue was full. */
  dropped = 0;
  accepted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`BoundedQueue: capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** Adds `item` unless the queue is full; returns whether it was taken. */
  offer(item: T): boolean {
    if (this.length === this.capacity) {
      this.dropped += 1;
      return false;
    }
    this.items[(this.head + this.length) % this.capacity] = item;
    this.length += 1;
    this.accepted += 1;
    return true;
  }

  /** Removes and returns up to `max` items, oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this.length);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      const at = (this.head + i) % this.capacity;
      out[i] = this.items[at] as T;
      this.items[at] = undefined;
    }
    this.head = (this.head + n) % this.capacity;
    this.length -= n;
    return out;
  }
}
