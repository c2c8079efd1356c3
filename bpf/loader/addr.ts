/** IP addresses to and from the 16-byte network-order form the maps use. Pure. */
import { isIPv4, isIPv6 } from 'node:net';
import { AF_INET, AF_INET6, type Family } from './abi.js';

export interface MapAddress {
  readonly family: Family;
  /** 16 bytes, network order; IPv4 in the first 4 bytes, the rest zero. */
  readonly bytes: Buffer;
}

/** Parses an IPv4 or IPv6 literal; `undefined` when it is neither. IPv4-mapped IPv6 folds to IPv4. */
export function parseAddress(text: string): MapAddress | undefined {
  if (isIPv4(text)) {
    const bytes = Buffer.alloc(16);
    text.split('.').forEach((part, i) => bytes.writeUInt8(Number(part), i));
    return { family: AF_INET, bytes };
  }
  if (!isIPv6(text)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped?.[1]) return parseAddress(mapped[1]);
  const bytes = Buffer.alloc(16);
  let groups: string[];
  let tail = text;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  const extra: number[] = [];
  if (v4tail?.[1]) {
    const parts = v4tail[1].split('.').map(Number);
    extra.push(((parts[0] ?? 0) << 8) | (parts[1] ?? 0), ((parts[2] ?? 0) << 8) | (parts[3] ?? 0));
    tail = text.slice(0, -v4tail[1].length) + '0:0';
  }
  const [head = '', rest] = tail.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  if (rest === undefined) groups = left;
  else groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const values = groups.map((g) => parseInt(g, 16));
  if (extra.length === 2) values.splice(6, 2, extra[0] ?? 0, extra[1] ?? 0);
  values.forEach((v, i) => bytes.writeUInt16BE(v, i * 2));
  return { family: AF_INET6, bytes };
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
  if (family === AF_INET) return [0, 1, 2, 3].map((i) => bytes[i] ?? 0).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 1) groups.push(bytes.readUInt16BE(i * 2).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  const left = groups.slice(0, best.start).join(':');
  const right = groups.slice(best.start + best.len).join(':');
  return `${left}::${right}`;
}

/** `10.1.0.7:8080`, `[fd00::7]:8080`, or `*:8080` for the wildcard. */
export function formatEndpoint(family: Family, bytes: Buffer, port: number): string {
  if (isAny(bytes)) return `*:${port}`;
  const text = formatAddress(family, bytes);
  return family === AF_INET6 ? `[${text}]:${port}` : `${text}:${port}`;
}

export { AF_INET, AF_INET6 };
