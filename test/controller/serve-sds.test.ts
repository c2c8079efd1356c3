/**
 * SDS over a real gRPC stream from `serve --secrets` with mutual TLS on the xDS port: each node
 * gets exactly the secrets its own configuration names (asking for another node's secret by name
 * gets nothing); a stream without a client certificate, or claiming another node's id, gets no
 * response at all (PERMISSION_DENIED, logged); private keys and credentials appear in no log,
 * no `/config_dump` and no `/status`.
 */
import { afterAll, beforeAll, expect, it, describe } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type Serving } from '../../controller/index.js';
import { createLogger } from '../../telemetry/index.js';
import { RawXdsClient } from '../xds-server/harness.js';
import { encodeMessage, openAlsStream } from '../../bench/flows/als-client.js';
import { flowToProto, kafkaFlow, LOG_NAME, type FlowRecord } from '../../flows/index.js';
import { FLOW_METHOD, FLOW_SERVICE, flowMessage, MESSAGE } from '../../flows/proto.js';
import { eventually } from '../support/poll.js';
import { caPem, leaf, newCa, writeSecret, type Pem } from '../support/tls.js';

const TOKEN = 'tok-3f9a1c';
const INVENTORY = `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies: [ { node: node-a }, { node: node-b } ]
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7], ports: [ { port: 8443 } ], proxy: { node: node-a } }
  - { name: web, namespace: shop, labels: { app: web }, addresses: [10.2.0.9], proxy: { node: node-b } }
`;
const POLICIES = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-tls, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8443 } ]
          terminatingTLS: { secret: { name: orders-tls } }
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: web-out, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  egress:
    - toPorts:
        - ports: [ { port: 80 } ]
          originatingTLS: { trustedCA: { secret: { name: upstream-ca } }, serverName: api.example.com, port: 443 }
          injectHeaders: [ { name: Authorization, secret: { name: api-token }, key: token, prefix: "Bearer " } ]
