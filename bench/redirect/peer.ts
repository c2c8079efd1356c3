/**
 * The small programs the redirect tests and benchmark run as separate processes (so each can be
 * placed in its own cgroup and network namespace). Every mode prints JSON lines on stdout.
 *
 *   proxy  --listen HOST:PORT          the stand-in proxy: reads each accepted connection's
 *                                      original destination (SO_ORIGINAL_DST, or the local
 *                                      address for sk_assign'ed ones), prints it, forwards to it
 *   echo   --listen HOST:PORT --name N  replies "N <local address>:<port>\n", then echoes
 *   sink   --listen HOST:PORT          reads and discards
 *   client --connect HOST:PORT [--bind ADDR] [--local-port N] [--hold] [--timeout MS]
 *                                      sends "hello\n", prints the first reply line; with --hold
 *                                      keeps the connection and echoes a line per stdin line;
 *                                      gives up (event "error", message "timeout") after MS
 *   crr    --connect HOST:PORT --count N --concurrency C [--bind ADDR] [--http PATH]
 *                                      connect / 1-byte request / 1-byte response / close; with
 *                                      --http, the request is `GET PATH` (HTTP/1.1, Connection:
 *                                      close) and the latency ends at the response's first bytes
 *   bulk   --connect HOST:PORT --seconds S   sends as fast as it can, prints bytes per second
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { originalDestination } from '../../bpf/index.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    listen: { type: 'string' },
    connect: { type: 'string' },
    bind: { type: 'string' },
    name: { type: 'string', default: 'echo' },
    count: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '3' },
    hold: { type: 'boolean', default: false },
    'local-port': { type: 'string' },
    timeout: { type: 'string' },
    http: { type: 'string' },
  },
});

const emit = (record: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(record)}\n`);

function endpoint(text: string | undefined, flag: string): { host: string; port: number } {
  const match = text ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(text) : null;
  if (!match?.[1] || !match[2]) throw new Error(`--${flag} HOST:PORT is required`);
  return { host: match[1], port: Number(match[2]) };
}

function proxy(): void {
  const listen = endpoint(values.listen, 'listen');
  const server = createServer({ noDelay: true }, (down) => {
    down.on('error', () => undefined);
    let orig;
    try {
      orig = originalDestination(down);
    } catch (error) {
      emit({ event: 'error', message: String(error) });
      down.destroy();
      return;
    }
    emit({ event: 'accept', orig, remote: `${down.remoteAddress}:${down.remotePort}`, local: `${down.localAddress}:${down.localPort}` });
    if (orig.port === listen.port && orig.source === 'so_original_dst') {
      emit({ event: 'loop', orig }); // our own upstream came back to us
      down.destroy();
      return;
    }
    const up = createConnection({ host: orig.address, port: orig.port, noDelay: true });
    up.on('error', (error) => {
      emit({ event: 'upstream-error', message: error.message });
      down.destroy();
    });
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
    down.pipe(up);
    up.pipe(down);
  });
  server.listen(listen.port, listen.host, () => emit({ event: 'listening', port: listen.port }));
}

function echo(): void {
  const listen = endpoint(values.listen, 'listen');
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.write(`${values.name} ${socket.localAddress}:${socket.localPort}\n`);
    socket.pipe(socket);
  });
  server.listen(listen.port, listen.host, () => emit({ event: 'listening', port: listen.port }));
}

function sink(): void {
  const listen = endpoint(values.listen, 'listen');
  createServer((socket) => {
    socket.on('error', () => undefined);
    socket.resume();
  }).listen(listen.port, listen.host, () => emit({ event: 'listening', port: listen.port }));
}

function connect(): Socket {
  const target = endpoint(values.connect, 'connect');
  const localPort = values['local-port'] === undefined ? {} : { localPort: Number(values['local-port']) };
  return createConnection({ host: target.host, port: target.port, localAddress: values.bind, ...localPort, noDelay: true });
}

function client(): void {
  const socket = connect();
  socket.on('error', (error) => {
    emit({ event: 'error', message: error.message });
    process.exit(1);
  });
  if (values.timeout !== undefined) {
    setTimeout(() => {
      emit({ event: 'error', message: 'timeout' });
      process.exit(1);
    }, Number(values.timeout)).unref();
  }
  const lines = createInterface({ input: socket });
  let first = true;
  lines.on('line', (line) => {
    emit({ event: first ? 'reply' : 'echo', line, local: `${socket.localAddress}:${socket.localPort}` });
    if (first && !values.hold) socket.end();
    first = false;
  });
  socket.write('hello\n');
  if (values.hold) createInterface({ input: process.stdin }).on('line', (line) => socket.write(`${line}\n`)).on('close', () => socket.end());
}

async function crr(): Promise<void> {
  const count = Number(values.count);
  const concurrency = Number(values.concurrency);
  const latencies: number[] = [];
  const request = values.http === undefined ? 'x' : `GET ${values.http} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n`;
  let started = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const socket = connect();
      socket.once('error', reject);
      socket.once('connect', () => socket.write(request));
      socket.once('data', (first: Buffer) => {
        if (values.http !== undefined && !first.toString('latin1', 0, 12).startsWith('HTTP/1.1 200')) {
          socket.destroy();
          reject(new Error(`not a 200: ${first.toString('latin1').split('\r\n')[0]}`));
          return;
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e3);
        socket.destroy();
        resolve();
      });
    });
  const t0 = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (started < count) {
      started += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  emit({ event: 'crr', count, seconds, rate: count / seconds, p50us: q(0.5), p99us: q(0.99) });
}

function bulk(): void {
  const seconds = Number(values.seconds);
  const socket = connect();
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  let t0 = 0n;
  let done = false;
  const pump = (): void => {
    while (!done && socket.write(chunk)) sent += chunk.length;
    if (!done) sent += chunk.length;
  };
  socket.on('error', (error) => emit({ event: 'error', message: error.message }));
  socket.on('data', () => undefined);
  socket.on('connect', () => {
    t0 = process.hrtime.bigint();
    pump();
    setTimeout(() => {
      done = true;
      const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
      emit({ event: 'bulk', bytes: sent, seconds: elapsed, bytesPerSecond: sent / elapsed });
      socket.destroy();
    }, seconds * 1000);
  });
  socket.on('drain', pump);
}

const mode = positionals[0];
switch (mode) {
  case 'proxy':
    proxy();
    break;
  case 'echo':
    echo();
    break;
  case 'sink':
    sink();
    break;
  case 'client':
    client();
    break;
  case 'crr':
    crr().catch((error: unknown) => {
      emit({ event: 'error', message: String(error) });
      process.exit(1);
    });
    break;
  case 'bulk':
    bulk();
    break;
  default:
    process.stderr.write(`peer: unknown mode ${String(mode)} (proxy | echo | sink | client | crr | bulk)\n`);
    process.exit(2);
}
