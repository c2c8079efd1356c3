/**
 * Encoded responses, shared by every stream and node: a response depends only on the protocol,
 * the type, the version and which resources it carries (all content hashes), so one encoding
 * serves every stream that is sent the same thing. Each entry is the whole message, nonce
 * included: the nonce names the body (a counter, unique per encoding), so equal responses carry
 * equal nonces and are written to every stream as one shared buffer, never copied per stream.
 * Bounded by bytes (least recently used out).
 */
import { withNonce } from './proto-wire.js';

export interface SharedResponse {
  readonly message: Buffer;
  readonly nonce: string;
}

export class BodyCache {
  private readonly entries = new Map<string, SharedResponse>();
  private bytes = 0;
  private seq = 0;
  /** How many bodies were encoded (a miss), for the metric and the bench. */
  encodes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, build: () => Buffer): SharedResponse {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const nonce = (++this.seq).toString(36);
    const entry = { message: withNonce(build(), nonce), nonce };
    this.encodes++;
    this.entries.set(key, entry);
    this.bytes += entry.message.length;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) break;
      this.entries.delete(k);
      this.bytes -= e.message.length;
    }
    return entry;
  }
}
