/**
 * Response bodies encoded in place (xds-server/proto-wire.ts): the SotW and Delta encoders size a
 * body, write it into a buffer with room for the gRPC prefix and the nonce, and `frameWithNonce`
 * fills both in. Checked against Envoy's own message definitions (protobufjs over Envoy's protos):
 * every frame decodes to exactly the fields it was given, across varint length boundaries; a body
 * re-issued with another nonce never changes a frame already handed to streams; a nonce the body
 * has no room for is refused.
 */
import { describe, expect, it } from '@jest/globals';
import { messageType } from '../../envoy-api/index.js';
import { BodyCache } from '../../xds-server/bodies.js';
import { encodeDeltaBody } from '../../xds-server/delta-wire.js';
import { GRPC_PREFIX_BYTES } from '../../xds-server/grpc-frame.js';
import { frameWithNonce, MAX_NONCE_BYTES } from '../../xds-server/proto-wire.js';
import { TYPE_URL } from '../../xds-server/type-urls.js';
import { encodeResponseBody } from '../../xds-server/wire.js';

interface Any {
  type_url: string;
  value: Uint8Array;
}

/** The message of a gRPC frame, after checking its 5-byte prefix. */
function message(frame: Buffer): Buffer {
  expect(frame[0]).toBe(0);
  expect(frame.readUInt32BE(1)).toBe(frame.length - GRPC_PREFIX_BYTES);
  return frame.subarray(GRPC_PREFIX_BYTES);
}

function sotw(frame: Buffer): { version_info: string; type_url: string; nonce: string; resources: Any[] } {
  return messageType('envoy.service.discovery.v3.DiscoveryResponse').decode(message(frame)) as never;
}

/** Bytes that are not valid protobuf on their own: the encoder must copy them, not parse them. */
const opaque = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('response bodies, encoded in place', () => {
  // Lengths on both sides of each varint boundary (1, 2, 3 and 4 length bytes), of the resource
  // and of its Any (the LDS type URL field is 54 bytes: an Any of 72 bytes of body is 128 bytes).
  it.each([[[0]], [[1, 127, 128]], [[16_383, 16_384]], [[200_000, 5, 0]], [[]], [[71, 72]], [[16_326, 16_327]], [[2_097_093, 2_097_094, 2_097_152]]])('SotW: resources of %j bytes decode as Envoy reads them', (sizes) => {
    const bodies = sizes.map((n, i) => ({ body: opaque(n, i) }));
    const body = encodeResponseBody(TYPE_URL.LDS, 'v-1', bodies);
    const msg = sotw(frameWithNonce(body, 'nonce-7'));
    expect(msg.version_info).toBe('v-1');
    expect(msg.type_url).toBe(TYPE_URL.LDS);
    expect(msg.nonce).toBe('nonce-7');
    expect(msg.resources.map((r) => r.type_url)).toEqual(sizes.map(() => TYPE_URL.LDS));
    // Compared with Buffer.equals: a deep equality walks a 2 MB buffer byte by byte, for seconds.
    expect(msg.resources.map((r) => r.value.length)).toEqual(sizes);
    expect(msg.resources.map((r, i) => Buffer.from(r.value).equals(bodies[i]?.body ?? new Uint8Array()))).toEqual(sizes.map(() => true));
  });

  it('Delta: resources and removed names decode as Envoy reads them', () => {
    const resources = [
      { name: 'svc-a', version: 'h1', body: opaque(300, 1) },
      { name: 'svc-b', version: 'h2', body: opaque(0, 2) },
    ];
    const frame = frameWithNonce(encodeDeltaBody(TYPE_URL.EDS, 'sys-3', resources, ['gone-1', 'gone-2']), 'n1');
    const msg = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse').decode(message(frame)) as unknown as {
      system_version_info: string;
      type_url: string;
      nonce: string;
      removed_resources: string[];
      resources: { name: string; version: string; resource: Any }[];
    };
    expect(msg.system_version_info).toBe('sys-3');
    expect(msg.type_url).toBe(TYPE_URL.EDS);
    expect(msg.nonce).toBe('n1');
    expect(msg.removed_resources).toEqual(['gone-1', 'gone-2']);
    expect(msg.resources.map((r) => [r.name, r.version, r.resource.type_url, Buffer.from(r.resource.value)])).toEqual(
      resources.map((r) => [r.name, r.version, TYPE_URL.EDS, Buffer.from(r.body)]),
    );
  });

  it('re-issues a body with a fresh nonce in a buffer of its own: the frame already sent is never rewritten', () => {
    const cache = new BodyCache(1 << 20);
    const build = () => encodeResponseBody(TYPE_URL.CDS, 'v', [{ body: opaque(1000, 3) }]);
    const first = cache.get('k', build);
    const sent = Buffer.from(first.message);
    // A stream that was sent `first` asks again (a forced re-send): a newer nonce, the same body.
    const again = cache.get('k', build, first.seq);
    expect(cache.encodes).toBe(1);
    expect(cache.renonced).toBe(1);
    expect(again.seq).toBeGreaterThan(first.seq);
    expect(first.message).toEqual(sent);
    const [a, b] = [sotw(first.message), sotw(again.message)];
    expect(b.nonce).toBe(again.nonce);
    expect(a.nonce).toBe(first.nonce);
    expect({ ...b, nonce: '' }).toEqual({ ...a, nonce: '' });
  });

  it('refuses a nonce longer than the room left for it', () => {
    const body = encodeResponseBody(TYPE_URL.RDS, 'v', []);
    expect(() => frameWithNonce(body, 'x'.repeat(MAX_NONCE_BYTES + 1))).toThrow(/a nonce of 17 bytes \(room for 16\)/);
    // The largest counter nonce the body cache can issue fits.
    expect(sotw(frameWithNonce(body, Number.MAX_SAFE_INTEGER.toString(36))).nonce).toBe(Number.MAX_SAFE_INTEGER.toString(36));
  });
});
