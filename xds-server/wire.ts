/**
 * The SotW DiscoveryRequest/DiscoveryResponse wire format, by hand. Requests are decoded field by
 * field (only what the protocol needs, every malformed input an error, never a crash); responses
 * are encoded once per (type, version, resource set); the shared body cache writes the nonce
 * (field 5) and the gRPC prefix once per shared response (`frameWithNonce`, bodies.ts).
 */
import { allocResponseBody, anyFieldSize, BODY_START, checkBody, checkWire, fieldSize, LEN, lenDelimited, readFields, readNode, readStatus, str, WireError, writeAnyField, writeField, type ErrorDetail, type NodeInfo, type ResponseBody } from './proto-wire.js';

export { WireError, type NodeInfo, type ErrorDetail } from './proto-wire.js';

/** A decoded `envoy.service.discovery.v3.DiscoveryRequest`. */
export interface DiscoveryRequest {
  readonly versionInfo: string;
  readonly node: NodeInfo | undefined;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  /** Set on a NACK (`google.rpc.Status`). */
  readonly errorDetail: ErrorDetail | undefined;
}

/**
 * Decodes a DiscoveryRequest. `maxNames` caps `resource_names` (checked while decoding, so a
 * request with a million names is refused before they are all materialized). Throws `WireError`.
 */
export function decodeRequest(bytes: Uint8Array, maxNames: number): DiscoveryRequest {
  let versionInfo = '';
  let node: NodeInfo | undefined;
  const resourceNames: string[] = [];
  let typeUrl = '';
  let responseNonce = '';
  let errorDetail: ErrorDetail | undefined;
  readFields(bytes, '', (r, field, wire) => {
    switch (field) {
      case 1:
        checkWire(field, wire, LEN, 'version_info');
        versionInfo = str(r);
        return true;
      case 2:
        checkWire(field, wire, LEN, 'node');
        node = readNode(lenDelimited(r));
        return true;
      case 3:
        checkWire(field, wire, LEN, 'resource_names');
        if (resourceNames.length >= maxNames) throw new WireError(`resource_names: more than ${maxNames} names in one request`);
        resourceNames.push(str(r));
        return true;
      case 4:
        checkWire(field, wire, LEN, 'type_url');
        typeUrl = str(r);
        return true;
      case 5:
        checkWire(field, wire, LEN, 'response_nonce');
        responseNonce = str(r);
        return true;
      case 6:
        checkWire(field, wire, LEN, 'error_detail');
        errorDetail = readStatus(lenDelimited(r));
        return true;
      default:
        return false;
    }
  });
  return { versionInfo, node, resourceNames, typeUrl, responseNonce, errorDetail };
}

/**
 * Encodes DiscoveryResponse fields 1 (`version_info`), 2 (`resources`, each an `Any` of `typeUrl`
 * and the resource's bytes) and 4 (`type_url`), with room for the frame and the nonce, which
 * `frameWithNonce` writes once per shared response (bodies.ts). Sized first, then written in
 * place: the one body a fan-out encodes for a change, on a path that runs too rarely to be optimized.
 */
export function encodeResponseBody(typeUrl: string, version: string, resources: readonly { readonly body: Uint8Array }[]): ResponseBody {
  const url = Buffer.from(typeUrl, 'utf8');
  const v = Buffer.from(version, 'utf8');
  let length = fieldSize(v.length) + fieldSize(url.length);
  for (const r of resources) length += anyFieldSize(url.length, r.body.length);
  const body = allocResponseBody(length);
  let pos = writeField(body.buf, BODY_START, 1, v);
  for (const r of resources) pos = writeAnyField(body.buf, pos, 2, url, r.body);
  return checkBody(body, writeField(body.buf, pos, 4, url), 'encodeResponseBody');
}
