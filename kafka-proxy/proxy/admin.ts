/** The admin endpoint: `/metrics` (Prometheus text) and `/healthz` (200 once rules are applied). */
import http from 'node:http';
import type { Registry } from '../../telemetry/index.js';

export interface AdminStatus {
  readonly ready: boolean;
  readonly [field: string]: unknown;
}

export function startAdmin(host: string, port: number, registry: Registry, status: () => AdminStatus): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(registry.render());
      return;
    }
    if (req.url === '/healthz') {
      const s = status();
      res.writeHead(s.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(s)}\n`);
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as { port: number }).port });
    });
  });
}
