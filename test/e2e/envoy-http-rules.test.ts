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
import { EnvoyBed, type WorkloadSpec } from '../../bench/envoy/bed.js';
import type { Call, CallAnswer, Protocol } from '../../bench/envoy/call.js';
import { describeDataPath } from '../support/envoy.js';
import { allowedBy, defaultDeny, deniedBy, Judge, judgeAll, l7Policy, Scene, targets, urlOf, type Decision, type Pair, type Row, type Target } from '../support/envoy-cases.js';

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

const INGRESS = [
  l7Policy('http-rules', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: http } ]
${RULES}`),
  l7Policy('http-extra', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules: { http: [ { method: GET, path: { prefix: /extra/ } } ] }
          deny: { http: [ { path: { exact: /prefix/locked } } ] }
`),
].join('---\n');

const EGRESS = l7Policy('web-out', `  selector: { matchLabels: { app: web } }
  egress:
    - toPorts:
        - ports: [ { port: 9000 } ]
${RULES}`);

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080, 8090], portNames: { 8080: 'http' } };
const BYSTANDER: WorkloadSpec = { name: 'bystander', labels: { app: 'bystander' }, http: [8080] };
const WEB: WorkloadSpec = { name: 'web', labels: { app: 'web' } };
const PROTOCOLS: readonly Protocol[] = ['http1', 'http2'];
type Added = ReturnType<EnvoyBed['addWorkload']>;

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
  const scene = new Scene(bed);
  let orders: Pair;
  let bystander: Pair;
  let judge: Judge;
  let inbound: Target[];
  let outbound: Target[];

  beforeAll(async () => {
    await bed.setUp();
    const [o, b, w] = [ORDERS, BYSTANDER, WEB].map((spec) => bed.addWorkload(spec)) as [Added, Added, Added];
    [orders, bystander] = [o, b];
    bed.writeInventory([o.inventory, b.inventory, w.inventory]);
    bed.writePolicy('orders.yaml', INGRESS);
    bed.writePolicy('web.yaml', EGRESS);
    const [ordersProcess, , outside] = await Promise.all([bed.startWorkload(ORDERS), bed.startWorkload(BYSTANDER), bed.startOutside('outside', 9000)]);
    judge = await scene.start();
    const host = { v4: bed.host4, v6: bed.host6 };
    inbound = targets({ name: 'inbound', chain: 'inbound|8080|shop/orders', to: o, port: 8080, from: host, server: ordersProcess, send: scene.send });
    outbound = targets({ name: 'outbound', chain: 'outbound|9000|shop/web', to: host, port: 9000, from: w, server: outside, send: await scene.clientIn('web') });
  }, 90_000);

  afterAll(() => scene.stop(), 60_000);

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
    const direct = async (send: (call: Call) => Promise<CallAnswer>, to: Pair, port: number) => {
      for (const protocol of PROTOCOLS) {
        for (const address of [to.v4, to.v6]) {
          const answer = await send({ protocol, url: urlOf(address, port), path: '/prefix/admin/keys' });
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ path: '/prefix/admin/keys', viaEnvoy: false });
        }
      }
    };
    await direct(scene.send, bystander, 8080);
    await direct(scene.send, orders, 8090);
    await direct(await scene.clientIn('bystander'), { v4: bed.host4, v6: bed.host6 }, 9000);
    // Envoy never saw any of them: the next line it logs is a marker sent through it afterwards.
    await judgeAll(judge, [inbound[0]!], ['http1'], [{ name: 'marker', path: '/exact?marker', enforced: allowedBy('shop/http-rules#spec.ingress[0].toPorts[0].rules.http[0]') }]);
    expect(bed.envoy!.accessLog.slice(logged).map((l) => l.path)).toEqual(['/exact?marker']);
  });
});
