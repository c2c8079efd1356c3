/**
 * Pre-framed writes (xds-server/grpc-frame.ts) on a real grpc-js server and client: on grpc-js's
 * base call the frame sluice built is written as it is (the seam is engaged: a grpc-js upgrade that
 * moves it fails here, not silently); behind an interceptor the message goes unframed and grpc-js
 * frames it. Either way the client reads exactly the message, and grpc-js's max send size still holds.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { framedWrites } from '../../xds-server/grpc-frame.js';
import type { DuplexCall } from '../../xds-server/stream.js';
import { bindLoopback, frame, rawBidiMethod, rawCall } from './raw-grpc.js';

const PATH = '/test.Frames/Echo';
const method = rawBidiMethod(PATH);

/** A server whose handler writes each message it receives back pre-framed, twice; reports whether the seam was engaged. */
async function serve(options: grpc.ServerOptions): Promise<{ port: number; server: grpc.Server; framed: boolean[] }> {
  const server = new grpc.Server(options);
  const framed: boolean[] = [];
  server.addService({ Echo: method }, {
    Echo: (call: DuplexCall) => {
      const w = framedWrites(call);
      framed.push(w.framed);
      call.on('data', (m: Buffer) => {
        const f = frame(m);
        w.write(f);
        w.write(f); // the same shared buffer again: grpc-js must not have consumed or changed it
      });
      call.on('end', () => call.end());
    },
  });
  return { port: await bindLoopback(server), server, framed };
}

const echo = (port: number, message: Buffer): ReturnType<typeof rawCall> => rawCall(port, PATH, [message]);

describe('pre-framed gRPC writes', () => {
  const servers: grpc.Server[] = [];
  afterAll(() => servers.forEach((s) => s.forceShutdown()));

  it("on grpc-js's base call, writes the frame as it is and the client reads exactly the message", async () => {
    const { port, server, framed } = await serve({});
    servers.push(server);
    const message = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i % 251));
    const { received, status } = await echo(port, message);
    expect(framed).toEqual([true]);
    expect(status.code).toBe(grpc.status.OK);
    expect(received).toHaveLength(2);
    for (const r of received) expect(r.equals(message)).toBe(true);
  });

  it('behind a server interceptor, writes the message unframed (the interceptor sees it) and grpc-js frames it', async () => {
    // An interceptor that marks every message it sends: it must see each one, unframed.
    const marking: grpc.ServerInterceptor = (_desc, call) =>
      new grpc.ServerInterceptingCall(call, { sendMessage: (m: Buffer, next: (m: Buffer) => void) => next(Buffer.concat([m, Buffer.from('!')])) });
    const { port, server, framed } = await serve({ interceptors: [marking] });
    servers.push(server);
    const message = Buffer.from('a response of a server with interceptors');
    const { received, status } = await echo(port, message);
    expect(framed).toEqual([false]);
    expect(status.code).toBe(grpc.status.OK);
    expect(received.map((r) => r.toString())).toEqual([`${message.toString()}!`, `${message.toString()}!`]);
  });

  it("keeps grpc-js's max send message size on pre-framed writes", async () => {
    const { port, server, framed } = await serve({ 'grpc.max_send_message_length': 16 });
    servers.push(server);
    const { received, status } = await echo(port, Buffer.alloc(17, 1));
    expect(framed).toEqual([true]);
    expect(received).toHaveLength(0);
    expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const ok = await echo(port, Buffer.alloc(16, 2));
    expect(ok.status.code).toBe(grpc.status.OK);
    expect(ok.received.map((r) => r.equals(Buffer.alloc(16, 2)))).toEqual([true, true]);
  });
});
