/** The IR as plain JSON (CIDRs as `10.1.0.7/32` strings), for `sluice compile --show ir` and golden files. */
import type { Cidr } from '../model/ip.js';
import { formatCidr } from '../model/ip.js';

function isCidr(value: unknown): value is Cidr {
  return typeof value === 'object' && value !== null && 'prefixLength' in value && 'bits' in value && 'address' in value;
}

export function toPlainJson(value: unknown): unknown {
  if (isCidr(value)) return formatCidr(value);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toPlainJson(v)]));
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
