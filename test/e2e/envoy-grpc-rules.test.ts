/**
 * gRPC rules on the real data path: a service with some methods, every method of a service (no
 * `methods`, and `["*"]`), metadata conditions with every matcher kind, deny rules beside allow
 * rules, an HTTP rule on a gRPC port; unary and server-streaming calls from a grpc-js client,
 * IPv4 and IPv6, inbound (sk_lookup) and outbound (connect4/6, from inside the workload's cgroup).
 * Denials are Envoy's own PERMISSION_DENIED (status 7) for gRPC clients and 403 for plain HTTP
 * ones, each beside Envoy's per-rule counters and access log (test/support/envoy-cases.ts).
 * The policy selects with `{}`: every workload of its namespace, and no other.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { EnvoyBed, type BedProcess, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { describeDataPath } from '../support/envoy.js';
import { allowedBy, defaultDeny, deniedBy, Judge, judgeAll, l7Policy, Scene, targets, urlOf, type Decision, type Pair, type Row, type Target } from '../support/envoy-cases.js';

const SERVICES = ['shop.v1.Orders', 'shop.v1.Public', 'shop.v1.Star', 'shop.v1.Tenants', 'shop.v1.Reports'];

/** The rules both policies carry (ingress on port 9090 of every workload in `rpc`, egress from shopper to 9443). */
const RULES = `          rules:
            grpc:
              - { service: shop.v1.Orders, methods: [Get, List] }
              - { service: shop.v1.Public }
              - { service: shop.v1.Star, methods: ["*"] }
              - { service: shop.v1.Tenants, methods: [Get], headers: [ { name: X-Tenant, exact: acme } ] }
              - { service: shop.v1.Tenants, methods: [List], headers: [ { name: x-tenant, prefix: ac }, { name: x-env, regex: "(eu|us)-prod" } ] }
              - { service: shop.v1.Tenants, methods: [Create], headers: [ { name: x-token, present: true } ] }
              - { service: shop.v1.Tenants, methods: [Delete], headers: [ { name: x-tenant, suffix: me } ] }
            http:
              - { method: POST, path: { prefix: /shop.v1.Reports/ } }
          deny:
            grpc:
              - { service: shop.v1.Public, methods: [Delete] }
              - { service: shop.v1.Orders, headers: [ { name: x-debug, present: true } ] }
`;

const INGRESS = l7Policy('rpc-rules', `  selector: {}
  ingress:
    - toPorts:
        - ports: [ { port: 9090 } ]
${RULES}`, 'rpc');

const EGRESS = l7Policy('shopper-out', `  selector: { matchLabels: { app: shopper } }
  egress:
    - toPorts:
        - ports: [ { port: 9443 } ]
${RULES}`);

const CATALOG: WorkloadSpec = { name: 'catalog', namespace: 'rpc', labels: { app: 'catalog' }, grpc: [9090], services: SERVICES };
const LEDGER: WorkloadSpec = { name: 'ledger', namespace: 'rpc', labels: { app: 'ledger' }, grpc: [9090], services: SERVICES };
const UNLISTED: WorkloadSpec = { name: 'unlisted', namespace: 'shop', labels: { app: 'catalog' }, grpc: [9090], services: SERVICES };
const SHOPPER: WorkloadSpec = { name: 'shopper', labels: { app: 'shopper' } };

function rows(base: string): { [area: string]: Row[] } {
  const grpc = (i: number): Decision => allowedBy(`${base}.rules.grpc[${i}]`);
  const deny = (i: number): Decision => deniedBy(`${base}.deny.grpc[${i}]`);
  const row = (name: string, path: string, enforced: Decision, more: Partial<Row> = {}): Row => ({ name, path, enforced, ...more });
  return {
    methods: [
      row('a listed method', '/shop.v1.Orders/Get', grpc(0)),
      row('the other listed method', '/shop.v1.Orders/List', grpc(0)),
      row('a method not listed', '/shop.v1.Orders/Create', defaultDeny),
      row('a streaming method not listed', '/shop.v1.Orders/Watch', defaultDeny, { stream: true }),
      row('no methods: every method of the service', '/shop.v1.Public/Create', grpc(1)),
      row('no methods: a streaming method too', '/shop.v1.Public/Watch', grpc(1), { stream: true }),
      row('methods ["*"]: every method of the service', '/shop.v1.Star/Delete', grpc(2)),
      row('a service whose name only starts like an allowed one', '/shop.v1.PublicAdmin/Get', defaultDeny),
      row('a service no rule names', '/shop.v1.Secrets/Get', defaultDeny),
      row('an HTTP rule on a gRPC port matches gRPC calls by path', '/shop.v1.Reports/List', allowedBy(`${base}.rules.http[0]`)),
    ],
    metadata: [
      row('exact (the policy names X-Tenant)', '/shop.v1.Tenants/Get', grpc(3), { headers: { 'x-tenant': 'acme' } }),
      row('exact: another value', '/shop.v1.Tenants/Get', defaultDeny, { headers: { 'x-tenant': 'acme2' } }),
      row('exact: no metadata', '/shop.v1.Tenants/Get', defaultDeny),
      row('prefix and regex, both match', '/shop.v1.Tenants/List', grpc(4), { headers: { 'x-tenant': 'acme-co', 'x-env': 'eu-prod' } }),
      row('regex: a substring match is no match', '/shop.v1.Tenants/List', defaultDeny, { headers: { 'x-tenant': 'acme-co', 'x-env': 'eu-prod-2' } }),
      row('prefix: not at the start', '/shop.v1.Tenants/List', defaultDeny, { headers: { 'x-tenant': 'xacme', 'x-env': 'us-prod' } }),
      row('present', '/shop.v1.Tenants/Create', grpc(5), { headers: { 'x-token': 't' } }),
      row('present: absent', '/shop.v1.Tenants/Create', defaultDeny, { headers: { 'x-other': 't' } }),
      row('suffix', '/shop.v1.Tenants/Delete', grpc(6), { headers: { 'x-tenant': 'acme' } }),
      row('suffix: not at the end', '/shop.v1.Tenants/Delete', defaultDeny, { headers: { 'x-tenant': 'acmex' } }),
      row('metadata of one rule does not open the methods of another', '/shop.v1.Tenants/Get', defaultDeny, { headers: { 'x-token': 't' } }),
    ],
    deny: [
      row('a deny rule wins over every-method allow', '/shop.v1.Public/Delete', deny(0)),
      row('a deny rule on metadata wins over a listed method', '/shop.v1.Orders/Get', deny(1), { headers: { 'x-debug': '1' } }),
    ],
  };
}

