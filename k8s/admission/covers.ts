/**
 * Rule containment, proven or not claimed: `ruleCovers(s, r)` is true only when every request
 * compiled rule `r` allows (from every peer it allows) is provably allowed by `s` as well. What
 * cannot be decided cheaply (a regex against a prefix, two different regexes) is "not proven", so
 * the shadowing warnings built on it never claim what is not so; they can miss a case.
 */
import { re2FullMatch, type CompiledRule, type Peer } from '../../policy-compiler/index.js';

type AddressMatch = CompiledRule['peers'];
type RequestMatch = CompiledRule['request'];
type HttpMatch = Extract<RequestMatch, { kind: 'http' }>;
type GrpcMatch = Extract<RequestMatch, { kind: 'grpc' }>;
type StringMatcher = NonNullable<HttpMatch['path']>;
type HeaderCondition = HttpMatch['headers'][number];
type Cidr = Extract<Peer, { kind: 'cidr' }>['cidr'];

/** True when `s` allows every request `r` allows, from every peer `r` allows. */
export function ruleCovers(s: CompiledRule, r: CompiledRule): boolean {
  return peersCover(s.peers, r.peers) && requestCovers(s.request, r.request);
}

/** A rule whose peers resolve to no address allows nothing (and is warned about on its own). */
export function allowsNothing(r: CompiledRule): boolean {
  return r.peers.kind === 'ranges' && r.peers.ranges.length === 0;
}

function bitsOf(c: Cidr): number {
  return c.family === 4 ? 32 : 128;
}

/** `outer` contains every address of `inner`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || outer.prefixLength > inner.prefixLength) return false;
  const shift = BigInt(bitsOf(outer) - outer.prefixLength);
  return inner.bits >> shift === outer.bits >> shift;
}

function cidrsMeet(a: Cidr, b: Cidr): boolean {
  return cidrWithin(a, b) || cidrWithin(b, a);
}

export function peersCover(s: AddressMatch, r: AddressMatch): boolean {
  if (s.kind === 'any') return true;
  if (r.kind === 'any') return false;
  // Each range of r lies in a range of s, and what that range of s excepts is excepted by r too.
  return r.ranges.every((rr) =>
    s.ranges.some(
      (sr) => cidrWithin(rr.cidr, sr.cidr) && sr.except.every((e) => !cidrsMeet(e, rr.cidr) || (cidrWithin(e, rr.cidr) && rr.except.some((re) => cidrWithin(e, re)))),
    ),
  );
}

/** Every value `r` matches, `s` matches too. */
export function matcherCovers(s: StringMatcher, r: StringMatcher): boolean {
  switch (s.kind) {
    case 'present':
      return true;
    case 'exact':
      return r.kind === 'exact' && r.value === s.value;
    case 'prefix':
      return (r.kind === 'exact' || r.kind === 'prefix') && r.value.startsWith(s.value);
    case 'suffix':
      return (r.kind === 'exact' || r.kind === 'suffix') && r.value.endsWith(s.value);
    case 'regex':
      return (r.kind === 'regex' && r.value === s.value) || (r.kind === 'exact' && re2FullMatch(s.value, r.value));
    default:
      return exhaustive(s);
  }
}

function optionalCovers(s: StringMatcher | undefined, r: StringMatcher | undefined): boolean {
  return s === undefined || (r !== undefined && matcherCovers(s, r));
}

/** Each condition of `s` is implied by a condition of `r` on the same header. */
function headersCover(s: readonly HeaderCondition[], r: readonly HeaderCondition[]): boolean {
  return s.every((sh) => r.some((rh) => rh.name === sh.name && matcherCovers(sh.match, rh.match)));
}

/** The request paths of a gRPC rule: `/service/` for every method, else one exact path per method. */
function grpcPaths(r: GrpcMatch): StringMatcher[] {
  return r.methods === 'all' ? [{ kind: 'prefix', value: `/${r.service}/` }] : r.methods.map((m) => ({ kind: 'exact', value: `/${r.service}/${m}` }));
}

/** An HTTP rule with no field matches every request of the port, as a port rule without rules does. */
function matchesEverything(m: RequestMatch): boolean {
  return m.kind === 'any' || (m.kind === 'http' && m.method === undefined && m.path === undefined && m.host === undefined && m.headers.length === 0);
}

export function requestCovers(s: RequestMatch, r: RequestMatch): boolean {
  if (s.kind === 'any' || matchesEverything(s)) return true;
  if (r.kind === 'any') return false;
  if (s.kind === 'grpc') {
    if (r.kind !== 'grpc' || r.service !== s.service || !headersCover(s.headers, r.headers)) return false;
    if (s.methods === 'all') return true;
    const methods = s.methods;
    return r.methods !== 'all' && r.methods.every((m) => methods.includes(m));
  }
  if (!headersCover(s.headers, r.headers)) return false;
  if (r.kind === 'grpc') {
    if (s.host !== undefined) return false; // a gRPC rule has no host condition to imply it
    // gRPC is an HTTP/2 POST to /service/method: an HTTP rule covers it through its method and path.
    const path = s.path;
    return (s.method === undefined || s.method === 'POST') && (path === undefined || grpcPaths(r).every((p) => matcherCovers(path, p)));
  }
  return (s.method === undefined || s.method === r.method) && optionalCovers(s.path, r.path) && optionalCovers(s.host, r.host);
}

function exhaustive(x: never): never {
  throw new Error(`invariant: unhandled matcher ${JSON.stringify(x)}`);
}
