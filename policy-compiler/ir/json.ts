/**
 * The IR as plain JSON (CIDRs as `10.1.0.7/32` strings), for `sluice compile --show ir` and golden
 * files, and back: stage 2's golden cases take IR YAML as their input, some of it written by hand.
 */
import { formatCidr, parseCidr, type Cidr } from '../../ip/index.js';
import type { Ir } from './types.js';

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

/** The IR fields that hold CIDRs: a range's `cidr`, its `except` list, a chain's `destinations` and `sources`. */
const CIDR_LISTS = new Set(['except', 'destinations', 'sources']);

function cidr(text: unknown, at: string): Cidr {
  const parsed = typeof text === 'string' ? parseCidr(text) : `not a CIDR string: ${JSON.stringify(text)}`;
  if (typeof parsed === 'string') throw new Error(`IR ${at}: ${parsed}`);
  return parsed;
}

function revive(value: unknown, at: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => revive(v, `${at}[${i}]`));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const path = at ? `${at}.${k}` : k;
      if (k === 'cidr') return [k, cidr(v, path)];
      if (CIDR_LISTS.has(k) && Array.isArray(v)) return [k, v.map((c, i) => cidr(c, `${path}[${i}]`))];
      return [k, revive(v, path)];
    }),
  );
}

/**
 * The inverse of `toPlainJson` for an IR: CIDR strings back to CIDRs. Throws on a malformed IR (a
 * hand-written IR is a test's input: a mistake in it is the test's bug, not a user's).
 */
export function irFromPlainJson(value: unknown): Ir {
  const ir = revive(value, '');
  const lists = ['envoyNodes', 'proxyless', 'services', 'kafkaNodes', 'redirects'] as const;
  if (typeof ir !== 'object' || ir === null || lists.some((k) => !Array.isArray((ir as Record<string, unknown>)[k]))) {
    throw new Error(`IR: expected an object with the lists ${lists.join(', ')}`);
  }
  return ir as Ir;
}
