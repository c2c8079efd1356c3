/** IP addresses to and from the 16-byte network-order form the maps use, over the shared IP module. Pure. */
import { formatHostPort, formatIp, ipBytes, ipFromBytes, parseIp, unmapIpv4, type IpFamily } from '../../ip/index.js';
import { AF_INET, AF_INET6, type Family } from './abi.js';

export interface MapAddress {
  readonly family: Family;
  /** 16 bytes, network order; IPv4 in the first 4 bytes, the rest zero. */
  readonly bytes: Buffer;
}

const ipFamily = (family: Family): IpFamily => (family === AF_INET ? 4 : 6);

/** Parses an IPv4 or IPv6 literal; `undefined` when it is neither. IPv4-mapped IPv6 folds to IPv4. */
export function parseAddress(text: string): MapAddress | undefined {
  const parsed = parseIp(text);
  if (typeof parsed === 'string') return undefined;
  const ip = unmapIpv4(parsed);
  return { family: ip.family === 4 ? AF_INET : AF_INET6, bytes: ipBytes(ip) };
}

/** The all-zero address of a family: the maps' "any address" wildcard. */
export function anyAddress(family: Family): MapAddress {
  return { family, bytes: Buffer.alloc(16) };
}

export function isAny(bytes: Buffer): boolean {
  return bytes.every((b) => b === 0);
}

/** Formats map bytes back to text (`10.1.0.7`, `fd00::7`). */
export function formatAddress(family: Family, bytes: Buffer): string {
  const ip = ipFromBytes(ipFamily(family), bytes);
  return formatIp(ip.family, ip.bits);
}

/** `10.1.0.7:8080`, `[fd00::7]:8080`, or `*:8080` for the wildcard. */
export function formatEndpoint(family: Family, bytes: Buffer, port: number): string {
  if (isAny(bytes)) return `*:${port}`;
  return formatHostPort(formatAddress(family, bytes), port);
}

export { AF_INET, AF_INET6 };
