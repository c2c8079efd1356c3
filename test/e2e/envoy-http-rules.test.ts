/**
 * Every HTTP matcher of docs/policies.md on the real data path: method, path (exact, prefix,
 * suffix, regex with RE2 full-match semantics, the query string, normalized paths), host
 * (`:authority`), headers with every matcher kind, deny winning over allow, default deny on a
 * selected port, several policies merging on one port; over HTTP/1.1 and HTTP/2, IPv4 and IPv6,
 * inbound (sk_lookup, a client in "another host") and outbound (connect4/6, a client inside the
 * workload's cgroup). One rule set is written into an ingress and an egress policy, so both
 * directions run the same rows. Each row is judged by the answer, Envoy's per-rule counters and its
 * access log (test/support/envoy-cases.ts). Workloads and ports no policy selects are untouched.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { EnvoyBed, type BedProcess, type WorkloadCaller, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { Caller, type Protocol } from '../../bench/envoy/call.js';
import { describeDataPath } from '../support/envoy.js';
import { allowedBy, defaultDeny, deniedBy, inForce, Judge, judgeAll, urlOf, type Decision, type Row, type Target } from '../support/envoy-cases.js';

/** The rules both policies carry (ingress on orders' port `http`, egress from web to port 9000). */
const RULES = `          rules:
            http:
              - { method: GET, path: { exact: /exact } }
              - { method: GET, path: { prefix: /prefix/ } }
              - { method: GET, path: { regex: "/re/[0-9]+" } }
              - { method: PUT, path: { prefix: /put/ } }
              - { path: { suffix: .json } }
              - { path: { regex: "/alt/one|/alt/two" } }
              - { path: { prefix: /host/ }, host: { exact: orders.shop } }
              - { path: { prefix: /vhost/ }, host: { regex: "[a-z]+\\\\.shop(:8080)?" } }
              - { path: { prefix: /h/exact }, headers: [ { name: X-Tenant, exact: acme } ] }
              - { path: { prefix: /h/prefix }, headers: [ { name: x-tenant, prefix: ac } ] }
              - { path: { prefix: /h/suffix }, headers: [ { name: x-tenant, suffix: me } ] }
              - { path: { prefix: /h/regex }, headers: [ { name: x-tenant, regex: "ac[a-z]+" } ] }
              - { path: { prefix: /h/present }, headers: [ { name: x-tenant, present: true } ] }
              - { path: { prefix: /h/and }, headers: [ { name: x-tenant, exact: acme }, { name: x-env, suffix: -prod } ] }
          deny:
            http:
              - { path: { prefix: /prefix/admin } }
              - { method: DELETE }
              - { headers: [ { name: x-debug, present: true } ] }
`;

const INGRESS = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: http-rules, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: http } ]
${RULES}---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: http-extra, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules: { http: [ { method: GET, path: { prefix: /extra/ } } ] }
          deny: { http: [ { path: { exact: /prefix/locked } } ] }
`;

const EGRESS = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: web-out, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  egress:
    - toPorts:
        - ports: [ { port: 9000 } ]
${RULES}`;

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080, 8090], portNames: { 8080: 'http' } };
const BYSTANDER: WorkloadSpec = { name: 'bystander', labels: { app: 'bystander' }, http: [8080] };
const WEB: WorkloadSpec = { name: 'web', labels: { app: 'web' } };
const PROTOCOLS: readonly Protocol[] = ['http1', 'http2'];