`;
const NODE_A_SECRETS = ['tls|shop/orders-tls'];
const NODE_B_SECRETS = ['ca|shop/upstream-ca', 'credential|shop/api-token|token|Bearer%20'];

describe('SDS from serve --secrets over mutual TLS: exact secrets per node, node ids bound to certificates', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-sds-'));
  const logs: string[] = [];
  let serving: Serving;
  let orders: Pem;
  let nodeA: Pem;
  let nodeB: Pem;
  let xdsCa: string;
  let creds: (client?: Pem) => grpc.ChannelCredentials;

  beforeAll(async () => {
    const ca = await newCa('xds CA');
    xdsCa = caPem(ca);
    const server = await leaf(ca, { dns: ['xds.sluice'], ips: ['127.0.0.1'] });
    nodeA = await leaf(ca, { uris: ['spiffe://sluice.local/node/node-a'], usages: ['client'] });
    nodeB = await leaf(ca, { uris: ['spiffe://sluice.local/node/node-b'], usages: ['client'] });
    orders = await leaf(ca, { dns: ['orders.shop'] });
    const file = (name: string, text: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    fs.mkdirSync(path.join(dir, 'policies'));
    file('policies/p.yaml', POLICIES);
    const secrets = path.join(dir, 'secrets');
    writeSecret(secrets, 'shop/orders-tls', { 'tls.crt': orders.cert, 'tls.key': orders.key });
    writeSecret(secrets, 'shop/upstream-ca', { 'ca.crt': xdsCa });
    writeSecret(secrets, 'shop/api-token', { token: TOKEN });
    writeSecret(secrets, 'shop/unused', { token: 'never-sent' });
    serving = await startServe({
      policies: path.join(dir, 'policies'),
      inventory: file('inventory.yaml', INVENTORY),
      secrets,
      xds: { host: '127.0.0.1', port: 0 },
      xdsTls: { cert: file('server.crt', server.cert), key: file('server.key', server.key), clientCa: file('ca.crt', xdsCa), trustDomain: 'sluice.local' },
      admin: { host: '127.0.0.1', port: 0 },
      logger: createLogger({ level: 'debug', write: (line) => logs.push(line) }),
      debounceMs: 20,
    });
    creds = (client) => grpc.credentials.createSsl(Buffer.from(xdsCa), client ? Buffer.from(client.key) : null, client ? Buffer.from(client.cert) : null);
  }, 30_000);

  afterAll(async () => {
    await serving?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const all = [...NODE_A_SECRETS, ...NODE_B_SECRETS, 'tls|shop/unused', 'credential|shop/unused|token'];

  it('each node gets exactly its own secrets, even when it asks for every name', async () => {
    for (const [node, pem, mine] of [['node-a', nodeA, NODE_A_SECRETS], ['node-b', nodeB, NODE_B_SECRETS]] as const) {
      const c = new RawXdsClient(serving.xdsPort, 'ADS', {}, creds(pem));
      c.send({ type: 'SDS', node, names: all });
      const r = await c.next();
      expect(r.type).toBe('SDS');
      expect([...r.names].sort()).toEqual([...mine].sort());
      c.close();
    }
  });

  it('a stream claiming another node\'s id is refused with PERMISSION_DENIED before any response, and logged', async () => {
    const c = new RawXdsClient(serving.xdsPort, 'ADS', {}, creds(nodeB));
    c.send({ type: 'SDS', node: 'node-a', names: all });
    const ended = await c.status();
    expect(ended.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(ended.details).toBe('the stream claims node "node-a" but its client certificate is for node "node-b"');
    expect(c.last.size).toBe(0);
    expect(logs.some((l) => l.includes('refusing an xDS stream') && l.includes('node-a'))).toBe(true);
    c.close();
  });

  it('the flow collector on the same port binds flows to the node the client certificate names', async () => {
    const address = `127.0.0.1:${serving.xdsPort}`;
    const entry = { source: '10.9.9.9', destination: '10.9.9.8', port: 8443, path: '/identity-check', rbac: {} };
    // Envoy's access-log stream: claiming node-a with node-b's certificate is refused, as for xDS.
    const asB = new grpc.Client(address, creds(nodeB));
    const forged = openAlsStream(asB);
    await forged.write(encodeMessage([entry], { node: 'node-a', logName: LOG_NAME.inbound }));
    expect(await forged.end()).toEqual({ code: grpc.status.PERMISSION_DENIED, details: 'the stream claims node "node-a" but its client certificate is for node "node-b"' });
    const own = openAlsStream(asB);
    await own.write(encodeMessage([entry], { node: 'node-b', logName: LOG_NAME.inbound }));
    expect(await own.end()).toEqual({ code: 0, details: '' });
    // A pushed flow must name a node the certificate names; the others are refused and counted.
    const type = flowMessage(MESSAGE.pushRequest);
    const answer = flowMessage(MESSAGE.pushResponse);
    const pushed = (f: FlowRecord) => Buffer.from(type.encode(type.fromObject({ flows: [flowToProto(f)] })).finish());
    const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const call = asB.makeClientStreamRequest<Buffer, Buffer>(`/${FLOW_SERVICE}/${FLOW_METHOD}`, (b: Buffer) => b, (b: Buffer) => b, (error, value) => (error || !value ? reject(error ?? new Error('no answer')) : resolve(answer.toObject(answer.decode(value), { longs: Number }) as Record<string, unknown>)));
      const flow = kafkaFlow({ time: Date.now(), node: 'node-b', direction: 'ingress', client: { address: '10.9.9.9', port: 1 }, broker: { address: '10.9.9.8', port: 9092 }, clientId: 'c', api: 'Produce', version: 9, resource: 'topic', name: 'identity-check', verdict: 'allow', rule: 'r', policy: 'p' });
      call.write(pushed(flow));
      call.write(pushed({ ...flow, node: 'node-a' }));
      call.end();
    });
    expect(result).toEqual({ accepted: 1, dropped: 0, rejected: 1 });
    await eventually(() => serving.flows.store.query({}).filter((s) => s.flow.http?.path === '/identity-check' || s.flow.kafka?.topic === 'identity-check').length === 2 || undefined, 'the two flows of node-b');
    expect(serving.flows.store.query({}).filter((s) => s.flow.http?.path === '/identity-check' || s.flow.kafka?.topic === 'identity-check').map((s) => s.flow.node)).toEqual(['node-b', 'node-b']);
    asB.close();
  });

  it('a stream without a client certificate gets nothing (the TLS handshake requires one)', async () => {
    const c = new RawXdsClient(serving.xdsPort, 'ADS', {}, creds());
    c.send({ type: 'SDS', node: 'node-a', names: all });
    const ended = await c.status();
    expect(ended.code).toBe(grpc.status.UNAVAILABLE);
    expect(c.last.size).toBe(0);
    c.close();
  });

  it('a plaintext stream gets nothing', async () => {
    const c = new RawXdsClient(serving.xdsPort);
    c.send({ type: 'SDS', node: 'node-a', names: all });
    const ended = await c.status();
    expect(ended.code).toBe(grpc.status.UNAVAILABLE);
    expect(c.last.size).toBe(0);
    c.close();
  });

  it('private keys and credentials are in no log line, no /config_dump and no /status', async () => {
    const get = async (p: string) => (await fetch(`http://127.0.0.1:${serving.adminPort}${p}`)).text();
    const dumps = [await get('/config_dump?node=node-a'), await get('/config_dump?node=node-b'), await get('/status')];
    expect(dumps[0]).toContain('[redacted]');
    expect(dumps[0]).toContain('BEGIN CERTIFICATE');
    const key = orders.key.split('\n')[1] ?? '';
    for (const text of [...dumps, logs.join('\n')]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(key);
      expect(text).not.toContain(TOKEN);
    }
  });

  it('a Kubernetes secret volume (..data swapped) is watched: the new credential reaches node-b over SDS', async () => {
    const dir2 = path.join(dir, 'secrets', 'shop', 'api-token');
    fs.rmSync(dir2, { recursive: true });
    const version = (v: string, token: string) => {
      fs.mkdirSync(path.join(dir2, `..${v}`), { recursive: true });
      fs.writeFileSync(path.join(dir2, `..${v}`, 'token'), token);
      fs.symlinkSync(`..${v}`, path.join(dir2, '..data_tmp'));
      fs.renameSync(path.join(dir2, '..data_tmp'), path.join(dir2, '..data'));
      if (!fs.existsSync(path.join(dir2, 'token'))) fs.symlinkSync('..data/token', path.join(dir2, 'token'));
    };
    const c = new RawXdsClient(serving.xdsPort, 'ADS', {}, creds(nodeB));
    const name = 'credential|shop/api-token|token|Bearer%20';
    const valueOf = (r: { bodies: readonly Uint8Array[]; names: readonly string[] }) => Buffer.from(r.bodies[r.names.indexOf(name)] ?? []).toString('latin1');
    version('v1', 'rotated-one');
    c.send({ type: 'SDS', node: 'node-b', names: NODE_B_SECRETS });
    let r = await c.next();
    while (!valueOf(r).includes('rotated-one')) {
      c.ack('SDS', NODE_B_SECRETS);
      r = await c.next();
    }
    version('v2', 'rotated-two');
    c.ack('SDS', NODE_B_SECRETS);
    r = await c.next();
    expect(valueOf(r)).toContain('Bearer rotated-two');
    c.close();
  }, 20_000);

  it('/status lists the secrets in force (names, versions, keys, stale reasons), never a value', async () => {
    const status = (await (await fetch(`http://127.0.0.1:${serving.adminPort}/status`)).json()) as { secrets: { inForce: { secret: string; keys: string[] }[]; broken: unknown[] } };
    expect(status.secrets.inForce.map((s) => s.secret)).toEqual(['shop/api-token', 'shop/orders-tls', 'shop/unused', 'shop/upstream-ca']);
    expect(status.secrets.inForce.find((s) => s.secret === 'shop/orders-tls')?.keys).toEqual(['tls.crt', 'tls.key']);
    expect(status.secrets.broken).toEqual([]);
  });

  it('a secret replaced by a bad version keeps the last good one in force (and says why); a fixed one is served', async () => {
    const secrets = path.join(dir, 'secrets');
    writeSecret(secrets, 'shop/orders-tls', { 'tls.crt': orders.cert, 'tls.key': nodeA.key });
    await eventually(() => logs.some((l) => l.includes('tls.key is not the key of tls.crt') && l.includes('last good version stays in force')), 'the bad version reported', 10_000);
    const c = new RawXdsClient(serving.xdsPort, 'ADS', {}, creds(nodeA));
    c.send({ type: 'SDS', node: 'node-a', names: NODE_A_SECRETS });
    const r = await c.next();
    expect(r.names).toEqual(NODE_A_SECRETS);
    const before = r.version;
    const renewed = await leaf(await newCa('orders CA 2'), { dns: ['orders.shop'] });
    writeSecret(secrets, 'shop/orders-tls', { 'tls.crt': renewed.cert, 'tls.key': renewed.key });
    c.ack('SDS', NODE_A_SECRETS);
    const next = await c.next();
    expect(next.version).not.toBe(before);
    expect(Buffer.from(next.bodies[0] ?? []).toString('latin1')).toContain(renewed.cert.split('\n')[1] ?? 'x');
    c.close();
  }, 20_000);
});
