/**
 * gRPC request reading done by sluice instead of grpc-js's per-message steps. For every message a
 * grpc-js server pauses the HTTP/2 stream, decodes the frame into a fresh buffer, "decompresses" it
 * in an `async` step even when it is not compressed, queues it, resumes the stream and pushes it
 * through a second Readable (`handleDataFrame`, `decompressAndMaybePush`, `startRead`). An xDS
 * server reads one ACK per response from every proxy, so at 10,000 streams that is 10,000 of each
 * per change, read in the event-loop turns between the fan-out's slices (fan-out.ts).
 *
 * `readRequests` takes the call's HTTP/2 data itself (the seam grpc-frame.ts uses: grpc-js's base
 * call, a server without interceptors) and cuts it into messages: the 5-byte prefix (compressed
 * flag, big-endian length), then the message, handed on as a view of the bytes received (no copy
 * unless a message spans two reads). A length above the limit ends the stream before any of it is
 * buffered, as grpc-js's own `grpc.max_receive_message_length` does. A compressed message (flag
 * not 0) is handed back: from its first byte on, the stream's data goes to grpc-js's own path,
 * which decompresses it and delivers it, and the rest, in order, as a `data` event of the call.
 * What grpc-js keeps doing: headers, half-close (`end`), cancellation, deadlines, and the call's own
 * `data` events, which `readRequests` always listens to: without a reader of the call grpc-js never
 * starts reading the HTTP/2 stream, nor reports its end. When the seam is not there (interceptors,
 * another grpc-js), every message comes that way.
 */
import { baseCallOf, GRPC_PREFIX_BYTES } from './grpc-frame.js';
import type { DuplexCall } from './stream.js';

export interface RequestSink {
  /** One request message (a view of the bytes received: valid as long as it is referenced). */
  message(buf: Buffer): void;
  /** A message announced more bytes than the limit; nothing more is read. */
  tooLarge(bytes: number): void;
}

/**
 * Delivers the call's request messages to `sink`, read directly from the HTTP/2 stream when the
 * seam is there (then `direct` is true); `maxBytes` is the largest message accepted.
 */
export function readRequests(call: DuplexCall, maxBytes: number, sink: RequestSink): { readonly direct: boolean } {
  // grpc-js's path: also the messages handed back to it after a compressed one.
  call.on('data', (buf: Buffer) => sink.message(buf));
  const base = baseCallOf(call);
  const handBack = base?.handleDataFrame?.bind(base);
  // Only a call grpc-js has read nothing from yet, through its one listener, is taken over.
  if (!base || !handBack || base.readQueue?.length !== 0 || base.stream.listenerCount('data') !== 1) return { direct: false };
  base.stream.removeAllListeners('data');
  const reader = new MessageReader(maxBytes, sink, handBack);
  base.stream.on('data', (chunk: Buffer) => reader.read(chunk));
  return { direct: true };
}

/** Cuts a byte stream into gRPC messages. */
export class MessageReader {
  /** Received bytes not yet a whole message (kept as read: joined once the message is complete). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes of the message being read, prefix included (0: its prefix is not complete yet). */
  private need = 0;
  private mode: 'direct' | 'handed back' | 'stopped' = 'direct';

  constructor(
    private readonly maxBytes: number,
    private readonly sink: RequestSink,
    private readonly handBack: (chunk: Buffer) => void,
  ) {}

  read(chunk: Buffer): void {
    if (this.mode === 'handed back') return this.handBack(chunk);
    if (this.mode === 'stopped') return;
    let buf = chunk;
    if (this.partBytes > 0) {
      this.parts.push(chunk);
      this.partBytes += chunk.length;
      // Wait for the rest of the message before joining its pieces (a large one arrives in many reads).
      if (this.partBytes < Math.max(this.need, GRPC_PREFIX_BYTES)) return;
      buf = Buffer.concat(this.parts, this.partBytes);
      this.parts = [];
      this.partBytes = 0;
    }
    let at = 0;
    while (buf.length - at >= GRPC_PREFIX_BYTES) {
      if (buf[at] !== 0) {
        this.mode = 'handed back';
        this.handBack(buf.subarray(at));
        return;
      }
      const length = buf.readUInt32BE(at + 1);
      if (length > this.maxBytes) {
        this.mode = 'stopped';
        this.sink.tooLarge(length);
        return;
      }
      const end = at + GRPC_PREFIX_BYTES + length;
      if (end > buf.length) {
        this.need = GRPC_PREFIX_BYTES + length;
        break;
      }
      this.need = 0;
      const message = buf.subarray(at + GRPC_PREFIX_BYTES, end);
      at = end;
      this.sink.message(message);
    }
    if (at < buf.length) {
      this.parts.push(at === 0 ? buf : buf.subarray(at));
      this.partBytes = buf.length - at;
    }
  }
}
