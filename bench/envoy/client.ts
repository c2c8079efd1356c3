/**
 * An HTTP client for the real-Envoy tests, run as its own process so it can sit in a workload
 * cgroup and network namespace (egress). It never binds a source address, as most clients don't.
 * It sends the given requests one after the other, each on a new connection or all on one
 * (HTTP/1.1 keep-alive, or one HTTP/2 session), and prints one JSON line per answer
 * (`{ event: 'response', path, status, body, error? }`). With `--stdin` it then keeps its
 * connection and sends one request per line it reads. With `--json` each line it reads is a
 * `Call` (call.ts: HTTP/1.1, HTTP/2 or gRPC, any target) with an `id`, answered by a
 * `{ event: 'response', id, ...answer }` line, one call after the other.
 *
 *   client --url http://HOST:PORT [--path P ...] [--method M] [--header 'N: V' ...]
 *          [--connection new|keep] [--http2] [--stdin]
 *   client --json
 */
import http from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Caller, type Call } from './call.js';
import { http1, Http2Client, type RequestOptions } from './request.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:80' },
    path: { type: 'string', multiple: true, default: [] },
    method: { type: 'string', default: 'GET' },
    header: { type: 'string', multiple: true, default: [] },
    connection: { type: 'string', default: 'keep' },
    http2: { type: 'boolean', default: false },
    stdin: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

if (values.json) {
  const caller = new Caller();
  process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const { id, ...call } = JSON.parse(line) as Call & { id: number };
    process.stdout.write(`${JSON.stringify({ event: 'response', id, ...(await caller.send(call)) })}\n`);
  }
  caller.close();
  process.exit(0);
}

const base = new URL(values.url);
const options: RequestOptions = {
  method: values.method,
  headers: Object.fromEntries(values.header.map((h) => [h.slice(0, h.indexOf(':')).trim().toLowerCase(), h.slice(h.indexOf(':') + 1).trim()])),
};
const keep = values.connection !== 'new';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const h2 = new Http2Client(base);
const send = async (path: string): Promise<void> => {
  const answer = values.http2 ? await h2.request(path, options) : await http1(base, path, keep ? agent : false, options);
  if (values.http2 && !keep) h2.close();
  process.stdout.write(`${JSON.stringify({ event: 'response', ...answer })}\n`);
};

for (const path of values.path) await send(path);
if (values.stdin) {
  process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
  for await (const line of createInterface({ input: process.stdin })) if (line.trim()) await send(line.trim());
}
h2.close();
agent.destroy();
