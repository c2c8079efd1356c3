/**
 * The admin HTTP endpoint: `/healthz`, `/readyz`, `/status` (per policy and per node, what each
 * proxy ACKed or NACKed), `/config_dump?node=ID` (the resources that node is served, decoded to
 * JSON), `/metrics` (Prometheus). Read-only; GET and HEAD only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../telemetry/index.js';

export interface AdminRoutes {
  readonly ready: () => { ready: boolean; reason: string };
  readonly status: () => unknown;
  readonly configDump: (node: string | undefined) => unknown;
  readonly metrics: () => string;
  /** Further routes (the flows: `/flows`, `/map`); true when it answered the request. */
  readonly extra?: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

const INDEX = {
  endpoints: {
    '/healthz': 'liveness',
    '/readyz': 'ready once the first configuration is published and the xDS server listens',
    '/status': 'per policy (Enforced, Pending, Rejected, Stale, ...) and per node (versions served, ACKed and NACKed); stale sources; the state file',
    '/config_dump?node=ID': 'the resources a node is served, as JSON (without node: the list of nodes)',
    '/metrics': 'Prometheus metrics',
  },
};

export async function startAdminServer(host: string, port: number, routes: AdminRoutes, logger: Logger): Promise<AdminServer> {
  const server = http.createServer((req, res) => {
    const send = (code: number, body: unknown, type = 'application/json') => {
      const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(405, { error: `method ${req.method ?? ''} not allowed` });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://admin');
    } catch {
      send(400, { error: 'malformed request target' });
      return;
    }
    try {
      switch (url.pathname) {
        case '/':
          return send(200, INDEX);
        case '/healthz':
          return send(200, 'ok\n', 'text/plain');
        case '/readyz': {
          const r = routes.ready();
          return send(r.ready ? 200 : 503, `${r.reason}\n`, 'text/plain');
        }
        case '/status':
          return send(200, routes.status());
        case '/config_dump':
          return send(200, routes.configDump(url.searchParams.get('node') ?? undefined));
        case '/metrics':
          return send(200, routes.metrics(), 'text/plain; version=0.0.4');
        default:
          if (routes.extra?.(req, res, url)) return;
          return send(404, { error: `no endpoint ${url.pathname}`, ...INDEX });
      }
    } catch (error) {
      logger.error('admin request failed', { path: url.pathname, error });
      return send(500, { error: 'internal error; see the logs' });
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
