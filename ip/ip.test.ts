import { describe, expect, it } from '@jest/globals';
import { canonicalIp, canonicalPeer, isUnspecified, localHostOf, cidrContains, cidrHas, cidrOf, familyOf, formatCidr, formatHostPort, formatIp, hostCidr, ipBytes, ipFromBytes, isIpAddress, parseCidr, parseIp, splitHostPort, unmapIpv4, type Cidr, type IpAddress } from './ip.js';

const ip = (text: string): IpAddress => {
  const parsed = parseIp(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};
const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

describe('IP addresses', () => {
  it('parse both families and print them canonically (RFC 5952)', () => {
    expect(ip('10.1.0.7')).toEqual({ family: 4, bits: 0x0a010007n });
    expect(canonicalIp('FD00:0:0:0::7')).toBe('fd00::7');
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('::ffff:10.1.0.7')).toBe('::ffff:a01:7');
    expect(canonicalIp('not-an-ip')).toBe('not-an-ip');
    expect(parseIp('10.1.0')).toBe('"10.1.0" is not an IPv4 or IPv6 address');
    expect([isIpAddress('10.0.0.1'), isIpAddress('::1'), isIpAddress('example.com')]).toEqual([4, 6, undefined]);
    expect([familyOf('10.0.0.1'), familyOf('fd00::1')]).toEqual([4, 6]);
  });

  it('fold an IPv4-mapped IPv6 address to the IPv4 address it maps, and nothing else', () => {
    expect(unmapIpv4(ip('::ffff:192.168.0.1'))).toEqual(ip('192.168.0.1'));
    expect(unmapIpv4(ip('::1'))).toEqual(ip('::1'));
    expect(unmapIpv4(ip('::fffe:192.168.0.1')).family).toBe(6);
  });

  it('go to and from the 16-byte network-order form of the eBPF maps', () => {
    expect(ipBytes(ip('10.1.0.7')).toString('hex')).toBe('0a010007000000000000000000000000');
    expect(ipBytes(ip('fd00::7')).toString('hex')).toBe('fd000000000000000000000000000007');
    for (const text of ['10.1.0.7', '0.0.0.0', 'fd00::7', '::']) {
      const a = ip(text);
      const back = ipFromBytes(a.family, ipBytes(a));
      expect(formatIp(back.family, back.bits)).toBe(text);
    }
  });

  it('write host:port with brackets for IPv6', () => {
    expect([formatHostPort('10.0.0.1', 80), formatHostPort('::1', 80), formatHostPort('example.com', 80)]).toEqual(['10.0.0.1:80', '[::1]:80', 'example.com:80']);
  });

  it('split host:port, the inverse of formatHostPort', () => {
    for (const [host, port] of [['10.0.0.1', 80], ['::1', 50051], ['fd00::7', 0], ['example.com', 65535]] as const) {
      expect(splitHostPort(formatHostPort(host, port))).toEqual({ host, port });
    }
    expect(splitHostPort('[1.2.3.4]:80')).toEqual({ host: '1.2.3.4', port: 80 });
    for (const bad of ['::1:80', '10.0.0.1', '10.0.0.1:', '10.0.0.1:65536', '10.0.0.1:123456', ':80', '[]:80', 'a b:80', 'unix:/tmp/x.sock', 'dns:///x:80', '[::1]80']) {
      expect(splitHostPort(bad)).toBeUndefined();
    }
  });

  it('know a wildcard bind, and where a local client reaches one', () => {
    expect(['0.0.0.0', '::', '0:0::0', '10.0.0.1', '::1', '::ffff:0.0.0.0', 'example.com'].map(isUnspecified)).toEqual([true, true, true, false, false, false, false]);
    expect(['0.0.0.0', '::', '0::0', '10.0.0.1', 'fd00::7', 'localhost'].map(localHostOf)).toEqual(['127.0.0.1', '::1', '::1', '10.0.0.1', 'fd00::7', 'localhost']);
  });

  it('compare peers: brackets dropped, canonical, IPv4-mapped IPv6 as IPv4, anything else as given', () => {
    expect(canonicalPeer('[2001:DB8:0:0::1]')).toBe('2001:db8::1');
    expect(canonicalPeer('::ffff:10.1.0.7')).toBe('10.1.0.7');
    expect(canonicalPeer('[::FFFF:a01:7]')).toBe('10.1.0.7');
    expect(canonicalPeer('10.1.0.7')).toBe('10.1.0.7');
    expect(canonicalPeer('::fffe:10.1.0.7')).toBe('::fffe:a01:7');
    expect(canonicalPeer('orders.shop')).toBe('orders.shop');
    expect(canonicalPeer('[not-an-ip]')).toBe('not-an-ip');
  });
});

describe('CIDR ranges', () => {
  it('parse with precise problems', () => {
    expect(formatCidr(cidr('10.1.0.0/16'))).toBe('10.1.0.0/16');
    expect(parseCidr('10.1.0.1/16')).toBe('"10.1.0.1/16" has host bits set; did you mean 10.1.0.0/16?');
    expect(parseCidr('10.1.0.0/33')).toBe('"10.1.0.0/33": the prefix length must be 0–32');
    expect(parseCidr('10.1.0.0')).toMatch(/is not a CIDR/);
    expect(formatCidr(cidr('FD00::/8'))).toBe('fd00::/8');
  });

  it('from parts clear the host bits, and say which part is wrong', () => {
    expect(cidrOf('192.168.1.7', 23)).toMatchObject({ address: '192.168.0.0', prefixLength: 23 });
    expect(cidrOf('1.2.3.4', 33)).toEqual({ problem: 'prefix', max: 32 });
    expect(cidrOf('fd00::', 129)).toEqual({ problem: 'prefix', max: 128 });
    expect(cidrOf('1.2.3', 8)).toEqual({ problem: 'address' });
  });

  it('contain ranges and addresses of their family (a mapped IPv4 address counts as IPv4)', () => {
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('10.1.0.0/16'))).toBe(true);
    expect(cidrContains(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).toBe(false);
    const host = hostCidr('10.1.2.3');
    if (typeof host === 'string') throw new Error(host);
    expect(cidrContains(cidr('10.1.0.0/16'), host)).toBe(true);
    expect(cidrHas(cidr('192.168.0.0/23'), ip('192.168.1.200'))).toBe(true);
    expect(cidrHas(cidr('192.168.0.0/23'), ip('::ffff:192.168.1.200'))).toBe(true);
    expect(cidrHas(cidr('192.168.0.0/23'), ip('192.168.2.1'))).toBe(false);
    expect(cidrHas(cidr('fd00::/8'), ip('fd12::1'))).toBe(true);
    expect(cidrHas(cidr('fd00::/8'), ip('10.0.0.1'))).toBe(false);
    expect(cidrHas(cidr('0.0.0.0/0'), ip('203.0.113.9'))).toBe(true);
  });
});
