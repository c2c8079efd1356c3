/** Disconnected nodes' ACK/NACK history: kept for the `maxRetainedNodes` most recent disconnects. */
import { it, expect } from '@jest/globals';
import { SnapshotCache, XdsServer } from '../../xds-server/index.js';
import { cluster, RawXdsClient, snap, until } from './harness.js';

it('forgets the oldest disconnected nodes beyond maxRetainedNodes, keeps connected ones', async () => {
  const cache = new SnapshotCache();
  cache.setDefault(snap([cluster('c1')].map((c) => ({ ...c, references: [] }))));
  const server = new XdsServer({ cache, maxRetainedNodes: 2 });
  const port = await server.listen();
  const clients = ['a', 'b', 'c', 'd', 'e'].map((id) => {
    const c = new RawXdsClient(port);
    c.send({ type: 'CDS', node: id });
    return c;
  });
  try {
    await Promise.all(clients.map((c) => c.next()));
    for (const i of [0, 1, 2, 3]) {
      clients[i]?.close();
      const id = ['a', 'b', 'c', 'd'][i] ?? '';
      await until(() => server.nodeStatus(id)?.connected !== true, 10_000, `${id} to disconnect`);
    }
    expect(server.status().map((n) => [n.nodeId, n.connected])).toEqual([
      ['c', false],
      ['d', false],
      ['e', true],
    ]);
  } finally {
    for (const c of clients) c.close();
    await server.close();
  }
});
