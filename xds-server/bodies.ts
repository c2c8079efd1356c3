/**
 * Encoded DiscoveryResponse bodies, shared by every stream and node: a body depends only on the
 * type, the version and which resources it carries, all content hashes, so one encoding serves
 * every stream that is sent the same thing. Bounded by bytes (least recently used out).
 */
export class BodyCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  /** How many bodies were encoded (a miss), for the metric and the bench. */
  encodes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, build: () => Buffer): Buffer {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const body = build();
    this.encodes++;
    this.entries.set(key, body);
    this.bytes += body.length;
    for (const [k, b] of this.entries) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) break;
      this.entries.delete(k);
      this.bytes -= b.length;
    }
    return body;
  }
}
