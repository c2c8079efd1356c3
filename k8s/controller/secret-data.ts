/**
 * A Secret object, as the API server returns it, → the keys a secret source reads
 * (controller/secrets/in-force.ts judges them): each value of `data` base64-decoded as the text
 * it holds. `stringData` is write-only (the API server folds it into `data`), so it is never read.
 * A value larger than the per-key limit (256 KiB, as for files) is refused from its encoded length,
 * before it is decoded; a value that is not base64 is refused too (the API server never stores
 * one, but the watch's JSON is not trusted further than it is checked). Pure.
 */
import { MAX_PEM_BYTES } from '../../certs/index.js';
import type { RawValue } from '../../controller/index.js';
import { isRecord } from './objects.js';

/** Keys as Kubernetes allows them: `[-._a-zA-Z0-9]+`. */
const KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** How many bytes a base64 text decodes to. */
export function decodedLength(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor(b64.length / 4) * 3 - padding;
}

function decode(value: unknown, maxBytes: number): RawValue {
  if (typeof value !== 'string') return { problem: `not a base64 string (${value === null ? 'null' : typeof value})` };
  // The size first, from the encoded length: a hostile value is never decoded.
  const size = decodedLength(value);
  if (size > maxBytes) return { problem: `${size} bytes; the limit is ${maxBytes}` };
  if (!BASE64.test(value)) return { problem: 'not valid base64' };
  return { text: Buffer.from(value, 'base64').toString('utf8') };
}

/** The keys of a Secret's `data` (sorted by name), each decoded or with why it cannot be. */
export function secretKeys(secret: unknown, maxBytes = MAX_PEM_BYTES): Map<string, RawValue> {
  const data = isRecord(secret) ? secret['data'] : undefined;
  const out = new Map<string, RawValue>();
  if (!isRecord(data)) return out;
  for (const key of Object.keys(data).sort()) {
    out.set(key, KEY.test(key) ? decode(data[key], maxBytes) : { problem: 'not a valid Secret key name' });
  }
  return out;
}

/** The key names of a Secret's `data`, sorted (what `/status` shows; never a value). */
export function secretKeyNames(secret: unknown): string[] {
  const data = isRecord(secret) ? secret['data'] : undefined;
  return isRecord(data) ? Object.keys(data).sort() : [];
}

/** What of a Secret the controller reads (its data): an update that leaves it equal (labels, annotations) is not a change. */
export function secretChangeKey(secret: unknown): string {
  const data = isRecord(secret) ? secret['data'] : undefined;
  return JSON.stringify(isRecord(data) ? Object.entries(data).sort(([a], [b]) => a.localeCompare(b)) : null);
}
