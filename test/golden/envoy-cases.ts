/**
 * The golden `*.resources.yaml` files as what a real Envoy is served: one step per golden node
 * and one for the proxyless view of each case, every resource exactly as the golden file holds
 * it (encoded by envoy-api's `encodeMessage`, as controller/publish.ts does) — with two stated
 * exceptions:
 *
 * - Kafka enforcer nodes are skipped: their only resource, `sluice.kafka.v1alpha1.KafkaPolicy`,
 *   is sluice's own type, which Envoy does not know (test/kafka-proxy and the Kafka e2e suites
 *   prove those).
 * - The proxyless client Listeners are `api_listener`s. Envoy takes an api_listener only from its
 *   bootstrap and *ignores* one that arrives over LDS (it logs "can only be added via bootstrap
 *   configuration" and still ACKs), so serving them as they are would prove nothing. Each one's
 *   HttpConnectionManager, byte for byte, is served instead as the only filter of a harness
 *   Listener of the same name on a loopback port; Envoy then builds that HCM, subscribes to its
 *   route configuration over RDS and checks it. The proxyless resources are standard LDS/RDS/CDS/EDS
 *   that gRPC clients and servers read with Envoy's semantics (gRFC A27/A36), so Envoy must accept
 *   them too: the server Listeners (inline routes with `non_forwarding_action`, RBAC, router),
 *   the EDS clusters and their endpoints are served unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { MESSAGES } from '../../envoy-api/index.js';
import { compileSources, toPlainJson } from '../../policy-compiler/index.js';
import { caseCatalog, readCaseSecrets } from './secrets.js';

/** A resource as the golden file holds it: its message, name, JSON form and what it points at. */
export interface GoldenResource {
  readonly message: string;
  readonly name: string;
  readonly json: Record<string, unknown>;
  readonly references: readonly { readonly message: string; readonly name: string }[];
}

/** What one Envoy is served in one go: a golden node's resources, or a case's proxyless view. */
export interface Step {
  readonly label: string;
  readonly resources: readonly GoldenResource[];
}

export interface GoldenCase {
  readonly name: string;
  readonly steps: readonly Step[];
  /** What is not served to Envoy, and why. */
  readonly skipped: readonly string[];
}

interface FileResource {
  readonly type: string;
  readonly name: string;
  readonly references: readonly { readonly message: string; readonly name: string }[];
  readonly resource: Record<string, unknown>;
}

interface ResourcesFile {
  readonly nodes: readonly { readonly node: string; readonly kind: string; readonly resources: readonly FileResource[] }[];
  readonly proxyless: { readonly serverListeners: readonly (Record<string, unknown> | null)[]; readonly shared: readonly FileResource[] };
}

export const LISTENER = 'envoy.config.listener.v3.Listener';
const HCM_FILTER = 'envoy.filters.network.http_connection_manager';
/** The first loopback port for the harness Listeners that carry the client HCMs (skipping the server Listeners' ports). */
const CLIENT_HCM_PORT_BASE = 30_000;

const fromFile = (r: FileResource): GoldenResource => ({ message: r.type, name: r.name, json: r.resource, references: r.references });

/** The client api_listener's HCM as the only filter of an ordinary Listener of the same name. */
function clientHcmListener(r: FileResource, port: number): GoldenResource {
  const api = r.resource['api_listener'] as { api_listener?: unknown } | undefined;
  if (!api?.api_listener) return fromFile(r);
  return {
    message: LISTENER,
    name: r.name,
    json: {
      name: r.name,
      address: { socket_address: { address: '127.0.0.1', port_value: port } },
      filter_chains: [{ filters: [{ name: HCM_FILTER, typed_config: api.api_listener }] }],
    },
    references: r.references,
  };
}

function proxylessStep(file: ResourcesFile): Step | undefined {
  const servers = file.proxyless.serverListeners.map((json, i): GoldenResource => {
    if (!json) throw new Error(`proxyless.serverListeners[${i}] is null: the compiler could not build a server Listener it announced`);
    return { message: LISTENER, name: String(json['name']), json, references: [] };
  });
  const taken = new Set(servers.map((l) => (l.json['address'] as { socket_address?: { port_value?: number } } | undefined)?.socket_address?.port_value));
  let port = CLIENT_HCM_PORT_BASE;
  const nextPort = (): number => {
    while (taken.has(port)) port++;
    return port++;
  };
  const shared = file.proxyless.shared.map((r) => (r.type === LISTENER ? clientHcmListener(r, nextPort()) : fromFile(r)));
  const resources = [...shared, ...servers];
  return resources.length > 0 ? { label: 'proxyless', resources } : undefined;
}

/**
 * The golden files redact private keys and credentials; Envoy needs the real ones. A case with
 * secrets is compiled again from its inputs, and its Secret resources are served from that.
 */
function unredactedSecrets(dir: string, name: string): ReadonlyMap<string, GoldenResource> {
  const raw = readCaseSecrets(dir, name);
  const input = path.join(dir, `${name}.in.yaml`);
  if (!raw || !fs.existsSync(input)) return new Map();
  const output = compileSources([{ name: `${name}.in.yaml`, text: fs.readFileSync(input, 'utf8') }], caseCatalog(raw)).output;
  const secrets = (output?.nodes ?? []).flatMap((n) => n.resources).filter((r) => r.message === MESSAGES.secret);
  return new Map(secrets.map((r) => [r.name, { message: r.message, name: r.name, json: toPlainJson(r.json) as Record<string, unknown>, references: r.references }]));
}

export function readGoldenCase(dir: string, name: string): GoldenCase {
  const file = parse(fs.readFileSync(path.join(dir, `${name}.resources.yaml`), 'utf8')) as ResourcesFile;
  const secrets = unredactedSecrets(dir, name);
  const restored = (r: FileResource): GoldenResource => (r.type === MESSAGES.secret ? secrets.get(r.name) ?? fromFile(r) : fromFile(r));
  const steps: Step[] = [];
  const skipped: string[] = [];
  for (const n of file.nodes) {
    if (n.kind === 'envoy') steps.push({ label: `node ${n.node}`, resources: n.resources.map(restored) });
    else skipped.push(`node ${n.node} (${n.kind}): ${n.resources.map((r) => r.type).join(', ') || 'no resources'} — not Envoy's; ${n.kind === 'agent' ? "the node-agent suites serve it to sluice's agent" : "the Kafka suites serve it to sluice's enforcer"}`);
  }
  const proxyless = proxylessStep(file);
  if (proxyless) steps.push(proxyless);
  return { name, steps, skipped };
}

/** Every case that has a resources file (the `invalid-*` cases that stop before the IR have none). */
export function goldenResourceCases(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.resources.yaml')).map((f) => f.slice(0, -'.resources.yaml'.length)).sort();
}
