/**
 * Test peers for the Kafka proxy: librdkafka's mock cluster (a small C launcher compiled into the
 * cache on first use), a single-node Apache Kafka KRaft broker (jars resolved from Maven Central
 * by .ci/deps/kafka.sh), and the proxy itself in-process. Every process started here is stopped
 * by its `stop()`, which the tests call in `afterAll`/`finally`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogger, Registry, type Logger } from '../../telemetry/index.js';
import { KafkaProxy, PolicyStore, proxyMetrics, validateKafkaPolicy, type KafkaPolicyJson, type FlowLog, type ProxyMetrics } from '../../kafka-proxy/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CACHE = process.env['SLUICE_CACHE'] ?? (process.getuid?.() === 0 ? '/var/cache/sluice' : path.join(os.homedir(), '.cache', 'sluice'));
export const KAFKA_VERSION = '4.1.1';

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the mock cluster cannot run here, or undefined when it can. */
export function mockUnavailable(): string | undefined {
  if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h')) return 'librdkafka-dev is not installed (run .ci/deps/kafka.sh as root)';
  if (!which('gcc') || !which('pkg-config')) return 'gcc or pkg-config missing';
  return undefined;
}

export function kcatAvailable(): boolean {
  return which('kcat');
}

/** The launcher binary, compiled into the cache when missing or older than its source. */
export function mockBrokerBinary(): string {
  const source = path.join(here, 'broker', 'mockbroker.c');
  const dir = path.join(CACHE, 'kafka-mock');
  const binary = path.join(dir, 'mockbroker');
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  mkdirSync(dir, { recursive: true });
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  const tmp = `${binary}.${process.pid}`;
  execFileSync('gcc', ['-O2', '-o', tmp, source, ...flags]);
  execFileSync('mv', [tmp, binary]);
  return binary;
}

export interface Peer {
  readonly host: string;
  readonly port: number;
  readonly bootstrap: string;
  stop(): Promise<void>;
}

function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts the mock cluster with `brokers` brokers and pre-created topics (`name` or `name:partitions`). */
export async function startMockCluster(brokers: number, topics: readonly string[]): Promise<Peer> {
  const child = spawn(mockBrokerBinary(), [String(brokers), ...topics], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.resume();
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`mockbroker exited with ${code} before printing its address`)));
  });
  const [host = '', port = '0'] = (line.split(',')[0] ?? '').split(':');
  return { host, port: Number(port), bootstrap: line.trim(), stop: () => stopProcess(child) };
}

/** Where the Kafka jars are, or why a real broker cannot run here. */
export function kafkaBrokerUnavailable(): string | undefined {
  const libs = path.join(CACHE, `kafka-${KAFKA_VERSION}`, 'libs');
  if (!which('java')) return 'no java on PATH (run .ci/deps/kafka.sh as root)';
  if (!existsSync(libs) || !readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) return `Kafka jars missing in ${libs} (run .ci/deps/kafka.sh)`;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, deadlineMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`port ${port} did not open within ${deadlineMs} ms`);
}

/** Starts a single-node KRaft broker (combined broker+controller) on loopback, in a temp dir. */
export async function startKafkaBroker(): Promise<Peer> {
  const libs = path.join(CACHE, `kafka-${KAFKA_VERSION}`, 'libs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-'));
  const [port, controller] = [await freePort(), await freePort()];
  const config = path.join(dir, 'server.properties');
  writeFileSync(config, [
    'process.roles=broker,controller', 'node.id=1', `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`, `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER', 'inter.broker.listener.name=PLAINTEXT', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${path.join(dir, 'data')}`, 'num.partitions=1', 'offsets.topic.replication.factor=1', 'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1', 'group.initial.rebalance.delay.ms=0', 'auto.create.topics.enable=true', 'offsets.topic.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1', 'share.coordinator.state.topic.min.isr=1',
  ].join('\n'));
  writeFileSync(path.join(dir, 'log4j2.properties'), 'rootLogger.level=WARN\nrootLogger.appenderRef.stderr.ref=STDERR\nappender.stderr.type=Console\nappender.stderr.name=STDERR\nappender.stderr.target=SYSTEM_ERR\nappender.stderr.layout.type=PatternLayout\nappender.stderr.layout.pattern=%d %p %m%n\n');
  const classpath = `${libs}/*`;
  const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`, '-cp', classpath];
  try {
    execFileSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', 'sluice-test-cluster-0001', '-c', config], { stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const child = spawn('java', [...jvm, 'kafka.Kafka', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const stop = async (): Promise<void> => {
    await stopProcess(child, 20_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 120_000, child);
  } catch (error) {
    await stop();
    throw new Error(`Kafka did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { host: '127.0.0.1', port, bootstrap: `127.0.0.1:${port}`, stop };
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
    if (problems.length > 0) throw new Error(problems.map((x) => `${x.path}: ${x.message}`).join('; '));
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

/** Polls `check` until it holds (generous deadlines for a loaded 2-core machine). */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

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
