/**
 * IP addresses and CIDR ranges, parsed once and kept canonical: `10.1.0.0/16`, `fd00::/8`.
 * Parsing returns an error string instead of throwing; callers turn it into a diagnostic.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

export interface Cidr {
  readonly family: IpFamily;
  /** The canonical network address (host bits zero). */
  readonly address: string;
  readonly prefixLength: number;
  /** Network address as an integer, for containment checks. */
  readonly bits: bigint;
}

export function parseIp(text: string): { family: IpFamily; bits: bigint } | string {
  if (isIPv4(text)) {
    const bits = text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
    return { family: 4, bits };
  }
  if (isIPv6(text)) return { family: 6, bits: ipv6ToBigInt(text) };
  return `"${text}" is not an IPv4 or IPv6 address`;
}

export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return `"${text}" is not a CIDR: expected ADDRESS/PREFIX, e.g. 10.1.0.0/16`;
  const addr = parseIp(text.slice(0, slash));
  if (typeof addr === 'string') return addr;
  const prefixText = text.slice(slash + 1);
  const max = addr.family === 4 ? 32 : 128;
  const prefixLength = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefixLength >= 0 && prefixLength <= max)) return `"${text}": the prefix length must be 0–${max}`;
  const hostMask = (1n << BigInt(max - prefixLength)) - 1n;
  if ((addr.bits & hostMask) !== 0n) {
    const network = addr.bits & ~hostMask;
    return `"${text}" has host bits set; did you mean ${formatIp(addr.family, network)}/${prefixLength}?`;
  }
  return { family: addr.family, address: formatIp(addr.family, addr.bits), prefixLength, bits: addr.bits };
}

/** A single address as a CIDR (/32 or /128). */
export function hostCidr(address: string): Cidr | string {
  const addr = parseIp(address);
  if (typeof addr === 'string') return addr;
  const prefixLength = addr.family === 4 ? 32 : 128;
  return { family: addr.family, address: formatIp(addr.family, addr.bits), prefixLength, bits: addr.bits };
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefixLength < outer.prefixLength) return false;
  const max = outer.family === 4 ? 32 : 128;
  const shift = BigInt(max - outer.prefixLength);
  return inner.bits >> shift === outer.bits >> shift;
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
    tailV4 = last.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
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
