/**
 * A stream's outgoing side: writes its responses (shared, pre-framed buffers: grpc-frame.ts) on the
 * gRPC call, with back-pressure. When the call's buffer is full (`write` returned false) the stream
 * is blocked: the state machine (stream.ts) then only marks types pending, and on `drain` it sends
 * the latest state of each. A call that is gone (or throws on write) ends the stream.
 */
import type { Logger } from '../telemetry/index.js';
import { framedWrites, type FramedWrite } from './grpc-frame.js';
import type { DuplexCall } from './stream.js';

export class StreamWriter {
  private isBlocked = false;
  private readonly send: FramedWrite;

  constructor(
    private readonly call: DuplexCall,
    private readonly log: Logger,
    /** The call is gone (ended, destroyed, or its write threw): the stream closes. */
    private readonly gone: (reason: string) => void,
    /** The call's buffer drained after a blocked write: the stream sends what is pending. */
    private readonly drained: () => void,
  ) {
    this.send = framedWrites(call).write;
  }

  /** Whether a write is waiting for `drain` (further responses wait as pending types). */
  get blocked(): boolean {
    return this.isBlocked;
  }

  /** Writes one response (a gRPC frame). */
  write(framed: Buffer): void {
    if (this.call.destroyed || this.call.writableEnded) {
      this.gone('stream gone while writing');
      return;
    }
    let ok: boolean;
    try {
      ok = this.send(framed);
    } catch (err) {
      this.log.debug('write failed', { err });
      this.gone('write failed');
      return;
    }
    if (!ok && !this.isBlocked) {
      this.isBlocked = true;
      this.call.once('drain', () => {
        this.isBlocked = false;
        this.drained();
      });
    }
  }
}
