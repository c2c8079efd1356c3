/**
 * Real Envoy (1.40, from .ci/deps/envoy.sh) boots from `sluice bootstrap`, takes the example
 * policies from `sluice serve` over ADS and must ACK every type: the policy turns Enforced.
 */
import path from 'node:path';
import { it, expect, beforeAll, afterAll } from '@jest/globals';
import { Envoy } from '../../bench/envoy/process.js';
import { startServe, type PolicyStatus, type Serving } from '../../controller/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { describeEnvoy } from '../support/envoy.js';
import { eventually, freePort } from '../support/poll.js';

describeEnvoy('real Envoy takes sluice\'s configuration', () => {
  let serving: Serving;
  let envoy: Envoy | undefined;

  beforeAll(async () => {
    serving = await startServe({
      policies: path.resolve('examples/policies'),
      inventory: path.resolve('examples/inventory.yaml'),
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
    });
    envoy = await Envoy.start({ node: 'node-a', xds: { host: '127.0.0.1', port: serving.xdsPort }, admin: { host: '127.0.0.1', port: await freePort() } });
  });

  afterAll(async () => {
    await envoy?.stop();
    await serving?.close();
  });

  it('ACKs the listeners that carry the policy', async () => {
    const orders = async () => ((await (await fetch(`http://127.0.0.1:${serving.adminPort}/status`)).json()) as { policies: PolicyStatus[] }).policies.find((p) => p.key === 'shop/orders-api');
    await eventually(async () => {
      const s = await orders();
      if (s?.state === 'Rejected') throw new Error(`Envoy rejected the configuration: ${s.message}\n${envoy?.stderr ?? ''}`);
      return s?.state === 'Enforced';
    }, 'Envoy to ACK every type', 30_000);
    const node = serving.xds.nodeStatus('node-a');
    expect(node?.types.filter((t) => t.lastNack).map((t) => `${t.type}: ${t.lastNack?.message ?? ''}`)).toEqual([]);
  });
});
