/**
 * The names a certificate is issued for, checked before anything is signed: DNS names (a leading
 * `*.` wildcard allowed), IP addresses (v4 and v6) and URIs (SPIFFE IDs checked against the SPIFFE
 * ID rules). Each problem names the field and index it came from, e.g. `dns[2]`.
 */
import { formatIp, isIpAddress, parseIp } from '../ip/index.js';
import type { Diagnostic } from '../policy-compiler/index.js';
import { problem } from './problems.js';
import { failed, ok, type Result } from './types.js';

/** The most names (DNS + IP + URI) one certificate carries. */
export const MAX_NAMES = 1000;
/** X.520's upper bound for a common name. */
export const MAX_COMMON_NAME = 64;

export interface SubjectNames {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
  readonly uris: readonly string[];
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `name` is not a DNS name a certificate may carry, or undefined when it is one. */
export function dnsNameProblem(name: string): string | undefined {
  if (name === '') return 'empty';
  if (!/^[\x21-\x7e]*$/.test(name)) return 'not ASCII: write an internationalized name in its punycode (xn--) form';
  if (isIpAddress(name) !== undefined) return 'an IP address: use --ip';
  if (name.length > 253) return `${name.length} characters, more than 253`;
  if (name.endsWith('.')) return 'ends with a dot (write the name without it)';
  const labels = name.toLowerCase().split('.');
  for (const [i, label] of labels.entries()) {
    if (label === '*' && i === 0) {
      if (labels.length < 3) return 'a wildcard must cover a name of at least two labels (*.example.com)';
      continue;
    }
    if (label.includes('*')) return 'a wildcard may only be the whole leftmost label (*.example.com)';
    if (label === '') return 'has an empty label';
    if (!LABEL.test(label)) {
      return label.length > 63 ? `the label "${label.slice(0, 16)}..." is longer than 63 characters` : `the label "${label}" has a character other than a-z, 0-9 and inner "-"`;
    }
  }
  return undefined;
}

/** The canonical text of an IP address (lower-case compressed IPv6), or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  if (text.includes('%')) return undefined; // a zone id (fe80::1%eth0) has no place in a certificate
  const ip = parseIp(text);
  return typeof ip === 'string' ? undefined : formatIp(ip.family, ip.bits);
}

const SPIFFE = /^spiffe:\/\/([^/]*)(\/.*)?$/;

/** Why `uri` is not a URI SAN sluice issues, or undefined. SPIFFE IDs follow the SPIFFE ID spec. */
export function uriProblem(uri: string): string | undefined {
  if (uri.length > 2048) return `${uri.length} characters, more than 2048`;
  if (!/^[\x21-\x7e]+$/.test(uri)) return 'must be printable ASCII without spaces';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) return 'no scheme (e.g. spiffe://trust-domain/path)';
  try {
    new URL(uri);
  } catch {
    return 'not a URI';
  }
  const spiffe = SPIFFE.exec(uri);
  if (uri.toLowerCase().startsWith('spiffe:') && !spiffe) return 'a SPIFFE ID starts with spiffe:// in lower case';
  if (!spiffe) return undefined;
  const [, trustDomain = '', path = ''] = spiffe;
  if (trustDomain === '') return 'a SPIFFE ID needs a trust domain';
  if (trustDomain.length > 255) return 'the trust domain is longer than 255 characters';
  if (!/^[a-z0-9._-]+$/.test(trustDomain)) return `the trust domain "${trustDomain}" may hold only a-z, 0-9, ".", "-" and "_" (no port, user or upper case)`;
  if (path === '') return undefined;
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return 'the path has an empty segment or a trailing "/"';
    if (segment === '.' || segment === '..') return 'the path has a "." or ".." segment';
    if (!/^[A-Za-z0-9._-]+$/.test(segment)) return `the path segment "${segment}" may hold only letters, digits, ".", "-" and "_" (no query or fragment)`;
  }
  return undefined;
}

/** `spiffe://<trust-domain>/node/<id>`: the identity of a proxy on the xDS channel. */
export function spiffeNodeUri(trustDomain: string, nodeId: string): Result<string> {
  const uri = `spiffe://${trustDomain}/node/${nodeId}`;
  const why = uriProblem(uri);
  return why ? failed([problem('request.uri', 'uri', `"${uri}": ${why}`)]) : ok(uri);
}

export function commonNameProblem(cn: string): string | undefined {
  if (cn.length === 0) return 'empty';
  if (cn.length > MAX_COMMON_NAME) return `${cn.length} characters, more than ${MAX_COMMON_NAME}`;
  if (/[\x00-\x1f\x7f]/.test(cn)) return 'control characters';
  return undefined;
}

/** Checks and normalizes the names of a request: DNS lower-cased, IPs canonical, duplicates dropped. */
export function checkNames(input: { dns?: readonly string[]; ips?: readonly string[]; uris?: readonly string[] }): Result<SubjectNames> {
  const diagnostics: Diagnostic[] = [];
  const dns = collect(input.dns ?? [], 'dns', 'request.dns', diagnostics, (n) => {
    const why = dnsNameProblem(n);
    return why ? { why } : { value: n.toLowerCase() };
  });
  const ips = collect(input.ips ?? [], 'ips', 'request.ip', diagnostics, (n) => {
    const value = canonicalIp(n);
    return value ? { value } : { why: 'not an IPv4 or IPv6 address' };
  });
  const uris = collect(input.uris ?? [], 'uris', 'request.uri', diagnostics, (n) => {
    const why = uriProblem(n);
    return why ? { why } : { value: n };
  });
  const total = dns.length + ips.length + uris.length;
  if (diagnostics.length === 0 && total === 0) diagnostics.push(problem('request.names', '', 'a certificate needs at least one name (a DNS name, an IP address or a URI)'));
  if (total > MAX_NAMES) diagnostics.push(problem('request.names', '', `${total} names, more than ${MAX_NAMES}`));
  return diagnostics.length > 0 ? failed(diagnostics) : ok({ dns, ips, uris });
}

function collect(
  names: readonly string[],
  field: string,
  code: 'request.dns' | 'request.ip' | 'request.uri',
  diagnostics: Diagnostic[],
  check: (name: string) => { value: string; why?: undefined } | { why: string; value?: undefined },
): string[] {
  const out: string[] = [];
  for (const [i, name] of names.entries()) {
    const result = check(name);
    if (result.why !== undefined) diagnostics.push(problem(code, `${field}[${i}]`, `"${name}": ${result.why}`));
    else if (!out.includes(result.value)) out.push(result.value);
  }
  return out;
}
