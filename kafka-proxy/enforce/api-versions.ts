/**
 * ApiVersions: always forwarded (it precedes authentication, and clients give up without it);
 * the broker's answer is cut down to what the proxy can decode and enforce. Each key's maximum is
 * capped to the proxy's newest decodable version, keys it cannot decode are dropped, minimums are
 * kept as the broker states them (librdkafka infers features from them: KAFKA-18659), and tagged
 * feature fields pass through verbatim. A request newer than the proxy knows gets the broker's
 * own answer to that: UNSUPPORTED_VERSION in the v0 layout, listing the ApiVersions range.
 */
import { decodableVersions, encodeResponse, type DecodedRequest } from '../protocol/messages.js';
import type { KafkaStruct } from '../protocol/message-codec.js';
import { editResponse, structs } from './build.js';
import { ERR, type Enforcement, type ResponseTransform } from './types.js';

const API_VERSIONS = 18;

/** The proxy's own UNSUPPORTED_VERSION answer to an ApiVersions request it cannot decode. */
export function unsupportedApiVersions(correlationId: number): Buffer {
  const range = decodableVersions(API_VERSIONS) ?? [0, 0];
  return encodeResponse(API_VERSIONS, 0, correlationId, {
    ErrorCode: ERR.UNSUPPORTED_VERSION,
    ApiKeys: [{ ApiKey: API_VERSIONS, MinVersion: range[0], MaxVersion: range[1] }],
  });
}

/** Caps an ApiVersions body in place. */
export function capApiKeys(body: KafkaStruct): void {
  const out: KafkaStruct[] = [];
  for (const entry of structs(body['ApiKeys'])) {
    const range = decodableVersions(Number(entry['ApiKey']));
    if (range === null) continue;
    const min = Number(entry['MinVersion']);
    const max = Math.min(Number(entry['MaxVersion']), range[1]);
    if (max < Math.max(min, range[0])) continue;
    out.push({ ...entry, MaxVersion: max });
  }
  body['ApiKeys'] = out;
}

export function enforceApiVersions(req: DecodedRequest, frame: Buffer): Enforcement {
  const capping = editResponse(req, capApiKeys);
  const transform: ResponseTransform = (payload) => {
    // An error answer (UNSUPPORTED_VERSION to a newer request) is in the v0 layout: pass it on.
    if (payload.length >= 6 && payload.readInt16BE(4) !== ERR.NONE) return Buffer.concat([lengthPrefix(payload.length), payload]);
    return capping(payload);
  };
  return {
    plan: { kind: 'forward', frame, expectResponse: true, rewritten: false, transform },
    decisions: [{ kind: 'request', name: '', verdict: { allowed: true, ruleId: 'connection-api' } }],
  };
}

function lengthPrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}
