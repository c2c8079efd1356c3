/**
 * Whether the traffic a policy names really passes through its rules, as far as the eBPF
 * dataplane this process manages can tell. An ACK says the proxy holds the rules; it does not say
 * that connections reach them. Pure: computed from the compiled IR and a view of the dataplane.
 *
 * - `Degraded`: the rules are in force and nothing bypasses them, but connections they name are
 *   refused: the proxy is not listening (stopped, crashed, booting), or the workloads cannot be
 *   told apart on egress.
 * - `Bypassed`: connections the rules name reach their destination unchecked: a `failOpen` proxy
 *   is not listening, or a workload's cgroup does not exist so its connections are not steered.
 */
import { familyOf } from '../ip/index.js';
import { hostOfAgent, parseUnresolvedReport, type Ir, type PolicyKey, type PolicyTarget, type UnresolvedPod, type Unsteered } from '../policy-compiler/index.js';
import type { NodeStatus } from '../xds-server/index.js';

export interface DataplaneView {
  /** Whether this process programs the redirects of this proxy node. */
  manages(node: string): boolean;
  /** Whether a proxy listening socket for this family and port is registered right now. */
  listening(family: 4 | 6, port: number): boolean;
  /** Outbound entries the last sync could not program, because their workload cgroup does not exist. */
  readonly unresolved: readonly { readonly workloads: readonly string[]; readonly cgroup: string }[];
}

export interface DataPathProblem {
  readonly state: 'Degraded' | 'Bypassed';
  readonly node: string;
  readonly message: string;
}

interface Chain {
  readonly node: string;
  readonly direction: 'inbound' | 'outbound';
  readonly port: number;
  readonly workload: string;
  readonly families: ReadonlySet<4 | 6>;
  readonly proxyPort: number;
  readonly failOpen: boolean;
  readonly policies: readonly { readonly key: PolicyKey }[];
}

function chainsOf(ir: Ir): Chain[] {
  const chains: Chain[] = [];
  for (const n of ir.envoyNodes) {
    for (const c of n.inbound) chains.push({ node: n.node, direction: 'inbound', port: c.port, workload: c.workload, families: new Set(c.destinations.map((d) => familyOf(d.address))), proxyPort: n.inboundPort, failOpen: n.failOpen, policies: c.policies });
    for (const c of n.outbound) chains.push({ node: n.node, direction: 'outbound', port: c.port, workload: c.workload, families: new Set(), proxyPort: n.outboundPort, failOpen: n.failOpen, policies: c.policies });
  }
  for (const k of ir.kafkaNodes) {
    for (const c of k.chains) chains.push({ node: k.node, direction: c.direction, port: c.port, workload: c.workload, families: new Set(c.addresses.map(familyOf)), proxyPort: k.listenPort, failOpen: k.failOpen, policies: c.policies });
  }
  return chains;
}

export function dataPathProblems(ir: Ir, view: DataplaneView): Map<PolicyKey, DataPathProblem[]> {
  const problems = new Map<PolicyKey, DataPathProblem[]>();
  const add = (chain: Chain, problem: Omit<DataPathProblem, 'node'>) => {
    for (const { key } of chain.policies) problems.set(key, [...(problems.get(key) ?? []), { ...problem, node: chain.node }]);
  };
  const unresolved = new Map(view.unresolved.flatMap((u) => u.workloads.map((w) => [w, u.cgroup] as const)));
  for (const chain of chainsOf(ir)) {
    if (!view.manages(chain.node)) continue;
    if (chain.direction === 'inbound') {
      const down = [...chain.families].filter((f) => !view.listening(f, chain.proxyPort));
      if (down.length === 0) continue;
      const what = `${chain.node} is not listening on :${chain.proxyPort} (IPv${down.join(', IPv')})`;
      add(
        chain,
        chain.failOpen
          ? { state: 'Bypassed', message: `${what}: new connections to ${chain.workload} port ${chain.port} reach it unchecked (failOpen)` }
          : { state: 'Degraded', message: `${what}: new connections to ${chain.workload} port ${chain.port} are refused until it listens` },
      );
      continue;
    }
    const cgroup = unresolved.get(chain.workload);
    if (cgroup !== undefined) add(chain, { state: 'Bypassed', message: `the cgroup ${cgroup} of ${chain.workload} does not exist: its connections to port ${chain.port} are not steered to ${chain.node}` });
  }
  return problems;
}

/**
 * With node agents: the inbound rules of node-mode Pods that the node proxy does not serve yet. A
 * Pod has a network namespace of its own, where new connections are looked up; the node proxy
 * serves them from a listener inside it, on a port of the Pod's own. With no port left for the Pod,
 * nothing steers them: they reach it unchecked (Bypassed). With no link to its namespace reported
 * yet, the node proxy has no listener there: the agent refuses them meanwhile (Degraded).
 */
export function unsteeredProblems(unsteered: readonly Unsteered[]): Map<PolicyKey, DataPathProblem[]> {
  const problems = new Map<PolicyKey, DataPathProblem[]>();
  for (const u of unsteered) {
    const what = `inbound connections to ${u.workload} port ${u.port} (${u.address})`;
    const problem: DataPathProblem = u.reason === 'no-port'
      ? { state: 'Bypassed', node: u.proxy, message: `${what} are not steered to ${u.proxy}: the Pod has its own network namespace, and the node proxy of ${u.host} has no port left for a listener in it (every port of its node-mode Pod range is taken), so they reach it unchecked` }
      : { state: 'Degraded', node: u.proxy, message: `${what}: ${u.host}'s agent has not reported linking the Pod's network namespace yet, so ${u.proxy} has no listener there; new connections are refused until it has` };
    for (const key of u.policies) problems.set(key, [...(problems.get(key) ?? []), problem]);
  }
  return problems;
}

