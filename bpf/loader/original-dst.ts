/**
 * The destination a redirected connection was headed for, read on the proxy's accepted socket.
 * For connections steered by connect4/connect6 (outbound) and for iptables REDIRECT, that is
 * getsockopt(SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST); for connections handed over by the inbound
 * sk_lookup program, the socket's own local address already is the original destination.
 */
import type { Socket } from 'node:net';
import { AF_INET, AF_INET6, IP6T_SO_ORIGINAL_DST, SOL_IP, SOL_IPV6, SO_ORIGINAL_DST } from './abi.js';
import { errnoName } from './errors.js';
import { getLibc } from './libbpf.js';
import { familyOf, formatIp, ipFromBytes, parseIp, unmapIpv4 } from '../../ip/index.js';

export interface OriginalDestination {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
  /**
   * `so_original_dst`: answered by the kernel (conntrack, or sluice's getsockopt program).
   * `local_address`: nothing answered; the socket's local address is returned, which is the
   * original destination for sk_assign'ed (transparent) connections and the proxy itself for
   * connections that were not redirected at all.
   */
  readonly source: 'so_original_dst' | 'local_address';
}

function descriptor(socket: Socket): number {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } })._handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('originalDestination: the socket has no open file descriptor');
  return fd;
}

/** Parses a struct sockaddr_in / sockaddr_in6; IPv4-mapped IPv6 comes back as IPv4. */
export function parseSockaddr(b: Buffer): { address: string; port: number; family: 'IPv4' | 'IPv6' } | undefined {
  const family = b.readUInt16LE(0);
  const port = b.readUInt16BE(2);
  const ip = family === AF_INET && b.length >= 8 ? ipFromBytes(4, b.subarray(4, 8)) : family === AF_INET6 && b.length >= 24 ? unmapIpv4(ipFromBytes(6, b.subarray(8, 24))) : undefined;
  return ip ? { address: formatIp(ip.family, ip.bits), port, family: ip.family === 4 ? 'IPv4' : 'IPv6' } : undefined;
}

/** The original destination of an accepted connection (see `OriginalDestination.source`). */
export function originalDestination(socket: Socket): OriginalDestination {
  const fd = descriptor(socket);
  const libc = getLibc();
  const v6 = socket.localFamily === 'IPv6' || familyOf(socket.localAddress ?? '') === 6;
  const value = Buffer.alloc(v6 ? 28 : 16);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(value.length);
  const rc = v6
    ? libc.getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, value, len)
    : libc.getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, value, len);
  if (rc === 0) {
    const parsed = parseSockaddr(value.subarray(0, len.readUInt32LE(0)));
    if (parsed) return { ...parsed, source: 'so_original_dst' };
  }
  const address = socket.localAddress;
  const port = socket.localPort;
  if (address === undefined || port === undefined) {
    throw new Error(`originalDestination: getsockopt failed (${errnoName(libc.errno())}) and the socket has no local address`);
  }
  const parsed = parseIp(address);
  const ip = typeof parsed === 'string' ? undefined : unmapIpv4(parsed);
  if (!ip) return { address, port, family: familyOf(address) === 6 ? 'IPv6' : 'IPv4', source: 'local_address' };
  return { address: formatIp(ip.family, ip.bits), port, family: ip.family === 6 ? 'IPv6' : 'IPv4', source: 'local_address' };
}
