/**
 * The flows tests' peers on loopback: an HTTP/1.1 upstream, a gRPC upstream (grpc-js, answering
 * `shop.v1.Orders/Get` and `List` with an empty message), and clients that bind the source
 * address of the workload they play (127.0.0.11 is `web`, 127.0.0.12 `batch`), so Envoy's RBAC
 * sees that workload's address.
 */
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';

export interface Upstreams {
  readonly http: { host: string; port: number };
  readonly grpc: { host: string; port: number };
  close(): Promise<void>;
}

export async function startUpstreams(): Promise<Upstreams> {
  const web = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok\n'));
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const identity = (b: Buffer): Buffer => b;
  const unary = (method: string): grpc.MethodDefinition<Buffer, Buffer> => ({ path: `/shop.v1.Orders/${method}`, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity });
  const server = new grpc.Server();
  const answer = (_call: unknown, done: grpc.sendUnaryData<Buffer>) => done(null, Buffer.alloc(0));
  server.addService({ Get: unary('Get'), List: unary('List') }, { Get: answer, List: answer });
  const grpcPort = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return {
    http: { host: '127.0.0.1', port: (web.address() as net.AddressInfo).port },
    grpc: { host: '127.0.0.1', port: grpcPort },
    close: async () => {
      server.forceShutdown();
      web.closeAllConnections();
      await new Promise<void>((resolve) => web.close(() => resolve()));
    },
  };
}

/** One HTTP/1.1 request on a new connection from `from`; resolves with the status. */
export function httpRequest(from: string, to: { host: string; port: number }, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: to.host, port: to.port, method, path, localAddress: from, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** One gRPC unary call (an empty message) over a new HTTP/2 connection from `from`; resolves with grpc-status. */
export function grpcCall(from: string, to: { host: string; port: number }, service: string, method: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${to.host}:${to.port}`, { createConnection: () => net.connect({ host: to.host, port: to.port, localAddress: from }) });
    session.on('error', reject);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`${service}/${method}: timed out`));
    }, 5000);
    let status = '';
    const stream = session.request({ ':method': 'POST', ':path': `/${service}/${method}`, 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('response', (headers) => (status = String(headers['grpc-status'] ?? status)));
    stream.on('trailers', (trailers) => (status = String(trailers['grpc-status'] ?? status)));
    stream.on('data', () => undefined);
    stream.on('error', reject);
    stream.on('close', () => {
      clearTimeout(timer);
      session.close();
      resolve(status);
    });
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}
