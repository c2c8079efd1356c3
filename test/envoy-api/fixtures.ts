/**
 * Realistic Envoy resources in sluice's JSON form, shaped like what the compiler emits for a
 * node proxy: an inbound listener with original_dst, per-port filter chains, RBAC (deny, then
 * allow with audit shadow rules) and the router; the matching routes, clusters, endpoints,
 * secret and bootstrap. Each builder returns a fresh object, so tests may mutate it.
 */
export const T = 'type.googleapis.com/';
export const ADS = { ads: {}, resource_api_version: 'V3' };

export function rbacDeny(): Record<string, unknown> {
  return {
    '@type': `${T}envoy.extensions.filters.http.rbac.v3.RBAC`,
    rules: {
      action: 'DENY',
      policies: {
        'shop/orders-api/deny-0': {
          permissions: [{ url_path: { path: { prefix: '/admin' } } }],
          principals: [{ any: true }],
        },
      },
    },
  };
}

export function rbacAllowWithShadow(): Record<string, unknown> {
  const allowRule = {
    permissions: [
      {
        and_rules: {
          rules: [
            { header: { name: ':method', string_match: { exact: 'GET' } } },
            { url_path: { path: { prefix: '/v1/orders' } } },
            { header: { name: 'x-tenant', string_match: { exact: 'acme' } } },
          ],
        },
      },
      { url_path: { path: { safe_regex: { regex: '^/v1/orders/[0-9]+$' } } } },
    ],
    principals: [
      { direct_remote_ip: { address_prefix: '10.1.0.0', prefix_len: { value: 16 } } },
      { direct_remote_ip: { address_prefix: '10.2.0.9', prefix_len: { value: 32 } } },
    ],
  };
  return {
    '@type': `${T}envoy.extensions.filters.http.rbac.v3.RBAC`,
    rules: { action: 'ALLOW', policies: { 'shop/orders-api/allow-0': allowRule } },
    shadow_rules: { action: 'ALLOW', policies: { 'shop/orders-audit/allow-0': allowRule } },
    shadow_rules_stat_prefix: 'sluice_audit_',
  };
}

export function router(): Record<string, unknown> {
  return { name: 'envoy.filters.http.router', typed_config: { '@type': `${T}envoy.extensions.filters.http.router.v3.Router` } };
}

export function hcm(routeConfigName: string): Record<string, unknown> {
  return {
    '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
    stat_prefix: 'inbound_8080',
    codec_type: 'AUTO',
    rds: { route_config_name: routeConfigName, config_source: ADS },
    http_filters: [
      { name: 'envoy.filters.http.rbac', typed_config: rbacDeny() },
      { name: 'envoy.filters.http.rbac', typed_config: rbacAllowWithShadow() },
      router(),
    ],
    request_timeout: { seconds: 30 },
    use_remote_address: { value: true },
  };
}

/** The inbound listener of a node proxy, with everything the brief lists. */
export function fullListener(): Record<string, unknown> {
  return {
    name: 'sluice-inbound',
    address: { socket_address: { address: '0.0.0.0', port_value: 15006 } },
    traffic_direction: 'INBOUND',
    listener_filters: [
      { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst` } },
    ],
    filter_chains: [
      {
        name: 'shop/orders:8080',
        filter_chain_match: {
          destination_port: { value: 8080 },
          prefix_ranges: [{ address_prefix: '10.1.0.7', prefix_len: { value: 32 } }, { address_prefix: 'fd00::7', prefix_len: { value: 128 } }],
        },
        filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm('inbound|8080') }],
      },
      {
        name: 'vault/ledger:7443',
        filter_chain_match: { destination_port: { value: 7443 }, prefix_ranges: [{ address_prefix: '10.1.0.8', prefix_len: { value: 32 } }] },
        filters: [
          {
            name: 'envoy.filters.network.rbac',
            typed_config: {
              '@type': `${T}envoy.extensions.filters.network.rbac.v3.RBAC`,
              stat_prefix: 'ledger_tcp',
              rules: { action: 'ALLOW', policies: { 'vault/ledger/allow-0': { permissions: [{ destination_port: 7443 }], principals: [{ direct_remote_ip: { address_prefix: '10.1.0.0', prefix_len: { value: 16 } } }] } } },
            },
          },
          {
            name: 'envoy.filters.network.tcp_proxy',
            typed_config: { '@type': `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`, stat_prefix: 'ledger', cluster: 'inbound|7443|ledger', idle_timeout: { seconds: 3600 } },
          },
        ],
      },
    ],
    default_filter_chain: {
      name: 'passthrough',
      filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`, stat_prefix: 'passthrough', cluster: 'original-dst' } }],
    },
  };
}

