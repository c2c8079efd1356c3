/**
 * One state-of-the-world response of `sluice.redirect.v1alpha1.NodeRedirects` → what the agent
 * must program, checked whole: the shape here (one resource, for this host, each entry's
 * direction, identity and proxy address), the values (ports, addresses, conflicts) by the
 * dataplane's own plan when it syncs. Any problem rejects the whole response, with field paths.
 */
import { MESSAGES, TYPE_URL, decodeMessage, type sluice } from '../envoy-api/index.js';
import type { Diagnostic } from '../problems/index.js';
import type { RedirectEntry } from '../policy-compiler/index.js';
import type { AnyResource } from '../xds-client/index.js';

export type NodeRedirectsJson = sluice.redirect.v1alpha1.NodeRedirects;
type RedirectJson = sluice.redirect.v1alpha1.Redirect;

export const NODE_REDIRECTS_TYPE_URL = TYPE_URL.REDIRECTS;

/** An entry as the agent holds it before it resolves Pods: the compiler's entry and how the proxy is reached. */
export interface AgentEntry {
  readonly entry: RedirectEntry;
  /** Outbound: reach the proxy at the node's address (a node proxy, from a Pod's own network namespace). */
  readonly viaNode: boolean;
}

export interface DesiredState {
  readonly entries: readonly AgentEntry[];
  /** Pod UID → the container ids of its own proxies (sidecars). */
  readonly podProxies: ReadonlyMap<string, readonly string[]>;
}


const UID = /^[0-9a-f-]{1,64}$/;
const CONTAINER_ID = /^[0-9a-zA-Z_.-]{1,128}$/;

const problem = (code: string, path: string, message: string): Diagnostic => ({ severity: 'error', code, path, message });

function entryOf(r: RedirectJson, at: string, problems: Diagnostic[], nodeAddress: boolean): AgentEntry | undefined {
  const proxy = r.proxy ?? '';
  if (proxy === '') problems.push(problem('node-redirects.proxy', `${at}.proxy`, 'names no proxy node'));
  const direction = r.direction ?? 'OUTBOUND';
  const port = r.port ?? 0;
  const proxyPort = r.proxy_port ?? 0;
  if (direction === 'INBOUND') {
    if (!r.address) {
      problems.push(problem('node-redirects.address', `${at}.address`, 'an inbound entry names the protected address'));
      return undefined;
    }
    if (r.cgroup !== undefined) problems.push(problem('node-redirects.identity', `${at}.cgroup`, 'an inbound entry names no cgroup (a sidecar Pod\'s names its pod_uid)'));
    const podUid = r.pod_uid;
    if (podUid !== undefined && !UID.test(podUid)) problems.push(problem('node-redirects.pod-uid', `${at}.pod_uid`, `expected a Pod UID (lowercase hex and dashes), got ${JSON.stringify(podUid)}`));
    const inPod = r.node_proxy_in_pod === true;
    if (inPod && podUid === undefined) problems.push(problem('node-redirects.node-proxy-in-pod', `${at}.node_proxy_in_pod`, 'names a node-mode Pod\'s entry without its pod_uid'));
    return { entry: { node: proxy, direction: 'inbound', address: r.address, port, proxyPort, failOpen: r.fail_open === true, ...(podUid !== undefined ? { podUid } : {}), ...(inPod ? { nodeProxyInPod: true } : {}) }, viaNode: false };
  }
  if (direction !== 'OUTBOUND') {
    problems.push(problem('node-redirects.direction', `${at}.direction`, `expected OUTBOUND or INBOUND, got ${JSON.stringify(direction)}`));
    return undefined;
  }
  if (r.node_proxy_in_pod === true) problems.push(problem('node-redirects.node-proxy-in-pod', `${at}.node_proxy_in_pod`, 'is for inbound entries only'));
  const uid = r.pod_uid;
  if (uid !== undefined && !UID.test(uid)) problems.push(problem('node-redirects.pod-uid', `${at}.pod_uid`, `expected a Pod UID (lowercase hex and dashes), got ${JSON.stringify(uid)}`));
  if (r.cgroup !== undefined && (!r.cgroup.startsWith('/') || r.cgroup.split('/').some((s) => s === '..' || s === '.'))) {
    problems.push(problem('node-redirects.cgroup', `${at}.cgroup`, `expected an absolute cgroup path without "." or "..", got ${JSON.stringify(r.cgroup)}`));
  }
  const viaNode = r.proxy_address === 'NODE';
  if (r.proxy_address !== undefined && r.proxy_address !== 'NODE' && r.proxy_address !== 'LOOPBACK') {
    problems.push(problem('node-redirects.proxy-address', `${at}.proxy_address`, `expected LOOPBACK or NODE, got ${JSON.stringify(r.proxy_address)}`));
  }
  if (viaNode && !nodeAddress) problems.push(problem('node-redirects.node-address', `${at}.proxy_address`, 'NODE: this agent has no --node-address to send the connection to'));
  return {
    entry: {
      node: proxy,
      direction: 'outbound',
      ...(r.address ? { address: r.address } : {}),
      port,
      proxyPort,
      workloads: [...(r.workloads ?? [])],
      ...(r.cgroup !== undefined ? { cgroup: r.cgroup } : uid !== undefined ? { podUid: uid } : {}),
      bind: { ...(r.bind_v4 ? { v4: r.bind_v4 } : {}), ...(r.bind_v6 ? { v6: r.bind_v6 } : {}) },
    },
    viaNode,
  };
}

