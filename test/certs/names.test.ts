/** The names a certificate may carry: DNS (with wildcards), IP, URI and SPIFFE IDs. */
import { describe, expect, it } from '@jest/globals';
import { canonicalIp, checkNames, dnsNameProblem, spiffeNodeUri, uriProblem, MAX_NAMES } from '../../certs/index.js';
import { problems, value } from './support.js';

describe('DNS names', () => {
  it.each(['orders', 'orders.shop.svc', 'a-b.c-d.example', '*.shop.svc.cluster.local', 'xn--bcher-kva.example', `${'a'.repeat(63)}.example.com`, '0.example'])('accepts %s', (name) => {
    expect(dnsNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['bücher.example', 'not ASCII: write an internationalized name in its punycode (xn--) form'],
    ['10.0.0.1', 'an IP address: use --ip'],
    ['example.com.', 'ends with a dot (write the name without it)'],
    ['a..b', 'has an empty label'],
    ['-a.example', 'the label "-a" has a character other than a-z, 0-9 and inner "-"'],
    ['a_b.example', 'the label "a_b" has a character other than a-z, 0-9 and inner "-"'],
    ['*.com', 'a wildcard must cover a name of at least two labels (*.example.com)'],
    ['f*.example.com', 'a wildcard may only be the whole leftmost label (*.example.com)'],
    ['a.*.example.com', 'a wildcard may only be the whole leftmost label (*.example.com)'],
    [`${'a'.repeat(64)}.example`, `the label "${'a'.repeat(16)}..." is longer than 63 characters`],
    [`${'a.'.repeat(127)}ab`, '256 characters, more than 253'],
  ])('refuses %j: %s', (name, why) => {
    expect(dnsNameProblem(name)).toBe(why);
  });
});

describe('IP addresses', () => {
  it.each([
    ['10.1.0.7', '10.1.0.7'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::1', '::1'],
  ])('%s is %s', (ip, canonical) => {
    expect(canonicalIp(ip)).toBe(canonical);
  });

  it.each(['10.0.0.256', '10.0.0', 'fe80::1%eth0', 'example.com', ''])('refuses %j', (ip) => {
    expect(canonicalIp(ip)).toBeUndefined();
  });
});

describe('URIs and SPIFFE IDs', () => {
  it.each(['spiffe://cluster.local/ns/shop/sa/orders', 'spiffe://td', 'spiffe://my_td-1.example/node/node-a', 'https://orders.example.com/x', 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66'])('accepts %s', (uri) => {
    expect(uriProblem(uri)).toBeUndefined();
  });

  it.each([
    ['orders', 'no scheme (e.g. spiffe://trust-domain/path)'],
    ['spiffe://td/a b', 'must be printable ASCII without spaces'],
    ['SPIFFE://td/x', 'a SPIFFE ID starts with spiffe:// in lower case'],
    ['spiffe:td/x', 'a SPIFFE ID starts with spiffe:// in lower case'],
    ['spiffe:///x', 'a SPIFFE ID needs a trust domain'],
    ['spiffe://TD/x', 'the trust domain "TD" may hold only a-z, 0-9, ".", "-" and "_" (no port, user or upper case)'],
    ['spiffe://td:8443/x', 'the trust domain "td:8443" may hold only a-z, 0-9, ".", "-" and "_" (no port, user or upper case)'],
    ['spiffe://td/a//b', 'the path has an empty segment or a trailing "/"'],
    ['spiffe://td/a/', 'the path has an empty segment or a trailing "/"'],
    ['spiffe://td/a/../b', 'the path has a "." or ".." segment'],
    ['spiffe://td/a?x=1', 'the path segment "a?x=1" may hold only letters, digits, ".", "-" and "_" (no query or fragment)'],
  ])('refuses %j: %s', (uri, why) => {
    expect(uriProblem(uri)).toBe(why);
  });

  it('spiffeNodeUri builds the identity of a proxy on the xDS channel, and refuses a node id SPIFFE cannot hold', () => {
    expect(value(spiffeNodeUri('cluster.local', 'node-a'))).toBe('spiffe://cluster.local/node/node-a');
    expect(problems(spiffeNodeUri('cluster.local', 'node:a'))).toEqual([expect.objectContaining({ code: 'request.uri', message: expect.stringMatching(/"node:a" may hold only/) })]);
  });
});

describe('checkNames', () => {
  it('lower-cases DNS names, canonicalizes IPs and drops duplicates, keeping the order', () => {
    expect(value(checkNames({ dns: ['B.example', 'a.example', 'b.EXAMPLE'], ips: ['::1', '0:0:0:0:0:0:0:1'], uris: ['spiffe://td/x', 'spiffe://td/x'] }))).toEqual({
      dns: ['b.example', 'a.example'],
      ips: ['::1'],
      uris: ['spiffe://td/x'],
    });
  });

  it('bounds the number of names', () => {
    const dns = Array.from({ length: MAX_NAMES + 1 }, (_, i) => `n${i}.example`);
    expect(problems(checkNames({ dns }))).toEqual([expect.objectContaining({ code: 'request.names', message: `${MAX_NAMES + 1} names, more than ${MAX_NAMES}` })]);
  });
});
