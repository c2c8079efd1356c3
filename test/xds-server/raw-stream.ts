/**
 * One xDS stream opened with a raw gRPC client, for the SotW and Delta test clients: responses are
 * decoded and queued until `next()` takes them; `status()` waits for the server to end the stream.
 */
import * as grpc from '@grpc/grpc-js';

export interface Ended {
  readonly code: number;
  readonly details: string;
}

const identity = (b: Buffer): Buffer => b;

export class RawStream<R extends { readonly type: string }> {
  private readonly client: grpc.Client;
  readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly queue: R[] = [];
  private waiters: (() => void)[] = [];
  ended: Ended | undefined;
  /** The last response of each type (what an ACK answers). */
  readonly last = new Map<string, R>();

  constructor(port: number, path: string, decode: (buf: Buffer) => R, options: grpc.ClientOptions = {}, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, credentials, options);
    this.call = this.client.makeBidiStreamRequest(path, identity, identity);
    this.call.on('data', (buf: Buffer) => {
      const r = decode(buf);
      this.last.set(r.type, r);
      this.received(r);
      this.queue.push(r);
      this.wake();
    });
    this.call.on('status', (s: grpc.StatusObject) => {
      this.ended = { code: s.code, details: s.details };
      this.wake();
    });
    this.call.on('error', () => undefined);
  }

  /** Called with each response as it arrives, before it is queued. */
  protected received(_r: R): void {}

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until something arrives or the stream ends, at most until `deadline`. */
  private async wait(deadline: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  sendRaw(buf: Buffer): this {
    this.call.write(buf);
    return this;
  }

  /** The next response (waits up to `ms`). */
  async next(ms = 10_000): Promise<R> {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = this.queue.shift();
      if (r) return r;
      if (this.ended) throw new Error(`stream ended (${this.ended.code} ${this.ended.details}) while waiting for a response`);
      await this.wait(deadline, 'a response');
    }
  }

  /** The next `n` responses. */
  async take(n: number, ms = 10_000): Promise<R[]> {
    const out: R[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(ms));
    return out;
  }

  /** Responses already received and not yet taken. */
  get queued(): number {
    return this.queue.length;
  }

  /** Waits for the server to end the stream. */
  async status(ms = 10_000): Promise<Ended> {
    const deadline = Date.now() + ms;
    while (!this.ended) await this.wait(deadline, 'the stream to end');
    return this.ended;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
