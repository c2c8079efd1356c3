/**
 * Topic ids (UUIDs) → names, learned from the Metadata answers that pass through the proxy
 * (Metadata v10+ lists both). Newer Produce (v13+) and Fetch (v13+) name topics only by id; the
 * proxy judges them by the name it learned, and answers an id it has not seen with
 * UNKNOWN_TOPIC_ID, which makes the client refresh its metadata (through the proxy) and retry.
 * Bounded: the oldest entries are dropped past `capacity`.
 */
const ZERO = '00000000000000000000000000000000';

export class TopicIds {
  private readonly names = new Map<string, string>();

  constructor(private readonly capacity = 1_000_000) {}

  get size(): number {
    return this.names.size;
  }

  learn(id: Buffer, name: string): void {
    const key = id.toString('hex');
    if (key === ZERO || name === '') return;
    if (this.names.get(key) === name) return;
    this.names.delete(key);
    this.names.set(key, name);
    if (this.names.size > this.capacity) {
      const oldest = this.names.keys().next().value;
      if (oldest !== undefined) this.names.delete(oldest);
    }
  }

  name(id: Buffer): string | undefined {
    return this.names.get(id.toString('hex'));
  }
}

/** How an unresolved id is named in flow records: `id:<uuid hex>`. */
export function unresolvedTopic(id: Buffer): string {
  return `id:${id.toString('hex')}`;
}
