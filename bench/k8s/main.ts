/**
 * bench:k8s — from applying a policy change to every proxy ACKed, with the cluster in a real
 * kube-apiserver (`sluice controller`: informers, inventory from Pods) against the same inventory
 * and policies served from files (`sluice serve`) in the same run, with the same proxies (one ADS
 * stream per node, bench/k8s/proxies.ts). Also: how long the cluster took to create, the
 * controller's first sync, and its memory at that scale.
 *
 *   npm run bench:k8s          (BENCH_K8S_PODS, _POLICIES, _NODES, _ROUNDS, _CREATE_S to change the shape)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type PolicyRuntime } from '../../controller/index.js';
import { TYPE_URL } from '../../envoy-api/resource-types.js';
import { kubeApi } from '../../k8s/admission/index.js';
import { kubeConfigFrom, startController } from '../../k8s/controller/index.js';
import { silentLogger } from '../../telemetry/index.js';
import type { SnapshotCache, XdsServer } from '../../xds-server/index.js';
import { ADMIN_TOKEN, ApiServer } from './apiserver.js';
import { asFiles, policyFile, policyNamespace, policySpec, populate, type Shape } from './cluster.js';
import { BenchProxies } from './proxies.js';

const env = (name: string, fallback: number) => Number(process.env[`BENCH_K8S_${name}`] ?? fallback);
const shape: Shape = { pods: env('PODS', 5000), policies: env('POLICIES', 500), nodes: env('NODES', 50), namespaces: 10 };
const ROUNDS = env('ROUNDS', 5);
const CREATE_MS = env('CREATE_S', 300) * 1000;
const PORTS = { inboundPort: 15006, outboundPort: 15001 };
const gc = (globalThis as { gc?: () => void }).gc;
const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Served {
  readonly xds: XdsServer;
  readonly cache: SnapshotCache;
  readonly runtime: PolicyRuntime;
}

const TYPES = [TYPE_URL.CDS, TYPE_URL.LDS, TYPE_URL.RDS] as const;

/** Every node's streams ACKed every type at the version the cache holds now. */
function allAcked(s: Served, nodes: readonly string[]): boolean {
  return nodes.every((node) => {
    const status = s.xds.nodeStatus(node);
    if (!status?.connected) return false;
    const view = s.cache.view(node);
    return TYPES.every((t) => status.types.find((x) => x.typeUrl === t)?.lastAck?.version === view.of(t).version);
  });
}

async function until(check: () => boolean, what: string, ms: number): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(2);
  }
  return performance.now() - start;
}

/** Applies `change(round)` and times it until the runtime published a new generation (`applied`) and every proxy ACKed it (`total`). */
async function converge(s: Served, nodes: readonly string[], change: (round: number) => Promise<void>): Promise<{ total: number[]; applied: number[] }> {
  const total: number[] = [];
  const applied: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const generation = s.runtime.state().generation;
    const t0 = performance.now();
    await change(round);
    await until(() => s.runtime.state().generation > generation, `round ${round} to be applied`, 60_000);
    applied.push(performance.now() - t0);
    await until(() => allAcked(s, nodes), `round ${round} to converge`, 60_000);
    total.push(performance.now() - t0);
    await sleep(300);
  }
  return { total, applied };
}

