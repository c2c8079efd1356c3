/** CIDR ranges for peer matching, IPv4 and IPv6 (IPv4-mapped IPv6 client addresses match IPv4 ranges). */
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  readonly family: 4 | 6;
  readonly bytes: Buffer;
  readonly prefixLen: number;
}

function v4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function v6Bytes(address: string): Buffer {
  let text = address;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (isIPv4(maybeV4)) {
    tail = [...v4Bytes(maybeV4)];
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const groups = [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  if (tail.length === 4) Buffer.from(tail).copy(out, 12);
  return out;
}

/** Parses a range; returns an error message instead of throwing. */
export function parseCidr(address: string, prefixLen: number): Cidr | string {
  if (isIPv4(address)) {
    if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) return `prefix length ${prefixLen} out of 0..32`;
    return { family: 4, bytes: v4Bytes(address), prefixLen };
  }
  if (isIPv6(address)) {
    if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 128) return `prefix length ${prefixLen} out of 0..128`;
    return { family: 6, bytes: v6Bytes(address), prefixLen };
  }
  return `not an IP address: "${address}"`;
}

function prefixEqual(a: Buffer, b: Buffer, bits: number): boolean {
  const full = Math.floor(bits / 8);
  if (a.subarray(0, full).compare(b.subarray(0, full)) !== 0) return false;
  const rest = bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[full] ?? 0) & mask) === ((b[full] ?? 0) & mask);
}

/** Whether `address` (as Node reports a remote address) lies in `cidr`. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  let addr = address;
  if (addr.startsWith('::ffff:') && isIPv4(addr.slice(7))) addr = addr.slice(7);
  if (isIPv4(addr)) return cidr.family === 4 && prefixEqual(cidr.bytes, v4Bytes(addr), cidr.prefixLen);
  if (isIPv6(addr)) return cidr.family === 6 && prefixEqual(cidr.bytes, v6Bytes(addr), cidr.prefixLen);
  return false;
}
