import { describe, expect, it } from '@jest/globals';
import { AF_INET, AF_INET6 } from './abi.js';
import { parseSockaddr } from './original-dst.js';

/** A struct sockaddr_in / sockaddr_in6 as the kernel fills it (family little-endian, port and address network order). */
function sockaddr(family: number, port: number, address: readonly number[]): Buffer {
  const b = Buffer.alloc(family === AF_INET ? 16 : 28);
  b.writeUInt16LE(family, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(address).copy(b, family === AF_INET ? 4 : 8);
  return b;
}

describe('struct sockaddr → address', () => {
  it('reads both families, folding an IPv4-mapped IPv6 address to IPv4', () => {
    expect(parseSockaddr(sockaddr(AF_INET, 8080, [10, 1, 0, 7]))).toEqual({ address: '10.1.0.7', port: 8080, family: 'IPv4' });
    expect(parseSockaddr(sockaddr(AF_INET6, 443, [0xfd, 0, ...Array(13).fill(0), 7]))).toEqual({ address: 'fd00::7', port: 443, family: 'IPv6' });
    expect(parseSockaddr(sockaddr(AF_INET6, 80, [...Array(10).fill(0), 0xff, 0xff, 10, 1, 0, 7]))).toEqual({ address: '10.1.0.7', port: 80, family: 'IPv4' });
    expect(parseSockaddr(sockaddr(AF_INET6, 80, [...Array(10).fill(0), 0xff, 0xfe, 10, 1, 0, 7]))).toEqual({ address: '::fffe:a01:7', port: 80, family: 'IPv6' });
  });

  it('refuses another family or a short buffer', () => {
    expect(parseSockaddr(sockaddr(AF_INET, 1, [1, 2, 3, 4]).subarray(0, 7))).toBeUndefined();
    expect(parseSockaddr(sockaddr(AF_INET6, 1, []).subarray(0, 23))).toBeUndefined();
    const unix = Buffer.alloc(16);
    unix.writeUInt16LE(1, 0);
    expect(parseSockaddr(unix)).toBeUndefined();
  });
});
