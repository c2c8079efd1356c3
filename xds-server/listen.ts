/**
 * Where a gRPC server listens. A TCP address (`host:port`, `[v6]:port`) is listened on by a socket
 * of our own whose connections are handed to gRPC (`createConnectionInjector`, credentials and
 * TLS included), so that the accept queue holds a fleet connecting at once (`ACCEPT_BACKLOG`,
 * capped by the kernel's somaxconn; gRPC's own listen uses Node's default 511, and connections
 * beyond it wait for SYN retries of 1, 3, 7… s). Other addresses (e.g. `unix:`) go to gRPC's bind.
 */
import type * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import { splitHostPort } from '../ip/index.js';

/** The accept queue asked for (the kernel caps it at net.core.somaxconn, 4096 on current kernels). */
const ACCEPT_BACKLOG = 65_535;

/** The port listened on, and our own socket when there is one (closed with the server). */
export async function listenGrpc(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<{ port: number; socket?: net.Server }> {
  // `host:port` or `[v6]:port` (gRPC's address forms for TCP); anything else is gRPC's to bind.
  const tcp = splitHostPort(address);
  if (!tcp) {
    const port = await new Promise<number>((resolve, reject) => server.bindAsync(address, credentials, (err, p) => (err ? reject(err) : resolve(p))));
    return { port };
  }
  const injector = server.createConnectionInjector(credentials);
  const socket = net.createServer({ noDelay: true }, (conn) => injector.injectConnection(conn));
  const port = await new Promise<number>((resolve, reject) => {
    socket.once('error', reject);
    socket.listen({ host: tcp.host, port: tcp.port, backlog: ACCEPT_BACKLOG }, () => {
      socket.off('error', reject);
      resolve((socket.address() as net.AddressInfo).port);
    });
  });
  return { port, socket };
}
