/** One filter parser for `sluice observe` and `/flows`: values, and every mistake with its parameter path. */
import { describe, expect, it } from '@jest/globals';
import { parseDuration, parseFlowQuery, parsePeer } from '../../flows/index.js';

const NOW = Date.UTC(2025, 0, 2, 12, 0, 0);
const parse = (pairs: Array<[string, string]>) => parseFlowQuery(pairs, NOW);

describe('flow filters', () => {
  it('reads durations, times, enums, peers and repeats', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('soon')).toBeUndefined();
    const { query, problems } = parse([['since', '5m'], ['until', '2025-01-02T11:59:00Z'], ['verdict', 'denied'], ['verdict', 'audit-denied'], ['from', 'shop/web'], ['to', 'app=orders'], ['to', '10.1.0.7'], ['policy', 'shop/orders-api'], ['http-path', '^/v1/'], ['last', '50'], ['follow', 'true']]);
    expect(problems).toEqual([]);
    expect(query).toEqual({
      follow: true,
      last: 50,
      filter: {
        since: NOW - 300_000,
        until: Date.UTC(2025, 0, 2, 11, 59, 0),
        verdicts: ['denied', 'audit-denied'],
        from: [{ kind: 'workload', namespace: 'shop', name: 'web' }],
        to: [{ kind: 'label', key: 'app', value: 'orders' }, { kind: 'address', address: '10.1.0.7' }],
        policies: ['shop/orders-api'],
        httpPaths: ['^/v1/'],
      },
    });
    expect(parsePeer('[2001:DB8::1]')).toEqual({ kind: 'address', address: '2001:db8::1' });
    expect(parsePeer('unknown')).toEqual({ kind: 'unknown' });
  });

  it('tells addresses from workloads and labels with the IP module', () => {
    expect(parsePeer('::ffff:10.1.0.7')).toEqual({ kind: 'address', address: '10.1.0.7' });
    expect(parsePeer('fd00:0:0::7')).toEqual({ kind: 'address', address: 'fd00::7' });
    expect(parsePeer('app=a:b')).toEqual({ kind: 'label', key: 'app', value: 'a:b' });
    expect(parsePeer('orders-7')).toEqual({ kind: 'workload', name: 'orders-7' });
    expect([parsePeer('999.1.1.1'), parsePeer('10.1.0'), parsePeer('[orders]')]).toEqual(['"999.1.1.1" is not an IP address', '"10.1.0" is not an IP address', '"[orders]" is not an IP address']);
    expect(parsePeer('fd00::zz')).toBe('"fd00::zz" is neither a workload name, a label nor an address');
  });

  it('names the parameter of every mistake, and finds them all at once', () => {
    const { problems } = parse([['verdict', 'allowed'], ['verdict', 'denied'], ['verdict', 'dropped'], ['since', 'yesterday'], ['from', 'a/b/c'], ['policy', 'orders'], ['colour', 'red'], ['last', '-1'], ['since', '1h']]);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'colour: unknown filter; expected one of since, until, verdict, protocol, direction, namespace, from, to, policy, node, http-path, last, follow',
      'policy[0]: expected NAMESPACE/NAME, got "orders"',
      'last: expected a count, got "-1"',
      'since[1]: given more than once',
      'since: expected a duration (30s, 5m, 24h, 1h30m) or an RFC 3339 time, got "yesterday"',
      'verdict[0]: expected forwarded, denied, audit-denied, got "allowed"',
      'verdict[2]: expected forwarded, denied, audit-denied, got "dropped"',
      'from[0]: "a/b/c": expected NAMESPACE/NAME',
    ]);
    expect(problems.every((p) => p.severity === 'error' && p.code.startsWith('flows.filter.'))).toBe(true);
  });

  it('bounds what a query may ask', () => {
    const many = Array.from({ length: 70 }, () => ['namespace', 'shop'] as [string, string]);
    expect(parse(many).problems.map((p) => p.path)).toEqual(Array.from({ length: 6 }, (_, i) => `namespace[${64 + i}]`));
    expect(parse([['http-path', 'x'.repeat(600)]]).problems.map((p) => p.message)).toEqual(['longer than 512 characters']);
  });
});
