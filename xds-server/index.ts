/**
 * sluice's xDS server: a generic, protocol-correct State-of-the-World server (ADS and per-type
 * services) over a snapshot cache. It knows nothing about policies.
 *
 * Use: build snapshots with `createSnapshot`, publish them on a `SnapshotCache` (per node, a
 * default, and an on-demand `Resolver`), serve the cache with `XdsServer`, and read `status()` /
 * subscribe with `on()` to learn what each node ACKed or NACKed. See docs/xds-server.md.
 */
export { RESOURCE_TYPES, TYPE_URL, PUSH_ORDER, typeInfo, isTypeUrl, type ShortName, type ResourceMessage, type TypeUrl, type ResourceTypeInfo } from './type-urls.js';
export {
  createSnapshot,
  contentHash,
  Snapshot,
  EMPTY_SNAPSHOT,
  type ResourceInput,
  type ResourceRef,
  type Resource,
  type ConsistencyProblem,
  type SnapshotResult,
  type TypeResources,
} from './snapshot.js';
export { SnapshotCache, type Resolver, type ChangeListener, type NodeWatch, type SnapshotCacheOptions } from './cache.js';
export type { ResourceView, ResourceSet, Selector } from './view.js';
export { XdsServer, grpcServerOptions, DEFAULT_LIMITS, type XdsServerOptions, type XdsLimits } from './server.js';
export type { XdsMetrics } from './metrics.js';
export type {
  Transport,
  SentStatus,
  AckStatus,
  NackStatus,
  SubscriptionStatus,
  StreamTypeStatus,
  StreamStatus,
  NodeTypeStatus,
  NodeStatus,
  XdsEvent,
  XdsEventListener,
} from './status.js';
export type { NodeInfo } from './wire.js';
export { SLUICE_METADATA_PREFIX, type JsonValue } from './node-metadata.js';
export { checkNodeIdentity, nodeIdsOf, type NodeIdentityOptions, type IdentityVerdict } from './identity.js';
