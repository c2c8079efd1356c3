/**
 * Peers and selection on the real data path. The inventory names two workloads on another node
 * whose addresses are the test namespace's own (`remote-web` at host4/host6, `edge` at a second
 * pair of host addresses), so a client in the test's namespace *is* that workload: ingress `from`
 * a selector (with `namespaces`, `*`, and one that resolves to nobody), from `ipBlock`s with
 * `except`, deny rules scoped to their peers, a port rule without `rules`, `{}` and `[]`; egress
 * `to` a selector (through a named port of the destination) and to `ipBlock`s with `except`, for
 * HTTP/1.1, HTTP/2 and gRPC over IPv4 and IPv6; policy selectors with `matchExpressions`.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { EnvoyBed, type BedProcess, type WorkloadSpec } from '../../bench/envoy/bed.js';
import type { Call, CallAnswer } from '../../bench/envoy/call.js';
import { describeDataPath } from '../support/envoy.js';
import { allowedBy, defaultDeny, deniedBy, Judge, judgeAll, l7Policy, Scene, targets, urlOf, type Pair, type Row, type Target } from '../support/envoy-cases.js';

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders', tier: 'backend' }, http: [8080, 8081, 8082, 8083, 8084], grpc: [9090], services: ['shop.v1.Orders'] };
const SPARE: WorkloadSpec = { name: 'spare', labels: { app: 'spare' }, http: [8080] };
const WEB: WorkloadSpec = { name: 'web', labels: { app: 'web' }, http: [8080] };
type Added = ReturnType<EnvoyBed['addWorkload']>;

/** CIDR peers: the test namespace's subnet except its primary address (`remote-web`'s). */
const cidrPeers = (bed: EnvoyBed) =>
  `[ { ipBlock: { cidr: 10.231.${bed.subnet}.0/24, except: [ ${bed.host4}/32 ] } }, { ipBlock: { cidr: "fd5c:${bed.subnet.toString(16)}::/64", except: [ "${bed.host6}/128" ] } } ]`;

const ingress = (bed: EnvoyBed) => `${l7Policy('peers-in', '')}  selector: { matchExpressions: [ { key: tier, operator: Exists }, { key: app, operator: In, values: [orders] } ] }
  ingress:
    - from: [ { selector: { matchLabels: { app: remote-web } }, namespaces: [remote] } ]
      toPorts:
        - ports: [ { port: 8080 } ]
          rules: { http: [ { path: { prefix: /sel/ } }, { path: { prefix: /shared/ } } ] }
          deny: { http: [ { path: { prefix: /shared/secret } } ] }
        - ports: [ { port: 9090 } ]
          rules: { grpc: [ { service: shop.v1.Orders } ] }
    - from: ${cidrPeers(bed)}
      toPorts:
        - ports: [ { port: 8080 } ]
          rules: { http: [ { path: { prefix: /cidr/ } }, { path: { prefix: /shared/ } } ] }
    - from: [ { selector: { matchLabels: { app: edge } }, namespaces: ["*"] } ]
      toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { path: { prefix: /any-ns/ } } ] } } ]
    - from: [ { selector: { matchLabels: { app: edge } } } ]
      toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { path: { prefix: /own-ns/ } } ] } } ]
    - from: [ { selector: { matchLabels: { app: remote-web } }, namespaces: [remote] } ]
      toPorts: [ { ports: [ { port: 8081 } ] } ]
    - toPorts:
        - { ports: [ { port: 8082 } ], rules: { http: [ {} ] } }
        - { ports: [ { port: 8083 } ], rules: { http: [] } }
    - from: [ { selector: { matchLabels: { app: web } } } ]
      toPorts: [ { ports: [ { port: 8084 } ], rules: { http: [ { path: { prefix: /v1/ } } ] } } ]
---
${l7Policy('spare-in', '')}  selector: { matchExpressions: [ { key: tier, operator: DoesNotExist }, { key: app, operator: NotIn, values: [web, orders] } ] }
  ingress: [ { toPorts: [ { ports: [ { port: 8080 } ], rules: { http: [ { path: { prefix: /spare/ } } ] } } ] } ]
`;

const egress = (bed: EnvoyBed) => `${l7Policy('web-out', '')}  selector: { matchLabels: { app: web } }
  egress:
    - to: [ { selector: { matchLabels: { app: remote-web } }, namespaces: [remote] } ]
      toPorts:
        - ports: [ { port: web-api } ]
          rules: { http: [ { path: { prefix: /sel/ } } ] }
        - ports: [ { port: 9443 } ]
          rules: { grpc: [ { service: shop.v1.Orders, methods: [Get] } ] }
    - to: ${cidrPeers(bed)}
      toPorts: [ { ports: [ { port: 9000 } ], rules: { http: [ { path: { prefix: /cidr/ } } ] } } ]
    - toPorts: [ { ports: [ { port: 8084 } ] } ]
`;

