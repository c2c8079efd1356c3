/**
 * The feature translators, in one list: translation asks each for what it contributes (feature.ts
 * says what a feature can contribute; ordering.ts where in an ordered list each piece goes). The
 * list's own order is the order of the fields features set on an HttpConnectionManager and of the
 * resources they add; filters are ordered by ordering.ts, not by this list.
 *
 * A new feature (TLS, flows) is a file under features/ and a line here: docs/architecture.md.
 */
import type { FeatureTranslator } from './feature.js';
import { ACCESS_LOG_FEATURE } from './features/access-log.js';
import { KAFKA_POLICY_FEATURE } from './features/kafka-policy.js';
import { MESH_SERVICES_FEATURE } from './features/mesh-services.js';
import { ORIGINAL_DST_FEATURE } from './features/original-dst.js';
import { ORIGINAL_SRC_FEATURE } from './features/original-src.js';
import { PATH_NORMALIZATION_FEATURE } from './features/path-normalization.js';
import { PROXYLESS_LISTENER_FEATURE } from './features/proxyless-listener.js';
import { RBAC_FEATURE } from './features/rbac.js';
import { ROUTER_FEATURE } from './features/router.js';
import { CREDENTIAL_INJECTION_FEATURE } from './features/credential-injection.js';
import { SECRETS_FEATURE } from './features/secrets.js';
import { TLS_ORIGINATION_FEATURE } from './features/tls-origination.js';
import { TLS_TERMINATION_FEATURE } from './features/tls-termination.js';
import { SERVER_NAME_DEPTH_FEATURE } from './features/server-name-depth.js';

export const FEATURES: readonly FeatureTranslator[] = [
  ORIGINAL_DST_FEATURE,
  ORIGINAL_SRC_FEATURE,
  PATH_NORMALIZATION_FEATURE,
  ACCESS_LOG_FEATURE,
  TLS_TERMINATION_FEATURE,
  SERVER_NAME_DEPTH_FEATURE,
  RBAC_FEATURE,
  CREDENTIAL_INJECTION_FEATURE,
  ROUTER_FEATURE,
  TLS_ORIGINATION_FEATURE,
  SECRETS_FEATURE,
  PROXYLESS_LISTENER_FEATURE,
  MESH_SERVICES_FEATURE,
  KAFKA_POLICY_FEATURE,
];

// Each hook's implementations in registry order, computed once (translation calls them per chain).
const implementations = <H>(pick: (f: FeatureTranslator) => H | undefined): readonly H[] => FEATURES.flatMap((f) => {
  const h = pick(f);
  return h ? [h] : [];
});

export const HOOKS = {
  listenerFilters: implementations((f) => f.listenerFilters),
  listenerAccessLog: implementations((f) => f.listenerAccessLog),
  httpFilters: implementations((f) => f.httpFilters),
  connectionManager: implementations((f) => f.connectionManager),
  routeFilterConfig: implementations((f) => f.routeFilterConfig),
  nodeResources: implementations((f) => f.nodeResources),
  filterChainMatch: implementations((f) => f.filterChainMatch),
  filterChainTransport: implementations((f) => f.filterChainTransport),
  chainReferences: implementations((f) => f.chainReferences),
  upstreamCluster: implementations((f) => f.upstreamCluster),
  routeDomains: implementations((f) => f.routeDomains),
  serverListener: implementations((f) => f.serverListener),
  serviceResources: implementations((f) => f.serviceResources),
  kafkaChain: implementations((f) => f.kafkaChain),
} as const;
