/**
 * `npm run bench:tls`: what termination costs with the certificate from sluice's SDS against the
 * same Envoy with the certificate from a file, side by side in one run: one Envoy (one worker),
 * two listeners identical but for where the certificate comes from (`tls_certificates` with file
 * names vs `tls_certificate_sds_secret_configs` over ADS from sluice's xDS server), each answering
 * with a direct response. Measured from this process: full handshakes per second (no session
 * resumption) and request latency over kept-alive connections (p50, p99), alternating between the
 * two listeners; then certificate issuance per second by sluice's CA (ECDSA P-256).
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { createCa, defaultEnv, encodePem, issueLeaf, privateKeyPem } from '../../certs/index.js';
import { encodeMessage, MESSAGES, typed } from '../../envoy-api/index.js';
import { secretJson, XDS_CLUSTER, envoyBootstrap } from '../../policy-compiler/index.js';
import { createSnapshot, SnapshotCache, TYPE_URL, XdsServer } from '../../xds-server/index.js';
import { Envoy } from '../envoy/process.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const SECRET = 'tls|bench/server';

function listener(name: string, port: number, certificate: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    address: { socket_address: { address: '127.0.0.1', port_value: port } },
    filter_chains: [{
      transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: typed(MESSAGES.downstreamTlsContext, { common_tls_context: { ...certificate, alpn_protocols: ['http/1.1'] } }) },
      filters: [{
        name: 'envoy.filters.network.http_connection_manager',
        typed_config: typed(MESSAGES.httpConnectionManager, {
          stat_prefix: name,
          route_config: { name, virtual_hosts: [{ name, domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: 'ok' } } }] }] },
          http_filters: [{ name: 'envoy.filters.http.router', typed_config: typed(MESSAGES.router) }],
        }),
      }],
    }],
  };
}

async function handshakes(port: number, ca: string, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const one = () => new Promise<void>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'bench.shop', ca, ALPNProtocols: ['http/1.1'] }, () => {
      n++;
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < until) await one();
  }));
  return n / ((performance.now() - start) / 1000);
}

async function latencies(port: number, ca: string, seconds: number): Promise<number[]> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const until = performance.now() + seconds * 1000;
  const out: number[] = [];
  const one = () => new Promise<void>((resolve, reject) => {
    const t0 = performance.now();
    const req = https.request({ host: '127.0.0.1', port, servername: 'bench.shop', path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        out.push(performance.now() - t0);
        resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < until) await one();
  }));
  agent.destroy();
  return out;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

async function issuanceRate(): Promise<number> {
  const env = defaultEnv();
  const ca = await createCa({}, env);
  if (!ca.ok) throw new Error('no CA');
  const until = performance.now() + SECONDS * 1000;
  const start = performance.now();
  let n = 0;
  while (performance.now() < until) {
    const leaf = await issueLeaf(ca.value, { dns: [`w${n}.shop`] }, env);
    if (!leaf.ok) throw new Error('issuance failed');
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const env = defaultEnv();
  const ca = await createCa({}, env);
  if (!ca.ok) throw new Error('no CA');
  const leaf = await issueLeaf(ca.value, { dns: ['bench.shop'] }, env);
  if (!leaf.ok) throw new Error('no leaf');
  const cert = leaf.value.chain.map((c) => encodePem('CERTIFICATE', c.rawData)).join('');
  const key = await privateKeyPem(env.crypto, leaf.value.key);
  const caPem = encodePem('CERTIFICATE', ca.value.root.rawData);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-tls-'));
  fs.writeFileSync(path.join(dir, 'tls.crt'), cert);
  fs.writeFileSync(path.join(dir, 'tls.key'), key, { mode: 0o600 });

  const cache = new SnapshotCache({});
  const xds = new XdsServer({ cache });
  const xdsPort = await xds.listen('127.0.0.1:0');
  const snapshot = createSnapshot([{ typeUrl: TYPE_URL.SDS, name: SECRET, body: encodeMessage(MESSAGES.secret, secretJson({ name: SECRET, kind: 'certificate', certificateChain: cert, privateKey: key })) }]);
  if (!snapshot.ok) throw new Error('bad snapshot');
  cache.set('bench', snapshot.snapshot);

  const base = 21_000 + Math.floor(Math.random() * 20_000);
  const ports = { file: base, sds: base + 1, admin: base + 2 };
  const admin = { host: '127.0.0.1', port: ports.admin };
  const bootstrap = envoyBootstrap({ node: 'bench', cluster: 'sluice', xds: { host: '127.0.0.1', port: xdsPort }, admin }) as unknown as { static_resources: { clusters: unknown[] } } & Record<string, unknown>;
  const withListeners = {
    ...bootstrap,
    dynamic_resources: { ads_config: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }] } },
    static_resources: {
      ...bootstrap.static_resources,
      listeners: [
        listener('file', ports.file, { tls_certificates: [{ certificate_chain: { filename: path.join(dir, 'tls.crt') }, private_key: { filename: path.join(dir, 'tls.key') } }] }),
        listener('sds', ports.sds, { tls_certificate_sds_secret_configs: [{ name: SECRET, sds_config: { ads: {}, resource_api_version: 'V3' } }] }),
      ],
    },
  };
  const envoy = await Envoy.start({ node: 'bench', xds: { host: '127.0.0.1', port: xdsPort }, admin, bootstrap: withListeners, concurrency: 1, accessLog: 'discard' });
  try {
    await envoy.until(async () => (await envoy.stat('listener_manager.total_listeners_active')) === 2, 'both listeners active (the SDS one once its secret arrived)');
    // Warm both, then alternate so that drift hits both alike.
    await handshakes(ports.file, caPem, 0.5);
    await handshakes(ports.sds, caPem, 0.5);
    const hs = { file: 0, sds: 0 };
    const lat: { file: number[]; sds: number[] } = { file: [], sds: [] };
    for (let round = 0; round < 2; round++) {
      for (const k of ['file', 'sds'] as const) hs[k] += (await handshakes(ports[k], caPem, SECONDS / 2)) / 2;
      for (const k of ['file', 'sds'] as const) lat[k].push(...(await latencies(ports[k], caPem, SECONDS / 2)));
    }
    const issuance = await issuanceRate();
    const f = (x: number, d = 0) => x.toFixed(d).padStart(8);
    console.log(`sluice TLS benchmark: one Envoy ${(await envoy.get('/server_info')).text.match(/"version": "([^"]+)"/)?.[1] ?? ''} (1 worker), ECDSA P-256 certificate, ${CONCURRENCY} concurrent clients, ${SECONDS} s per figure per listener`);
    console.log(`                          file cert    SDS cert   SDS / file`);
    console.log(`  handshakes/s          ${f(hs.file)}    ${f(hs.sds)}     ${(hs.sds / hs.file).toFixed(3)}x`);
    for (const q of [0.5, 0.99] as const) {
      const a = quantile(lat.file, q);
      const b = quantile(lat.sds, q);
      console.log(`  request p${String(q * 100).padEnd(2)} (ms)      ${f(a, 3)}    ${f(b, 3)}     ${(b / a).toFixed(3)}x`);
    }
    console.log(`  requests measured     ${f(lat.file.length)}    ${f(lat.sds.length)}`);
    console.log(`  certificate issuance by sluice's CA (ECDSA P-256, new key each): ${issuance.toFixed(0)} /s`);
  } finally {
    await envoy.stop();
    await xds.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
