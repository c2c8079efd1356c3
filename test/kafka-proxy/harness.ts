/**
 * Test peers for the Kafka proxy: the brokers (librdkafka's mock cluster, Apache Kafka), shared with
 * the benchmark in bench/kafka/peers.ts, and the proxy itself in-process. Every process started
 * here is stopped by its `stop()`, which the tests call in `afterAll`/`finally`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { formatDiagnostic } from '../../problems/index.js';
import os from 'node:os';
import path from 'node:path';
import { CACHE, KAFKA_VERSION, which } from '../../bench/kafka/peers.js';
import { createLogger, Registry, type Logger } from '../../telemetry/index.js';
import { KafkaProxy, PolicyStore, proxyMetrics, validateKafkaPolicy, type KafkaPolicyJson, type FlowLog, type ProxyMetrics } from '../../kafka-proxy/index.js';
export {
  CACHE, KAFKA_VERSION, kafkaBrokerUnavailable, mockBrokerBinary, mockUnavailable, startKafkaBroker, startMockCluster, type Peer,
} from '../../bench/kafka/peers.js';

export function kcatAvailable(): boolean {
  return which('kcat');
}

export interface RunningProxy {
  readonly proxy: KafkaProxy;
  readonly store: PolicyStore;
  readonly metrics: ProxyMetrics;
  readonly registry: Registry;
  readonly port: number;
  readonly bootstrap: string;
  readonly logs: Record<string, unknown>[];
  setRules(policies: readonly KafkaPolicyJson[]): void;
  stop(): Promise<void>;
}

/** Validates policy JSON the way the xDS client does; throws with the field paths when invalid. */
export function policies(json: readonly KafkaPolicyJson[]) {
  return json.map((p) => {
    const { policy, problems } = validateKafkaPolicy(p);
    if (problems.length > 0) throw new Error(problems.map((x) => formatDiagnostic(x, 'brief')).join('; '));
    return policy;
  });
}

/** Starts the proxy in-process in fixed-upstream mode, logs captured in `logs`. */
export async function startProxy(upstream: { host: string; port: number }, rules: readonly KafkaPolicyJson[], options: { flowLog?: FlowLog; frameTimeoutMs?: number; maxFrameBytes?: number; logger?: Logger; uncovered?: 'deny' | 'allow' } = {}): Promise<RunningProxy> {
  const logs: Record<string, unknown>[] = [];
  const logger = options.logger ?? createLogger({ level: 'debug', write: (line) => { if (logs.length < 20_000) logs.push(JSON.parse(line) as Record<string, unknown>); } });
  const registry = new Registry();
  const metrics = proxyMetrics(registry);
  const store = new PolicyStore();
  store.set(policies(rules), 'test-1');
  const proxy = new KafkaProxy({
    listen: { host: '127.0.0.1', port: 0 }, upstream, store, logger, metrics, flowLog: options.flowLog ?? 'all',
    ...(options.frameTimeoutMs ? { frameTimeoutMs: options.frameTimeoutMs } : {}),
    ...(options.maxFrameBytes ? { maxFrameBytes: options.maxFrameBytes } : {}),
    ...(options.uncovered ? { uncovered: options.uncovered } : {}),
  });
  const bound = await proxy.start();
  let version = 1;
  return {
    proxy, store, metrics, registry, port: bound.port, bootstrap: `127.0.0.1:${bound.port}`, logs,
    setRules: (json) => store.set(policies(json), `test-${++version}`),
    stop: () => proxy.close(),
  };
}

export { eventually } from '../support/poll.js';

/** A raw Kafka connection for tests that need exact frames: send a frame, read whole response frames. */
export class RawConnection {
  private readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next whole response frame (size prefix removed), or undefined once the connection closed. */
  async read(timeoutMs = 15_000): Promise<Buffer | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffer.length >= 4) {
        const size = this.buffer.readInt32BE(0);
        if (this.buffer.length >= size + 4) {
          const frame = this.buffer.subarray(4, size + 4);
          this.buffer = this.buffer.subarray(size + 4);
          return frame;
        }
      }
      if (this.closed) return undefined;
      const left = until - Date.now();
      if (left <= 0) throw new Error('no response frame in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Resolves true once the peer closed the connection. */
  async waitClosed(timeoutMs = 15_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, until - Date.now()));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Runs one of Apache Kafka's own command-line clients (the Java reference client, from the cached
 * jars): `org.apache.kafka.tools.ConsoleProducer`, `…consumer.ConsoleConsumer`.
 */
export function javaClient(mainClass: string, args: readonly string[], input = '', timeoutMs = 60_000): Promise<{ code: number; output: string }> {
  const libs = path.join(CACHE, `kafka-${KAFKA_VERSION}`, 'libs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-java-'));
  const log4j = path.join(dir, 'log4j2.properties');
  writeFileSync(log4j, 'rootLogger.level=WARN\nrootLogger.appenderRef.e.ref=E\nappender.e.type=Console\nappender.e.name=E\nappender.e.target=SYSTEM_ERR\nappender.e.layout.type=PatternLayout\nappender.e.layout.pattern=%p %m%n\n');
  return new Promise((resolve) => {
    const child = spawn('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${log4j}`, '-cp', `${libs}/*`, mainClass, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? -1, output });
    });
    child.stdin?.end(input);
  });
}
