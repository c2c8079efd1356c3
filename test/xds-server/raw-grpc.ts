/** A bidirectional gRPC method of raw bytes and gRPC message framing, for the tests of the grpc-js seams (grpc-frame.ts, grpc-reads.ts). */
import type * as grpc from '@grpc/grpc-js';
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
