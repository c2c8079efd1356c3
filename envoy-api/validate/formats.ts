/**
 * The "well-known" string formats of protoc-gen-validate, written from their definitions in
 * validate.proto and PGV's generated checks (RFC 1034 host names, RFC 5322 addresses, RFC 3986
 * URIs, RFC 4122 UUIDs, and the RFC 7230 header regexes PGV ships verbatim).
 */
import { isIpAddress } from '../../ip/index.js';
import type { BytesFormat, StringFormat } from './pgv-rules.js';

/**
 * PGV's `HTTP_HEADER_NAME` (strict) regex, character for character: note that `+-.` inside the
 * class is a range and so also admits `,`. Envoy's generated validators use the same pattern.
 */
const HTTP_HEADER_NAME = /^:?[0-9a-zA-Z!#$%&'*+-.^_|~\x60]+$/;
/** PGV's `HTTP_HEADER_VALUE` (strict): no control characters except horizontal tab. */
// eslint-disable-next-line no-control-regex
const HTTP_HEADER_VALUE = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
/** PGV's `HEADER_STRING`, what both header formats check with `strict: false`: no NUL, LF or CR. */
// eslint-disable-next-line no-control-regex
const HEADER_STRING = /^[^\u0000\u000A\u000D]*$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ATEXT_DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// eslint-disable-next-line no-control-regex
const URI_FORBIDDEN = /[\u0000-\u0020\u007F<>"{}|\\^`]|%(?![0-9A-Fa-f]{2})/;

/** RFC 1034 host name as PGV checks it; `undefined` when valid, else the reason. */
function hostnameProblem(host: string): string | undefined {
  if (host.length > 253) return 'hostname cannot exceed 253 characters';
  const trimmed = (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
  for (const part of trimmed.split('.')) {
    if (part.length === 0 || part.length > 63) return 'hostname part must be non-empty and cannot exceed 63 characters';
    if (part.startsWith('-')) return 'hostname parts cannot begin with hyphens';
    if (part.endsWith('-')) return 'hostname parts cannot end with hyphens';
    if (!/^[a-z0-9-]+$/.test(part)) return 'hostname parts can only contain alphanumeric characters or hyphens';
  }
  return undefined;
}

function emailProblem(address: string): string | undefined {
  if (address.length > 254) return 'email addresses cannot exceed 254 characters';
  const at = address.lastIndexOf('@');
  if (at <= 0) return 'value must be a valid email address';
  const local = address.slice(0, at);
  if (local.length > 64) return 'email address local phrase cannot exceed 64 characters';
  if (!ATEXT_DOT_ATOM.test(local)) return 'value must be a valid email address';
  return hostnameProblem(address.slice(at + 1));
}

const isIp = (s: string): boolean => !s.includes('%') && isIpAddress(s) !== undefined;

/** Checks `value` against one string format; `undefined` when it conforms, else the reason. */
export function stringFormatProblem(format: StringFormat, value: string, strict: boolean): string | undefined {
  switch (format) {
    case 'http_header_name':
      return (strict ? HTTP_HEADER_NAME : HEADER_STRING).test(value) ? undefined
        : strict ? 'value does not match regex pattern for HTTP header names (RFC 7230 token)' : 'value must not contain NUL, CR or LF (HTTP header name)';
    case 'http_header_value':
      return (strict ? HTTP_HEADER_VALUE : HEADER_STRING).test(value) ? undefined
        : strict ? 'value does not match regex pattern for HTTP header values (no control characters)' : 'value must not contain NUL, CR or LF (HTTP header value)';
    case 'hostname':
      return hostnameProblem(value);
    case 'email':
      return emailProblem(value);
    case 'ip':
      return isIp(value) ? undefined : 'value must be a valid IP address';
    case 'ipv4':
      return isIpAddress(value) === 4 ? undefined : 'value must be a valid IPv4 address';
    case 'ipv6':
      return !value.includes('%') && isIpAddress(value) === 6 ? undefined : 'value must be a valid IPv6 address';
    case 'address':
      return isIp(value) || hostnameProblem(value) === undefined ? undefined : 'value must be a valid hostname, or ip address';
    case 'uri':
      return URI_SCHEME.test(value) && !URI_FORBIDDEN.test(value) ? undefined : 'value must be absolute URI';
    case 'uri_ref':
      return !URI_FORBIDDEN.test(value) ? undefined : 'value must be a valid URI reference';
    case 'uuid':
      return UUID.test(value) ? undefined : 'value must be a valid UUID';
    default: {
      const never: never = format;
      throw new Error(`unknown string format ${String(never)}`);
    }
  }
}

/** Checks raw bytes against one bytes format (an address in network byte order). */
export function bytesFormatProblem(format: BytesFormat, value: Uint8Array): string | undefined {
  switch (format) {
    case 'ip':
      return value.length === 4 || value.length === 16 ? undefined : 'value must be a valid IP address (4 or 16 bytes)';
    case 'ipv4':
      return value.length === 4 ? undefined : 'value must be a valid IPv4 address (4 bytes)';
    case 'ipv6':
      return value.length === 16 ? undefined : 'value must be a valid IPv6 address (16 bytes)';
    default: {
      const never: never = format;
      throw new Error(`unknown bytes format ${String(never)}`);
    }
  }
}
