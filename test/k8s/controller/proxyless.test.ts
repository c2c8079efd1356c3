/**
 * Proxyless gRPC from the cluster, with grpc-js-xds as the real peer: a Pod annotated
 * `sluice.dev/proxy: grpc-proxyless` is its own xDS client (an XdsServer whose RBAC engine
 * enforces the Listener the controller built from the L7Policy), and a client reaches it as
 * `xds:///<service>.<namespace>:<port>`, with the endpoints (EDS) from the Service's EndpointSlice,
 * as the endpoint controller would write it. The policy's status counts the server once it ACKed.
 * EndpointSlices refuse loopback addresses, so the server listens on this host's own address.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import type { Controller } from '../../../k8s/controller/index.js';
import { describeKube } from '../../support/kube.js';
import { BOOTSTRAP_OPTION, call, Ledger, ledgerImplementation, xdsBootstrap } from '../../support/ledger.js';
import { eventually, freePort } from '../../support/poll.js';
import { condition, ControllerBed, localAddress } from './bed.js';

xds.register();

describeKube('proxyless gRPC from the cluster (grpc-js-xds)', () => {
  let bed: ControllerBed;
  let controller: Controller;
  let server: xds.XdsServer;
  const clients: grpc.Client[] = [];
  const host = localAddress();

  beforeAll(async () => {
    bed = await ControllerBed.start(['vault']);
    const port = await freePort();
    await bed.pod({ name: 'ledger-0', namespace: 'vault', labels: { app: 'ledger' }, annotations: { 'sluice.dev/proxy': 'grpc-proxyless' }, ip: host, node: 'node-a', ports: [port] });
    await bed.must('POST', '/api/v1/namespaces/vault/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ledger' }, spec: { selector: { app: 'ledger' }, ports: [{ name: 'grpc', port: 443, targetPort: port }] } });
    await bed.must('POST', '/apis/discovery.k8s.io/v1/namespaces/vault/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'ledger-abc', labels: { 'kubernetes.io/service-name': 'ledger' } },
      addressType: 'IPv4', ports: [{ name: 'grpc', port, protocol: 'TCP' }],
      endpoints: [{ addresses: [host], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: 'vault', name: 'ledger-0' } }],
    });
    await bed.applyPolicy('vault', 'ledger-access', {
      selector: { matchLabels: { app: 'ledger' } },
      ingress: [{ toPorts: [{ ports: [{ port }], rules: { grpc: [{ service: 'vault.v1.Ledger', methods: ['GetBalance'] }] } }] }],
    });
    controller = await bed.controller({ identity: 'replica-1' });
    await eventually(() => controller.runtime.state().policies.has('vault/ledger-access'), 'the policy to be served', 20_000);
    server = new xds.XdsServer({ [BOOTSTRAP_OPTION]: xdsBootstrap(controller.xdsPort, 'ledger-0.vault') } as grpc.ServerOptions);
    server.addService(Ledger.service, ledgerImplementation('ledger-0'));
    await new Promise<void>((resolve, reject) => server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    server?.forceShutdown();
    await controller?.close();
    await bed?.stop();
  }, 60_000);

  it('routes a client through the Service name to the EndpointSlice\'s endpoint, and the server enforces the policy', async () => {
    const client = new Ledger('xds:///ledger.vault:443', grpc.credentials.createInsecure(), { [BOOTSTRAP_OPTION]: xdsBootstrap(controller.xdsPort, 'teller-client') });
    clients.push(client);
    await eventually(async () => (await call(client, 'GetBalance', {}, 3000)).ok, 'GetBalance through xds:///ledger.vault:443', 30_000);
    expect(await call(client, 'GetBalance')).toEqual({ ok: true, servedBy: 'ledger-0' });
    expect(await call(client, 'Transfer')).toEqual({ ok: false, code: grpc.status.PERMISSION_DENIED });
  });

  it('writes Enforced 1/1 once the proxyless server ACKed its Listener', async () => {
    const s = await eventually(async () => {
      const got = (await bed.policy('vault', 'ledger-access')).status;
      return condition(got, 'Enforced')?.status === 'True' ? got : undefined;
    }, 'Enforced', 30_000);
    expect(s.enforced).toEqual({ acked: 1, total: 1, summary: '1/1', pending: [] });
  });
});
