/**
 * Status tells the truth: a policy is Pending until its node ACKs, Rejected (with the proxy's own
 * message) when the node NACKs, and Enforced only once the node ACKed the exact version that
 * carries it. The proxy here is a raw xDS client speaking ADS like Envoy (wildcard LDS and CDS).
 */
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startServe, type PolicyStatus, type Serving } from '../../controller/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { RawXdsClient } from '../xds-server/harness.js';
import { eventually } from '../support/poll.js';

const EXAMPLES = path.resolve('examples');

describe('policy status follows ACKs and NACKs', () => {
  let serving: Serving;
  let envoy: RawXdsClient;
  const orders = async (): Promise<PolicyStatus> => {
    const body = (await (await fetch(`http://127.0.0.1:${serving.adminPort}/status`)).json()) as { policies: PolicyStatus[] };
    const p = body.policies.find((x) => x.key === 'shop/orders-api');
    if (!p) throw new Error('shop/orders-api missing from /status');
    return p;
  };

  beforeAll(async () => {
    serving = await startServe({
      policies: path.join(EXAMPLES, 'policies'),
      inventory: path.join(EXAMPLES, 'inventory.yaml'),
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    envoy?.close();
    await serving?.close();
  });

  it('is Pending while the node has not connected', async () => {
    expect(await orders()).toMatchObject({ state: 'Pending', message: 'waiting for node-a (not connected)' });
  });

  it('is Rejected, with the proxy\'s message, when the node NACKs the listener', async () => {
    envoy = new RawXdsClient(serving.xdsPort);
    envoy.send({ type: 'CDS', node: 'node-a' });
    const cds = await envoy.next();
    expect(cds.type).toBe('CDS');
    envoy.ack('CDS');
    envoy.send({ type: 'LDS', node: null });
    const lds = await envoy.next();
    expect(lds.names).toEqual(['inbound', 'outbound']);
    envoy.send({ type: 'LDS', node: null, version: '', nonce: lds.nonce, error: 'Error adding/updating listener(s) inbound: unknown filter' });
    await eventually(async () => (await orders()).state === 'Rejected', 'the policy to be Rejected', 5000);
    expect(await orders()).toMatchObject({ state: 'Rejected', message: 'node-a rejected Listener/inbound: Error adding/updating listener(s) inbound: unknown filter' });
    // The NACK is also one of the policy's diagnostics, structured: code, and the resource and node it concerns.
    expect((await orders()).diagnostics).toContainEqual({
      severity: 'error', code: 'xds.nack', path: '', message: 'Error adding/updating listener(s) inbound: unknown filter', subject: { kind: 'resource', type: 'LDS', name: 'inbound', node: 'node-a' },
    });
    const nodes = ((await (await fetch(`http://127.0.0.1:${serving.adminPort}/status`)).json()) as { nodes: { node: string; types: Record<string, { nack?: { message: string } }> }[] }).nodes;
    expect(nodes.find((n) => n.node === 'node-a')?.types.LDS?.nack?.message).toMatch(/unknown filter/);
  });

  it('is Enforced only once the node ACKs both the listener and the route that carries the rules', async () => {
    const lds = envoy.last.get('LDS');
    if (!lds) throw new Error('no LDS response');
    envoy.send({ type: 'LDS', node: null, version: lds.version, nonce: lds.nonce });
    await eventually(async () => (await orders()).message.includes('RouteConfiguration/inbound|8080|shop/orders not ACKed yet'), 'the listener ACKed, the route not yet', 5000);
    expect((await orders()).state).toBe('Pending');
    envoy.send({ type: 'RDS', node: null, names: ['inbound|8080|shop/orders'] });
    const rds = await envoy.next();
    expect(rds.type).toBe('RDS');
    envoy.ack('RDS');
    await eventually(async () => (await orders()).state === 'Enforced', 'the policy to be Enforced', 5000);
    expect(await orders()).toMatchObject({
      state: 'Enforced',
      targets: [
        { node: 'node-a', resource: 'Listener/inbound', state: 'acked' },
        { node: 'node-a', resource: 'RouteConfiguration/inbound|8080|shop/orders', state: 'acked' },
      ],
    });
  });
});
