import { describe, it, expect } from '@jest/globals';
import { compile, loadSources } from '../policy-compiler/index.js';
import { inventoryFile, policyFiles, type WorkloadShape } from '../bench/compile/workload.js';
import { decodeMessage, encodeMessage, ElementWiseEncoder } from './index.js';

const SHAPE: WorkloadShape = { policies: 40, rulesPerPolicy: 3, workloads: 40, namespaces: 4, nodes: 2 };
const LISTENER = 'envoy.config.listener.v3.Listener';

function inboundListeners(files = [inventoryFile(SHAPE), ...policyFiles(SHAPE)]) {
  const load = loadSources(files);
  if (!load.inventory) throw new Error('no inventory');
  return compile(load.policies, load.inventory).nodes.flatMap((n) => n.resources.filter((r) => r.message === LISTENER && r.name === 'inbound'));
}

describe('ElementWiseEncoder', () => {
  it('encodes a Listener to bytes that decode to the same message as a single encode', () => {
    const listeners = inboundListeners();
    expect(listeners.length).toBe(SHAPE.nodes);
    const encoder = new ElementWiseEncoder();
    for (const l of listeners) {
      const chains = (l.json as { filter_chains?: unknown[] }).filter_chains ?? [];
      expect(chains.length).toBeGreaterThan(5);
      expect(decodeMessage(LISTENER, encoder.encode(LISTENER, l.json))).toEqual(decodeMessage(LISTENER, encodeMessage(LISTENER, l.json)));
    }
  });

  it('encodes again only the filter chains whose JSON object is new', () => {
    const encoder = new ElementWiseEncoder();
    const [listener] = inboundListeners();
    if (!listener) throw new Error('no listener');
    const chains = (listener.json as { filter_chains: object[] }).filter_chains;
    const first = encoder.encode(LISTENER, listener.json);
    expect(encoder.encodedElements).toBe(chains.length);
    // The same chains again, one replaced by an equal copy and one dropped: one chain encoded.
    const next = { ...listener.json, filter_chains: [structuredClone(chains[0]), ...chains.slice(1, -1)] };
    const again = encoder.encode(LISTENER, next);
    expect(encoder.encodedElements).toBe(chains.length + 1);
    expect(decodeMessage(LISTENER, again)).toEqual(decodeMessage(LISTENER, encodeMessage(LISTENER, next)));
    expect(decodeMessage(LISTENER, again)).not.toEqual(decodeMessage(LISTENER, first));
  });

  it('encodes other messages, and a Listener without filter chains, as encodeMessage does', () => {
    const encoder = new ElementWiseEncoder();
    const bare = { name: 'l', address: { socket_address: { address: '::', port_value: 1 } } };
    expect(Buffer.from(encoder.encode(LISTENER, bare))).toEqual(Buffer.from(encodeMessage(LISTENER, bare)));
    const cluster = { name: 'c', connect_timeout: { seconds: 1 } };
    expect(Buffer.from(encoder.encode('envoy.config.cluster.v3.Cluster', cluster))).toEqual(Buffer.from(encodeMessage('envoy.config.cluster.v3.Cluster', cluster)));
    expect(encoder.encodedElements).toBe(0);
  });

  it('rejects a chain protobufjs cannot encode, as encodeMessage does', () => {
    const encoder = new ElementWiseEncoder();
    expect(() => encoder.encode(LISTENER, { name: 'l', filter_chains: [{ filters: 'not a list' }] })).toThrow();
  });
});
