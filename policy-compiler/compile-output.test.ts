/** What the controller reads of a compile without reaching into the IR: each node's kind and whether it fails open. */
import { describe, expect, it } from '@jest/globals';
import { compileSources, type SourceFile } from './index.js';

const INVENTORY: SourceFile = {
  name: 'inventory.yaml',
  text: `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies: [ { node: node-b }, { node: node-a, failOpen: true }, { node: kafka-a, kind: kafka, failOpen: true }, { node: kafka-b, kind: kafka } ]
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7], ports: [ { port: 8080 } ], proxy: { node: node-a } }
`,
};

describe('the compile output', () => {
  it("lists every node with its kind and failOpen, as the IR's nodes have them, in node order", () => {
    const r = compileSources([INVENTORY]);
    if (!r.output) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    const { output } = r;
    expect(output.nodes.map((n) => [n.node, n.kind, n.failOpen])).toEqual([
      ['kafka-a', 'kafka', true],
      ['kafka-b', 'kafka', false],
      ['node-a', 'envoy', true],
      ['node-b', 'envoy', false],
    ]);
    // The controller's --envoy list and /status's failOpen come from here; they match the IR's.
    expect(output.nodes.filter((n) => n.kind === 'envoy').map((n) => n.node)).toEqual(output.ir.envoyNodes.map((n) => n.node));
    expect(output.nodes.filter((n) => n.failOpen).map((n) => n.node)).toEqual([...output.ir.envoyNodes, ...output.ir.kafkaNodes].filter((n) => n.failOpen).map((n) => n.node).sort());
  });
});