/** The rows, for a policy whose rule ids start with `base` (`shop/http-rules#spec.ingress[0].toPorts[0]`). */
function rows(base: string): { [area: string]: Row[] } {
  const allow = (i: number): Decision => allowedBy(`${base}.rules.http[${i}]`);
  const deny = (i: number): Decision => deniedBy(`${base}.deny.http[${i}]`);
  const row = (name: string, path: string, enforced: Decision, more: Partial<Row> = {}): Row => ({ name, path, enforced, ...more });
  return {
    method: [
      row('GET matches method: GET', '/exact', allow(0)),
      row('POST does not match method: GET', '/exact', defaultDeny, { method: 'POST' }),
      row('PUT matches method: PUT', '/put/item', allow(3), { method: 'PUT' }),
      row('GET does not match method: PUT', '/put/item', defaultDeny),
    ],
    path: [
      row('exact', '/exact', allow(0)),
      row('exact: a longer path', '/exact/more', defaultDeny),
      row('exact: a trailing slash', '/exact/', defaultDeny),
      row('exact: case matters', '/Exact', defaultDeny),
      row('prefix', '/prefix/orders/7', allow(1)),
      row('prefix: the prefix without its slash', '/prefix', defaultDeny),
      row('suffix, any method', '/files/report.json', allow(4), { method: 'POST' }),
      row('suffix: something after it', '/files/report.json/raw', defaultDeny),
      row('regex: a full match', '/re/123', allow(2)),
      row('regex: a match of a substring is no match (trailing)', '/re/123/x', defaultDeny),
      row('regex: a match of a substring is no match (leading)', '/x/re/123', defaultDeny),
      row('regex: no digits', '/re/', defaultDeny),
      row('regex alternation: the second branch, whole', '/alt/two', allow(5)),
      row('regex alternation: the first branch and more', '/alt/one/more', defaultDeny),
      row('nothing matches: default deny on the selected port', '/other', defaultDeny),
    ],
    query: [
      row('exact: the matcher sees the path without ?q=1', '/exact?q=1', allow(0)),
      row('regex: the query is not part of the matched value', '/re/123?q=1', allow(2)),
      row('deny prefix: a query does not hide the path', '/prefix/admin?q=1', deny(0)),
      row('the query text never matches a path rule', '/other?p=/exact', defaultDeny),
    ],
    normalized: [
      row('a dot segment cannot reach a denied path', '/prefix/./admin/keys', deny(0), { served: '/prefix/admin/keys' }),
      row('a dot-dot segment cannot reach a denied path', '/prefix/x/../admin', deny(0), { served: '/prefix/admin' }),
      row('merged slashes cannot reach a denied path', '/prefix//admin', deny(0), { served: '/prefix/admin' }),
      row('percent-encoded letters cannot reach a denied path', '/prefix/%61dmin', deny(0), { served: '/prefix/admin' }),
      row('the workload gets the path the rules matched', '/prefix/x/./y//z', allow(1), { served: '/prefix/x/y/z' }),
      row('an escaped slash is kept as written (rules and workload see %2F)', '/prefix/a%2Fb', allow(1)),
      row('an escaped slash is no separator to the rules', '/prefix%2Fadmin', defaultDeny),
    ],
    host: [
      row('host exact', '/host/a', allow(6), { authority: 'orders.shop' }),
      row('host exact: the :authority carries a port', '/host/a', defaultDeny, { authority: 'orders.shop:8080' }),
      row('host exact: another host', '/host/a', defaultDeny, { authority: 'evil.shop' }),
      row('host regex, with its optional port', '/vhost/a', allow(7), { authority: 'orders.shop:8080' }),
      row('host regex: a substring match is no match', '/vhost/a', defaultDeny, { authority: 'orders.shop.evil' }),
    ],
    headers: [
      row('exact (the policy names X-Tenant: names are case-insensitive)', '/h/exact', allow(8), { headers: { 'x-tenant': 'acme' } }),
      row('exact: values are case-sensitive', '/h/exact', defaultDeny, { headers: { 'x-tenant': 'Acme' } }),
      row('exact: header absent', '/h/exact', defaultDeny),
      row('prefix', '/h/prefix', allow(9), { headers: { 'x-tenant': 'acme-corp' } }),
      row('prefix: not at the start', '/h/prefix', defaultDeny, { headers: { 'x-tenant': 'xacme' } }),
      row('suffix', '/h/suffix', allow(10), { headers: { 'x-tenant': 'acme' } }),
      row('suffix: not at the end', '/h/suffix', defaultDeny, { headers: { 'x-tenant': 'acmex' } }),
      row('regex: a full match', '/h/regex', allow(11), { headers: { 'x-tenant': 'acme' } }),
      row('regex: a substring match is no match', '/h/regex', defaultDeny, { headers: { 'x-tenant': 'xacme' } }),
      row('present', '/h/present', allow(12), { headers: { 'x-tenant': 'anything' } }),
      row('present: absent', '/h/present', defaultDeny, { headers: { 'x-other': 'acme' } }),
      row('two headers, both match (AND)', '/h/and', allow(13), { headers: { 'x-tenant': 'acme', 'x-env': 'eu-prod' } }),
      row('two headers, one matches (AND)', '/h/and', defaultDeny, { headers: { 'x-tenant': 'acme', 'x-env': 'eu-dev' } }),
    ],
    deny: [
      row('deny prefix wins over an allowed prefix', '/prefix/admin/keys', deny(0)),
      row('deny by method wins over an allowed path', '/prefix/orders', deny(1), { method: 'DELETE' }),
      row('deny by a present header wins over an allowed exact path', '/exact', deny(2), { headers: { 'x-debug': '1' } }),
    ],
  };
}

