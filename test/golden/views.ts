/** What the golden files hold of a translation: every node's resources and the proxyless view, as YAML. */
import { stringify } from 'yaml';
import { redactSecrets, toPlainJson, type EnvoyResource, type Translation } from '../../policy-compiler/index.js';

const entry = (r: EnvoyResource) => ({ type: r.message, name: r.name, references: r.references, resource: r.json });

export function resourcesView(t: Translation): unknown {
  return {
    nodes: t.nodes.map((n) => ({ node: n.node, kind: n.kind, resources: n.resources.map(entry) })),
    proxyless: { serverListeners: t.serverListeners().map((r) => r.json), shared: t.shared.map(entry) },
  };
}

/** Every resource a translation emits, server Listeners included. */
export function allResources(t: Translation): EnvoyResource[] {
  return [...t.nodes.flatMap((n) => n.resources), ...t.shared, ...t.serverListeners()];
}

/** Private keys and credentials redacted (envoy-accepts.test.ts puts the case's own back before serving). */
export const yaml = (value: unknown): string => stringify(redactSecrets(toPlainJson(value)), { lineWidth: 0 });
