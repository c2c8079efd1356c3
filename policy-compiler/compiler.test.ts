/**
 * The incremental compiler must produce exactly what a fresh compile produces, whatever the
 * sequence of edits: random policy edits, additions, removals and inventory changes, compared
 * after every step.
 */
import { describe, it, expect } from '@jest/globals';
import { seededRandom } from '../test/support/random.js';
import { compile, Compiler, IncrementalTranslation, LoadCache, loadSources, toPlainJson, translate, type CompileOutput, type Ir, type SourceFile, type Translation } from './index.js';

const ACCESS_LOGS = ['', 'accessLog: [flows, stdout]', 'accessLog: []', 'accessLog: [stdout]'];

function inventory(extra: number, accessLog = 0): SourceFile {
  const lines = ['apiVersion: sluice.dev/v1alpha1', 'kind: Inventory', `proxies: [ { node: node-0${ACCESS_LOGS[accessLog] ? `, ${ACCESS_LOGS[accessLog]}` : ''} } ]`, 'workloads:'];
  for (let i = 0; i < 12 + extra; i++) {
    const proxy = i % 5 === 4 ? '{ grpcProxyless: true }' : `{ node: node-${i % 3} }`;
    lines.push(`  - { name: w${i}, namespace: ns${i % 2}, labels: { team: t${i % 4} }, addresses: [10.0.${i}.1], ports: [ { port: 8080, name: http } ], proxy: ${proxy} }`);
  }
  return { name: 'inventory.yaml', text: `${lines.join('\n')}\n` };
}

function policy(i: number, variant: number): SourceFile {
  const rules = [`{ method: GET, path: { prefix: /p${i}/v${variant} } }`, `{ headers: [ { name: x-v, exact: "${variant}" } ] }`].slice(0, 1 + (variant % 2));
  return {
    name: `p${i}.yaml`,
    text: `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: p${i}, namespace: ns${i % 2} }
spec:
  mode: ${variant % 3 === 0 ? 'audit' : 'enforce'}
  selector: { matchLabels: { team: t${(i + variant) % 4} } }
  ingress:
    - from: [ { selector: { matchLabels: { team: t${variant % 4} } } } ]
      toPorts:
        - ports: [ { port: http } ]
          rules: { http: [ ${rules.join(', ')} ] }
          deny: { http: [ { path: { prefix: /admin${variant} } } ] }
`,
  };
}

function comparable(output: CompileOutput): unknown {
  return toPlainJson({ diagnostics: output.diagnostics, ir: output.ir, nodes: output.nodes, shared: output.shared, redirects: output.redirects, targets: [...output.targets] });
}

describe('incremental compiler', () => {
  it('matches a fresh compile after every step of 200 random edits', () => {
    const next = seededRandom(42);
    const random = (n: number) => Math.floor(next() * n);
    const compiler = new Compiler();
    const cache = new LoadCache();
    const policies = new Map<number, number>([[0, 0], [1, 1], [2, 2]]);
    let extra = 0;
    let accessLog = 0;
    for (let step = 0; step < 200; step++) {
      const action = random(11);
      if (action < 6) policies.set(random(8), random(6));
      else if (action < 8) policies.delete(random(8));
      else if (action < 10) extra = random(4);
      else accessLog = random(ACCESS_LOGS.length);
      const files = [inventory(extra, accessLog), ...[...policies].map(([i, v]) => policy(i, v))];
      const load = loadSources(files, undefined, cache);
      if (!load.inventory) throw new Error('inventory must be valid');
      const incremental = comparable(compiler.compile(load.policies, load.inventory));
      const fresh = comparable(compile(loadSources(files).policies, load.inventory));
      expect({ step, output: incremental }).toEqual({ step, output: fresh });
    }
  });

  it('translates a chain again when only its node\'s access-log setting changed', () => {
    const load = loadSources([inventory(0), policy(0, 1), policy(1, 2)]);
    if (!load.inventory) throw new Error('inventory must be valid');
    const { ir } = compile(load.policies, load.inventory);
    const translation = new IncrementalTranslation();
    translation.translate(ir);
    // The same chain objects under a node that now logs to stdout too, and under one that logs nowhere.
    for (const accessLog of [['flows', 'stdout'], []] as const) {
      const changed: Ir = { ...ir, envoyNodes: ir.envoyNodes.map((n) => ({ ...n, accessLog })) };
      const logs = (t: Translation) => JSON.stringify(t.nodes.flatMap((n) => n.resources.filter((r) => r.message.endsWith('Listener')).map((r) => r.json)));
      expect(logs(translation.translate(changed))).toBe(logs(translate(changed)));
    }
  });

  it('hands back the same resource objects for nodes a change did not touch', () => {
    const compiler = new Compiler();
    const cache = new LoadCache();
    const run = (variant: number) => {
      const load = loadSources([inventory(0), policy(0, 0), policy(1, variant)], undefined, cache);
      if (!load.inventory) throw new Error('inventory must be valid');
      return compiler.compile(load.policies, load.inventory);
    };
    const before = run(1);
    const after = run(4);
    const byNode = (o: CompileOutput) => new Map(o.nodes.map((n) => [n.node, n.resources]));
    const changed = [...byNode(after)].filter(([node, resources]) => byNode(before).get(node) !== resources).map(([node]) => node);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(after.nodes.length);
    expect(after.shared).toBe(before.shared);
    // On a node that changed, the routes of its chains that did not change are the same objects.
    const routes = (o: CompileOutput, node: string) => new Map((o.nodes.find((n) => n.node === node)?.resources ?? []).filter((r) => r.message.endsWith('RouteConfiguration')).map((r) => [r.name, r]));
    const kept = changed.flatMap((node) => [...routes(after, node)].filter(([name, r]) => JSON.stringify(routes(before, node).get(name)?.json) === JSON.stringify(r.json)).map(([name, r]) => ({ node, name, r })));
    expect(kept.length).toBeGreaterThan(0);
    for (const { node, name, r } of kept) expect([node, name, r === routes(before, node).get(name)]).toEqual([node, name, true]);
  });
});
