/**
 * The fields Envoy reads that grpc-js-xds's copy of its API lacks (`NEWER_FIELDS` in protos.ts):
 * the codec encodes them with Envoy's number, decodes them back, and the Envoy-rules checker knows
 * them (an unknown field would be a violation). Real Envoy ACKing one: test/e2e/envoy-netns-listener.test.ts.
 */
import { describe, it, expect } from '@jest/globals';
import protobuf from 'protobufjs';
import { encodeMessage, decodeMessage } from './index.js';
import { NEWER_FIELDS, addNewerFields } from './protos.js';
import { checkResource, createEnvoyChecker } from './validate/index.js';

const LISTENER = 'envoy.config.listener.v3.Listener';
const listener = {
  name: 'sluice|inbound|pod|shop/web-0',
  address: { socket_address: { address: '0.0.0.0', port_value: 15100, network_namespace_filepath: '/run/sluice/netns/0b7f' } },
  filter_chains: [{ filters: [{ name: 'envoy.filters.network.direct_response', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.direct_response.v3.Config' } }] }],
};

describe('fields newer than grpc-js-xds\'s protos', () => {
  it('SocketAddress.network_namespace_filepath round-trips as Envoy\'s field 7 (string)', () => {
    const sa = encodeMessage('envoy.config.core.v3.SocketAddress', listener.address.socket_address);
    // Field 7, wire type 2 (length-delimited): tag byte 7 << 3 | 2 = 0x3a, then the length and the path.
    const path = Buffer.from('/run/sluice/netns/0b7f');
    const at = Buffer.from(sa).indexOf(Buffer.concat([Buffer.from([0x3a, path.length]), path]));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(decodeMessage(LISTENER, encodeMessage(LISTENER, listener))).toEqual(listener);
  });

  it('the Envoy-rules checker accepts it and its round trip loses nothing', () => {
    expect(checkResource(LISTENER, listener)).toEqual([]);
    expect(createEnvoyChecker().roundTrip(LISTENER, listener)).toEqual([]);
  });

  it('a row the loaded protos already declare is refused (the table is then stale)', () => {
    const root = protobuf.Root.fromJSON({ nested: { envoy: { nested: { config: { nested: { core: { nested: { v3: { nested: { SocketAddress: { fields: { ipv4_compat: { type: 'bool', id: 6 }, network_namespace_filepath: { type: 'string', id: 7 } } } } } } } } } } } } });
    expect(() => addNewerFields(root, (n, id, t) => new protobuf.Field(n, id, t))).toThrow(/already declare field network_namespace_filepath/);
    expect(NEWER_FIELDS.map((f) => `${f.message}.${f.name}=${f.id}`)).toEqual(['envoy.config.core.v3.SocketAddress.network_namespace_filepath=7']);
  });
});
