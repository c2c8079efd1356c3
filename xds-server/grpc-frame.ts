/**
 * gRPC message framing done once per shared response instead of once per stream. A gRPC message on
 * the wire is a 5-byte prefix (compressed flag, big-endian length) and the message; grpc-js's server
 * builds that frame for every message it sends (`BaseServerInterceptingCall.serializeMessage`: a new
 * buffer of the message's size and a copy of it), so one shared 24 KB SotW response written to 10,000
 * streams was 10,000 allocations and 240 MB copied — a fifth of the server's time for a change.
 *
 * Sluice's responses are framed when they are encoded (bodies.ts: one buffer per distinct response,
 * prefix included), and each stream writes that buffer as it is: `framedWrites` replaces, on that one
 * call, grpc-js's framing step with the identity (everything else of grpc-js's send path stays:
 * headers, the max-send-size check, flow control, the write callback, cancellation). The seam is a
 * grpc-js internal, so it is checked, not assumed: when the call is not grpc-js's base call (a server
 * with interceptors, or a grpc-js whose call no longer has that method) the stream writes the message
 * without its prefix (`subarray`, no copy) and grpc-js frames it as before.
 */
import type { DuplexCall } from './stream.js';

/** The gRPC length prefix: 1 byte compressed flag (0), 4 bytes big-endian length. */
export const GRPC_PREFIX_BYTES = 5;

/** Writes one pre-framed message (prefix included) on the call; the result is `call.write`'s. */
export type FramedWrite = (framed: Buffer) => boolean;

/** grpc-js's per-call state, as far as this seam (and grpc-reads.ts) relies on it. */
export interface GrpcJsBaseCall {
  serializeMessage(value: unknown): Buffer;
  /** The call's HTTP/2 stream: grpc-js reads it with one `data` listener that calls `handleDataFrame`. */
  readonly stream: NodeJS.EventEmitter & { listenerCount(event: string): number };
  handleDataFrame?: (chunk: Buffer) => void;
  /** Messages grpc-js decoded and has not handed to the application yet. */
  readonly readQueue?: readonly unknown[];
}

/** grpc-js's base call under a duplex call, when there is one (a server without interceptors). */
export function baseCallOf(call: DuplexCall): GrpcJsBaseCall | undefined {
  // ServerDuplexStreamImpl keeps its intercepting call in `call`; without interceptors it is the base call.
  const inner = (call as unknown as { call?: unknown }).call;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const c = inner as { serializeMessage?: unknown; stream?: unknown; handler?: unknown };
  if (typeof c.serializeMessage !== 'function' || typeof c.stream !== 'object' || typeof c.handler !== 'object') return undefined;
  return inner as GrpcJsBaseCall;
}

/** Writes the call's messages pre-framed when grpc-js lets us, unframed (and framed by grpc-js) otherwise. */
export function framedWrites(call: DuplexCall): { readonly write: FramedWrite; readonly framed: boolean } {
  const base = baseCallOf(call);
  if (!base) return { write: (framed) => call.write(framed.subarray(GRPC_PREFIX_BYTES)), framed: false };
  // Every message this call sends is one of ours, framed already (bodies.ts).
  base.serializeMessage = (value: unknown): Buffer => value as Buffer;
  return { write: (framed) => call.write(framed), framed: true };
}

/** Writes the gRPC prefix of a message of `length` bytes at the start of `buf`. */
export function writeGrpcPrefix(buf: Buffer, length: number): void {
  buf[0] = 0;
  buf.writeUInt32BE(length, 1);
}