/** Checks a response for `host`; `nodeAddress`: whether the agent has a node address for NODE entries. */
export function parseNodeRedirects(resources: readonly AnyResource[], host: string, nodeAddress: boolean): { state?: DesiredState; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const mine: NodeRedirectsJson[] = [];
  resources.forEach((resource, i) => {
    if (resource.type_url !== NODE_REDIRECTS_TYPE_URL) {
      problems.push(problem('xds.type', `resources[${i}]`, `type ${resource.type_url}, expected ${NODE_REDIRECTS_TYPE_URL}`));
      return;
    }
    try {
      const json = decodeMessage(MESSAGES.nodeRedirects, resource.value) as NodeRedirectsJson;
      if (json.host !== host) problems.push(problem('node-redirects.host', `resources[${i}].host`, `is for host ${JSON.stringify(json.host ?? '')}, this agent programs ${JSON.stringify(host)}`));
      else mine.push(json);
    } catch (error) {
      problems.push(problem('xds.undecodable', `resources[${i}]`, `undecodable: ${error instanceof Error ? error.message : String(error)}`));
    }
  });
  if (mine.length > 1) problems.push(problem('node-redirects.duplicate', 'resources', `${mine.length} NodeRedirects for host ${host}; expected one`));
  const json = mine[0] ?? { host, redirects: [] };
  const entries: AgentEntry[] = [];
  (json.redirects ?? []).forEach((r, i) => {
    const e = entryOf(r, `redirects[${i}]`, problems, nodeAddress);
    if (e) entries.push(e);
  });
  const podProxies = new Map<string, string[]>();
  (json.pod_proxies ?? []).forEach((p, i) => {
    const uid = p.pod_uid ?? '';
    if (!UID.test(uid)) problems.push(problem('node-redirects.pod-uid', `pod_proxies[${i}].pod_uid`, `expected a Pod UID, got ${JSON.stringify(uid)}`));
    (p.container_ids ?? []).forEach((id, j) => {
      if (!CONTAINER_ID.test(id)) problems.push(problem('node-redirects.container-id', `pod_proxies[${i}].container_ids[${j}]`, `expected a container id, got ${JSON.stringify(id)}`));
    });
    podProxies.set(uid, [...(podProxies.get(uid) ?? []), ...(p.container_ids ?? [])]);
  });
  return problems.length > 0 ? { problems } : { state: { entries, podProxies }, problems };
}