/**
 * With node agents: the Pods an agent was sent entries for but cannot steer (it reports them in
 * its node's metadata, policy-compiler/translate/node-redirects-report.ts). An agent's ACK says its
 * maps are right, not that every Pod is in them: each outbound rule of such a Pod is Bypassed,
 * naming the Pod, its node and why. An agent that reports more Pods than it lists makes every
 * policy it steers Bypassed (which Pods is not known, so none of them is vouched for); so does an
 * agent that sends no report at all (one older than the report: its ACK says nothing of its Pods;
 * a current agent always sends one, empty when it steers every Pod). A sidecar
 * container the agent cannot find is not registered as a proxy: its own upstream connections meet
 * its Pod's redirects and loop back into it, so the Pod's outbound rules are Degraded.
 */
export function unresolvedPodProblems(ir: Ir, nodes: readonly NodeStatus[], targets: ReadonlyMap<PolicyKey, readonly PolicyTarget[]>): Map<PolicyKey, DataPathProblem[]> {
  const problems = new Map<PolicyKey, DataPathProblem[]>();
  const add = (key: PolicyKey, problem: DataPathProblem) => problems.set(key, [...(problems.get(key) ?? []), problem]);
  const placed = ir.placement?.workloads ?? [];
  const chains = chainsOf(ir);
  /** Every policy that needs this agent: Bypassed, since which of its Pods are steered is not known. */
  const noneVouchedFor = (nodeId: string, message: string) => {
    for (const [key, list] of targets) if (list.some((t) => t.kind === 'node' && t.node === nodeId)) add(key, { state: 'Bypassed', node: nodeId, message });
  };
  for (const n of nodes) {
    const host = hostOfAgent(n.nodeId);
    if (host === undefined) continue;
    const report = parseUnresolvedReport(n.node.metadata);
    // An agent older than the report (or one whose report does not read) says nothing of its Pods: its ACK vouches for none.
    if (!report) noneVouchedFor(n.nodeId, `the agent on ${host} sends no steering report (older than this controller?): none of its Pods' connections is vouched for`);
    if (!report || report.total === 0) continue;
    for (const pod of report.pods) {
      const workload = placed.find((w) => w.podUid === pod.uid && w.host === host)?.workload;
      if (workload === undefined) continue;
      for (const chain of chains.filter((c) => c.workload === workload)) {
        const problem = podProblem(n.nodeId, workload, pod, chain);
        if (problem) for (const { key } of chain.policies) add(key, problem);
      }
    }
    if (report.total > report.pods.length) noneVouchedFor(n.nodeId, `${n.nodeId} cannot steer ${report.total} Pods and names only ${report.pods.length}: none of its Pods' connections is vouched for`);
  }
  return problems;
}

/**
 * What a reported Pod means for one of its chains, or nothing. No cgroup (or an unknown layout):
 * none of its connections is steered (Bypassed). A sidecar not known as the proxy: its upstream
 * connections are redirected into itself, so they fail (outbound Degraded), and its inbound is not
 * steered (Bypassed). No network namespace to attach in: its inbound is not steered (Bypassed).
 * A sidecar not listening: its new inbound connections are refused (Degraded).
 */
function podProblem(nodeId: string, workload: string, pod: UnresolvedPod, chain: Chain): DataPathProblem | undefined {
  const who = `Pod ${workload} (uid ${pod.uid}, ${pod.reason})`;
  const inbound = chain.direction === 'inbound';
  switch (pod.reason) {
    case 'cgroup-not-found':
    case 'unknown-layout':
      return { state: 'Bypassed', node: nodeId, message: `${nodeId} cannot steer ${who}: ${pod.message}; its ${inbound ? 'inbound ' : ''}connections to port ${chain.port} are not steered to ${chain.node}` };
    case 'sidecar-not-found':
      return inbound
        ? { state: 'Bypassed', node: nodeId, message: `${nodeId} cannot find the sidecar of ${who}: ${pod.message}; inbound connections to its port ${chain.port} are not steered to ${chain.node} and reach it unchecked` }
        : { state: 'Degraded', node: nodeId, message: `${nodeId} cannot find the sidecar of ${who}: ${pod.message}; its upstream connections to port ${chain.port} meet the Pod's redirect to ${chain.node} and loop back into it instead of reaching their destination` };
    case 'netns-not-found':
      return inbound ? { state: 'Bypassed', node: nodeId, message: `${nodeId} cannot steer inbound connections of ${who}: ${pod.message}; connections to its port ${chain.port} reach it without ${chain.node}` } : undefined;
    case 'sidecar-not-listening':
    case 'node-proxy-not-listening':
      return inbound ? { state: 'Degraded', node: nodeId, message: `${nodeId} steers inbound connections of ${who} to ${chain.node}, which is not listening: ${pod.message}; new connections to its port ${chain.port} are refused until it listens` } : undefined;
    default: {
      const never: never = pod.reason;
      return never;
    }
  }
}

/** Per policy, the problems of every map, in order. */
export function mergeProblems(...maps: readonly ReadonlyMap<PolicyKey, readonly DataPathProblem[]>[]): Map<PolicyKey, DataPathProblem[]> {
  const out = new Map<PolicyKey, DataPathProblem[]>();
  for (const m of maps) for (const [key, list] of m) out.set(key, [...(out.get(key) ?? []), ...list]);
  return out;
}
