/** Shared shapes of the HTTP filter translators. */
import type { envoy } from '../../../envoy-api/index.js';

/** Which xDS client receives the config: Envoy, or gRPC's own xDS implementation (proxyless). */
export type ProxyFlavor = 'envoy' | 'grpc';

/** An entry of the HttpConnectionManager's `http_filters` list, in JSON form. */
export type HttpFilter = envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
