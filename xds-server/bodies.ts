/**
 * Encoded responses, shared by every stream and node: a response depends only on the protocol,
 * the type, the version and which resources it carries (all content hashes), so one encoding
 * serves every stream that is sent the same thing. Each entry is the whole message, nonce
 * included (the nonce is the message's last field, after the encoded body), as a gRPC frame (its
 * 5-byte prefix in front: grpc-frame.ts), written to every stream as one shared buffer, never
 * copied or framed per stream. The body is encoded with room for both (proto-wire.ts), so an entry
 * is one allocation and no copy. Bounded by bytes (least recently used out).
 *
 * Nonces: each entry's nonce is a counter (`seq`, increasing over the cache's life). A nonce must
 * name one response on one stream, so a stream asks for an entry newer than the last one it sent
 * of the type (`after`): an entry it was already sent (the same response again: a forced re-send,
 * or a set that changed and changed back) is re-issued with a fresh nonce — the encoded body is
 * kept (copied: the old frame may still be queued on a stream) with a new nonce field — and
 * replaces the cached one, so the streams that follow share the new one. On one stream, nonces of
 * a type therefore only ever increase, and a late ACK of an earlier response can never match the
 * latest one.
 */
import { copyResponseBody, frameWithNonce, type ResponseBody } from './proto-wire.js';

export interface SharedResponse {
  /** The gRPC frame: the 5-byte prefix, then the message (`GRPC_PREFIX_BYTES` + its length). */
  readonly message: Buffer;
  readonly nonce: string;
  /** The nonce's counter: larger for every entry issued later. */
  readonly seq: number;
}

interface Entry extends SharedResponse {
  /** The body the message was framed from (its buffer is the message's). */
  readonly body: ResponseBody;
}

export class BodyCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private seq = 0;
  /** The most recently used key: a fan-out asks for it once per stream, and it needs no move to the end. */
  private newest: string | undefined;
  /** How many bodies were encoded (a miss), for the metric and the bench. */
  encodes = 0;
  /** How many entries were re-issued with a fresh nonce (a stream had been sent them already). */
  renonced = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * The shared response for `key`, with a nonce newer than `after` (the `seq` of the last response
   * of its type the asking stream was sent; 0: none). `build` encodes the body without nonce, on a miss.
   */
  get(key: string, build: () => ResponseBody, after = 0): SharedResponse {
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.seq > after && key === this.newest) return hit;
      this.entries.delete(key);
      if (hit.seq > after) {
        this.entries.set(key, hit);
        this.newest = key;
        return hit;
      }
      this.bytes -= hit.message.length;
      this.renonced++;
      return this.add(key, copyResponseBody(hit.body));
    }
    this.encodes++;
    return this.add(key, build());
  }

  private add(key: string, body: ResponseBody): Entry {
    const seq = ++this.seq;
    const nonce = seq.toString(36);
    const entry: Entry = { message: frameWithNonce(body, nonce), nonce, seq, body };
    this.entries.set(key, entry);
    this.newest = key;
    this.bytes += entry.message.length;
    // Checked first: within budget (nearly always), no iterator is made.
    if (this.bytes > this.maxBytes) {
      for (const [k, e] of this.entries) {
        if (this.bytes <= this.maxBytes || this.entries.size <= 1) break;
        this.entries.delete(k);
        this.bytes -= e.message.length;
      }
    }
    return entry;
  }
}
