/**
 * TLS for the tests: CAs and leaves from sluice's own certs/ module, written as secret directories
 * (`<root>/<namespace>/<name>/tls.crt|tls.key|ca.crt`, swapped atomically by a directory rename
 * as a rotation does), PEM in memory for in-process servers, and a TLS upstream that records each
 * request and tells its client only what it may know (never a header's value).
 */
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createCa, defaultEnv, encodePem, issueLeaf, privateKeyPem, type Ca, type IssuedLeaf, type LeafRequest } from '../../certs/index.js';

const env = defaultEnv();

export interface Pem {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly serial: string;
}

export async function newCa(commonName: string): Promise<Ca> {
  const ca = await createCa({ commonName }, env);
  if (!ca.ok) throw new Error(ca.diagnostics.map((d) => d.message).join('; '));
  return ca.value;
}

export async function leaf(ca: Ca, request: LeafRequest): Promise<Pem> {
  const issued = await issueLeaf(ca, request, env);
  if (!issued.ok) throw new Error(issued.diagnostics.map((d) => d.message).join('; '));
  return pemOf(issued.value);
}

async function pemOf(issued: IssuedLeaf): Promise<Pem> {
  const certs = (list: readonly { rawData: ArrayBuffer }[]) => list.map((c) => encodePem('CERTIFICATE', c.rawData)).join('');
  return { cert: certs(issued.chain), key: await privateKeyPem(env.crypto, issued.key), ca: certs([issued.root]), serial: issued.certificate.serialNumber.toLowerCase() };
}

export function caPem(ca: Ca): string {
  return encodePem('CERTIFICATE', ca.root.rawData);
}

/** Writes secret `namespace/name` with these keys: the new version appears at once (a directory rename). */
export function writeSecret(root: string, secret: string, keys: Readonly<Record<string, string>>): void {
  const dir = path.join(root, secret);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const next = `${dir}.next-${process.hrtime.bigint()}`;
  fs.mkdirSync(next);
  for (const [k, v] of Object.entries(keys)) fs.writeFileSync(path.join(next, k), v, { mode: 0o600 });
  const old = `${dir}.old-${process.hrtime.bigint()}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(next, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/** What an upstream tells its client about the `Authorization` it received: never the value itself. */
export type AuthorizationSeen = '(absent)' | '(matched)' | '(other)' | '(repeated)';

export interface UpstreamRequest {
  readonly path: string;
  /** Every `Authorization` value the request carried, as sent (only the test reads these; the client is never told). */
  readonly authorization: readonly string[];
  readonly sni: string | undefined;
  readonly client: string | undefined;
}

export interface UpstreamServer {
  readonly port: number;
  /** What each request carried, in order: the upstream's own evidence. */
  readonly seen: UpstreamRequest[];
  close(): Promise<void>;
}

/**
 * An HTTPS server (HTTP/1.1) on `host:port` that answers 200 with JSON saying what it received:
 * the path, the SNI, the client certificate's CN, and of `Authorization` only whether it was
 * absent, equal to `expectAuthorization`, another value, or sent more than once. It never reflects
 * a header value, so a credential injected on the way can reach the client only if the proxy
 * leaks it, which is what the tests look for.
 */
export async function upstreamServer(host: string, port: number, pem: Pem, options: { clientCa?: string; expectAuthorization?: string } = {}): Promise<UpstreamServer> {
  const seen: UpstreamRequest[] = [];
  const server = https.createServer({ cert: pem.cert, key: pem.key, ...(options.clientCa ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    const values: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'authorization') values.push(req.rawHeaders[i + 1] ?? '');
    const record: UpstreamRequest = { path: req.url ?? '', authorization: values, sni: (socket as TLSSocket & { servername?: string }).servername, client: peer && peer.subject ? String(peer.subject.CN) : undefined };
    seen.push(record);
    const told: AuthorizationSeen = values.length === 0 ? '(absent)' : values.length > 1 ? '(repeated)' : values[0] === options.expectAuthorization ? '(matched)' : '(other)';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: record.path, sni: record.sni, client: record.client, authorization: told }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
