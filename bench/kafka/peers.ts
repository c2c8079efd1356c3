/**
 * Kafka peers, for the tests and the benchmark alike: librdkafka's mock cluster (a small C
 * launcher, test/kafka-proxy/broker/mockbroker.c, compiled into the cache on first use), a
 * single-node Apache Kafka KRaft broker (jars resolved from Maven Central by .ci/deps/kafka.sh),
 * and, for the benchmark, `sluice kafka-proxy` as its own process. Every process started here is
 * stopped by its `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PEER_CACHE as CACHE } from '../cache.js';

export { PEER_CACHE as CACHE } from '../cache.js';
export const KAFKA_VERSION = '4.1.1';

/** The repository root, from the source tree or from `dist/`. */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
}

export function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Peer {
  readonly host: string;
  readonly port: number;
  readonly bootstrap: string;
  readonly label: string;
  stop(): Promise<void>;
}

export function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, deadlineMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`port ${port} did not open within ${deadlineMs} ms`);
}

/** Why the mock cluster cannot run here, or undefined when it can. */
export function mockUnavailable(): string | undefined {
  if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h')) return 'librdkafka-dev is not installed (run .ci/deps/kafka.sh as root)';
  if (!which('gcc') || !which('pkg-config')) return 'gcc or pkg-config missing';
  return undefined;
}

/** The launcher binary, compiled into the cache when missing or older than its source. */
export function mockBrokerBinary(): string {
  const source = path.join(repoRoot(), 'test', 'kafka-proxy', 'broker', 'mockbroker.c');
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
  return { host, port: Number(port), bootstrap: line.trim(), label: 'librdkafka mock cluster', stop: () => stopProcess(child) };
}

/** Where the Kafka jars are, or why a real broker cannot run here. */
export function kafkaBrokerUnavailable(): string | undefined {
  const libs = path.join(CACHE, `kafka-${KAFKA_VERSION}`, 'libs');
  if (!which('java')) return 'no java on PATH (run .ci/deps/kafka.sh as root)';
  if (!existsSync(libs) || !readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) return `Kafka jars missing in ${libs} (run .ci/deps/kafka.sh)`;
  return undefined;
}

/**
 * JVM settings: `test` starts fast on a small heap (serial GC, C1 only); `bench` is tuned for
 * steady throughput (G1, a larger heap).
 */
const JVM_PROFILES = {
  test: ['-Xms256m', '-Xmx768m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'],
  bench: ['-Xms512m', '-Xmx1g', '-XX:+UseG1GC'],
} as const;

/** Starts a single-node KRaft broker (combined broker and controller) on loopback, in a temp dir. */
export async function startKafkaBroker(profile: keyof typeof JVM_PROFILES = 'test'): Promise<Peer> {
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
  const jvm = [...JVM_PROFILES[profile], `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`, '-cp', `${libs}/*`];
  try {
    execFileSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', 'sluice-test-cluster-0001', '-c', config], { stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const child = spawn('java', [...jvm, 'kafka.Kafka', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
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
  return { host: '127.0.0.1', port, bootstrap: `127.0.0.1:${port}`, label: `Apache Kafka ${KAFKA_VERSION} (KRaft, single node)`, stop };
}

/** `sluice kafka-proxy` in its own process with an allow rule for the benchmark's topic and group. */
export async function startProxyProcess(upstream: Peer, flowLog: string): Promise<Peer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-proxy-'));
  const rules = path.join(dir, 'rules.json');
  writeFileSync(rules, JSON.stringify([{
    name: 'bench', policy: 'bench/kafka', endpoints: [{ address: upstream.host, port: upstream.port }],
    allow: [
      { id: 'bench#produce', role: 'produce', api_keys: [0, 3, 10, 17, 18, 22, 36, 60], topic: { prefix: 'bench' } },
      { id: 'bench#consume', role: 'consume', api_keys: [1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 17, 18, 23, 36, 60], topic: { prefix: 'bench' }, group: { prefix: 'bench-' } },
    ],
    deny: [{ id: 'bench#deny', topic: { prefix: 'internal.' } }],
  }]));
  const [listen, admin] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [path.join(repoRoot(), 'dist', 'cli', 'main.js'), 'kafka-proxy', '--rules', rules, '--listen', `127.0.0.1:${listen}`,
    '--upstream', `${upstream.host}:${upstream.port}`, '--admin', `127.0.0.1:${admin}`, '--flow-log', flowLog], { stdio: ['ignore', 'ignore', 'ignore'] });
  const stop = async (): Promise<void> => {
    await stopProcess(child, 20_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(listen, 30_000, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: '127.0.0.1', port: listen, bootstrap: `127.0.0.1:${listen}`, label: `sluice kafka-proxy (flow log: ${flowLog})`, stop };
}
