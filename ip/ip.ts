/**
 * IP addresses and CIDR ranges, parsed once and kept canonical (`10.1.0.0/16`, `fd00::/8`): the
 * one parser the compiler, the Kafka enforcer and the eBPF loader share. An address is its family
 * and its value as an integer; ranges compare by shifting. Parsing returns an error string
 * instead of throwing; callers turn it into a diagnostic.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

/** An address: its family and its value (32 or 128 bits). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly bits: bigint;
}

export interface Cidr {
  readonly family: IpFamily;
  /** The canonical network address (host bits zero). */
  readonly address: string;
  readonly prefixLength: number;
  /** Network address as an integer, for containment checks. */
  readonly bits: bigint;
}

const width = (family: IpFamily): number => (family === 4 ? 32 : 128);

const v4Bits = (text: string): bigint => text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);

export function parseIp(text: string): IpAddress | string {
  if (isIPv4(text)) return { family: 4, bits: v4Bits(text) };
  if (isIPv6(text)) return { family: 6, bits: ipv6ToBigInt(text) };
  return `"${text}" is not an IPv4 or IPv6 address`;
}

/** The family of an IP literal, or `undefined` when the text is not one (a host name). */
export function isIpAddress(text: string): IpFamily | undefined {
  return isIPv4(text) ? 4 : isIPv6(text) ? 6 : undefined;
}

/** The family of a canonical address as sluice writes them (`10.1.0.7`, `fd00::7`), without parsing it. */
export function familyOf(address: string): IpFamily {
  return address.includes(':') ? 6 : 4;
}

/** An IPv4-mapped IPv6 address (`::ffff:10.1.0.7`, as a dual-stack socket reports an IPv4 peer) as the IPv4 address it maps. */
export function unmapIpv4(ip: IpAddress): IpAddress {
  if (ip.family === 6 && ip.bits >> 32n === 0xffffn) return { family: 4, bits: ip.bits & 0xffffffffn };
  return ip;
}

export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return `"${text}" is not a CIDR: expected ADDRESS/PREFIX, e.g. 10.1.0.0/16`;
  const addr = parseIp(text.slice(0, slash));
  if (typeof addr === 'string') return addr;
  const prefixText = text.slice(slash + 1);
  const max = width(addr.family);
  const prefixLength = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefixLength >= 0 && prefixLength <= max)) return `"${text}": the prefix length must be 0–${max}`;
  const hostMask = (1n << BigInt(max - prefixLength)) - 1n;
  if ((addr.bits & hostMask) !== 0n) {
    const network = addr.bits & ~hostMask;
    return `"${text}" has host bits set; did you mean ${formatIp(addr.family, network)}/${prefixLength}?`;
  }
  return { family: addr.family, address: formatIp(addr.family, addr.bits), prefixLength, bits: addr.bits };
}

/**
 * A range from an address and a prefix length given apart (as `CidrRange` carries them), host bits
 * cleared. The problem says which part is wrong.
 */
export function cidrOf(address: string, prefixLength: number): Cidr | { readonly problem: 'address' } | { readonly problem: 'prefix'; readonly max: number } {
  const addr = parseIp(address);
  if (typeof addr === 'string') return { problem: 'address' };
  const max = width(addr.family);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max) return { problem: 'prefix', max };
  const bits = addr.bits & ~((1n << BigInt(max - prefixLength)) - 1n);
  return { family: addr.family, address: formatIp(addr.family, bits), prefixLength, bits };
}

/** A single address as a CIDR (/32 or /128). */
export function hostCidr(address: string): Cidr | string {
  const addr = parseIp(address);
  if (typeof addr === 'string') return addr;
  const prefixLength = width(addr.family);
  return { family: addr.family, address: formatIp(addr.family, addr.bits), prefixLength, bits: addr.bits };
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefixLength < outer.prefixLength) return false;
  const shift = BigInt(width(outer.family) - outer.prefixLength);
  return inner.bits >> shift === outer.bits >> shift;
}

