/**
 * Audit mode on the real data path. An audit-only port lets every request through, and Envoy's
 * shadow counters (`sluice_audit_allow_.shadow_allowed|shadow_denied`, `sluice_audit_deny_.…`,
 * per rule `…policy.<rule id>.shadow_*`) and access log (`audit_allow_result`, `audit_allow_rule`,
 * `audit_deny_rule`) say what enforcing it would have done. Beside an enforcing policy, the
 * enforced verdict is the enforcing policy's alone while the audit verdict is that of enforcing
 * both. HTTP/1.1, HTTP/2 and gRPC, IPv4 and IPv6, inbound and outbound.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { EnvoyBed, type WorkloadSpec } from '../../bench/envoy/bed.js';
import type { PolicyStatus } from '../../controller/index.js';
import { describeDataPath } from '../support/envoy.js';
import { allowedBy, defaultDeny, deniedBy, Judge, judgeAll, l7Policy, notEnforced, Scene, targets, type Row, type Target } from '../support/envoy-cases.js';

const policy = (name: string, mode: 'audit' | 'enforce', body: string) => l7Policy(name, `  mode: ${mode}\n${body}`);

const POLICIES = [
  policy('orders-audit', 'audit', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules: { http: [ { method: GET, path: { prefix: /v1/ } } ] }
          deny: { http: [ { path: { prefix: /v1/admin } } ] }
        - ports: [ { port: 9090 } ]
          rules: { grpc: [ { service: shop.v1.Orders, methods: [Get] } ] }
          deny: { grpc: [ { service: shop.v1.Orders, methods: [Delete] } ] }
`),
  policy('orders-enforce', 'enforce', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8081 } ]
          rules: { http: [ { method: GET, path: { prefix: /v1/ } } ] }
          deny: { http: [ { path: { prefix: /v1/admin } } ] }
`),
  policy('orders-trial', 'audit', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8081 } ]
          rules: { http: [ { method: GET, path: { prefix: /v2/ } } ] }
          deny: { http: [ { path: { prefix: /v1/secret } } ] }
`),
  policy('web-audit', 'audit', `  selector: { matchLabels: { app: web } }
  egress:
    - toPorts:
        - ports: [ { port: 9000 } ]
          rules: { http: [ { method: GET, path: { exact: /allowed } } ] }
          deny: { http: [ { path: { prefix: /blocked } } ] }
        - ports: [ { port: 9443 } ]
          rules: { grpc: [ { service: shop.v1.Orders, methods: [Get] } ] }
          deny: { grpc: [ { service: shop.v1.Orders, methods: [Delete] } ] }
`),
].join('---\n');

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080, 8081], grpc: [9090], services: ['shop.v1.Orders'] };
const WEB: WorkloadSpec = { name: 'web', labels: { app: 'web' } };

describeDataPath('audit mode on the real data path: nothing dropped, Envoy counts and logs the would-be verdict', () => {
  const bed = new EnvoyBed();
  const scene = new Scene(bed);
  let judge: Judge;
  let inbound: (port: number) => Target[];
  let outbound: (port: number) => Target[];

  beforeAll(async () => {
    await bed.setUp();
    const o = bed.addWorkload(ORDERS);
    const w = bed.addWorkload(WEB);
    bed.writeInventory([o.inventory, w.inventory]);
    bed.writePolicy('policies.yaml', POLICIES);
    const [ordersProcess, outside] = await Promise.all([bed.startWorkload(ORDERS), bed.startOutside('outside', 9000, { grpc: 9443, services: ['shop.v1.Orders'] })]);
    judge = await scene.start();
    const host = { v4: bed.host4, v6: bed.host6 };
    const fromWeb = await scene.clientIn('web');
    inbound = (port) => targets({ name: 'inbound', chain: `inbound|${port}|shop/orders`, to: o, port, from: host, server: ordersProcess, send: scene.send });
    outbound = (port) => targets({ name: 'outbound', chain: `outbound|${port}|shop/web`, to: host, port, from: w, server: outside, send: fromWeb });
  }, 90_000);

  afterAll(() => scene.stop(), 60_000);

  const id = (policyName: string, tail: string, direction = 'ingress') => `shop/${policyName}#spec.${direction}[0].${tail}`;
  const row = (name: string, path: string, enforced: Row['enforced'], audit: Row['audit'], more: Partial<Row> = {}): Row => ({ name, path, enforced, audit, ...more });

  it('says Auditing for audit-mode policies and Enforced for the enforcing one, once Envoy ACKed them', async () => {
    const { policies } = (await bed.serveAdmin('/status')) as { policies: PolicyStatus[] };
    expect(Object.fromEntries(policies.map((p) => [p.key, p.state]))).toEqual({
      'shop/orders-audit': 'Auditing',
      'shop/orders-enforce': 'Enforced',
      'shop/orders-trial': 'Auditing',
      'shop/web-audit': 'Auditing',
    });
  });

  it('an audit-only HTTP port: every request passes; the shadow verdict names the rule that would have decided', async () => {
    await judgeAll(judge, inbound(8080), ['http1', 'http2'], [
      row('would be allowed', '/v1/orders', notEnforced, allowedBy(id('orders-audit', 'toPorts[0].rules.http[0]'))),
      row('would be denied by the deny rule', '/v1/admin/keys', notEnforced, deniedBy(id('orders-audit', 'toPorts[0].deny.http[0]'))),
      row('would be denied: no rule allows the path', '/other', notEnforced, defaultDeny),
      row('would be denied: no rule allows the method', '/v1/orders', notEnforced, defaultDeny, { method: 'POST' }),
    ]);
  });

  it('an audit-only gRPC port: every call passes; the shadow verdict names the rule', async () => {
    await judgeAll(judge, inbound(9090), ['grpc'], [
      row('would be allowed', '/shop.v1.Orders/Get', notEnforced, allowedBy(id('orders-audit', 'toPorts[1].rules.grpc[0]'))),
      row('would be denied by the deny rule', '/shop.v1.Orders/Delete', notEnforced, deniedBy(id('orders-audit', 'toPorts[1].deny.grpc[0]'))),
      row('would be denied: no rule allows the method', '/shop.v1.Orders/Create', notEnforced, defaultDeny),
    ]);
  });

  it('audit beside enforce: the enforcing policy decides; the shadow verdict is what enforcing both would do', async () => {
    await judgeAll(judge, inbound(8081), ['http1', 'http2'], [
      row('allowed, and still allowed with the trial', '/v1/orders', allowedBy(id('orders-enforce', 'toPorts[0].rules.http[0]')), allowedBy(id('orders-enforce', 'toPorts[0].rules.http[0]'))),
      row('denied now, the trial would allow it', '/v2/items', defaultDeny, allowedBy(id('orders-trial', 'toPorts[0].rules.http[0]'))),
      row('allowed now, the trial\'s deny rule would deny it', '/v1/secret', allowedBy(id('orders-enforce', 'toPorts[0].rules.http[0]')), deniedBy(id('orders-trial', 'toPorts[0].deny.http[0]'))),
      row('denied now by the enforced deny rule, and with the trial', '/v1/admin/keys', deniedBy(id('orders-enforce', 'toPorts[0].deny.http[0]')), deniedBy(id('orders-enforce', 'toPorts[0].deny.http[0]'))),
      row('denied by both: nothing allows it', '/other', defaultDeny, defaultDeny),
    ]);
  });

  it('audit-only egress, HTTP and gRPC: every request passes to its destination; the shadow verdict is counted and logged', async () => {
    await judgeAll(judge, outbound(9000), ['http1', 'http2'], [
      row('would be allowed', '/allowed', notEnforced, allowedBy(id('web-audit', 'toPorts[0].rules.http[0]', 'egress'))),
      row('would be denied by the deny rule', '/blocked/x', notEnforced, deniedBy(id('web-audit', 'toPorts[0].deny.http[0]', 'egress'))),
      row('would be denied: no rule allows it', '/other', notEnforced, defaultDeny),
    ]);
    await judgeAll(judge, outbound(9443), ['grpc'], [
      row('would be allowed', '/shop.v1.Orders/Get', notEnforced, allowedBy(id('web-audit', 'toPorts[1].rules.grpc[0]', 'egress'))),
      row('would be denied by the deny rule', '/shop.v1.Orders/Delete', notEnforced, deniedBy(id('web-audit', 'toPorts[1].deny.grpc[0]', 'egress'))),
      row('would be denied: no rule allows the method', '/shop.v1.Orders/List', notEnforced, defaultDeny),
    ]);
  });
});