describeDataPath('peers on the real data path: selectors, namespaces, CIDRs with except, for ingress and egress', () => {
  const bed = new EnvoyBed();
  const scene = new Scene(bed);
  let orders: Pair;
  let spare: Pair;
  let web: Pair;
  let edge: Pair;
  const servers = new Map<string, BedProcess>();
  let fromWeb: (call: Call) => Promise<CallAnswer>;
  let judge: Judge;

  beforeAll(async () => {
    await bed.setUp();
    edge = bed.addHostAddress();
    const [o, s, w] = [ORDERS, SPARE, WEB].map((spec) => bed.addWorkload(spec)) as [Added, Added, Added];
    [orders, spare, web] = [o, s, w];
    const ports = [{ port: 9000, name: 'web-api' }, { port: 9443 }];
    bed.writeInventory([
      o.inventory, s.inventory, w.inventory,
      bed.remoteWorkload({ name: 'remote-web', namespace: 'remote', labels: { app: 'remote-web' }, addresses: [bed.host4, bed.host6], ports }),
      bed.remoteWorkload({ name: 'edge', namespace: 'edge', labels: { app: 'edge' }, addresses: [edge.v4, edge.v6], ports }),
    ]);
    bed.writePolicy('in.yaml', ingress(bed));
    bed.writePolicy('out.yaml', egress(bed));
    const started = await Promise.all([
      ...[ORDERS, SPARE, WEB].map((spec) => bed.startWorkload(spec)),
      bed.startOutside('outside', 9000, { addresses: [bed.host4, bed.host6, edge.v4, edge.v6], grpc: 9443, services: ['shop.v1.Orders'] }),
    ]);
    ['orders', 'spare', 'web', 'outside'].forEach((name, i) => servers.set(name, started[i]!));
    judge = await scene.start();
    fromWeb = await scene.clientIn('web');
  }, 90_000);

  afterAll(() => scene.stop(), 60_000);

  const addresses = (who: 'remote-web' | 'edge'): Pair => (who === 'edge' ? edge : { v4: bed.host4, v6: bed.host6 });
  /** Clients in the test's namespace bound to `remote-web`'s or `edge`'s addresses, calling `at:port`. */
  const from = (who: 'remote-web' | 'edge', at: Pair, port: number, workload = 'orders'): Target[] =>
    targets({ name: `from ${who}`, chain: `inbound|${port}|shop/${workload}`, to: at, port, from: addresses(who), bind: true, server: servers.get(workload)!, send: scene.send });
  /** web's calls out to `remote-web`'s or `edge`'s addresses. */
  const to = (who: 'remote-web' | 'edge', port: number): Target[] =>
    targets({ name: `to ${who}`, chain: `outbound|${port}|shop/web`, to: addresses(who), port, from: web, server: servers.get('outside')!, send: fromWeb });
  const rule = (i: number, tail: string) => `shop/peers-in#spec.ingress[${i}].${tail}`;
  const row = (name: string, path: string, enforced: Row['enforced']): Row => ({ name, path, enforced });

  it('ingress from a selector (namespaces: [remote]) and from CIDRs with except: each peer gets its own rules, over HTTP/1.1 and HTTP/2', async () => {
    await judgeAll(judge, from('remote-web', orders, 8080), ['http1', 'http2'], [
      row('the selector peer\'s own path', '/sel/a', allowedBy(rule(0, 'toPorts[0].rules.http[0]'))),
      row('the CIDR peers\' path: this address is the except', '/cidr/a', defaultDeny),
      row('a path both allow', '/shared/a', allowedBy(rule(0, 'toPorts[0].rules.http[1]'))),
      row('the selector peer\'s deny rule', '/shared/secret', deniedBy(rule(0, 'toPorts[0].deny.http[0]'))),
      row('namespaces ["*"] names the edge workload, not this one', '/any-ns/a', defaultDeny),
    ]);
    await judgeAll(judge, from('edge', orders, 8080), ['http1', 'http2'], [
      row('not the selector peer', '/sel/a', defaultDeny),
      row('inside the CIDR, not in the except', '/cidr/a', allowedBy(rule(1, 'toPorts[0].rules.http[0]'))),
      row('a deny rule is scoped to its own peers', '/shared/secret', allowedBy(rule(1, 'toPorts[0].rules.http[1]'))),
      row('a selector with namespaces ["*"] finds the workload in its namespace', '/any-ns/a', allowedBy(rule(2, 'toPorts[0].rules.http[0]'))),
      row('the same selector in the policy\'s own namespace resolves to nobody: fail closed', '/own-ns/a', defaultDeny),
    ]);
  });

  it('ingress peers for gRPC: the selector peer calls, another address gets PERMISSION_DENIED', async () => {
    await judgeAll(judge, from('remote-web', orders, 9090), ['grpc'], [row('the selector peer', '/shop.v1.Orders/Get', allowedBy(rule(0, 'toPorts[1].rules.grpc[0]')))]);
    await judgeAll(judge, from('edge', orders, 9090), ['grpc'], [row('not the selector peer', '/shop.v1.Orders/Get', defaultDeny)]);
  });

  it('port rules: without rules every request of its peers, {} every request of anyone, [] nothing', async () => {
    await judgeAll(judge, from('remote-web', orders, 8081), ['http1', 'http2'], [row('no rules: its peer, any path', '/any/thing', allowedBy(rule(4, 'toPorts[0]')))]);
    await judgeAll(judge, from('edge', orders, 8081), ['http1', 'http2'], [row('no rules: not its peer', '/any/thing', defaultDeny)]);
    for (const who of ['remote-web', 'edge'] as const) {
      await judgeAll(judge, from(who, orders, 8082), ['http1', 'http2'], [row('an empty rule matches every request', '/any/thing', allowedBy(rule(5, 'toPorts[0].rules.http[0]')))]);
      await judgeAll(judge, from(who, orders, 8083), ['http1', 'http2'], [row('http: [] allows nothing', '/any/thing', defaultDeny)]);
    }
  });

  it('policy selectors with matchExpressions: Exists/In select orders, DoesNotExist/NotIn select spare and leave web alone', async () => {
    await judgeAll(judge, from('remote-web', spare, 8080, 'spare'), ['http1', 'http2'], [
      row('selected by DoesNotExist + NotIn', '/spare/a', allowedBy('shop/spare-in#spec.ingress[0].toPorts[0].rules.http[0]')),
      row('and denied what it does not allow', '/sel/a', defaultDeny),
    ]);
    // orders has a tier: spare-in does not apply to it.
    await judgeAll(judge, from('remote-web', orders, 8080), ['http1'], [row('not selected by DoesNotExist', '/spare/a', defaultDeny)]);
    for (const address of [web.v4, web.v6]) {
      const answer = await scene.send({ protocol: 'http1', url: urlOf(address, 8080), path: '/spare/a' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ workload: 'web', viaEnvoy: false });
    }
  });

  it('egress to a selector (through the destination\'s named port) and to CIDRs with except, over HTTP/1.1 and HTTP/2', async () => {
    await judgeAll(judge, to('remote-web', 9000), ['http1', 'http2'], [
      row('to the selector peer', '/sel/a', allowedBy('shop/web-out#spec.egress[0].toPorts[0].rules.http[0]')),
      row('to the except address', '/cidr/a', defaultDeny),
    ]);
    await judgeAll(judge, to('edge', 9000), ['http1', 'http2'], [
      row('not the selector peer', '/sel/a', defaultDeny),
      row('inside the CIDR, not in the except', '/cidr/a', allowedBy('shop/web-out#spec.egress[1].toPorts[0].rules.http[0]')),
    ]);
  });

  it('egress peers for gRPC: the selector peer is called, another address gets PERMISSION_DENIED', async () => {
    await judgeAll(judge, to('remote-web', 9443), ['grpc'], [
      row('to the selector peer', '/shop.v1.Orders/Get', allowedBy('shop/web-out#spec.egress[0].toPorts[1].rules.grpc[0]')),
      row('to the selector peer, a method not listed', '/shop.v1.Orders/List', defaultDeny),
    ]);
    await judgeAll(judge, to('edge', 9443), ['grpc'], [row('not the selector peer', '/shop.v1.Orders/Get', defaultDeny)]);
  });

  // web's egress chain forwards to orders on this node: that leg is not the proxy's inbound leg,
  // so the kernel steers it into orders' inbound chain, where orders' ingress rules judge it.
  it('a same-node client whose egress policy covers the port is still held to the destination\'s ingress rules', async () => {
    const seen = () => servers.get('orders')!.lines.filter((l) => l.event === 'request' && l.path === '/admin').length;
    for (const address of [orders.v4, orders.v6]) {
      const answer = await fromWeb({ protocol: 'http1', url: urlOf(address, 8084), path: '/admin' });
      expect(answer.status).toBe(403);
    }
    expect(seen()).toBe(0);
  });
});