describeDataPath('gRPC rules on the real data path: services, methods and metadata allow and deny as docs/policies.md says', () => {
  const bed = new EnvoyBed();
  const scene = new Scene(bed);
  let unlisted: Pair;
  let judge: Judge;
  let inbound: Record<'catalog' | 'ledger', Target[]>;
  let outbound: Target[];

  beforeAll(async () => {
    await bed.setUp();
    const added = [CATALOG, LEDGER, UNLISTED, SHOPPER].map((spec) => bed.addWorkload(spec));
    bed.writeInventory(added.map((a) => a.inventory));
    const [catalog, ledger, , shopper] = [0, 1, 2, 3].map((i) => bed.address(i)) as [Pair, Pair, Pair, Pair];
    unlisted = bed.address(2);
    bed.writePolicy('rpc.yaml', INGRESS);
    bed.writePolicy('shopper.yaml', EGRESS);
    const [catalogProcess, ledgerProcess, , outside] = await Promise.all([
      ...[CATALOG, LEDGER, UNLISTED].map((spec) => bed.startWorkload(spec)),
      bed.startOutside('outside', 9000, { grpc: 9443, services: SERVICES }),
    ]) as [BedProcess, BedProcess, BedProcess, BedProcess];
    judge = await scene.start();
    const host = { v4: bed.host4, v6: bed.host6 };
    const at = (name: string, to: Pair, server: BedProcess) => targets({ name: 'inbound', chain: `inbound|9090|rpc/${name}`, to, port: 9090, from: host, server, send: scene.send });
    inbound = { catalog: at('catalog', catalog, catalogProcess), ledger: at('ledger', ledger, ledgerProcess) };
    outbound = targets({ name: 'outbound', chain: 'outbound|9443|shop/shopper', to: host, port: 9443, from: shopper, server: outside, send: await scene.clientIn('shopper') });
  }, 90_000);

  afterAll(() => scene.stop(), 60_000);

  const area = async (name: string) => {
    await judgeAll(judge, inbound.catalog, ['grpc'], rows('rpc/rpc-rules#spec.ingress[0].toPorts[0]')[name] ?? []);
    await judgeAll(judge, outbound, ['grpc'], rows('shop/shopper-out#spec.egress[0].toPorts[0]')[name] ?? []);
  };

  it('service and methods: listed methods, every method (no methods, "*"), unary and streaming; PERMISSION_DENIED otherwise', () => area('methods'));
  it('metadata conditions: exact, prefix, suffix, regex (full match), present, AND-ed with the method', () => area('metadata'));
  it('deny rules win over allow rules, by method and by metadata', () => area('deny'));

  it('a plain HTTP client on the gRPC port is denied with 403, not a gRPC status', async () => {
    const base = 'rpc/rpc-rules#spec.ingress[0].toPorts[0]';
    await judgeAll(judge, inbound.catalog, ['http2', 'http1'], [
      { name: 'POST to a method no rule allows', path: '/shop.v1.Orders/Create', method: 'POST', enforced: defaultDeny },
      { name: 'POST to a method a deny rule names', path: '/shop.v1.Public/Delete', method: 'POST', enforced: deniedBy(`${base}.deny.grpc[0]`) },
    ]);
  });

  it('selector {}: every workload of the policy\'s namespace is protected, a workload of another namespace is not', async () => {
    await judgeAll(judge, inbound.ledger, ['grpc'], [
      { name: 'a listed method on the second workload', path: '/shop.v1.Orders/List', enforced: allowedBy('rpc/rpc-rules#spec.ingress[0].toPorts[0].rules.grpc[0]') },
      { name: 'a method not listed on the second workload', path: '/shop.v1.Orders/Delete', enforced: defaultDeny },
    ]);
    for (const address of [unlisted.v4, unlisted.v6]) {
      const answer = await scene.send({ protocol: 'grpc', url: urlOf(address, 9090), path: '/shop.v1.Orders/Delete' });
      expect(answer.grpc).toEqual({ code: 0, details: '' });
      expect(answer.body).toMatchObject({ workload: 'unlisted', path: '/shop.v1.Orders/Delete', viaEnvoy: false });
    }
  });
});
