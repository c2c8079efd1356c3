/**
 * A minimal Kubernetes API client over plain HTTPS (node:https): the webhook reads and patches two
 * webhook configurations and lists policies, which does not justify a client library (and
 * @kubernetes/client-node 2.x does not load on Node 20). Bearer-token authentication, the
 * cluster's CA verified, from a kubeconfig or from the Pod's service account.
 */
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { parse } from 'yaml';
import { formatHostPort } from '../../ip/index.js';
import { isRecord } from './review.js';

export interface KubeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface KubeApi {
  readonly server: string;
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
}

export interface KubeApiOptions {
  readonly server: string;
  /** PEM of the CA that signed the API server's certificate. */
  readonly ca: string;
  readonly token: string;
  readonly timeoutMs?: number;
  /** The largest response read (default 32 MiB: a list of policies). */
  readonly maxResponseBytes?: number;
  /** Sent with every request (for example `Impersonate-User`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
}

export function kubeApi(o: KubeApiOptions): KubeApi {
  const max = o.maxResponseBytes ?? 32 * 1024 * 1024;
  return {
    server: o.server,
    request: (method, path, body, contentType = 'application/json') =>
      new Promise((resolve, reject) => {
        const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const headers = { ...o.headers, authorization: `Bearer ${o.token}`, accept: 'application/json', ...(text !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(text) } : {}) };
        const req = https.request(new URL(path, o.server), { method, ca: o.ca, headers }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            size += d.length;
            if (size > max) req.destroy(new KubeApiError(`${method} ${path}: the response is over ${max} bytes`));
            else chunks.push(d);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', (error) => reject(error instanceof KubeApiError ? error : new KubeApiError(`${method} ${o.server}${path}: ${error.message}`)));
        req.setTimeout(o.timeoutMs ?? 10_000, () => req.destroy(new KubeApiError(`${method} ${path}: no answer within ${o.timeoutMs ?? 10_000} ms`)));
        if (text !== undefined) req.write(text);
        req.end();
      }),
  };
}

function field(o: unknown, name: string): unknown {
  return isRecord(o) ? o[name] : undefined;
}

/** The current context of a kubeconfig, with a token user and the CA inline (`certificate-authority-data`). */
export function kubeApiFromKubeconfig(text: string, source = 'kubeconfig'): KubeApi {
  const config: unknown = parse(text);
  const current = field(config, 'current-context');
  const named = (list: string, name: unknown) => {
    const items = field(config, list);
    const found = Array.isArray(items) ? items.find((i) => field(i, 'name') === name) : undefined;
    if (!found) throw new KubeApiError(`${source}: no ${list.slice(0, -1)} named ${JSON.stringify(name)}`);
    return found as unknown;
  };
  const context = field(named('contexts', current), 'context');
  const cluster = field(named('clusters', field(context, 'cluster')), 'cluster');
  const user = field(named('users', field(context, 'user')), 'user');
  const server = field(cluster, 'server');
  const caData = field(cluster, 'certificate-authority-data');
  const token = field(user, 'token');
  if (typeof server !== 'string') throw new KubeApiError(`${source}: the cluster has no server`);
  if (typeof caData !== 'string') throw new KubeApiError(`${source}: the cluster has no certificate-authority-data (a CA file path is not supported)`);
  if (typeof token !== 'string') throw new KubeApiError(`${source}: the user has no token (client certificates and exec plugins are not supported)`);
  return kubeApi({ server, ca: Buffer.from(caData, 'base64').toString('utf8'), token });
}

/** Inside a Pod: the API server from the environment, the service account's token and CA. */
export function inClusterKubeApi(env: NodeJS.ProcessEnv, readFile: (path: string) => string): KubeApi {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  if (!host) throw new KubeApiError('not in a Pod: KUBERNETES_SERVICE_HOST is not set (give --kubeconfig)');
  const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
  return kubeApi({ server: `https://${formatHostPort(host, port)}`, ca: readFile(`${dir}/ca.crt`), token: readFile(`${dir}/token`).trim() });
}
