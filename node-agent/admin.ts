/**
 * The node agent's admin endpoint: `/healthz` (the dataplane is attached and the process runs),
 * `/readyz` (it has programmed the controller's redirects since it started; before that the maps
 * hold what they held, which it says), `/status` (JSON) and `/metrics` (Prometheus text).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from '../telemetry/index.js';
import type { NodeAgentStatus } from './agent.js';

export interface AgentAdmin {
  readonly port: number;
  close(): Promise<void>;
}

export function readiness(s: NodeAgentStatus): { ready: boolean; text: string } {
  const xds = s.xds.connected ? 'connected to the controller' : 'the controller cannot be reached (the maps keep their entries)';
  if (!s.programmed) return { ready: false, text: `waiting for the first NodeRedirects of ${s.host}: ${xds}; the pinned maps keep what they hold` };
  const last = s.xds.last?.kind === 'nack' ? `; the last update (${s.xds.last.version}) was rejected: ${s.xds.last.message}` : '';
  const pending = s.unresolvedPods.length > 0 ? `; ${s.unresolvedPods.length} Pod(s) not found yet: ${s.unresolvedPods.join(', ')}` : '';
  return { ready: true, text: `programmed version ${s.xds.accepted}: ${s.rules} rules; ${xds}${last}${pending}` };
}

export function startAgentAdmin(host: string, port: number, registry: Registry, status: () => NodeAgentStatus): Promise<AgentAdmin> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'GET only\n');
    switch (path) {
      case '/healthz':
        return send(200, 'text/plain', 'ok\n');
      case '/readyz': {
        const r = readiness(status());
        return send(r.ready ? 200 : 503, 'text/plain', `${r.text}\n`);
      }
      case '/status':
        return send(200, 'application/json', `${JSON.stringify(status(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
      case '/metrics':
        return send(200, 'text/plain; version=0.0.4', registry.render());
      default:
        return send(404, 'text/plain', 'not found: /healthz /readyz /status /metrics\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
