/**
 * Pre-framed writes (xds-server/grpc-frame.ts) on a real grpc-js server, with grpc-js clients and a
 * raw HTTP/2 client: on grpc-js's base call the frame sluice built goes straight to the call's HTTP/2
 * stream (the seam is engaged: a grpc-js upgrade that moves it fails here, not silently), after
 * grpc-js's headers and before its trailers, in order, with back-pressure counted in unsent bytes;
 * behind an interceptor the message goes unframed through grpc-js, which frames it. Either way the
 * client reads exactly the message, and grpc-js's max send size still holds.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import { framedSink, SINK_QUEUE_BYTES, type FramedSink } from '../../xds-server/grpc-frame.js';
import type { DuplexCall } from '../../xds-server/stream.js';
import { bindLoopback, frame, rawBidiMethod, rawCall } from './raw-grpc.js';

const PATH = '/test.Frames/Echo';
const method = rawBidiMethod(PATH);

/** A server whose handler gives each call a sink and hands each message it receives to `onMessage`; reports whether the seam was engaged. */
async function serve(options: grpc.ServerOptions, onMessage: (sink: FramedSink, m: Buffer) => void): Promise<{ port: number; server: grpc.Server; direct: boolean[]; failures: Error[] }> {
  const server = new grpc.Server(options);
  const direct: boolean[] = [];
  const failures: Error[] = [];
  server.addService({ Echo: method }, {
    Echo: (call: DuplexCall) => {
      const sink = framedSink(call, (err) => failures.push(err));
      direct.push(sink.direct);
      call.on('data', (m: Buffer) => onMessage(sink, m));
      call.on('end', () => call.end());
    },
  });
  return { port: await bindLoopback(server), server, direct, failures };
}

/** Writes each message back twice from one shared buffer: neither path may consume or change it. */
const echoTwice = (sink: FramedSink, m: Buffer): void => {
  const f = frame(m);
  sink.write(f);
  sink.write(f);
};

const echo = (port: number, message: Buffer): ReturnType<typeof rawCall> => rawCall(port, PATH, [message]);

describe('pre-framed gRPC writes', () => {
  const servers: grpc.Server[] = [];
  afterAll(() => servers.forEach((s) => s.forceShutdown()));

  it("on grpc-js's base call, writes the frame as it is to the HTTP/2 stream and the client reads exactly the message", async () => {
    const { port, server, direct, failures } = await serve({}, echoTwice);
    servers.push(server);
    const message = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i % 251));
    const { received, status } = await echo(port, message);
    expect(direct).toEqual([true]);
    expect(failures).toEqual([]);
    expect(status.code).toBe(grpc.status.OK);
    expect(received).toHaveLength(2);
    for (const r of received) expect(r.equals(message)).toBe(true);
  });

  it("writes a turn's messages in order, after grpc-js's headers and before its trailers", async () => {
    const sizes = [0, 10, 40_000, 100_000, 3];
    const { port, server } = await serve({}, (sink, m) => {
      for (const n of sizes) sink.write(frame(Buffer.alloc(n, n % 251)));
      sink.write(frame(m));
    });
    servers.push(server);
    const { received, status } = await echo(port, Buffer.from('last'));
    expect(status.code).toBe(grpc.status.OK);
    expect(received.map((r) => r.length)).toEqual([...sizes, 4]);
    sizes.forEach((n, i) => expect(received[i]?.equals(Buffer.alloc(n, n % 251))).toBe(true));
    expect(received[sizes.length]?.toString()).toBe('last');
  });

  it('behind a server interceptor, writes the message unframed (the interceptor sees it) and grpc-js frames it', async () => {
    // An interceptor that marks every message it sends: it must see each one, unframed.
    const marking: grpc.ServerInterceptor = (_desc, call) =>
      new grpc.ServerInterceptingCall(call, { sendMessage: (m: Buffer, next: (m: Buffer) => void) => next(Buffer.concat([m, Buffer.from('!')])) });
    const { port, server, direct } = await serve({ interceptors: [marking] }, echoTwice);
    servers.push(server);
    const message = Buffer.from('a response of a server with interceptors');
    const { received, status } = await echo(port, message);
    expect(direct).toEqual([false]);
    expect(status.code).toBe(grpc.status.OK);
    expect(received.map((r) => r.toString())).toEqual([`${message.toString()}!`, `${message.toString()}!`]);
  });

  it("keeps grpc-js's max send message size", async () => {
    const { port, server, direct } = await serve({ 'grpc.max_send_message_length': 16 }, echoTwice);
    servers.push(server);
    const { received, status } = await echo(port, Buffer.alloc(17, 1));
    expect(direct).toEqual([true]);
    expect(received).toHaveLength(0);
    expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const ok = await echo(port, Buffer.alloc(16, 2));
    expect(ok.status.code).toBe(grpc.status.OK);
    expect(ok.received.map((r) => r.equals(Buffer.alloc(16, 2)))).toEqual([true, true]);
  });

  it('is full once the HTTP/2 stream holds SINK_QUEUE_BYTES unsent (a client that does not read), and drains when it reads', async () => {
    const chunk = frame(Buffer.alloc(20_000, 7));
    let full: ((r: { writes: number; drained: Promise<void> }) => void) | undefined;
    const filled = new Promise<{ writes: number; drained: Promise<void> }>((resolve) => (full = resolve));
    const { port, server, failures } = await serve({}, (sink) => {
      let writes = 0;
      // Stops at the first false (or after far more than the bound: then the expectation below fails).
      while (writes < 1000) {
        writes++;
        if (!sink.write(chunk)) break;
      }
      full?.({ writes, drained: new Promise<void>((resolve) => sink.onDrain(resolve)) });
    });
    servers.push(server);
    // A raw HTTP/2 client with a 1 KiB stream window that reads nothing until the sink is full.
    const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 1024 } });
    const req = session.request({ ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers' });
    // Ending the test ends the call (the server's shutdown): not an error of this test.
    session.on('error', () => undefined);
    req.on('error', () => undefined);
    req.pause();
    req.write(frame(Buffer.from('go')));
    const { writes, drained } = await filled;
    expect(writes).toBe(Math.ceil(SINK_QUEUE_BYTES / chunk.length));
    let bytes = 0;
    req.on('data', (d: Buffer) => (bytes += d.length));
    req.resume();
    await drained;
    await new Promise<void>((resolve) => {
      const check = (): void => (bytes >= writes * chunk.length ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(bytes).toBe(writes * chunk.length);
    expect(failures).toEqual([]);
    req.close(http2.constants.NGHTTP2_CANCEL);
    session.close();
  });
});
