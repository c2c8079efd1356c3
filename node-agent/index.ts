/**
 * The node agent (`sluice node-agent`): programs its host's eBPF redirects from the controller's
 * NodeRedirects over xDS, resolving Pods to their cgroups. See docs/kubernetes.md.
 */
export { NodeAgent, type NodeAgentOptions, type NodeAgentStatus } from './agent.js';
export { startAgentAdmin, readiness, type AgentAdmin } from './admin.js';
export { parseNodeRedirects, NODE_REDIRECTS_TYPE_URL, type DesiredState, type AgentEntry } from './resource.js';
export * from './kubepods.js';
