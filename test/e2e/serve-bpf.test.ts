/**
 * `sluice serve --bpf-cgroup`: the kernel's redirect maps follow the compiled policies. A policy
 * change adds and removes exactly the right entries; deleting the policy empties them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startServe, type Serving } from '../../controller/index.js';
import { readStatus, unloadDataplane } from '../../bpf/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { Sandbox } from '../../bench/redirect/sandbox.js';
import { describeKernel, testPinRoot } from '../bpf/kernel.js';
import { eventually } from '../support/poll.js';

const INVENTORY = `apiVersion: sluice.dev/v1alpha1
kind: Inventory
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7, "fd00::7"], ports: [ { port: 8080 }, { port: 9090 } ], proxy: { node: node-a } }
  - { name: web, namespace: shop, labels: { app: web }, addresses: [10.1.0.9], proxy: { node: node-a } }
  - { name: elsewhere, namespace: shop, labels: { app: far }, addresses: [10.2.0.1], ports: [ { port: 8080 } ], proxy: { node: node-b } }
`;

const ingress = (port: number) => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress: [ { toPorts: [ { ports: [ { port: ${port} } ], rules: { http: [ { method: GET } ] } } ] } ]
`;

const EGRESS = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: web-out, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  egress: [ { toPorts: [ { ports: [ { port: 443 } ], rules: { http: [ { method: POST } ] } } ] } ]
`;

const FAR = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: far, namespace: shop }
spec:
  selector: { matchLabels: { app: far } }
  ingress: [ { toPorts: [ { ports: [ { port: 8080 } ] } ] } ]
`;

describeKernel(
  'serve keeps the eBPF redirect maps in step with the policies',
  () => {
    const box = new Sandbox();
    const pinRoot = testPinRoot('serve');
    let dir: string;
    let serving: Serving;
    const rules = () => readStatus(pinRoot).rules.map((r) => r.text).sort();
    // web names no cgroup: its identity is the workload cgroup the programs are attached to.
    const workloadsId = () => {
      const a = readStatus(pinRoot).attachments.find((x) => x.kind === 'cgroup' && x.hook === 'connect4');
      return a?.kind === 'cgroup' ? a.cgroupId : undefined;
    };
    const write = (name: string, text: string | undefined) => {
      const file = path.join(dir, 'policies', name);
      if (text === undefined) fs.rmSync(file, { force: true });
      else fs.writeFileSync(file, text);
    };

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-serve-bpf-'));
      fs.mkdirSync(path.join(dir, 'policies'));
      fs.writeFileSync(path.join(dir, 'inventory.yaml'), INVENTORY);
      write('orders.yaml', ingress(8080));
      write('web.yaml', EGRESS);
      write('far.yaml', FAR);
      serving = await startServe({
        policies: path.join(dir, 'policies'),
        inventory: path.join(dir, 'inventory.yaml'),
        xds: { host: '127.0.0.1', port: 0 },
        admin: { host: '127.0.0.1', port: 0 },
        logger: silentLogger,
        debounceMs: 50,
        bpf: { cgroup: box.cgroup('workloads'), pinRoot, nodes: ['node-a'] },
      });
      box.onCleanup(async () => {
        await serving.close();
        unloadDataplane({ pinRoot });
      });
    });

    afterAll(async () => {
      await box.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('programs this node\'s entries at start-up, and no other node\'s', () => {
      expect(rules()).toEqual([
        'inbound 10.1.0.7:8080 → :15006',
        'inbound [fd00::7]:8080 → :15006',
        `outbound cg${workloadsId()} *:443 (IPv4) → 127.0.0.1:15001 bind 10.1.0.9`,
        `outbound cg${workloadsId()} *:443 (IPv6) → [::1]:15001 (no source bound)`,
      ]);
    });

    it('moves the inbound entries when the policy moves to another port', async () => {
      write('orders.yaml', ingress(9090));
      await eventually(() => rules().includes('inbound 10.1.0.7:9090 → :15006'), 'the entries for port 9090', 3000);
      expect(rules()).toEqual([
        'inbound 10.1.0.7:9090 → :15006',
        'inbound [fd00::7]:9090 → :15006',
        `outbound cg${workloadsId()} *:443 (IPv4) → 127.0.0.1:15001 bind 10.1.0.9`,
        `outbound cg${workloadsId()} *:443 (IPv6) → [::1]:15001 (no source bound)`,
      ]);
    });

    it('removes the entries of a deleted policy and keeps the rest', async () => {
      write('web.yaml', undefined);
      await eventually(() => !rules().some((r) => r.startsWith('outbound')), 'the outbound entries to go', 3000);
      expect(rules()).toEqual(['inbound 10.1.0.7:9090 → :15006', 'inbound [fd00::7]:9090 → :15006']);
    });

    it('leaves the maps alone when an edit is invalid', async () => {
      const before = serving.runtime.state().generation;
      write('orders.yaml', ingress(9090).replace('GET', 'get'));
      await eventually(() => serving.runtime.state().generation > before, 'the invalid edit to be loaded', 3000);
      expect(rules()).toEqual(['inbound 10.1.0.7:9090 → :15006', 'inbound [fd00::7]:9090 → :15006']);
    });
  },
  { needPeers: false },
);
