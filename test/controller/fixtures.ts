/** Sources for the runtime's tests: an inventory with one Envoy-fronted workload, and policies on its port. */
import { PolicyRuntime } from '../../controller/index.js';
import type { Diagnostic, SourceFile } from '../../policy-compiler/index.js';
import { createLogger, silentLogger, type Logger } from '../../telemetry/index.js';
import { SnapshotCache, TYPE_URL } from '../../xds-server/index.js';

export const INVENTORY: SourceFile = {
  name: 'inventory.yaml',
  text: `apiVersion: sluice.dev/v1alpha1
kind: Inventory
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7], ports: [ { port: 8080 } ], proxy: { node: node-a, kafka: kafka-a } }
`,
};

/** The text of one `L7Policy` document on the orders port. */
export const policyText = (name: string, rules: string) => `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: ${name}, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          rules: ${rules}
`;

export const policy = (name: string, rules: string, file = `${name}.yaml`): SourceFile => ({ name: file, text: policyText(name, rules) });

/** A runtime over an in-memory cache, with views of what node-a is served. */
export function harness(options: { logger?: Logger } = {}) {
  const cache = new SnapshotCache();
  const runtime = new PolicyRuntime({ cache, logger: options.logger ?? silentLogger });
  const apply = (...files: SourceFile[]) => runtime.apply({ files, readDiagnostics: [] });
  const applyRead = (files: readonly SourceFile[], readDiagnostics: readonly Diagnostic[]) => runtime.apply({ files, readDiagnostics });
  /** The bytes of node-a's inbound listener and the routes that carry its chains' rules (rule ids are readable in them). */
  const inbound = () => {
    const view = cache.view('node-a');
    const listener = view.of(TYPE_URL.LDS).byName.get('inbound');
    const routes = [...view.of(TYPE_URL.RDS).byName.values()].filter((r) => r.name.startsWith('inbound|'));
    return [listener, ...routes].map((r) => (r ? Buffer.from(r.body).toString('latin1') : '')).join('\n');
  };
  const versions = () => cache.view('node-a').snapshot.versions();
  const entry = (key: string) => runtime.state().policies.get(key);
  return { cache, runtime, apply, applyRead, inbound, versions, entry };
}

/** A logger that keeps every record, parsed. */
export function recordingLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  return { logger: createLogger({ level: 'debug', write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) }), records };
}
