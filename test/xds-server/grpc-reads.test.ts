/**
 * Direct request reads (xds-server/grpc-reads.ts): the message cutter on every split of its input,
 * then on a real grpc-js server with a grpc-js client and a raw HTTP/2 client. On grpc-js's base call
 * the seam is engaged (a grpc-js upgrade that moves it fails here, not silently), messages arrive
 * whole and in order however the bytes are cut, a message over the limit ends the call before it is
 * read, a compressed message is handed back to grpc-js (which decompresses it) with every message
 * after it in order, and behind an interceptor grpc-js reads as before.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { GRPC_PREFIX_BYTES, writeGrpcPrefix } from '../../xds-server/grpc-frame.js';
import { MessageReader, readRequests } from '../../xds-server/grpc-reads.js';
import type { DuplexCall } from '../../xds-server/stream.js';
import { bindLoopback, frame, rawBidiMethod, rawCall } from './raw-grpc.js';

const PATH = '/test.Reads/Collect';
const method = rawBidiMethod(PATH);

const pattern = (length: number, seed: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed) % 251));

describe('MessageReader', () => {
  const messages = [pattern(0, 1), pattern(3, 2), pattern(300, 3), pattern(1, 4)];
  const wire = Buffer.concat(messages.map((m) => frame(m)));

  function collect(chunks: readonly Buffer[], maxBytes = 1000): { got: Buffer[]; tooLarge: number[]; handedBack: Buffer[] } {
    const got: Buffer[] = [];
    const tooLarge: number[] = [];
    const handedBack: Buffer[] = [];
    const reader = new MessageReader(maxBytes, { message: (b) => got.push(Buffer.from(b)), tooLarge: (n) => tooLarge.push(n) }, (c) => handedBack.push(Buffer.from(c)));
    for (const c of chunks) reader.read(c);
    return { got, tooLarge, handedBack };
  }

  it('cuts the same messages out of the bytes however they are split in two or three reads', () => {
    for (let i = 0; i <= wire.length; i++) {
      for (const j of [i, Math.min(wire.length, i + 1), Math.min(wire.length, i + 4), Math.min(wire.length, i + 200)]) {
        const { got, tooLarge, handedBack } = collect([wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)]);
        expect(got).toEqual(messages);
        expect(tooLarge).toEqual([]);
        expect(handedBack).toEqual([]);
      }
    }
  });

  it('reads a message given one byte at a time', () => {
    expect(collect([...wire].map((b) => Buffer.from([b]))).got).toEqual(messages);
  });

  it('stops at a length over the limit, before its bytes arrive, and reads nothing after', () => {
    const big = Buffer.alloc(GRPC_PREFIX_BYTES);
    writeGrpcPrefix(big, 1001);
    const { got, tooLarge } = collect([frame(pattern(5, 9)), big.subarray(0, 2), big.subarray(2), frame(pattern(2, 1))]);
    expect(got).toEqual([pattern(5, 9)]);
    expect(tooLarge).toEqual([1001]);
    // The limit itself is accepted.
    expect(collect([frame(pattern(1000, 1))]).got).toEqual([pattern(1000, 1)]);
  });

  it('hands back everything from the first compressed message on, in order, split or not', () => {
    const compressed = frame(Buffer.from('zz'), 1);
    const after = frame(pattern(4, 4));
    for (let i = 0; i <= compressed.length; i++) {
      const first = Buffer.concat([frame(pattern(3, 3)), compressed.subarray(0, i)]);
      const { got, handedBack } = collect([first, compressed.subarray(i), after]);
      expect(got).toEqual([pattern(3, 3)]);
      expect(Buffer.concat(handedBack)).toEqual(Buffer.concat([compressed, after]));
    }
  });
});

/** A server whose handler collects what `readRequests` delivers; each call's record is pushed when the call starts. */
async function serve(options: grpc.ServerOptions, maxBytes = 1 << 20): Promise<{ port: number; server: grpc.Server; calls: { direct: boolean; got: Buffer[] }[] }> {
  const server = new grpc.Server(options);
  const calls: { direct: boolean; got: Buffer[] }[] = [];
  server.addService({ Collect: method }, {
    Collect: (call: DuplexCall) => {
      const got: Buffer[] = [];
      const { direct } = readRequests(call, maxBytes, {
        message: (b) => got.push(Buffer.from(b)),
        tooLarge: (n) => call.emit('error', Object.assign(new Error(`too large: ${n}`), { code: grpc.status.RESOURCE_EXHAUSTED, details: `too large: ${n}` })),
      });
      calls.push({ direct, got });
      call.on('end', () => call.end());
    },
  });
  return { port: await bindLoopback(server), server, calls };
}