describeDataPath('HTTP rules on the real data path: every matcher allows and denies as docs/policies.md says', () => {
  const bed = new EnvoyBed();
  const caller = new Caller();
  let orders: { v4: string; v6: string };
  let bystander: { v4: string; v6: string };
  let web: { v4: string; v6: string };
  let ordersProcess: BedProcess;
  let bystanderProcess: BedProcess;
  let outside: BedProcess;
  let webCaller: WorkloadCaller;
  let judge: Judge;
  let inbound: Target[];
  let outbound: Target[];

  beforeAll(async () => {
    await bed.setUp();
    const o = bed.addWorkload(ORDERS);
    const b = bed.addWorkload(BYSTANDER);
    const w = bed.addWorkload(WEB);
    [orders, bystander, web] = [o, b, w];
    bed.writeInventory([o.inventory, b.inventory, w.inventory]);
    bed.writePolicy('orders.yaml', INGRESS);
    bed.writePolicy('web.yaml', EGRESS);
    [ordersProcess, bystanderProcess, outside] = await Promise.all([bed.startWorkload(ORDERS), bed.startWorkload(BYSTANDER), bed.startOutside('outside', 9000)]);
    await bed.startServe();
    await bed.startEnvoy();
    await inForce(bed);
    webCaller = await bed.caller('web');
    judge = new Judge(bed.envoy!);
    const send = (call: Parameters<Caller['send']>[0]) => caller.send(call);
    inbound = [
      { name: 'inbound IPv4', chain: 'inbound|8080|shop/orders', url: urlOf(orders.v4, 8080), client: bed.host4, server: ordersProcess, send },
      { name: 'inbound IPv6', chain: 'inbound|8080|shop/orders', url: urlOf(orders.v6, 8080), client: bed.host6, server: ordersProcess, send },
    ];
    const sendFromWeb = (call: Parameters<Caller['send']>[0]) => webCaller.send(call);
    outbound = [
      { name: 'outbound IPv4', chain: 'outbound|9000|shop/web', url: urlOf(bed.host4, 9000), client: web.v4, server: outside, send: sendFromWeb },
      { name: 'outbound IPv6', chain: 'outbound|9000|shop/web', url: urlOf(bed.host6, 9000), client: web.v6, server: outside, send: sendFromWeb },
    ];
  }, 90_000);

  afterAll(async () => {
    caller.close();
    webCaller?.close();
    await bed.cleanup();
  }, 60_000);

  const both = () => [...inbound, ...outbound];
  const ingressRows = () => rows('shop/http-rules#spec.ingress[0].toPorts[0]');
  const egressRows = () => rows('shop/web-out#spec.egress[0].toPorts[0]');
  const area = async (name: string) => {
    await judgeAll(judge, inbound, PROTOCOLS, ingressRows()[name] ?? []);
    await judgeAll(judge, outbound, PROTOCOLS, egressRows()[name] ?? []);
  };

  it('method: allows the named method, and only it', () => area('method'));
  it('path exact, prefix, suffix and regex (RE2 full match: a substring match never allows)', () => area('path'));
  it('path and the query string: matchers see the path without it, so ?q=1 neither helps nor hurts', () => area('query'));
  it('path normalization: dot segments, doubled slashes and percent-encoded letters cannot dodge a deny rule', () => area('normalized'));
  it('host: matches :authority as sent (with its port, if the client sent one)', () => area('host'));
  it('headers: exact, prefix, suffix, regex, present, and several AND-ed; names case-insensitive', () => area('headers'));
  it('deny wins over allow: by path, by method, by a header', () => area('deny'));

  it('several policies on one port merge: another policy\'s allow rule is OR-ed, its deny rule applies to every policy', async () => {
    const extra = 'shop/http-extra#spec.ingress[0].toPorts[0]';
    await judgeAll(judge, inbound, PROTOCOLS, [
      { name: 'allowed by the second policy only', path: '/extra/x', enforced: allowedBy(`${extra}.rules.http[0]`) },
      { name: 'allowed by the first policy, denied by the second', path: '/prefix/locked', enforced: deniedBy(`${extra}.deny.http[0]`) },
      { name: 'still allowed by the first policy', path: '/prefix/open', enforced: allowedBy('shop/http-rules#spec.ingress[0].toPorts[0].rules.http[1]') },
    ]);
    // Egress chains of web carry only web-out: /extra/ is not allowed there.
    await judgeAll(judge, outbound, PROTOCOLS, [{ name: 'no other policy on the egress chain', path: '/extra/x', enforced: defaultDeny }]);
  });

  it('untouched: a workload no policy selects, another port of a selected workload, and egress of a workload no egress policy selects', async () => {
    const logged = bed.envoy!.accessLog.length;
    const direct = async (server: BedProcess, send: (p: Protocol) => Promise<{ status: number; body: unknown }>) => {
      for (const protocol of PROTOCOLS) {
        const answer = await send(protocol);
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ path: '/prefix/admin/keys', viaEnvoy: false });
      }
    };
    for (const address of [bystander.v4, bystander.v6]) await direct(bystanderProcess, (protocol) => caller.send({ protocol, url: urlOf(address, 8080), path: '/prefix/admin/keys' }));
    for (const address of [orders.v4, orders.v6]) await direct(ordersProcess, (protocol) => caller.send({ protocol, url: urlOf(address, 8090), path: '/prefix/admin/keys' }));
    const bystanderCaller = await bed.caller('bystander');
    try {
      for (const host of [bed.host4, bed.host6]) await direct(outside, (protocol) => bystanderCaller.send({ protocol, url: urlOf(host, 9000), path: '/prefix/admin/keys' }));
    } finally {
      bystanderCaller.close();
    }
    // Envoy never saw any of them: the next line it logs is a marker sent through it afterwards.
    await judgeAll(judge, [inbound[0]!], ['http1'], [{ name: 'marker', path: '/exact?marker', enforced: allowedBy('shop/http-rules#spec.ingress[0].toPorts[0].rules.http[0]') }]);
    expect(bed.envoy!.accessLog.slice(logged).map((l) => l.path)).toEqual(['/exact?marker']);
  });
});
