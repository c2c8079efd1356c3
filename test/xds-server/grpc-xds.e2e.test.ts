/**
 * End to end with a real xDS client: `@grpc/grpc-js-xds` resolves `xds:///echo.test` through
 * LDS → RDS → CDS → EDS served by our server, follows an EDS update, and an XdsServer gets its
 * Listener from the resolver hook and enforces the RBAC filter in it. A Listener grpc-js-xds
 * rejects (RBAC action LOG) is NACKed: the message reaches the status, nothing is resent, and the
 * last good configuration keeps working.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as xds from '@grpc/grpc-js-xds';
import { Registry } from '../../telemetry/index.js';
import { SnapshotCache, TYPE_URL, XdsServer, type Resolver, type ResourceInput, type XdsEvent } from '../../xds-server/index.js';
import { apiListener, cluster, endpoints, routeConfig, serverListener, snap, until, SERVER_LISTENER_PREFIX } from './harness.js';

// test/setup-env.ts set GRPC_XDS_EXPERIMENTAL_RBAC=true before grpc-js-xds loaded.
xds.register();

const BOOTSTRAP_OPT = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';
const bootstrap = (cpPort: number, node: string): string =>
  JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${cpPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: node, locality: { zone: 'z1' } },
    server_listener_resource_name_template: `${SERVER_LISTENER_PREFIX}%s`,
  });

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

interface EchoReply {
  message: string;
  served_by: string;
}
type Unary = (req: { message: string }, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: EchoReply) => void) => void;
type EchoClient = grpc.Client & { Foo: Unary; Bar: Unary };

const echoDef = protoLoader.loadSync(fileURLToPath(new URL('./fixtures/echo.proto', import.meta.url)), { keepCase: true });
const Echo = (grpc.loadPackageDefinition(echoDef) as unknown as { test: { Echo: grpc.ServiceClientConstructor } }).test.Echo;
const impl = (who: string): grpc.UntypedServiceImplementation => ({
  Foo: (c: grpc.ServerUnaryCall<{ message: string }, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) => cb(null, { message: `Foo:${c.request.message}`, served_by: who }),
  Bar: (c: grpc.ServerUnaryCall<{ message: string }, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) => cb(null, { message: `Bar:${c.request.message}`, served_by: who }),
});

type Outcome = { ok: true; servedBy: string } | { ok: false; code: number };
const call = (c: EchoClient, method: 'Foo' | 'Bar'): Promise<Outcome> =>
  new Promise((resolve) =>
    c[method]({ message: 'hi' }, { deadline: Date.now() + 10_000 }, (err, res) => resolve(err ? { ok: false, code: err.code } : { ok: true, servedBy: res?.served_by ?? '' })),
  );

const bind = (s: grpc.Server, addr: string): Promise<number> =>
  new Promise((resolve, reject) => s.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));

describe('xDS end to end with @grpc/grpc-js-xds', () => {
  const cache = new SnapshotCache();
  const registry = new Registry();
  const server = new XdsServer({ cache, registry });
  const events: XdsEvent[] = [];
  server.on((e) => events.push(e));
  const plain = new grpc.Server();
  let xdsServer: xds.XdsServer | undefined;
  const clients: grpc.Client[] = [];
  let cpPort = 0;
  let plainPort = 0;
  let xdsPort = 0;
  let serverAction: 'DENY' | 'LOG' = 'DENY';

  // The server Listener is built on demand from the name the XdsServer asks for.
  const resolver: Resolver = (_node, typeUrl, name) => {
    if (typeUrl !== TYPE_URL.LDS || !name.startsWith(SERVER_LISTENER_PREFIX)) return undefined;
    const [host = '', port = '0'] = name.slice(SERVER_LISTENER_PREFIX.length).split(':');
    return serverListener(host, Number(port), ['/test.Echo/Bar'], serverAction);
  };

  const clientResources = (port: number): ResourceInput[] => [
    apiListener('echo.test', 'rc'),
    routeConfig('rc', 'echo-cluster'),
    cluster('echo-cluster'),
    endpoints('echo-cluster', [port]),
  ];

  beforeAll(async () => {
    cpPort = await server.listen();
    plain.addService(Echo.service, impl('plain'));
    plainPort = await bind(plain, '127.0.0.1:0');
    xdsPort = await freePort();
    cache.setDefault(snap(clientResources(plainPort)));
    cache.setResolver(resolver);
    xdsServer = new xds.XdsServer({ [BOOTSTRAP_OPT]: bootstrap(cpPort, 'echo-server') } as grpc.ServerOptions);
    xdsServer.addService(Echo.service, impl('xds-server'));
    await new Promise<void>((resolve, reject) => xdsServer?.bindAsync(`127.0.0.1:${xdsPort}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    xdsServer?.forceShutdown();
    plain.forceShutdown();
    await server.close();
  });

  it('resolves xds:///echo.test through LDS → RDS → CDS → EDS, ACKs each, and follows an EDS update', async () => {
    const c = new Echo('xds:///echo.test', grpc.credentials.createInsecure(), { [BOOTSTRAP_OPT]: bootstrap(cpPort, 'echo-client') }) as unknown as EchoClient;
    clients.push(c);
    expect(await call(c, 'Foo')).toEqual({ ok: true, servedBy: 'plain' });
    const acked = () => server.nodeStatus('echo-client')?.types.filter((t) => t.lastAck).map((t) => t.type) ?? [];
    await until(() => acked().length === 4, 15_000, 'ACKs of all four types'); // the ACKs may still be in flight
    expect(acked()).toEqual(['CDS', 'EDS', 'LDS', 'RDS']);
    expect(server.nodeStatus('echo-client')?.types.some((t) => t.lastNack)).toBe(false);
    const edsBefore = server.nodeStatus('echo-client')?.types.find((t) => t.type === 'EDS')?.lastAck?.version;
    cache.setDefault(snap(clientResources(xdsPort)));
    await until(() => server.nodeStatus('echo-client')?.types.find((t) => t.type === 'EDS')?.lastAck?.version !== edsBefore, 15_000, 'the EDS update to be ACKed');
    let r = await call(c, 'Foo');
    for (let i = 0; i < 100 && !(r.ok && r.servedBy === 'xds-server'); i++) {
      await new Promise((s) => setTimeout(s, 50));
      r = await call(c, 'Foo');
    }
    expect(r).toEqual({ ok: true, servedBy: 'xds-server' });
  });

  it('lets an XdsServer fetch its Listener through the resolver and enforce its RBAC filter', async () => {
    const direct = new Echo(`127.0.0.1:${xdsPort}`, grpc.credentials.createInsecure()) as unknown as EchoClient;
    clients.push(direct);
    expect(await call(direct, 'Foo')).toEqual({ ok: true, servedBy: 'xds-server' });
    expect(await call(direct, 'Bar')).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
    const ldsOf = () => server.nodeStatus('echo-server')?.types.find((t) => t.type === 'LDS');
    await until(() => ldsOf()?.lastAck !== undefined, 15_000, 'the server Listener ACK');
    const lds = ldsOf();
    expect(Object.keys(lds?.lastAck?.resources ?? {})).toEqual([`${SERVER_LISTENER_PREFIX}127.0.0.1:${xdsPort}`]);
  });

  it('records the NACK of a Listener grpc-js-xds rejects, does not resend it, and the last good config keeps working', async () => {
    const ldsResponses = () => events.filter((e) => e.kind === 'response' && e.nodeId === 'echo-server' && e.type === 'LDS').length;
    const before = ldsResponses();
    serverAction = 'LOG';
    cache.setResolver(resolver); // the runtime re-installs its resolver when its inputs change: re-resolved
    await until(() => server.nodeStatus('echo-server')?.types.find((t) => t.type === 'LDS')?.lastNack !== undefined, 15_000, 'the NACK');
    const nack = server.nodeStatus('echo-server')?.types.find((t) => t.type === 'LDS')?.lastNack;
    expect(nack?.message).toMatch(/rbac/i);
    expect(nack?.acceptedVersion).toBe(server.nodeStatus('echo-server')?.types.find((t) => t.type === 'LDS')?.lastAck?.version);
    expect(registry.render()).toContain('sluice_xds_nacks_total{type="LDS"} 1');
    const direct = new Echo(`127.0.0.1:${xdsPort}`, grpc.credentials.createInsecure()) as unknown as EchoClient;
    clients.push(direct);
    for (let i = 0; i < 5; i++) {
      expect(await call(direct, 'Foo')).toEqual({ ok: true, servedBy: 'xds-server' });
      expect(await call(direct, 'Bar')).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
    }
    expect(ldsResponses()).toBe(before + 1);
    expect(events.filter((e) => e.kind === 'nack')).toHaveLength(1);
  });
});