/** Whether an address lies in a range (an IPv4-mapped IPv6 address counts as the IPv4 address it maps). */
export function cidrHas(cidr: Cidr, ip: IpAddress): boolean {
  const addr = unmapIpv4(ip);
  if (addr.family !== cidr.family) return false;
  const shift = BigInt(width(cidr.family) - cidr.prefixLength);
  return addr.bits >> shift === cidr.bits >> shift;
}

export function formatCidr(cidr: Cidr): string {
  return `${cidr.address}/${cidr.prefixLength}`;
}

export function formatIp(family: IpFamily, bits: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((bits >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (length ≥ 2) of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function ipv6ToBigInt(text: string): bigint {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (isIPv4(last)) {
    tailV4 = v4Bits(last);
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right !== undefined && right !== '' ? right.split(':') : [];
  const zeros = right !== undefined ? 8 - leftGroups.length - rightGroups.length : 0;
  const groups = [...leftGroups, ...Array.from({ length: zeros }, () => '0'), ...rightGroups];
  let bits = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== undefined) bits = (bits & ~0xffffffffn) | tailV4;
  return bits;
}

/** An address in canonical form (`::ffff:a.b.c.d` stays IPv6), or the text as given if it is not one. */
export function canonicalIp(text: string): string {
  const ip = parseIp(text);
  return typeof ip === 'string' ? text : formatIp(ip.family, ip.bits);
}

/**
 * An address as a connection's peer is compared and shown: without brackets, canonical, and an
 * IPv4-mapped IPv6 address (`::ffff:10.1.0.7`, as a dual-stack socket or Envoy reports an IPv4
 * peer) as the IPv4 address it maps. Text that is no IP literal comes back as given, less brackets.
 */
export function canonicalPeer(text: string): string {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const parsed = parseIp(bare);
  if (typeof parsed === 'string') return bare;
  const ip = unmapIpv4(parsed);
  return formatIp(ip.family, ip.bits);
}

/** Whether text is a family's unspecified address (`0.0.0.0`, `::`, in any spelling): a wildcard bind. */
export function isUnspecified(text: string): boolean {
  const ip = parseIp(text);
  return typeof ip !== 'string' && ip.bits === 0n;
}

/** Where a client on this host reaches a server bound to `host`: a wildcard bind on its family's loopback (`127.0.0.1`, `::1`), any other host as is. */
export function localHostOf(host: string): string {
  const ip = parseIp(host);
  if (typeof ip === 'string' || ip.bits !== 0n) return host;
  return ip.family === 4 ? '127.0.0.1' : '::1';
}

/** `10.1.0.7:8080` or `[fd00::7]:8080` (a host name as is). */
export function formatHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The inverse of `formatHostPort`: `[fd00::7]:8080` → `{ host: 'fd00::7', port: 8080 }`, a host
 * name or IPv4 address unbracketed; port 0–65535. `undefined` for anything else (the host is not
 * checked to be an address: callers that need one ask `isIpAddress`).
 */
export function splitHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !(port <= 65535)) return undefined;
  return { host, port };
}

/** An address as 16 bytes, network order, IPv4 in the first 4 (the eBPF maps' form). */
export function ipBytes(ip: IpAddress): Buffer {
  const bytes = Buffer.alloc(16);
  const n = ip.family === 4 ? 4 : 16;
  for (let i = 0; i < n; i++) bytes[i] = Number((ip.bits >> BigInt(8 * (n - 1 - i))) & 0xffn);
  return bytes;
}

/** The inverse of `ipBytes` (reads 4 bytes for IPv4, 16 for IPv6). */
export function ipFromBytes(family: IpFamily, bytes: Uint8Array): IpAddress {
  const n = family === 4 ? 4 : 16;
  let bits = 0n;
  for (let i = 0; i < n; i++) bits = (bits << 8n) | BigInt(bytes[i] ?? 0);
  return { family, bits };
}
