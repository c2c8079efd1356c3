/** The cache seam: per-node snapshots, the default, and the on-demand resolver, observed by a raw client. */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { SnapshotCache, TYPE_URL, type Resolver, type TypeUrl } from '../../xds-server/index.js';
import { apiListener, cluster, endpoints, routeConfig, serverListener, snap, startServer, SERVER_LISTENER_PREFIX } from './harness.js';

type Env = Awaited<ReturnType<typeof startServer>>;

describe('SnapshotCache', () => {
  it('notifies watchers with exactly the types whose resources changed', () => {
    const cache = new SnapshotCache();
    const seen: string[][] = [];
    const cancel = cache.watch('n1', (types) => seen.push([...types].map((t) => t.split('.').pop() ?? '')));
    cache.setDefault(snap([cluster('c1'), endpoints('c1', [1])]));
    cache.set('n1', snap([cluster('c1'), endpoints('c1', [2])]));
    cache.setDefault(snap([cluster('c9'), endpoints('c9', [1])])); // n1 has its own snapshot: no change for it
    cache.set('n1', snap([cluster('c1'), endpoints('c1', [2])])); // same content: no change
    cache.clear('n1');
    expect(seen).toEqual([['Cluster', 'ClusterLoadAssignment'], ['ClusterLoadAssignment'], ['Cluster', 'ClusterLoadAssignment']]);
    cancel();
    expect(cache.nodeIds()).toEqual([]);
  });

  it("gives a watch the node's current view, and a second cancel of one watch leaves the others watching", () => {
    const cache = new SnapshotCache();
    const seen: number[] = [];
    const a = cache.watchNode('n1', () => seen.push(1));
    const b = cache.watchNode('n1', () => seen.push(2));
    cache.set('n1', snap([cluster('c1'), endpoints('c1', [1])]));
    expect(a.view()).toBe(cache.view('n1'));
    cache.set('n1', snap([cluster('c1'), endpoints('c1', [2])]));
    expect(a.view()).toBe(cache.view('n1'));
    expect(a.view().version(TYPE_URL.EDS)).toBe(cache.view('n1').version(TYPE_URL.EDS));
    a.cancel();
    a.cancel();
    cache.set('n1', snap([cluster('c1'), endpoints('c1', [3])]));
    expect(seen).toEqual([1, 2, 1, 2, 2]);
    // A cancelled watch still answers with the node's view (looked up by id).
    expect(a.view()).toBe(cache.view('n1'));
    b.cancel();
    cache.clear('n1');
    expect(cache.nodeIds()).toEqual([]);
  });

  it('resolves a wanted name again once a snapshot of another version lacks it, not while the version holds it', () => {
    const cache = new SnapshotCache();
    const asked: string[] = [];
    cache.setResolver((_node, _typeUrl, name) => {
      asked.push(name);
      return name === 'c2' ? endpoints('c2', [7]) : undefined;
    });
    const cancel = cache.watch('n1', () => undefined);
    const both = snap([cluster('c1'), endpoints('c1', [1]), cluster('c2'), endpoints('c2', [1])]);
    cache.set('n1', both);
    cache.setWanted('n1', TYPE_URL.EDS, new Set(['c1', 'c2']));
    const heldEds = cache.view('n1').version(TYPE_URL.EDS);
    // Another type changes (a route config appears): the EDS set is of the same version, so it holds both names still.
    cache.set('n1', snap([cluster('c1'), cluster('c2'), endpoints('c1', [1]), endpoints('c2', [1]), routeConfig('rc', 'c1')]));
    expect(asked).toEqual([]);
    expect(cache.view('n1').version(TYPE_URL.EDS)).toBe(heldEds);
    // Another EDS version without c2: the resolver is asked, and what it built is in the view.
    cache.set('n1', snap([cluster('c1'), endpoints('c1', [1])]));
    expect(asked).toEqual(['c2']);
    expect([...cache.view('n1').of(TYPE_URL.EDS).byName.keys()]).toEqual(['c1', 'c2']);
    // Back to a set holding both: nothing resolved, and the version is the snapshot's again.
    cache.set('n1', both);
    expect(asked).toEqual(['c2']);
    expect(cache.view('n1').version(TYPE_URL.EDS)).toBe(heldEds);
    // New names are looked up although the version is one that held the old ones.
    cache.setWanted('n1', TYPE_URL.EDS, new Set(['c1', 'c3']));
    expect(asked).toEqual(['c2', 'c3']);
    cancel();
  });
});

