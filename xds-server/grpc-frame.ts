/**
 * gRPC message framing done once per shared response instead of once per stream, and the write of
 * that frame straight onto the call's HTTP/2 stream. A gRPC message on the wire is a 5-byte prefix
 * (compressed flag, big-endian length) and the message; grpc-js's server builds that frame for every
 * message it sends (`BaseServerInterceptingCall.serializeMessage`: a new buffer of the message's size
 * and a copy of it), so one shared 24 KB SotW response written to 10,000 streams was 10,000
 * allocations and 240 MB copied — a fifth of the server's time for a change.
 *
 * Sluice's responses are framed when they are encoded (bodies.ts: one buffer per distinct response,
 * prefix included). On grpc-js's base call a stream writes that buffer to the call's HTTP/2 stream
 * itself (`framedSink`), once grpc-js has sent the response headers (`sendMetadata`, its public
 * API). grpc-js's write path is two Writables deep: an object-mode Duplex that holds every message
 * behind the previous one until that one's bytes reached the socket (four responses to one stream
 * went out in four event-loop turns), then `sendMessage`. What a direct write keeps: the headers
 * (sent by grpc-js first), the max send size (a message over it still goes through grpc-js, which
 * ends the call with RESOURCE_EXHAUSTED), HTTP/2 flow control, and the end of the call (grpc-js
 * ends the HTTP/2 stream and sends the trailers behind what was written). Back-pressure is counted
 * in bytes the HTTP/2 stream holds unsent (`SINK_QUEUE_BYTES`). grpc-js's channelz count of
 * messages sent does not see direct writes. The seam is a grpc-js internal, so it is checked, not
 * assumed: when the call is not grpc-js's base call (a server with interceptors, or a grpc-js whose
 * call no longer has these members) the stream writes the message through grpc-js without its
 * prefix (`subarray`, no copy), and grpc-js frames it as before.
 */
import * as grpc from '@grpc/grpc-js';
import type { DuplexCall } from './stream.js';

/** The gRPC length prefix: 1 byte compressed flag (0), 4 bytes big-endian length. */
export const GRPC_PREFIX_BYTES = 5;

/** The HTTP/2 stream under a grpc-js call, as far as reads and direct writes use it. */
interface Http2StreamPart extends NodeJS.EventEmitter {
  listenerCount(event: string): number;
  write(chunk: Buffer, done: (err?: Error | null) => void): boolean;
  readonly writableLength: number;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

/** grpc-js's per-call state, as far as this seam (and grpc-reads.ts) relies on it. */
export interface GrpcJsBaseCall {
  serializeMessage(value: unknown): Buffer;
  /** The call's HTTP/2 stream: grpc-js reads it with one `data` listener that calls `handleDataFrame`. */
  readonly stream: Http2StreamPart;
  handleDataFrame?: (chunk: Buffer) => void;
  /** Messages grpc-js decoded and has not handed to the application yet. */
  readonly readQueue?: readonly unknown[];
  /** Whether grpc-js sent the response headers. */
  readonly metadataSent?: unknown;
  /** `grpc.max_send_message_length` (-1: none). */
  readonly maxSendMessageSize?: unknown;
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

/** Bytes a stream's HTTP/2 stream may hold unsent before the stream counts as blocked (stream-writer.ts). */
export const SINK_QUEUE_BYTES = 256 * 1024;

/** Where a stream writes its pre-framed responses. */
export interface FramedSink {
  /** Whether frames go straight to the HTTP/2 stream (the seam is engaged), not through grpc-js. */
  readonly direct: boolean;
  /** Writes one pre-framed message (prefix included); `false`: the sink is full until `onDrain`. */
  write(framed: Buffer): boolean;
  /** Whether the call can no longer be written (ended, destroyed). */
  gone(): boolean;
  /** Calls `fn` once, when a sink whose `write` returned `false` has room again. */
  onDrain(fn: () => void): void;
}

/**
 * The sink of a call: its HTTP/2 stream on grpc-js's base call, grpc-js's call (unframed) otherwise.
 * `failed` hears a direct write's error (the HTTP/2 stream is then destroyed, and grpc-js cancels the call).
 */
export function framedSink(call: DuplexCall, failed: (err: Error) => void): FramedSink {
  const base = baseCallOf(call);
  const viaGrpc: FramedSink = {
    direct: false,
    write: (framed) => call.write(framed.subarray(GRPC_PREFIX_BYTES)),
    gone: () => call.destroyed || call.writableEnded,
    onDrain: (fn) => call.once('drain', fn),
  };
  if (!base || typeof base.metadataSent !== 'boolean' || typeof base.maxSendMessageSize !== 'number' || typeof base.stream.write !== 'function') return viaGrpc;
  // What still goes through grpc-js (a message over its max send size) is ours, framed already.
  base.serializeMessage = (value: unknown): Buffer => value as Buffer;
  const h2 = base.stream;
  const done = (err?: Error | null): void => {
    if (err) failed(err);
  };
  /** What the last write that returned `false` went to (it emits `drain`). */
  let full: NodeJS.EventEmitter = h2;
  const throughGrpc = (framed: Buffer): boolean => {
    full = call;
    return call.write(framed);
  };
  return {
    direct: true,
    write(framed) {
      const max = base.maxSendMessageSize as number;
      if (max !== -1 && framed.length - GRPC_PREFIX_BYTES > max) return throughGrpc(framed);
      if (base.metadataSent !== true) call.sendMetadata(new grpc.Metadata());
      // Headers not sent (the call was cancelled meanwhile): grpc-js decides what happens to the message.
      if (base.metadataSent !== true) return throughGrpc(framed);
      full = h2;
      // Full only when the HTTP/2 stream said so too (then it emits `drain`; its own high-water mark, 16 KiB, is lower).
      return h2.write(framed, done) || h2.writableLength < SINK_QUEUE_BYTES;
    },
    gone: () => call.destroyed || call.writableEnded || h2.destroyed || h2.writableEnded,
    onDrain: (fn) => full.once('drain', fn),
  };
}

/** Writes the gRPC prefix of a message of `length` bytes at the start of `buf`. */
export function writeGrpcPrefix(buf: Buffer, length: number): void {
  buf[0] = 0;
  buf.writeUInt32BE(length, 1);
}
