/** Shared shapes of the HTTP filter translators. */

/** Which xDS client receives the config: Envoy, or gRPC's own xDS implementation (proxyless). */
export type ProxyFlavor = 'envoy' | 'grpc';

/** An entry of the HttpConnectionManager's `http_filters` list, in JSON form. */
export interface HttpFilter {
  readonly name: string;
  readonly typed_config: Record<string, unknown>;
}