const stats = (ms: readonly number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
};
const fmtMs = (ms: readonly number[]) => `p50 ${stats(ms).p50.toFixed(0)} ms, max ${stats(ms).max.toFixed(0)} ms (${ms.map((m) => m.toFixed(0)).join(', ')})`;

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  console.log(`bench:k8s — ${shape.pods} Pods on ${shape.nodes} nodes, ${shape.policies} policies, ${ROUNDS} changes; ${os.cpus().length} cores, node ${process.version}`);
  const api = await ApiServer.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-k8s-'));
  try {
    const admin = kubeApi({ server: api.url, ca: Buffer.from(api.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN, timeoutMs: 60_000 });
    const crd = await api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', (await import('yaml')).parse(fs.readFileSync('deploy/crds/l7policy.yaml', 'utf8')));
    if (crd.status !== 201) throw new Error(`CRD: ${crd.status} ${crd.body}`);
    for (;;) {
      if ((await admin.request('GET', '/apis/sluice.dev/v1alpha1/l7policies')).status === 200) break;
      await sleep(100);
    }
    const made = await populate(admin, shape, CREATE_MS);
    console.log(`cluster: ${made.pods} Pods created with their status in ${(made.podsMs / 1000).toFixed(1)} s (${(made.pods / (made.podsMs / 1000)).toFixed(0)}/s)${made.pods < shape.pods ? `: stopped at the ${CREATE_MS / 1000} s budget, the figures below are at ${made.pods} Pods` : ''}; ${shape.policies} policies in ${(made.policiesMs / 1000).toFixed(1)} s`);
    const nodes = Array.from({ length: shape.nodes }, (_, i) => `node-${i}`);

    // 1. The controller, from the API server.
    const heapBefore = heap();
    const rssBefore = process.memoryUsage().rss;
    const controller = await startController({
      api: admin, kubeconfig: kubeConfigFrom({ kind: 'text', text: fs.readFileSync(api.kubeconfig, 'utf8') }),
      xds: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, logger: silentLogger,
      identity: 'bench', namespace: 'default', proxyPorts: PORTS, status: { qps: 50, burst: 100 },
      nodeAgents: false, // the bench's proxies are xDS clients only: nothing to steer
    });
    const proxiesK8s = new BenchProxies(controller.xdsPort, nodes, (n) => [...controller.cache.view(n).of(TYPE_URL.RDS).byName.keys()]);
    const syncMs = await until(() => controller.runtime.state().policies.size === shape.policies && allAcked(controller, nodes), 'the controller\'s first sync, every proxy ACKed', 300_000);
    const heapK8s = heap() - heapBefore;
    const rssK8s = process.memoryUsage().rss - rssBefore;
    console.log(`controller: first list to every proxy ACKed in ${(syncMs / 1000).toFixed(1)} s; heap +${mib(heapK8s)}, RSS +${mib(rssK8s)} (this process, proxies' streams included)`);
    const k8s = await converge(controller, nodes, async (round) => {
      const k = round % shape.policies;
      const r = await admin.request('PATCH', `/apis/sluice.dev/v1alpha1/namespaces/${policyNamespace(shape, k)}/l7policies/policy-${k}`, { spec: policySpec(shape, k, `/r${round}`) }, 'application/merge-patch+json');
      if (r.status !== 200) throw new Error(`PATCH: ${r.status} ${r.body.slice(0, 200)}`);
    });
    console.log(`kubernetes: apply → every proxy ACKed: ${fmtMs(k8s.total)}; of which apply → published: p50 ${stats(k8s.applied).p50.toFixed(0)} ms; status writes ${controller.writer.counts.written}`);
    proxiesK8s.close();
    await controller.close();
    await sleep(500);

    // 2. The same from files.
    const files = asFiles(shape, made.pods, PORTS);
    fs.mkdirSync(path.join(dir, 'policies'));
    for (const [name, text] of files.policies) fs.writeFileSync(path.join(dir, 'policies', name), text);
    fs.writeFileSync(path.join(dir, 'inventory.json'), files.inventory);
    const heapBeforeFiles = heap();
    const serving = await startServe({ policies: path.join(dir, 'policies'), inventory: path.join(dir, 'inventory.json'), xds: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, logger: silentLogger });
    const proxiesFiles = new BenchProxies(serving.xdsPort, nodes, (n) => [...serving.cache.view(n).of(TYPE_URL.RDS).byName.keys()]);
    await until(() => allAcked(serving, nodes), 'serve: every proxy ACKed', 300_000);
    const heapFiles = heap() - heapBeforeFiles;
    const fromFiles = await converge(serving, nodes, async (round) => {
      const k = round % shape.policies;
      const file = path.join(dir, 'policies', `policy-${k}.json`);
      fs.writeFileSync(`${file}.tmp`, policyFile(shape, k, `/r${round}`));
      fs.renameSync(`${file}.tmp`, file);
    });
    console.log(`files:      write → every proxy ACKed: ${fmtMs(fromFiles.total)}; of which write → published: p50 ${stats(fromFiles.applied).p50.toFixed(0)} ms; heap +${mib(heapFiles)}`);
    proxiesFiles.close();
    await serving.close();
    console.log(`ratio kubernetes / files (p50): ${(stats(k8s.total).p50 / stats(fromFiles.total).p50).toFixed(2)}×; controller heap / serve heap: ${(heapK8s / heapFiles).toFixed(2)}×`);
  } finally {
    await api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
