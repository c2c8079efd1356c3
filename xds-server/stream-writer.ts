/**
 * A stream's outgoing side: writes its responses (shared, pre-framed buffers) to the call's sink
 * (grpc-frame.ts: its HTTP/2 stream, or grpc-js), with back-pressure. When the sink is full
 * (`write` returned false) the stream is blocked: the state machine (stream.ts) then only marks
 * types pending, and on `drain` it sends the latest state of each. A call that is gone (or whose
 * write throws or fails) ends the stream.
 */
import type { Logger } from '../telemetry/index.js';
import { framedSink, type FramedSink } from './grpc-frame.js';
import type { DuplexCall } from './stream.js';

export class StreamWriter {
  private isBlocked = false;
  private readonly sink: FramedSink;

  constructor(
    call: DuplexCall,
    private readonly log: Logger,
    /** The call is gone (ended, destroyed, or its write threw or failed): the stream closes. */
    private readonly gone: (reason: string) => void,
    /** The sink drained after a blocked write: the stream sends what is pending. */
    private readonly drained: () => void,
  ) {
    this.sink = framedSink(call, (err) => {
      this.log.debug('write failed', { err });
      this.gone('write failed');
    });
  }

  /** Whether a write is waiting for `drain` (further responses wait as pending types). */
  get blocked(): boolean {
    return this.isBlocked;
  }

  /** Writes one response (a gRPC frame). */
  write(framed: Buffer): void {
    if (this.sink.gone()) {
      this.gone('stream gone while writing');
      return;
    }
    let ok: boolean;
    try {
      ok = this.sink.write(framed);
    } catch (err) {
      this.log.debug('write failed', { err });
      this.gone('write failed');
      return;
    }
    if (!ok && !this.isBlocked) {
      this.isBlocked = true;
      this.sink.onDrain(() => {
        this.isBlocked = false;
        this.drained();
      });
    }
  }
}
