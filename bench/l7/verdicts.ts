/**
 * The shaped variants must decide what the compiled policies decide: bench:l7 sends the same
 * probes (requests each rule kind allows, and near misses: another method, a missing header, a
 * longer or shorter path, the deny rule) to the compiled chain and to each shaped variant of it,
 * and fails unless every verdict is the same. Envoy answers an RBAC denial with 403 for HTTP and
 * with grpc-status 7 (PERMISSION_DENIED) for gRPC.
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { Protocol, RuleSet } from './rules.js';

export interface Probe {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Probes around a spread of the rule set's rules (every kind appears: the kind is the index mod 4 or 3). */
export function probes(set: RuleSet): Probe[] {
  const out: Probe[] = [];
  const step = Math.max(1, Math.floor(set.rules / 24));
  const none = {};
  for (let i = 0; i < set.rules; i += step) {
    for (const k of [i, i + 1, i + 2, i + 3].filter((x) => x < set.rules)) {
      if (set.protocol === 'http') {
        out.push(
          { method: 'GET', path: `/api/v1/svc${k}/orders`, headers: none },
          { method: 'DELETE', path: `/api/v1/svc${k}/orders`, headers: none },
          { method: 'POST', path: `/api/v1/svc${k}/items`, headers: { 'x-tenant': `t${k}` } },
          { method: 'POST', path: `/api/v1/svc${k}/items`, headers: { 'x-tenant': 'nobody' } },
          { method: 'POST', path: `/api/v1/svc${k}/items/1`, headers: { 'x-tenant': `t${k}` } },
          { method: 'GET', path: `/api/v2/svc${k}/x`, headers: { 'x-api-key': 'k' } },
          { method: 'GET', path: `/api/v2/svc${k}/x`, headers: none },
          { method: 'PUT', path: `/api/v3/svc${k}/123`, headers: none },
          { method: 'PUT', path: `/api/v3/svc${k}/12a`, headers: none },
          { method: 'GET', path: `/admin/svc${k}/`, headers: none },
        );
      } else {
        for (const m of ['Get', 'List', 'Watch', 'Delete']) {
          out.push({ method: 'POST', path: `/bench.v1.Svc${k}/${m}`, headers: none });
          out.push({ method: 'POST', path: `/bench.v1.Svc${k}/${m}`, headers: { 'x-tenant': `t${k}` } });
        }
        out.push({ method: 'POST', path: `/bench.v1.Svc${k}x/Get`, headers: none });
      }
    }
  }
  return out;
}

/** 'allow' or 'deny' (or what else happened) for one probe against `base`. */
export function verdict(protocol: Protocol, base: URL, p: Probe): Promise<string> {
  if (protocol === 'http') {
    return new Promise((resolve) => {
      const req = http.request({ host: base.hostname, port: base.port, method: p.method, path: p.path, headers: p.headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? 'allow' : res.statusCode === 403 ? 'deny' : `status ${res.statusCode}`));
      });
      req.on('error', (error) => resolve(`error ${error.message}`));
      req.end();
    });
  }
  return new Promise((resolve) => {
    const session = http2.connect(base.origin);
    session.on('error', (error) => resolve(`error ${error.message}`));
    const req = session.request({ ':method': 'POST', ':path': p.path, 'content-type': 'application/grpc', te: 'trailers', ...p.headers });
    let status: string | undefined;
    const grpcStatus = (h: http2.IncomingHttpHeaders): void => void (status ??= h['grpc-status'] === undefined ? undefined : String(h['grpc-status']));
    req.on('response', grpcStatus);
    req.on('trailers', grpcStatus);
    req.on('data', () => undefined);
    req.on('close', () => {
      session.close();
      resolve(status === '0' ? 'allow' : status === '7' ? 'deny' : `grpc-status ${status}`);
    });
    req.end(Buffer.alloc(5));
  });
}

/** Sends every probe to the reference and to the other listener; returns the counts or the first difference. */
export async function sameVerdicts(protocol: Protocol, reference: URL, other: URL, list: readonly Probe[]): Promise<{ allowed: number; denied: number } | { differs: string }> {
  let allowed = 0;
  let denied = 0;
  for (const p of list) {
    const [a, b] = [await verdict(protocol, reference, p), await verdict(protocol, other, p)];
    if (a !== b || (a !== 'allow' && a !== 'deny')) return { differs: `${p.method} ${p.path} ${JSON.stringify(p.headers)}: compiled ${a}, shaped ${b}` };
    if (a === 'allow') allowed += 1;
    else denied += 1;
  }
  return { allowed, denied };
}
