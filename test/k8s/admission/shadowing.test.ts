/**
 * Rule containment and shadowing: each "covers" claim is a proof (prefix ⊇ exact, CIDR ⊇ CIDR
 * without a hole, an HTTP rule ⊇ a gRPC method), each "not proven" case stays unclaimed, and the
 * shadowing walk names the policies, the chains and the workloads, within a comparison budget.
 */
import { describe, expect, it } from '@jest/globals';
import { compile, type CompiledRule } from '../../../policy-compiler/index.js';
import { matcherCovers, peersCover, requestCovers, shadowing } from '../../../k8s/admission/index.js';
import { inventory, ordersSpec, policiesOf, policyObject } from './fixtures.js';

type Request = CompiledRule['request'];
type Peers = CompiledRule['peers'];

const cidr = (text: string) => {
  const [address = '', length = '0'] = text.split('/');
  const family = address.includes(':') ? 6 : 4;
  const bits = family === 4 ? address.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n) : 0n;
  return { family, address, prefixLength: Number(length), bits } as const;
};
const ranges = (...items: { cidr: string; except?: string[] }[]): Peers => ({ kind: 'ranges', ranges: items.map((i) => ({ cidr: cidr(i.cidr), except: (i.except ?? []).map(cidr) })) });
const http = (o: Partial<Extract<Request, { kind: 'http' }>>): Request => ({ kind: 'http', headers: [], ...o });

describe('matcherCovers', () => {
  const cases: [Parameters<typeof matcherCovers>[0], Parameters<typeof matcherCovers>[1], boolean][] = [
    [{ kind: 'prefix', value: '/v1' }, { kind: 'exact', value: '/v1/orders' }, true],
    [{ kind: 'prefix', value: '/v1' }, { kind: 'prefix', value: '/v1/orders' }, true],
    [{ kind: 'prefix', value: '/v1/orders' }, { kind: 'prefix', value: '/v1' }, false],
    [{ kind: 'exact', value: '/a' }, { kind: 'exact', value: '/a' }, true],
    [{ kind: 'exact', value: '/a' }, { kind: 'prefix', value: '/a' }, false],
    [{ kind: 'suffix', value: '.json' }, { kind: 'exact', value: '/x.json' }, true],
    [{ kind: 'suffix', value: '.json' }, { kind: 'prefix', value: '/x' }, false],
    [{ kind: 'present' }, { kind: 'regex', value: 'a+' }, true],
    [{ kind: 'regex', value: '/v[0-9]+/.*' }, { kind: 'exact', value: '/v2/orders' }, true],
    [{ kind: 'regex', value: '/v[0-9]+/.*' }, { kind: 'exact', value: '/vx/orders' }, false],
    [{ kind: 'regex', value: '/v1/.*' }, { kind: 'prefix', value: '/v1/' }, false], // true, but not proven: never claimed
    [{ kind: 'prefix', value: '/' }, { kind: 'regex', value: '/.*' }, false],
  ];
  it.each(cases)('%j covers %j: %s', (s, r, expected) => expect(matcherCovers(s, r)).toBe(expected));
});

describe('peersCover', () => {
  it('any covers everything; ranges cover only what lies inside them and outside their holes', () => {
    expect(peersCover({ kind: 'any' }, ranges({ cidr: '10.0.0.0/8' }))).toBe(true);
    expect(peersCover(ranges({ cidr: '0.0.0.0/0' }), { kind: 'any' })).toBe(false);
    expect(peersCover(ranges({ cidr: '10.0.0.0/8' }), ranges({ cidr: '10.1.0.0/16' }, { cidr: '10.2.0.7/32' }))).toBe(true);
    expect(peersCover(ranges({ cidr: '10.1.0.0/16' }), ranges({ cidr: '10.0.0.0/8' }))).toBe(false);
    expect(peersCover(ranges({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }), ranges({ cidr: '10.1.2.0/24' }))).toBe(false);
    expect(peersCover(ranges({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }), ranges({ cidr: '10.2.0.0/16' }))).toBe(true);
    expect(peersCover(ranges({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }), ranges({ cidr: '10.0.0.0/8', except: ['10.0.0.0/9'] }))).toBe(true);
  });
});

