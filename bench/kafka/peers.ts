/**
 * The benchmark's peers: an Apache Kafka KRaft broker from the jars .ci/deps/kafka.sh caches, or
 * librdkafka's mock cluster (test/kafka-proxy/broker/mockbroker.c, compiled into the cache), and
 * the proxy as its own process (`sluice kafka-proxy --rules`), as it runs in production.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const CACHE = process.env['SLUICE_CACHE'] ?? (process.getuid?.() === 0 ? '/var/cache/sluice' : path.join(os.homedir(), '.cache', 'sluice'));
const KAFKA_VERSION = '4.1.1';

export interface Running {
  readonly host: string;
  readonly port: number;
  readonly label: string;
  stop(): Promise<void>;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => { clearTimeout(t); resolve(); });
    child.kill('SIGTERM');
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitPort(port: number, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); r(true); });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`port ${port} not open after ${ms} ms`);
}

export function kafkaAvailable(): boolean {
  return existsSync(path.join(CACHE, `kafka-${KAFKA_VERSION}`, 'libs', '.complete'));
}

export async function startKafka(): Promise<Running> {
  const libs = path.join(CACHE, `kafka-${KAFKA_VERSION}`, 'libs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-kafka-'));
  const [port, controller] = [await freePort(), await freePort()];
  const config = path.join(dir, 'server.properties');
  writeFileSync(config, [
    'process.roles=broker,controller', 'node.id=1', `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`, `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER', 'inter.broker.listener.name=PLAINTEXT', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${path.join(dir, 'data')}`, 'offsets.topic.replication.factor=1', 'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1', 'group.initial.rebalance.delay.ms=0', 'offsets.topic.num.partitions=1',
  ].join('\n'));
  writeFileSync(path.join(dir, 'log4j2.properties'), 'rootLogger.level=ERROR\nrootLogger.appenderRef.e.ref=E\nappender.e.type=Console\nappender.e.name=E\nappender.e.target=SYSTEM_ERR\nappender.e.layout.type=PatternLayout\nappender.e.layout.pattern=%m%n\n');
  const jvm = ['-Xms512m', '-Xmx1g', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`, '-cp', `${libs}/*`];
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', 'sluice-bench-cluster-01', '-c', config], { stdio: 'pipe' });
  } catch (error) {
    cleanup();
    throw error;
  }
  const child = spawn('java', [...jvm, 'kafka.Kafka', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const running: Running = { host: '127.0.0.1', port, label: `Apache Kafka ${KAFKA_VERSION} (KRaft, single node)`, stop: async () => { await stop(child); cleanup(); } };
  try {
    await waitPort(port, child, 120_000);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

export async function startMock(): Promise<Running> {
  const source = path.resolve('test/kafka-proxy/broker/mockbroker.c');
  const binary = path.join(CACHE, 'kafka-mock', 'mockbroker');
  if (!existsSync(binary)) {
    mkdirSync(path.dirname(binary), { recursive: true });
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' }).trim().split(/\s+/);
    execFileSync('gcc', ['-O2', '-o', binary, source, ...flags]);
  }
  const child = spawn(binary, ['1', 'bench:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const [host = '127.0.0.1', port = '0'] = (line.split(',')[0] ?? '').split(':');
  return { host, port: Number(port), label: 'librdkafka mock cluster', stop: () => stop(child) };
}

/** `sluice kafka-proxy` in its own process with an allow rule for the benchmark's topic and group. */
export async function startProxy(upstream: Running, flowLog: string): Promise<Running> {
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
  const child = spawn(process.execPath, ['dist/cli/main.js', 'kafka-proxy', '--rules', rules, '--listen', `127.0.0.1:${listen}`,
    '--upstream', `${upstream.host}:${upstream.port}`, '--admin', `127.0.0.1:${admin}`, '--flow-log', flowLog], { stdio: ['ignore', 'ignore', 'ignore'] });
  const running: Running = { host: '127.0.0.1', port: listen, label: `sluice kafka-proxy (flow log: ${flowLog})`, stop: async () => { await stop(child); rmSync(dir, { recursive: true, force: true }); } };
  try {
    await waitPort(listen, child, 30_000);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}
