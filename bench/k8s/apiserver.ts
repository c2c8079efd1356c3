/**
 * A real Kubernetes API server for the tests and benchmarks: etcd and kube-apiserver (built from
 * the Go module proxy by .ci/deps/kube.sh into the cache), started on free loopback ports with a
 * temp data directory, a static admin token, service-account keys and the API server's own
 * self-signed serving certificate; a kubeconfig for clients. There is no controller-manager,
 * scheduler or kubelet: Pods stay Pending, namespaces never finish terminating; tests play the
 * kubelet's part where they need it. `stop()` kills both by PID and removes the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sluiceCacheDir } from '../../controller/envoy-binary.js';

export const KUBE_VERSION = '1.34.4';
export const ADMIN_TOKEN = 'sluice-test-admin-token';

export function kubeBinaries(): { apiserver: string; etcd: string } | { missing: string } {
  const dir = path.join(sluiceCacheDir(), `kube-${KUBE_VERSION}`);
  const apiserver = path.join(dir, 'kube-apiserver');
  const etcd = path.join(dir, 'etcd');
  if (existsSync(apiserver) && existsSync(etcd)) return { apiserver, etcd };
  return { missing: `no kube-apiserver/etcd in ${dir}: run .ci/deps/kube.sh (it builds them from the Go module proxy, about 6 minutes the first time)` };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number, alive: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(`${what}: ${dead}`);
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Why the bed is dead: the first of its processes that exited, with the logs' tail. */
function exited(children: readonly ChildProcess[], log: string): string | undefined {
  return children.map((c) => (c.exitCode !== null || c.signalCode !== null ? `a process exited (${c.exitCode ?? c.signalCode}):\n${log.slice(-4000)}` : undefined)).find(Boolean);
}

interface SpawnOptions {
  readonly apiserver: string;
  readonly etcdUrl: string;
  /** The bed's directory: its token file and service-account keys are shared by every API server. */
  readonly dir: string;
  /** This API server's own certificate directory, under `dir`. */
  readonly certDir: string;
  readonly port: number;
  readonly extraArgs: readonly string[];
  readonly record: (c: ChildProcess) => void;
  readonly children: ChildProcess[];
  readonly dead: () => string | undefined;
}

/** Starts one kube-apiserver on `etcdUrl` and waits for its self-signed serving certificate. */
async function spawnApiServer(o: SpawnOptions): Promise<{ url: string; caData: string }> {
  mkdirSync(path.join(o.dir, o.certDir));
  const apiserver = spawn(o.apiserver, [
    `--etcd-servers=${o.etcdUrl}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${o.port}`,
    `--cert-dir=${path.join(o.dir, o.certDir)}`,
    `--token-auth-file=${path.join(o.dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${path.join(o.dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(o.dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/24',
    '--endpoint-reconciler-type=none',
    '--disable-admission-plugins=ServiceAccount',
    ...o.extraArgs,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  o.record(apiserver);
  o.children.push(apiserver);
  const certFile = path.join(o.dir, o.certDir, 'apiserver.crt');
  await until(async () => existsSync(certFile), 'the API server\'s serving certificate', 30_000, o.dead);
  return { url: `https://127.0.0.1:${o.port}`, caData: readFileSync(certFile).toString('base64') };
}

export class ApiServer {
  private constructor(
    /** etcd's client URL (its HTTP gateway compacts, for tests of a watch that must relist). */
    readonly etcdUrl: string,
    readonly url: string,
    readonly kubeconfig: string,
    readonly caData: string,
    private readonly dir: string,
    private readonly children: ChildProcess[],
    private readonly logs: () => string,
    private readonly record: (c: ChildProcess) => void,
  ) {}

  /**
   * A second kube-apiserver on the same etcd, as in an HA control plane: it has its own serving
   * certificate and port, and learns every write made through the first one (webhook
   * configurations included) from its own watch of etcd. Stopped with the first.
   */
  async startPeer(extraArgs: readonly string[] = []): Promise<{ readonly url: string; readonly caData: string }> {
    const bins = kubeBinaries();
    if ('missing' in bins) throw new Error(bins.missing);
    const dead = () => exited(this.children, this.logs());
    const peer = await spawnApiServer({ apiserver: bins.apiserver, etcdUrl: this.etcdUrl, dir: this.dir, certDir: `certs-${this.children.length}`, port: await freePort(), extraArgs, record: this.record, children: this.children, dead });
    await until(async () => (await this.request('GET', '/readyz', undefined, {}, peer)).body === 'ok', 'the second API server to be ready', 60_000, dead);
    return peer;
  }

  /** `extraArgs`: more kube-apiserver flags (e.g. `--watch-cache=false`, so watches are served from etcd and a compacted version is 410 Gone). */
  static async start(options: { readonly extraArgs?: readonly string[] } = {}): Promise<ApiServer> {
    const bins = kubeBinaries();
    if ('missing' in bins) throw new Error(bins.missing);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-kube-'));
    const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    writeFileSync(path.join(dir, 'sa.pub'), publicKey);
    writeFileSync(path.join(dir, 'sa.key'), privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'tokens.csv'), `${ADMIN_TOKEN},admin,admin-uid,"system:masters"\n`);
    let log = '';
    const record = (c: ChildProcess) => {
      c.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
      c.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
    };
    const etcd = spawn(bins.etcd, [
      '--name', 'sluice', '--data-dir', path.join(dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `sluice=http://127.0.0.1:${etcdPeer}`, '--unsafe-no-fsync',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    record(etcd);
    const children: ChildProcess[] = [etcd];
    const dead = () => exited(children, log);
    try {
      await until(async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok, 'etcd', 20_000, dead);
      const { url, caData } = await spawnApiServer({ apiserver: bins.apiserver, etcdUrl: `http://127.0.0.1:${etcdClient}`, dir, certDir: 'certs', port: securePort, extraArgs: options.extraArgs ?? [], record, children, dead });
      const kubeconfig = path.join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: sluice',
        'clusters:', `- name: sluice`, `  cluster: { server: "${url}", certificate-authority-data: "${caData}" }`,
        'users:', `- name: admin`, `  user: { token: "${ADMIN_TOKEN}" }`,
        'contexts:', `- name: sluice`, '  context: { cluster: sluice, user: admin }', '',
      ].join('\n'));
      const server = new ApiServer(`http://127.0.0.1:${etcdClient}`, url, kubeconfig, caData, dir, children, () => log, record);
      await until(async () => (await server.request('GET', '/readyz')).body === 'ok', 'the API server to be ready', 60_000, dead);
      return server;
    } catch (error) {
      for (const c of children) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** A raw HTTPS request to the API server (or to `to`, a peer's) as the admin (the tests' kubectl). */
  async request(method: string, urlPath: string, body?: unknown, headers: { contentType?: string; accept?: string } = {}, to: { readonly url: string; readonly caData: string } = this): Promise<{ status: number; body: string; json: () => unknown }> {
    const https = await import('node:https');
    const ca = Buffer.from(to.caData, 'base64');
    const url = new URL(urlPath, to.url);
    return new Promise((resolve, reject) => {
      const wanted = { ...(body !== undefined ? { 'content-type': headers.contentType ?? 'application/json' } : {}), ...(headers.accept ? { accept: headers.accept } : {}) };
      const req = https.request(url, { method, ca, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...wanted } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) as unknown }));
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
      req.end();
    });
  }

  /** The last part of the API server's and etcd's logs, for failure messages. */
  get log(): string {
    return this.logs().slice(-8000);
  }

  async stop(): Promise<void> {
    for (const c of [...this.children].reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
