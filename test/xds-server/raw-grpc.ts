/** A bidirectional gRPC method of raw bytes and gRPC message framing, for the tests of the grpc-js seams (grpc-frame.ts, grpc-reads.ts). */
import * as grpc from '@grpc/grpc-js';
import { GRPC_PREFIX_BYTES, writeGrpcPrefix } from '../../xds-server/grpc-frame.js';

export const identity = (b: Buffer): Buffer => b;

/** A streaming method at `path` whose messages are the bytes as they are. */
export function rawBidiMethod(path: string): grpc.MethodDefinition<Buffer, Buffer> {
  return { path, requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity };
}

/** A gRPC message on the wire: the 5-byte prefix (compressed flag `flag`, length), then the message. */
export function frame(message: Buffer, flag = 0): Buffer {
  const buf = Buffer.alloc(GRPC_PREFIX_BYTES + message.length);
  writeGrpcPrefix(buf, message.length);
  buf[0] = flag;
  message.copy(buf, GRPC_PREFIX_BYTES);
  return buf;
}

/** Binds `server` to a free loopback port (insecure) and returns the port. */
export function bindLoopback(server: grpc.Server): Promise<number> {
  return new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
}

/** Opens a bidi call of raw bytes at `path`, writes `messages`, half-closes, and returns what came back and the status. */
export async function rawCall(port: number, path: string, messages: readonly Buffer[], options: grpc.ChannelOptions = {}): Promise<{ received: Buffer[]; status: grpc.StatusObject }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
  const call = client.makeBidiStreamRequest(path, identity, identity);
  const received: Buffer[] = [];
  call.on('data', (b: Buffer) => received.push(b));
  call.on('error', () => undefined);
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  for (const m of messages) call.write(m);
  call.end();
  const s = await status;
  client.close();
  return { received, status: s };
}