export function routeConfiguration(): Record<string, unknown> {
  return {
    name: 'inbound|8080',
    virtual_hosts: [
      {
        name: 'orders',
        domains: ['*'],
        routes: [
          {
            name: 'orders-grpc',
            match: { prefix: '/shop.v1.Orders/', headers: [{ name: 'content-type', string_match: { prefix: 'application/grpc' } }] },
            route: { cluster: 'inbound|8080|orders', timeout: { seconds: 15, nanos: 500000000 } },
          },
          { match: { safe_regex: { regex: '^/v1/orders(/.*)?$' } }, route: { cluster: 'inbound|8080|orders' } },
          { match: { path_separated_prefix: '/v1/invoices' }, direct_response: { status: 404 } },
        ],
      },
    ],
    validate_clusters: { value: false },
  };
}

export function edsCluster(): Record<string, unknown> {
  return {
    name: 'inbound|8080|orders',
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS },
    connect_timeout: { seconds: 5 },
    lb_policy: 'ROUND_ROBIN',
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
        explicit_http_config: { http2_protocol_options: { max_concurrent_streams: { value: 100 } } },
      },
    },
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
        sni: 'orders.shop.svc',
        common_tls_context: {
          tls_certificate_sds_secret_configs: [{ name: 'sluice/orders-client', sds_config: ADS }],
          validation_context_sds_secret_config: { name: 'sluice/ca', sds_config: ADS },
        },
      },
    },
    circuit_breakers: { thresholds: [{ priority: 'DEFAULT', max_connections: { value: 1024 } }] },
  };
}

export function originalDstCluster(): Record<string, unknown> {
  return { name: 'original-dst', type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED', connect_timeout: { seconds: 1 } };
}

export function loadAssignment(): Record<string, unknown> {
  return {
    cluster_name: 'inbound|8080|orders',
    endpoints: [
      {
        locality: { zone: 'a' },
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8080 } } }, load_balancing_weight: { value: 1 } },
          { endpoint: { address: { socket_address: { address: '::1', port_value: 8080 } } }, health_status: 'HEALTHY' },
        ],
      },
    ],
  };
}

export function secret(): Record<string, unknown> {
  return {
    name: 'sluice/orders-server',
    tls_certificate: {
      certificate_chain: { inline_string: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
      private_key: { inline_bytes: Buffer.from('not a real key').toString('base64') },
    },
  };
}

export function downstreamTls(): Record<string, unknown> {
  return {
    '@type': `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
    require_client_certificate: { value: true },
    common_tls_context: {
      tls_params: { tls_minimum_protocol_version: 'TLSv1_2' },
      tls_certificate_sds_secret_configs: [{ name: 'sluice/orders-server', sds_config: ADS }],
      alpn_protocols: ['h2', 'http/1.1'],
    },
    session_timeout: { seconds: 300 },
  };
}

export function bootstrap(): Record<string, unknown> {
  return {
    node: { id: 'node-a', cluster: 'sluice', locality: {} },
    dynamic_resources: {
      ads_config: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'sluice-xds' } }] },
      lds_config: ADS,
      cds_config: ADS,
    },
    static_resources: {
      clusters: [
        {
          name: 'sluice-xds',
          type: 'STATIC',
          connect_timeout: { seconds: 1 },
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
          load_assignment: { cluster_name: 'sluice-xds', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 18000 } } } }] }] },
        },
      ],
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } },
    stats_flush_interval: { seconds: 5 },
  };
}

/** Every realistic resource with its message type. */
export function realisticResources(): Array<{ type: string; json: Record<string, unknown> }> {
  return [
    { type: 'envoy.config.listener.v3.Listener', json: fullListener() },
    { type: 'envoy.config.route.v3.RouteConfiguration', json: routeConfiguration() },
    { type: 'envoy.config.cluster.v3.Cluster', json: edsCluster() },
    { type: 'envoy.config.cluster.v3.Cluster', json: originalDstCluster() },
    { type: 'envoy.config.endpoint.v3.ClusterLoadAssignment', json: loadAssignment() },
    { type: 'envoy.extensions.transport_sockets.tls.v3.Secret', json: secret() },
    { type: 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', json: (({ '@type': _t, ...rest }) => rest)(downstreamTls()) },
    { type: 'envoy.config.bootstrap.v3.Bootstrap', json: bootstrap() },
  ];
}
