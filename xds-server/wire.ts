/**
 * The DiscoveryRequest/DiscoveryResponse wire format, by hand. Requests are decoded field by field
 * (only what the protocol needs, every malformed input an error, never a crash); responses are
 * encoded once per (type, version, resource set) and each stream appends only its nonce (field 5):
 * protobuf lets fields come in any order, so `body ‖ nonce` is a valid DiscoveryResponse.
 */
import protobuf from 'protobufjs';

/** The parts of `envoy.config.core.v3.Node` the server uses. */
export interface NodeInfo {
  readonly id: string;
  readonly cluster: string;
  readonly userAgentName: string;
  readonly userAgentVersion: string;
}

/** A decoded `envoy.service.discovery.v3.DiscoveryRequest`. */
export interface DiscoveryRequest {
  readonly versionInfo: string;
  readonly node: NodeInfo | undefined;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  /** Set on a NACK (`google.rpc.Status`). */
  readonly errorDetail: { readonly code: number; readonly message: string } | undefined;
}

export class WireError extends Error {}

const LEN = 2;

/** A length-delimited field's bytes, with the length checked against what is left. */
function lenDelimited(r: protobuf.Reader): Uint8Array {
  const len = r.uint32() >>> 0;
  if (len > r.len - r.pos) throw new WireError(`malformed protobuf: a field of ${len} bytes with ${r.len - r.pos} left`);
  const out = r.buf.subarray(r.pos, r.pos + len);
  r.pos += len;
  return out;
}

const utf8 = new TextDecoder('utf-8');
function str(r: protobuf.Reader): string {
  return utf8.decode(lenDelimited(r));
}

function checkWire(field: number, wire: number, want: number, what: string): void {
  if (wire !== want) throw new WireError(`${what}: field ${field} has wire type ${wire}, expected ${want}`);
}

function readNode(bytes: Uint8Array): NodeInfo {
  const r = protobuf.Reader.create(bytes);
  let id = '';
  let cluster = '';
  let userAgentName = '';
  let userAgentVersion = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new WireError('node: field number 0');
    switch (field) {
      case 1:
        checkWire(field, wire, LEN, 'node.id');
        id = str(r);
        break;
      case 2:
        checkWire(field, wire, LEN, 'node.cluster');
        cluster = str(r);
        break;
      case 6:
        checkWire(field, wire, LEN, 'node.user_agent_name');
        userAgentName = str(r);
        break;
      case 7:
        checkWire(field, wire, LEN, 'node.user_agent_version');
        userAgentVersion = str(r);
        break;
      default:
        r.skipType(wire);
    }
  }
  return { id, cluster, userAgentName, userAgentVersion };
}

function readStatus(bytes: Uint8Array): { code: number; message: string } {
  const r = protobuf.Reader.create(bytes);
  let code = 0;
  let message = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new WireError('error_detail: field number 0');
    if (field === 1) {
      checkWire(field, wire, 0, 'error_detail.code');
      code = r.int32();
    } else if (field === 2) {
      checkWire(field, wire, LEN, 'error_detail.message');
      message = str(r);
    } else r.skipType(wire);
  }
  return { code, message };
}

/**
 * Decodes a DiscoveryRequest. `maxNames` caps `resource_names` (checked while decoding, so a
 * request with a million names is refused before they are all materialized). Throws `WireError`.
 */
export function decodeRequest(bytes: Uint8Array, maxNames: number): DiscoveryRequest {
  try {
    const r = protobuf.Reader.create(bytes);
    let versionInfo = '';
    let node: NodeInfo | undefined;
    const resourceNames: string[] = [];
    let typeUrl = '';
    let responseNonce = '';
    let errorDetail: { code: number; message: string } | undefined;
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 0) throw new WireError('field number 0');
      switch (field) {
        case 1:
          checkWire(field, wire, LEN, 'version_info');
          versionInfo = str(r);
          break;
        case 2:
          checkWire(field, wire, LEN, 'node');
          node = readNode(lenDelimited(r));
          break;
        case 3:
          checkWire(field, wire, LEN, 'resource_names');
          if (resourceNames.length >= maxNames) throw new WireError(`resource_names: more than ${maxNames} names in one request`);
          resourceNames.push(str(r));
          break;
        case 4:
          checkWire(field, wire, LEN, 'type_url');
          typeUrl = str(r);
          break;
        case 5:
          checkWire(field, wire, LEN, 'response_nonce');
          responseNonce = str(r);
          break;
        case 6:
          checkWire(field, wire, LEN, 'error_detail');
          errorDetail = readStatus(lenDelimited(r));
          break;
        default:
          r.skipType(wire);
      }
    }
    return { versionInfo, node, resourceNames, typeUrl, responseNonce, errorDetail };
  } catch (err) {
    if (err instanceof WireError) throw err;
    throw new WireError(`malformed protobuf: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// ---- encoding ----

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** A length-delimited field: tag, length, bytes. */
function fieldSize(len: number): number {
  return 1 + varintSize(len) + len;
}

function writeField(buf: Buffer, pos: number, field: number, data: Uint8Array): number {
  buf[pos++] = (field << 3) | LEN;
  pos = writeVarint(buf, pos, data.length);
  buf.set(data, pos);
  return pos + data.length;
}

/**
 * Encodes DiscoveryResponse fields 1 (`version_info`), 2 (`resources`, each an `Any` of `typeUrl`
 * and the resource's bytes) and 4 (`type_url`). The nonce is appended per stream by `withNonce`.
 */
export function encodeResponseBody(typeUrl: string, version: string, bodies: readonly Uint8Array[]): Buffer {
  const url = Buffer.from(typeUrl, 'utf8');
  const ver = Buffer.from(version, 'utf8');
  let size = fieldSize(ver.length) + fieldSize(url.length);
  const anySizes = bodies.map((b) => fieldSize(url.length) + fieldSize(b.length));
  for (const s of anySizes) size += fieldSize(s);
  const buf = Buffer.allocUnsafe(size);
  let pos = writeField(buf, 0, 1, ver);
  bodies.forEach((b, i) => {
    buf[pos++] = (2 << 3) | LEN;
    pos = writeVarint(buf, pos, anySizes[i] ?? 0);
    pos = writeField(buf, pos, 1, url);
    pos = writeField(buf, pos, 2, b);
  });
  pos = writeField(buf, pos, 4, url);
  if (pos !== size) throw new Error(`encodeResponseBody: wrote ${pos} of ${size} bytes`);
  return buf;
}

/** `body` followed by field 5 (`nonce`): the complete DiscoveryResponse for one stream. */
export function withNonce(body: Buffer, nonce: string): Buffer {
  const n = Buffer.from(nonce, 'utf8');
  const buf = Buffer.allocUnsafe(body.length + fieldSize(n.length));
  body.copy(buf, 0);
  writeField(buf, body.length, 5, n);
  return buf;
}
