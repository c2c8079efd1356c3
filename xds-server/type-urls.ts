/**
 * The resource types the xDS server serves: the registry in envoy-api/resource-types.ts (message,
 * type URL, short name, push order, full-state semantics, per-type service), re-exported here as
 * the server's own vocabulary. Nothing else spells a type URL.
 */
export {
  RESOURCE_TYPES, PUSH_ORDER, TYPE_URL, typeInfo, isTypeUrl,
  type ShortName, type ResourceMessage, type TypeUrl, type ResourceTypeInfo,
} from '../envoy-api/index.js';
