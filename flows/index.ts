/** L7 flows: the record, its collection from Envoy and the Kafka enforcer, the store, queries, metrics, the map, reports. */
export * from './record.js';
export { alsAccessLog, LOG_NAME, type AlsAccessLogOptions } from './envoy-config.js';
export { FlowCollector, type CollectorOptions, type CollectorStats } from './collector.js';
export { FlowStore, type StoredFlow, type StoreStats, type QueryOptions } from './store.js';
export { WorkloadIndex, canonicalAddress } from './workloads.js';
export { chainLookup, NO_CHAINS, type ChainLookup, type ChainPolicies } from './chains.js';
export { parseFlowQuery, parsePeer, parseDuration, peerMatches, toPairs, FILTER_PARAMS, type FlowFilter, type FlowQuery, type PeerMatch, type FilterParam } from './filter.js';
export { compilePredicate, type Predicate } from './predicate.js';
export { decide, policyOfRule, RBAC_KEYS, RBAC_METADATA_NAMESPACE, type Decision, type RbacFields } from './verdict.js';
export { mapHttpEntry, directionOfLog, GRPC_CODES, type StreamContext } from './als-mapping.js';
export { encodeFlow, decodeFlow, flowToProto, flowFromProto, flowToJsonpb, flowToJson, flowFromJson } from './codec.js';
export { flowProtoRoot, flowMessage, MESSAGE, OBJECT_FORM, ALS_SERVICE, ALS_METHOD, FLOW_SERVICE, FLOW_METHOD } from './proto.js';
export { BoundedQueue } from './queue.js';