describe('requestCovers', () => {
  const grpc = (methods: readonly string[] | 'all', service = 'shop.v1.Orders'): Request => ({ kind: 'grpc', service, methods, headers: [] });
  it('compares method, path, host and headers field by field', () => {
    expect(requestCovers(http({ method: 'GET' }), http({ method: 'GET', path: { kind: 'exact', value: '/a' } }))).toBe(true);
    expect(requestCovers(http({ method: 'GET' }), http({ path: { kind: 'exact', value: '/a' } }))).toBe(false);
    expect(requestCovers(http({ host: { kind: 'suffix', value: '.shop' } }), http({ host: { kind: 'exact', value: 'orders.shop' } }))).toBe(true);
    expect(requestCovers(http({ headers: [{ name: 'x-tenant', match: { kind: 'present' } }] }), http({ headers: [{ name: 'x-tenant', match: { kind: 'exact', value: 'acme' } }] }))).toBe(true);
    expect(requestCovers(http({ headers: [{ name: 'x-tenant', match: { kind: 'exact', value: 'acme' } }] }), http({}))).toBe(false);
    expect(requestCovers({ kind: 'any' }, grpc('all'))).toBe(true);
    expect(requestCovers(http({}), { kind: 'any' })).toBe(true); // an empty HTTP rule matches every request
  });
  it('sees gRPC methods as HTTP/2 POSTs to /service/method', () => {
    expect(requestCovers(grpc('all'), grpc(['Get', 'List']))).toBe(true);
    expect(requestCovers(grpc(['Get', 'List']), grpc(['Get']))).toBe(true);
    expect(requestCovers(grpc(['Get']), grpc('all'))).toBe(false);
    expect(requestCovers(grpc('all', 'shop.v1.Other'), grpc(['Get']))).toBe(false);
    expect(requestCovers(http({ path: { kind: 'prefix', value: '/shop.v1.Orders/' } }), grpc('all'))).toBe(true);
    expect(requestCovers(http({ method: 'POST', path: { kind: 'exact', value: '/shop.v1.Orders/Get' } }), grpc(['Get']))).toBe(true);
    expect(requestCovers(http({ method: 'GET' }), grpc(['Get']))).toBe(false);
    expect(requestCovers(grpc('all'), http({ path: { kind: 'prefix', value: '/shop.v1.Orders/' } }))).toBe(false);
  });
});

describe('shadowing on the compiled chains', () => {
  const compiled = (objects: Record<string, unknown>[]) => compile(policiesOf(objects), inventory()).ir;

  it('finds both directions with the chain and the workloads, and nothing between disjoint policies', () => {
    const ir = compiled([
      policyObject('narrow', ordersSpec([{ method: 'GET', path: { prefix: '/v1/orders' } }])),
      policyObject('wide', ordersSpec([{ path: { prefix: '/v1' } }])),
      policyObject('post', ordersSpec([{ method: 'POST' }])),
    ]);
    expect(shadowing(ir, 'shop/narrow')).toEqual({ truncated: false, findings: [{ kind: 'shadowed-by', others: ['shop/wide'], direction: 'inbound', port: 8080, workloads: ['shop/orders', 'shop/orders-2'] }] });
    expect(shadowing(ir, 'shop/wide').findings).toEqual([{ kind: 'shadows', others: ['shop/narrow'], direction: 'inbound', port: 8080, workloads: ['shop/orders', 'shop/orders-2'] }]);
    expect(shadowing(ir, 'shop/post').findings).toEqual([]);
  });

  it('needs every allow rule covered, and names every policy that covers one', () => {
    const ir = compiled([
      policyObject('two', ordersSpec([{ method: 'GET' }, { method: 'POST' }])),
      policyObject('gets', ordersSpec([{ method: 'GET' }])),
      policyObject('posts', ordersSpec([{ method: 'POST' }])),
    ]);
    expect(shadowing(ir, 'shop/two').findings.filter((f) => f.kind === 'shadowed-by')).toEqual([{ kind: 'shadowed-by', others: ['shop/gets', 'shop/posts'], direction: 'inbound', port: 8080, workloads: ['shop/orders', 'shop/orders-2'] }]);
    // gets is inside two, but two is not inside gets (its POST is not): one direction only.
    expect(shadowing(ir, 'shop/gets').findings).toEqual([{ kind: 'shadowed-by', others: ['shop/two'], direction: 'inbound', port: 8080, workloads: ['shop/orders', 'shop/orders-2'] }]);
  });

  it('does not count peers it cannot prove: an ipBlock is narrower than any peer', () => {
    const ir = compiled([
      policyObject('from-web', ordersSpec(undefined)),
      policyObject('from-block', { selector: { matchLabels: { app: 'orders' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.9.0.0/16' } }], toPorts: [{ ports: [{ port: 8080 }] }] }] }),
    ]);
    expect(shadowing(ir, 'shop/from-block').findings).toEqual([]);
  });

  it('stops at the comparison budget and says so', () => {
    const ir = compiled([policyObject('a', ordersSpec([{ method: 'GET' }, { method: 'PUT' }])), policyObject('b', ordersSpec([{ method: 'GET' }, { method: 'PUT' }]))]);
    expect(shadowing(ir, 'shop/a', 1)).toEqual({ findings: [], truncated: true });
    expect(shadowing(ir, 'shop/a').truncated).toBe(false);
  });
});
