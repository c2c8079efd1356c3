/**
 * sluice's eBPF dataplane: transparent redirection of selected connections into the local proxy
 * (cgroup connect4/6 + sockops + getsockopt for outbound, sk_lookup and the proxy's listener
 * registration for inbound), loaded through libbpf, pinned under a bpffs root so it outlives the controller, and
 * kept in step with the compiler's redirect entries by `sync`. See docs/bpf.md.
 */
export { openRedirectDataplane, type DataplaneOptions, type ProxyListener, type RedirectDataplane, type SyncResult } from './loader/dataplane.js';
export { attachDataplane, unloadDataplane, MAP_SHAPES, type AttachOptions, type AttachReport, type UnloadReport } from './loader/loader.js';
export { pinLayout, parseLinkName, type PinLayout } from './loader/pins.js';
export { readStatus, type DataplaneStatus, type Attachment, type RuleView } from './loader/status.js';
export { originalDestination, parseSockaddr, type OriginalDestination } from './loader/original-dst.js';
export { planRules, diffRules, type RulePlan, type RuleDiff, type RuleOp, type DesiredRule, type CurrentRule, type PlanOptions } from './loader/plan.js';
export { BpfError, type BpfErrorCode } from './loader/errors.js';
export { DEFAULT_PIN_ROOT, findCgroup2Mount, findObject, checkCgroup } from './loader/environment.js';
export { parseAddress, formatAddress, formatEndpoint } from './loader/addr.js';
export * as abi from './loader/abi.js';
export { attachPodNetns, releasePodLinks, type PodLink } from './loader/pod-links.js';
export { netnsIno } from './loader/netns.js';