async function send(port: number, messages: readonly Buffer[], options: grpc.ChannelOptions = {}): Promise<grpc.StatusObject> {
  return (await rawCall(port, PATH, messages, options)).status;
}

/** Sends raw HTTP/2 DATA (each buffer one write) on a gRPC call; resolves with its grpc-status. */
async function sendRaw(port: number, writes: readonly Buffer[], headers: http2.OutgoingHttpHeaders = {}): Promise<string | undefined> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const req = session.request({ ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    const status = new Promise<string | undefined>((resolve, reject) => {
      req.on('trailers', (t) => resolve(t['grpc-status'] as string | undefined));
      req.on('response', (h) => {
        if (h['grpc-status'] !== undefined) resolve(h['grpc-status'] as string);
      });
      req.on('error', reject);
    });
    req.on('data', () => undefined);
    for (const w of writes) {
      await new Promise<void>((resolve) => req.write(w, () => resolve()));
    }
    req.end();
    return await status;
  } finally {
    session.close();
  }
}

describe('direct gRPC request reads', () => {
  const servers: grpc.Server[] = [];
  afterAll(() => servers.forEach((s) => s.forceShutdown()));

  it("on grpc-js's base call, reads every message itself, whole and in order (empty, small, over several HTTP/2 frames)", async () => {
    const { port, server, calls } = await serve({});
    servers.push(server);
    const messages = [Buffer.alloc(0), pattern(10, 1), pattern(100_000, 2), ...Array.from({ length: 50 }, (_, i) => pattern(i, i))];
    const status = await send(port, messages);
    expect(status.code).toBe(grpc.status.OK);
    expect(calls.map((c) => c.direct)).toEqual([true]);
    expect(calls[0]?.got).toEqual(messages);
  });

  it('reads messages whose bytes arrive in DATA frames of one byte, and prefixes split across frames', async () => {
    const { port, server, calls } = await serve({});
    servers.push(server);
    const messages = [pattern(7, 1), pattern(2, 2)];
    const wire = Buffer.concat(messages.map((m) => frame(m)));
    expect(await sendRaw(port, [...wire].map((b) => Buffer.from([b])))).toBe('0');
    expect(calls[0]?.direct).toBe(true);
    expect(calls[0]?.got).toEqual(messages);
  });

  it('ends the call with RESOURCE_EXHAUSTED when a prefix announces more than the limit, without reading it', async () => {
    const { port, server, calls } = await serve({}, 1000);
    servers.push(server);
    const status = await send(port, [pattern(1000, 1), pattern(1001, 2), pattern(3, 3)]);
    expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(status.details).toBe('too large: 1001');
    expect(calls[0]?.got).toEqual([pattern(1000, 1)]);
  });

  it('hands a compressed message back to grpc-js, which decompresses it, and keeps the order of what follows', async () => {
    const { port, server, calls } = await serve({});
    servers.push(server);
    const writes = [frame(Buffer.from('plain first')), frame(zlib.gzipSync(Buffer.from('compressed')), 1), frame(Buffer.from('plain after'))];
    expect(await sendRaw(port, writes, { 'grpc-encoding': 'gzip' })).toBe('0');
    expect(calls[0]?.direct).toBe(true);
    expect(calls[0]?.got.map((b) => b.toString())).toEqual(['plain first', 'compressed', 'plain after']);
  });

  it('reads what a grpc-js client sends compressed (gzip): every message through grpc-js', async () => {
    const { port, server, calls } = await serve({});
    servers.push(server);
    const messages = [pattern(2000, 1), pattern(5, 2)];
    const status = await send(port, messages, { 'grpc.default_compression_algorithm': 2 });
    expect(status.code).toBe(grpc.status.OK);
    expect(calls[0]?.got).toEqual(messages);
  });

  it('behind a server interceptor, leaves reading to grpc-js (the interceptor sees every message)', async () => {
    const seen: number[] = [];
    const counting: grpc.ServerInterceptor = (_desc, call) =>
      new grpc.ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMessage: (m: Buffer, nextMessage: (m: Buffer) => void) => {
              seen.push(m.length);
              nextMessage(m);
            },
          }),
      });
    const { port, server, calls } = await serve({ interceptors: [counting] });
    servers.push(server);
    const messages = [pattern(3, 1), pattern(4, 2)];
    expect((await send(port, messages)).code).toBe(grpc.status.OK);
    expect(calls.map((c) => c.direct)).toEqual([false]);
    expect(calls[0]?.got).toEqual(messages);
    expect(seen).toEqual([3, 4]);
  });
});
