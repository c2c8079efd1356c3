import { describe, expect, it } from '@jest/globals';
import type { NodeStatus } from '../../xds-server/index.js';
import { Disconnects } from './disconnects.js';

const node = (connected: boolean): NodeStatus => ({
  nodeId: 'node-a', node: { id: 'node-a', cluster: 'c', userAgentName: 'envoy', userAgentVersion: '' }, connected, streams: [],
  types: [{ typeUrl: 'type.googleapis.com/envoy.config.listener.v3.Listener', type: 'LDS', lastAck: { version: 'v1', nonce: '1', at: 0, streamId: 1, resources: {} }, lastNack: undefined }],
} as NodeStatus);

describe('Disconnects', () => {
  it('keeps a disconnected proxy\'s ACKs for the grace period, then leaves them out; a reconnect ends it', () => {
    const d = new Disconnects(1000);
    expect(d.observe({ kind: 'disconnect', at: 5000, streamId: 1, nodeId: 'node-a', peer: 'p', reason: 'gone' })).toBe(1000);
    expect(d.live([node(false)], 5999)[0]?.types[0]?.lastAck?.version).toBe('v1');
    expect(d.live([node(false)], 6000)[0]?.types[0]?.lastAck).toBeUndefined();
    d.observe({ kind: 'connect', at: 7000, streamId: 2, nodeId: 'node-a', peer: 'p', transport: 'ADS', api: 'sotw' });
    expect(d.live([node(false)], 9000)[0]?.types[0]?.lastAck?.version).toBe('v1');
    expect(d.live([node(true)], 9000)[0]?.types[0]?.lastAck?.version).toBe('v1');
  });
});
