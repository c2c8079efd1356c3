/**
 * A workload for the real-Envoy tests and benchmarks, run as its own process (so it can sit in a
 * workload cgroup and a network namespace): an HTTP server that speaks HTTP/1.1 and cleartext
 * HTTP/2 on one port, and optionally a gRPC server that answers any method of the services it is
 * told. Every answer says who answered and whether the request came through Envoy (Envoy adds
 * `x-request-id` and `x-forwarded-proto` to every request it forwards; a direct client sends
 * neither), and every request is printed as a JSON line on stdout: the evidence that a request
 * reached the workload without the proxy.
 *
 *   workload --name NAME --http HOST:PORT [--http HOST:PORT ...] [--grpc HOST:PORT --service shop.v1.Orders ...]
 */
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'workload' },
    http: { type: 'string', multiple: true, default: [] },
    grpc: { type: 'string', multiple: true, default: [] },
    service: { type: 'string', multiple: true, default: [] },
  },
});

const emit = (record: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(record)}\n`);

function endpoint(text: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!match?.[1] || !match[2]) throw new Error(`expected HOST:PORT, got ${text}`);
  return { host: match[1], port: Number(match[2]) };
}

/** What the workload saw of one request; also its response body. */
export interface WorkloadAnswer {
  readonly workload: string;
  readonly protocol: string;
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  readonly remote: string;
  readonly local: string;
  readonly viaEnvoy: boolean;
}

function answer(protocol: string, method: string, path: string, authority: string, headers: http.IncomingHttpHeaders, socket: net.Socket): WorkloadAnswer {
  const record: WorkloadAnswer = {
    workload: values.name ?? 'workload',
    protocol,
    method,
    path,
    authority,
    remote: `${socket.remoteAddress}:${socket.remotePort}`,
    local: `${socket.localAddress}:${socket.localPort}`,
    viaEnvoy: headers['x-request-id'] !== undefined && headers['x-forwarded-proto'] !== undefined,
  };
  emit({ event: 'request', ...record });
  return record;
}

function serveHttp(listen: { host: string; port: number }): void {
  const reply = (res: http.ServerResponse | http2.Http2ServerResponse, body: WorkloadAnswer): void => {
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(200, { 'content-type': 'application/json', 'x-workload': body.workload });
    res.end(text);
  };
  const h1 = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => reply(res, answer(`HTTP/${req.httpVersion}`, req.method ?? '', req.url ?? '', req.headers.host ?? '', req.headers, req.socket)));
  });
  // Each HTTP/2 session's real socket (the session itself only sees the stream it reads through).
  const sockets = new WeakMap<http2.Http2Session, net.Socket>();
  let connecting: net.Socket | undefined;
  const h2 = http2.createServer((req, res) => {
    req.resume();
    const socket = (req.stream.session && sockets.get(req.stream.session)) ?? (req.socket as unknown as net.Socket);
    req.on('end', () => reply(res, answer('HTTP/2', req.method, req.url, req.authority, req.headers, socket)));
  });
  h2.on('session', (session) => {
    if (connecting) sockets.set(session, connecting);
  });
  // One port, both protocols: the HTTP/2 connection preface decides. HTTP/1.1 gets the socket
  // back with the first bytes unshifted; HTTP/2 reads through a JS stream (its native reader
  // would not see bytes already read), fed with the first chunk and the rest.
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (first) => {
      if (first.subarray(0, 3).toString() !== 'PRI') {
        socket.pause();
        socket.unshift(first);
        h1.emit('connection', socket);
        socket.resume();
        return;
      }
      const duplex = new Duplex({
        read: () => socket.resume(),
        write: (chunk: Buffer, _encoding, done) => void socket.write(chunk, done),
        final: (done) => void socket.end(done),
        destroy: (error, done) => {
          socket.destroy();
          done(error);
        },
      });
      socket.on('data', (d: Buffer) => {
        if (!duplex.push(d)) socket.pause();
      });
      socket.on('end', () => duplex.push(null));
      socket.on('close', () => duplex.destroy());
      duplex.push(first);
      connecting = socket; // the 'session' event fires during emit
      h2.emit('connection', duplex);
      connecting = undefined;
    });
  });
  server.listen(listen.port, listen.host, () => emit({ event: 'listening', protocol: 'http', address: `${listen.host}:${listen.port}` }));
}

function serveGrpc(listen: { host: string; port: number }, services: readonly string[]): void {
  const server = new grpc.Server();
  const identity = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
  for (const service of services) {
    const methods = ['Get', 'List', 'Create', 'Delete', 'Watch'];
    const definition: grpc.ServiceDefinition = Object.fromEntries(
      methods.map((m) => [m, { path: `/${service}/${m}`, requestStream: false, responseStream: m === 'Watch', originalName: m, ...identity }]),
    );
    const handlers: grpc.UntypedServiceImplementation = Object.fromEntries(
      methods.map((m) => [
        m,
        (call: grpc.ServerUnaryCall<Buffer, Buffer> & grpc.ServerWritableStream<Buffer, Buffer>, callback?: grpc.sendUnaryData<Buffer>) => {
          const md = call.metadata.getMap();
          const headers = Object.fromEntries(Object.entries(md).map(([k, v]) => [k, String(v)]));
          const record: WorkloadAnswer = {
            workload: values.name ?? 'workload',
            protocol: 'gRPC',
            method: 'POST',
            path: `/${service}/${m}`,
            authority: '',
            remote: call.getPeer(),
            local: `${listen.host}:${listen.port}`,
            viaEnvoy: headers['x-request-id'] !== undefined,
          };
          emit({ event: 'request', ...record });
          const body = Buffer.from(JSON.stringify(record));
          if (callback) callback(null, body);
          else {
            // A server stream: one message now, then one per second until the client goes.
            call.write(body);
            const timer = setInterval(() => call.write(body), 1000);
            call.on('cancelled', () => clearInterval(timer));
            call.on('close', () => clearInterval(timer));
          }
        },
      ]),
    );
    server.addService(definition, handlers);
  }
  server.bindAsync(`${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) {
      emit({ event: 'error', message: error.message });
      process.exit(1);
    }
    emit({ event: 'listening', protocol: 'grpc', address: `${listen.host}:${listen.port}` });
  });
}

for (const h of values.http ?? []) serveHttp(endpoint(h));
for (const g of values.grpc ?? []) serveGrpc(endpoint(g), values.service ?? []);
process.on('SIGTERM', () => process.exit(0));
