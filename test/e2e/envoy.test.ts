/**
 * Real Envoy, where one is available (`ENVOY_BIN=/path/to/envoy`; no Envoy binary ships for these
 * machines, so elsewhere this suite says it skips). Envoy boots from `sluice bootstrap`, takes the
 * example policies from `sluice serve` over ADS and must ACK every type: the policy turns Enforced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startServe, type PolicyStatus, type Serving } from '../../controller/index.js';
import { envoyBootstrap } from '../../policy-compiler/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { eventually, freePort } from '../support/poll.js';

const ENVOY = process.env.ENVOY_BIN;
const suite = ENVOY && fs.existsSync(ENVOY) ? describe : describe.skip;
if (!ENVOY) console.warn('[skip] real Envoy suite: set ENVOY_BIN to an Envoy binary to run it (none is installed on these machines)');

suite('real Envoy takes sluice\'s configuration', () => {
  let serving: Serving;
  let envoy: ChildProcess | undefined;
  let dir: string;
  const stderr: string[] = [];

  beforeAll(async () => {
    serving = await startServe({
      policies: path.resolve('examples/policies'),
      inventory: path.resolve('examples/inventory.yaml'),
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-envoy-'));
    const config = path.join(dir, 'envoy.json');
    fs.writeFileSync(config, JSON.stringify(envoyBootstrap({ node: 'node-a', cluster: 'sluice', xds: { host: '127.0.0.1', port: serving.xdsPort }, adminPort: await freePort() })));
    envoy = spawn(ENVOY ?? 'envoy', ['-c', config, '--base-id', String(process.pid % 60000), '-l', 'warning'], { stdio: ['ignore', 'ignore', 'pipe'] });
    envoy.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  });

  afterAll(async () => {
    envoy?.kill('SIGTERM');
    await serving?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ACKs the listeners that carry the policy', async () => {
    const orders = async () => ((await (await fetch(`http://127.0.0.1:${serving.adminPort}/status`)).json()) as { policies: PolicyStatus[] }).policies.find((p) => p.key === 'shop/orders-api');
    await eventually(async () => {
      const s = await orders();
      if (s?.state === 'Rejected') throw new Error(`Envoy rejected the configuration: ${s.message}\n${stderr.join('')}`);
      return s?.state === 'Enforced';
    }, 'Envoy to ACK every type', 30_000);
    const node = serving.xds.nodeStatus('node-a');
    expect(node?.types.filter((t) => t.lastNack).map((t) => `${t.type}: ${t.lastNack?.message ?? ''}`)).toEqual([]);
  });
});