describe('SnapshotCache.batch', () => {
  it('notifies each node once, after the batch, with the union of changed types', () => {
    const cache = new SnapshotCache();
    const seen: string[][] = [];
    cache.watch('n1', (types) => seen.push([...types].map((t) => t.split('.').pop() ?? '')));
    cache.setDefault(snap([cluster('c1'), endpoints('c1', [1])]));
    seen.length = 0;
    cache.batch(() => {
      cache.setResolver(() => undefined);
      cache.setDefault(snap([cluster('c1'), endpoints('c1', [2])]));
      cache.set('n1', snap([cluster('c2'), endpoints('c2', [1])]));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([['Cluster', 'ClusterLoadAssignment']]);
    cache.batch(() => {
      cache.set('n1', snap([cluster('c3'), endpoints('c3', [1])]));
      cache.set('n1', snap([cluster('c2'), endpoints('c2', [1])])); // back where it started: nothing to tell
    });
    expect(seen).toHaveLength(1);
  });
});

describe('per-node snapshots and the resolver over the wire', () => {
  let env: Env;
  beforeEach(async () => {
    env = await startServer();
  });
  afterEach(async () => env.stop());

  it('serves a node its own snapshot, others the default, and falls back after clear', async () => {
    env.cache.setDefault(snap([cluster('shared'), endpoints('shared', [1])]));
    env.cache.set('special', snap([cluster('mine'), endpoints('mine', [1])]));
    const a = env.client();
    const b = env.client();
    a.send({ type: 'CDS', node: 'special' });
    b.send({ type: 'CDS', node: 'plain' });
    expect((await a.next()).names).toEqual(['mine']);
    expect((await b.next()).names).toEqual(['shared']);
    a.ack('CDS');
    env.cache.clear('special');
    expect((await a.next()).names).toEqual(['shared']);
    await b.barrier('untouched');
  });

  it('resolves names no snapshot holds, versions them like snapshot resources, and re-resolves on changes', async () => {
    const calls: string[] = [];
    let deny = ['/test.Echo/Bar'];
    const resolver: Resolver = (nodeId, typeUrl: TypeUrl, name) => {
      if (typeUrl === TYPE_URL.LDS) calls.push(`${nodeId} ${typeUrl.split('.').pop()} ${name}`);
      if (typeUrl !== TYPE_URL.LDS || !name.startsWith(SERVER_LISTENER_PREFIX)) return undefined;
      const [host = '', port = '0'] = name.slice(SERVER_LISTENER_PREFIX.length).split(':');
      return serverListener(host, Number(port), deny);
    };
    env.cache.setDefault(snap([cluster('c1'), endpoints('c1', [1])]));
    env.cache.setResolver(resolver);
    const c = env.client();
    const name = `${SERVER_LISTENER_PREFIX}127.0.0.1:5000`;
    c.send({ type: 'LDS', node: 'srv', names: [name, 'nothing-by-this-name'] });
    const r1 = await c.next();
    expect(r1.names).toEqual([name]);
    expect(calls).toEqual([`srv Listener ${name}`, 'srv Listener nothing-by-this-name']);
    c.ack('LDS', [name, 'nothing-by-this-name']);
    // A snapshot change re-resolves; the same output is not pushed again.
    env.cache.setDefault(snap([cluster('c2'), endpoints('c2', [1])]));
    await c.barrier('same-output');
    expect(calls).toHaveLength(4);
    // The resolver's output changes (the runtime installs it again): pushed with a new version.
    deny = ['/test.Echo/Foo'];
    env.cache.setResolver(resolver);
    const r2 = await c.next();
    expect(r2.names).toEqual([name]);
    expect(r2.version).not.toBe(r1.version);
    c.ack('LDS', [name, 'nothing-by-this-name']);
    // A missing name the snapshot later holds is sent.
    env.cache.setDefault(snap([cluster('c2'), endpoints('c2', [1]), apiListener('nothing-by-this-name', 'rcx'), routeConfig('rcx', 'c2')]));
    expect((await c.next()).names).toEqual([name, 'nothing-by-this-name']);
  });

  it('treats a resolver that throws or answers another name as "no such resource"', async () => {
    env.cache.setResolver((_n, _t, name) => {
      if (name === 'boom') throw new Error('resolver bug');
      return serverListener('127.0.0.1', 1, []);
    });
    const c = env.client();
    c.send({ type: 'LDS', node: 'n1', names: ['boom', 'other'] });
    const r = await c.next();
    expect(r.names).toEqual([]);
  });
});
