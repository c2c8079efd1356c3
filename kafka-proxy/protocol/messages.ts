/**
 * Request and response framing on top of the generic codec: headers (request v1/v2, response
 * v0/v1, chosen by the API's flexible versions; ApiVersions responses always v0), which versions
 * the proxy can decode, and whole-frame decode/encode.
 *
 * A frame here is the payload after the 4-byte size prefix.
 */
import { REQUESTS, RESPONSES } from './messages.generated.js';
import { decodeMessage, encodeMessage, readStruct, type KafkaStruct } from './message-codec.js';
import { inRange, type MessageSchema, type VersionRange } from './schema.js';
import { DecodeError, Reader, Writer } from './wire.js';

const API_VERSIONS = 18;

/**
 * Upper bounds below the schema's newest version, where a newer version would hide what the
 * proxy enforces, needs broker-side state, or is unstable. Produce v13+ and Fetch v13+ name topics
 * by id and are resolved through ids learned from Metadata (`TopicIds`); OffsetCommit v10 (topic
 * ids, unstable in 4.1) and OffsetFetch v10 (the same) are capped; AddPartitionsToTxn v4+ is broker-to-broker batching; DeleteTopics v6
 * may name topics by ID; InitProducerId v6 is unstable in 4.1; SaslHandshake v0 is followed by
 * raw, unframed tokens, so only v1 is accepted.
 */
const CAPS: Readonly<Record<number, VersionRange>> = {
  8: [0, 9], 9: [0, 9], 17: [1, 1], 20: [0, 5], 22: [0, 5], 24: [0, 3],
};

/** Versions of `apiKey` the proxy decodes and enforces; null for an API it does not handle. */
export function decodableVersions(apiKey: number): VersionRange {
  const schema = REQUESTS[apiKey];
  if (!schema || !schema.valid || !RESPONSES[apiKey]) return null;
  const cap = CAPS[apiKey];
  if (cap === null) return null;
  const lo = Math.max(schema.valid[0], cap?.[0] ?? 0);
  const hi = Math.min(schema.valid[1], cap?.[1] ?? 32767);
  return lo <= hi ? [lo, hi] : null;
}

export function canDecode(apiKey: number, version: number): boolean {
  return inRange(decodableVersions(apiKey), version);
}

function schemaOf(table: Readonly<Record<number, MessageSchema>>, apiKey: number): MessageSchema {
  const schema = table[apiKey];
  if (!schema) throw new DecodeError(`no schema for API key ${apiKey}`);
  return schema;
}

export function isFlexible(apiKey: number, version: number): boolean {
  return inRange(REQUESTS[apiKey]?.flexible, version);
}

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Bytes the header takes in the frame; the body starts here. */
  readonly length: number;
}

/**
 * Reads a request header (v1, or v2 when the API version is flexible). The API key, version and
 * correlation id sit at fixed offsets; the client id is a classic nullable string in both.
 */
export function readRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string(false, true);
  if (isFlexible(apiKey, apiVersion)) readStruct(r, [], apiVersion, true, 'RequestHeader');
  return { apiKey, apiVersion, correlationId, clientId, length: r.offset };
}

/** Reads only what sits at fixed offsets: enough to answer or fail any frame of at least 8 bytes. */
export function peekRequestIds(frame: Buffer): { apiKey: number; apiVersion: number; correlationId: number } | undefined {
  if (frame.length < 8) return undefined;
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
}

export interface DecodedRequest {
  readonly header: RequestHeader;
  readonly body: KafkaStruct;
}

/** Decodes a request frame the proxy can decode; throws `DecodeError` otherwise. */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const header = readRequestHeader(frame);
  if (!canDecode(header.apiKey, header.apiVersion)) {
    throw new DecodeError(`API key ${header.apiKey} version ${header.apiVersion} is not decodable`);
  }
  const flexible = isFlexible(header.apiKey, header.apiVersion);
  const body = decodeMessage(schemaOf(REQUESTS, header.apiKey), header.apiVersion, frame.subarray(header.length), flexible);
  return { header, body };
}

/** Encodes a request frame (with its 4-byte size prefix), for rewritten requests and tests. */
export function encodeRequest(header: Omit<RequestHeader, 'length'>, body: KafkaStruct): Buffer {
  const flexible = isFlexible(header.apiKey, header.apiVersion);
  const w = new Writer(256);
  w.int32(0).int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId).string(header.clientId, false);
  if (flexible) w.uvarint(0);
  const bodyBytes = encodeMessage(schemaOf(REQUESTS, header.apiKey), header.apiVersion, body, flexible);
  w.raw(bodyBytes);
  const out = w.finish();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

function responseHeaderFlexible(apiKey: number, version: number): boolean {
  return apiKey !== API_VERSIONS && isFlexible(apiKey, version);
}

/** Encodes a response frame (with its size prefix) for the request `(apiKey, version, correlationId)`. */
export function encodeResponse(apiKey: number, version: number, correlationId: number, body: KafkaStruct): Buffer {
  const w = new Writer(256);
  w.int32(0).int32(correlationId);
  if (responseHeaderFlexible(apiKey, version)) w.uvarint(0);
  w.raw(encodeMessage(schemaOf(RESPONSES, apiKey), version, body, isFlexible(apiKey, version)));
  const out = w.finish();
  out.writeInt32BE(out.length - 4, 0);
  return Buffer.from(out);
}

/**
 * Decodes a response frame to the request `(apiKey, version)`. Trailing bytes after a known body
 * are tolerated (librdkafka's mock adds one) but reported, so a rewrite can keep them.
 */
export function decodeResponse(apiKey: number, version: number, frame: Buffer): { correlationId: number; body: KafkaStruct; trailing: Buffer } {
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderFlexible(apiKey, version)) readStruct(r, [], version, true, 'ResponseHeader');
  const flexible = isFlexible(apiKey, version);
  const body = readStruct(r, schemaOf(RESPONSES, apiKey).fields, version, flexible);
  return { correlationId, body, trailing: frame.subarray(r.offset) };
}

export { decodeMessage, encodeMessage };
export type { KafkaStruct };
