/* Generated from Envoy's protos (@grpc/grpc-js-xds deps) and proto/ by scripts/gen-message-types.mjs (npm run gen). Do not edit. */
/* 453 messages and enums: the closure of MESSAGES in envoy-api/protos.ts, in the JSON form envoy-api/codec.ts reads. */
import type { MESSAGES } from '../protos.js';

/** A 64-bit integer: a number while it is a safe integer, else a decimal string. */
export type Int64Json = number | string;
/** A message with no fields: `{}`, and no field may be added. */
export type EmptyMessage = { readonly [field: string]: never };

export declare namespace envoy.config.accesslog.v3 {
  interface AccessLog {
    readonly name?: string;
    readonly filter?: envoy.config.accesslog.v3.AccessLogFilter;
    readonly typed_config?: AnyJson;
  }
  interface AccessLogFilter {
    readonly status_code_filter?: envoy.config.accesslog.v3.StatusCodeFilter;
    readonly duration_filter?: envoy.config.accesslog.v3.DurationFilter;
    readonly not_health_check_filter?: envoy.config.accesslog.v3.NotHealthCheckFilter;
    readonly traceable_filter?: envoy.config.accesslog.v3.TraceableFilter;
    readonly runtime_filter?: envoy.config.accesslog.v3.RuntimeFilter;
    readonly and_filter?: envoy.config.accesslog.v3.AndFilter;
    readonly or_filter?: envoy.config.accesslog.v3.OrFilter;
    readonly header_filter?: envoy.config.accesslog.v3.HeaderFilter;
    readonly response_flag_filter?: envoy.config.accesslog.v3.ResponseFlagFilter;
    readonly grpc_status_filter?: envoy.config.accesslog.v3.GrpcStatusFilter;
    readonly extension_filter?: envoy.config.accesslog.v3.ExtensionFilter;
    readonly metadata_filter?: envoy.config.accesslog.v3.MetadataFilter;
    readonly log_type_filter?: envoy.config.accesslog.v3.LogTypeFilter;
  }
  interface AndFilter {
    readonly filters?: readonly envoy.config.accesslog.v3.AccessLogFilter[];
  }
  interface ComparisonFilter {
    readonly op?: envoy.config.accesslog.v3.ComparisonFilter.Op;
    readonly value?: envoy.config.core.v3.RuntimeUInt32;
  }
  interface DurationFilter {
    readonly comparison?: envoy.config.accesslog.v3.ComparisonFilter;
  }
  interface ExtensionFilter {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface GrpcStatusFilter {
    readonly statuses?: readonly envoy.config.accesslog.v3.GrpcStatusFilter.Status[];
    readonly exclude?: boolean;
  }
  interface HeaderFilter {
    readonly header?: envoy.config.route.v3.HeaderMatcher;
  }
  interface LogTypeFilter {
    readonly types?: readonly envoy.data.accesslog.v3.AccessLogType[];
    readonly exclude?: boolean;
  }
  interface MetadataFilter {
    readonly matcher?: envoy.type.matcher.v3.MetadataMatcher;
    readonly match_if_key_not_found?: google.protobuf.BoolValue;
  }
  type NotHealthCheckFilter = EmptyMessage;
  interface OrFilter {
    readonly filters?: readonly envoy.config.accesslog.v3.AccessLogFilter[];
  }
  interface ResponseFlagFilter {
    readonly flags?: readonly string[];
  }
  interface RuntimeFilter {
    readonly runtime_key?: string;
    readonly percent_sampled?: envoy.type.v3.FractionalPercent;
    readonly use_independent_randomness?: boolean;
  }
  interface StatusCodeFilter {
    readonly comparison?: envoy.config.accesslog.v3.ComparisonFilter;
  }
  type TraceableFilter = EmptyMessage;
}

export declare namespace envoy.config.accesslog.v3.ComparisonFilter {
  type Op = 'EQ' | 'GE' | 'LE';
}

export declare namespace envoy.config.accesslog.v3.GrpcStatusFilter {
  type Status = 'OK' | 'CANCELED' | 'UNKNOWN' | 'INVALID_ARGUMENT' | 'DEADLINE_EXCEEDED' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'PERMISSION_DENIED' | 'RESOURCE_EXHAUSTED' | 'FAILED_PRECONDITION' | 'ABORTED' | 'OUT_OF_RANGE' | 'UNIMPLEMENTED' | 'INTERNAL' | 'UNAVAILABLE' | 'DATA_LOSS' | 'UNAUTHENTICATED';
}

export declare namespace envoy.config.bootstrap.v3 {
  interface Admin {
    /** @deprecated */
    readonly access_log_path?: string;
    readonly profile_path?: string;
    readonly address?: envoy.config.core.v3.Address;
    readonly socket_options?: readonly envoy.config.core.v3.SocketOption[];
    readonly access_log?: readonly envoy.config.accesslog.v3.AccessLog[];
    readonly ignore_global_conn_limit?: boolean;
  }
  interface Bootstrap {
    readonly node?: envoy.config.core.v3.Node;
    readonly static_resources?: envoy.config.bootstrap.v3.Bootstrap.StaticResources;
    readonly dynamic_resources?: envoy.config.bootstrap.v3.Bootstrap.DynamicResources;
    readonly cluster_manager?: envoy.config.bootstrap.v3.ClusterManager;
    readonly flags_path?: string;
    readonly stats_sinks?: readonly envoy.config.metrics.v3.StatsSink[];
    readonly stats_flush_interval?: google.protobuf.Duration;
    /** @deprecated */
    readonly watchdog?: envoy.config.bootstrap.v3.Watchdog;
    /** @deprecated */
    readonly tracing?: envoy.config.trace.v3.Tracing;
    readonly admin?: envoy.config.bootstrap.v3.Admin;
    readonly stats_config?: envoy.config.metrics.v3.StatsConfig;
    readonly hds_config?: envoy.config.core.v3.ApiConfigSource;
    readonly overload_manager?: envoy.config.overload.v3.OverloadManager;
    readonly enable_dispatcher_stats?: boolean;
    readonly layered_runtime?: envoy.config.bootstrap.v3.LayeredRuntime;
    readonly header_prefix?: string;
    readonly stats_server_version_override?: google.protobuf.UInt64Value;
    /** @deprecated */
    readonly use_tcp_for_dns_lookups?: boolean;
    readonly bootstrap_extensions?: readonly envoy.config.core.v3.TypedExtensionConfig[];
    readonly config_sources?: readonly envoy.config.core.v3.ConfigSource[];
    readonly default_config_source?: envoy.config.core.v3.ConfigSource;
    readonly default_socket_interface?: string;
    readonly certificate_provider_instances?: { readonly [key: string]: envoy.config.core.v3.TypedExtensionConfig };
    readonly node_context_params?: readonly string[];
    readonly watchdogs?: envoy.config.bootstrap.v3.Watchdogs;
    readonly fatal_actions?: readonly envoy.config.bootstrap.v3.FatalAction[];
    readonly stats_flush_on_admin?: boolean;
    /** @deprecated */
    readonly dns_resolution_config?: envoy.config.core.v3.DnsResolutionConfig;
    readonly typed_dns_resolver_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly inline_headers?: readonly envoy.config.bootstrap.v3.CustomInlineHeader[];
    readonly perf_tracing_file_path?: string;
    readonly default_regex_engine?: envoy.config.core.v3.TypedExtensionConfig;
    readonly xds_delegate_extension?: envoy.config.core.v3.TypedExtensionConfig;
    readonly xds_config_tracker_extension?: envoy.config.core.v3.TypedExtensionConfig;
    readonly listener_manager?: envoy.config.core.v3.TypedExtensionConfig;
    readonly application_log_config?: envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig;
    readonly deferred_stat_options?: envoy.config.bootstrap.v3.Bootstrap.DeferredStatOptions;
    readonly grpc_async_client_manager_config?: envoy.config.bootstrap.v3.Bootstrap.GrpcAsyncClientManagerConfig;
    readonly memory_allocator_manager?: envoy.config.bootstrap.v3.MemoryAllocatorManager;
  }
  interface ClusterManager {
    readonly local_cluster_name?: string;
    readonly outlier_detection?: envoy.config.bootstrap.v3.ClusterManager.OutlierDetection;
    readonly upstream_bind_config?: envoy.config.core.v3.BindConfig;
    readonly load_stats_config?: envoy.config.core.v3.ApiConfigSource;
    readonly enable_deferred_cluster_creation?: boolean;
  }
  interface CustomInlineHeader {
    readonly inline_header_name?: string;
    readonly inline_header_type?: envoy.config.bootstrap.v3.CustomInlineHeader.InlineHeaderType;
  }
  interface FatalAction {
    readonly config?: envoy.config.core.v3.TypedExtensionConfig;
  }
  interface LayeredRuntime {
    readonly layers?: readonly envoy.config.bootstrap.v3.RuntimeLayer[];
  }
  interface MemoryAllocatorManager {
    readonly bytes_to_release?: Int64Json;
    readonly memory_release_interval?: google.protobuf.Duration;
  }
  interface RuntimeLayer {
    readonly name?: string;
    readonly static_layer?: google.protobuf.Struct;
    readonly disk_layer?: envoy.config.bootstrap.v3.RuntimeLayer.DiskLayer;
    readonly admin_layer?: envoy.config.bootstrap.v3.RuntimeLayer.AdminLayer;
    readonly rtds_layer?: envoy.config.bootstrap.v3.RuntimeLayer.RtdsLayer;
  }
  interface Watchdog {
    readonly miss_timeout?: google.protobuf.Duration;
    readonly megamiss_timeout?: google.protobuf.Duration;
    readonly kill_timeout?: google.protobuf.Duration;
    readonly multikill_timeout?: google.protobuf.Duration;
    readonly multikill_threshold?: envoy.type.v3.Percent;
    readonly max_kill_timeout_jitter?: google.protobuf.Duration;
    readonly actions?: readonly envoy.config.bootstrap.v3.Watchdog.WatchdogAction[];
  }
  interface Watchdogs {
    readonly main_thread_watchdog?: envoy.config.bootstrap.v3.Watchdog;
    readonly worker_watchdog?: envoy.config.bootstrap.v3.Watchdog;
  }
}

export declare namespace envoy.config.bootstrap.v3.Bootstrap {
  interface ApplicationLogConfig {
    readonly log_format?: envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig.LogFormat;
  }
  interface DeferredStatOptions {
    readonly enable_deferred_creation_stats?: boolean;
  }
  interface DynamicResources {
    readonly lds_config?: envoy.config.core.v3.ConfigSource;
    readonly cds_config?: envoy.config.core.v3.ConfigSource;
    readonly ads_config?: envoy.config.core.v3.ApiConfigSource;
    readonly lds_resources_locator?: string;
    readonly cds_resources_locator?: string;
  }
  interface GrpcAsyncClientManagerConfig {
    readonly max_cached_entry_idle_duration?: google.protobuf.Duration;
  }
  interface StaticResources {
    readonly listeners?: readonly envoy.config.listener.v3.Listener[];
    readonly clusters?: readonly envoy.config.cluster.v3.Cluster[];
    readonly secrets?: readonly envoy.extensions.transport_sockets.tls.v3.Secret[];
  }
}

export declare namespace envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig {
  interface LogFormat {
    readonly json_format?: google.protobuf.Struct;
    readonly text_format?: string;
  }
}

export declare namespace envoy.config.bootstrap.v3.ClusterManager {
  interface OutlierDetection {
    readonly event_log_path?: string;
    readonly event_service?: envoy.config.core.v3.EventServiceConfig;
  }
}

export declare namespace envoy.config.bootstrap.v3.CustomInlineHeader {
  type InlineHeaderType = 'REQUEST_HEADER' | 'REQUEST_TRAILER' | 'RESPONSE_HEADER' | 'RESPONSE_TRAILER';
}

export declare namespace envoy.config.bootstrap.v3.RuntimeLayer {
  type AdminLayer = EmptyMessage;
  interface DiskLayer {
    readonly symlink_root?: string;
    readonly append_service_cluster?: boolean;
    readonly subdirectory?: string;
  }
  interface RtdsLayer {
    readonly name?: string;
    readonly rtds_config?: envoy.config.core.v3.ConfigSource;
  }
}

export declare namespace envoy.config.bootstrap.v3.Watchdog {
  interface WatchdogAction {
    readonly config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly event?: envoy.config.bootstrap.v3.Watchdog.WatchdogAction.WatchdogEvent;
  }
}

export declare namespace envoy.config.bootstrap.v3.Watchdog.WatchdogAction {
  type WatchdogEvent = 'UNKNOWN' | 'KILL' | 'MULTIKILL' | 'MEGAMISS' | 'MISS';
}

export declare namespace envoy.config.cluster.v3 {
  interface CircuitBreakers {
    readonly thresholds?: readonly envoy.config.cluster.v3.CircuitBreakers.Thresholds[];
    readonly per_host_thresholds?: readonly envoy.config.cluster.v3.CircuitBreakers.Thresholds[];
  }
  interface Cluster {
    readonly name?: string;
    readonly type?: envoy.config.cluster.v3.Cluster.DiscoveryType;
    readonly eds_cluster_config?: envoy.config.cluster.v3.Cluster.EdsClusterConfig;
    readonly connect_timeout?: google.protobuf.Duration;
    readonly per_connection_buffer_limit_bytes?: google.protobuf.UInt32Value;
    readonly lb_policy?: envoy.config.cluster.v3.Cluster.LbPolicy;
    readonly health_checks?: readonly envoy.config.core.v3.HealthCheck[];
    /** @deprecated */
    readonly max_requests_per_connection?: google.protobuf.UInt32Value;
    readonly circuit_breakers?: envoy.config.cluster.v3.CircuitBreakers;
    /** @deprecated */
    readonly http_protocol_options?: envoy.config.core.v3.Http1ProtocolOptions;
    /** @deprecated */
    readonly http2_protocol_options?: envoy.config.core.v3.Http2ProtocolOptions;
    readonly dns_refresh_rate?: google.protobuf.Duration;
    readonly dns_lookup_family?: envoy.config.cluster.v3.Cluster.DnsLookupFamily;
    /** @deprecated */
    readonly dns_resolvers?: readonly envoy.config.core.v3.Address[];
    readonly outlier_detection?: envoy.config.cluster.v3.OutlierDetection;
    readonly cleanup_interval?: google.protobuf.Duration;
    readonly upstream_bind_config?: envoy.config.core.v3.BindConfig;
    readonly lb_subset_config?: envoy.config.cluster.v3.Cluster.LbSubsetConfig;
    readonly ring_hash_lb_config?: envoy.config.cluster.v3.Cluster.RingHashLbConfig;
    readonly transport_socket?: envoy.config.core.v3.TransportSocket;
    readonly metadata?: envoy.config.core.v3.Metadata;
    /** @deprecated */
    readonly protocol_selection?: envoy.config.cluster.v3.Cluster.ClusterProtocolSelection;
    readonly common_lb_config?: envoy.config.cluster.v3.Cluster.CommonLbConfig;
    readonly alt_stat_name?: string;
    /** @deprecated */
    readonly common_http_protocol_options?: envoy.config.core.v3.HttpProtocolOptions;
    readonly upstream_connection_options?: envoy.config.cluster.v3.UpstreamConnectionOptions;
    readonly close_connections_on_host_health_failure?: boolean;
    readonly ignore_health_on_host_removal?: boolean;
    readonly load_assignment?: envoy.config.endpoint.v3.ClusterLoadAssignment;
    readonly original_dst_lb_config?: envoy.config.cluster.v3.Cluster.OriginalDstLbConfig;
    readonly typed_extension_protocol_options?: { readonly [key: string]: AnyJson };
    readonly least_request_lb_config?: envoy.config.cluster.v3.Cluster.LeastRequestLbConfig;
    readonly cluster_type?: envoy.config.cluster.v3.Cluster.CustomClusterType;
    readonly respect_dns_ttl?: boolean;
    readonly filters?: readonly envoy.config.cluster.v3.Filter[];
    readonly load_balancing_policy?: envoy.config.cluster.v3.LoadBalancingPolicy;
    readonly lrs_server?: envoy.config.core.v3.ConfigSource;
    readonly transport_socket_matches?: readonly envoy.config.cluster.v3.Cluster.TransportSocketMatch[];
    readonly dns_failure_refresh_rate?: envoy.config.cluster.v3.Cluster.RefreshRate;
    /** @deprecated */
    readonly use_tcp_for_dns_lookups?: boolean;
    /** @deprecated */
    readonly upstream_http_protocol_options?: envoy.config.core.v3.UpstreamHttpProtocolOptions;
    /** @deprecated */
    readonly track_timeout_budgets?: boolean;
    readonly upstream_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly track_cluster_stats?: envoy.config.cluster.v3.TrackClusterStats;
    readonly preconnect_policy?: envoy.config.cluster.v3.Cluster.PreconnectPolicy;
    readonly connection_pool_per_downstream_connection?: boolean;
    readonly maglev_lb_config?: envoy.config.cluster.v3.Cluster.MaglevLbConfig;
    /** @deprecated */
    readonly dns_resolution_config?: envoy.config.core.v3.DnsResolutionConfig;
    readonly wait_for_warm_on_init?: google.protobuf.BoolValue;
    readonly typed_dns_resolver_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly round_robin_lb_config?: envoy.config.cluster.v3.Cluster.RoundRobinLbConfig;
    readonly lrs_report_endpoint_metrics?: readonly string[];
  }
  interface Filter {
    readonly name?: string;
    readonly typed_config?: AnyJson;
    readonly config_discovery?: envoy.config.core.v3.ExtensionConfigSource;
  }
  interface LoadBalancingPolicy {
    readonly policies?: readonly envoy.config.cluster.v3.LoadBalancingPolicy.Policy[];
  }
  interface OutlierDetection {
    readonly consecutive_5xx?: google.protobuf.UInt32Value;
    readonly interval?: google.protobuf.Duration;
    readonly base_ejection_time?: google.protobuf.Duration;
    readonly max_ejection_percent?: google.protobuf.UInt32Value;
    readonly enforcing_consecutive_5xx?: google.protobuf.UInt32Value;
    readonly enforcing_success_rate?: google.protobuf.UInt32Value;
    readonly success_rate_minimum_hosts?: google.protobuf.UInt32Value;
    readonly success_rate_request_volume?: google.protobuf.UInt32Value;
    readonly success_rate_stdev_factor?: google.protobuf.UInt32Value;
    readonly consecutive_gateway_failure?: google.protobuf.UInt32Value;
    readonly enforcing_consecutive_gateway_failure?: google.protobuf.UInt32Value;
    readonly split_external_local_origin_errors?: boolean;
    readonly consecutive_local_origin_failure?: google.protobuf.UInt32Value;
    readonly enforcing_consecutive_local_origin_failure?: google.protobuf.UInt32Value;
    readonly enforcing_local_origin_success_rate?: google.protobuf.UInt32Value;
    readonly failure_percentage_threshold?: google.protobuf.UInt32Value;
    readonly enforcing_failure_percentage?: google.protobuf.UInt32Value;
    readonly enforcing_failure_percentage_local_origin?: google.protobuf.UInt32Value;
    readonly failure_percentage_minimum_hosts?: google.protobuf.UInt32Value;
    readonly failure_percentage_request_volume?: google.protobuf.UInt32Value;
    readonly max_ejection_time?: google.protobuf.Duration;
    readonly max_ejection_time_jitter?: google.protobuf.Duration;
    readonly successful_active_health_check_uneject_host?: google.protobuf.BoolValue;
    readonly monitors?: readonly envoy.config.core.v3.TypedExtensionConfig[];
    readonly always_eject_one_host?: google.protobuf.BoolValue;
  }
  interface TrackClusterStats {
    readonly timeout_budgets?: boolean;
    readonly request_response_sizes?: boolean;
    readonly per_endpoint_stats?: boolean;
  }
  interface UpstreamConnectionOptions {
    readonly tcp_keepalive?: envoy.config.core.v3.TcpKeepalive;
    readonly set_local_interface_name_on_upstream_connections?: boolean;
    readonly happy_eyeballs_config?: envoy.config.cluster.v3.UpstreamConnectionOptions.HappyEyeballsConfig;
  }
}

export declare namespace envoy.config.cluster.v3.CircuitBreakers {
  interface Thresholds {
    readonly priority?: envoy.config.core.v3.RoutingPriority;
    readonly max_connections?: google.protobuf.UInt32Value;
    readonly max_pending_requests?: google.protobuf.UInt32Value;
    readonly max_requests?: google.protobuf.UInt32Value;
    readonly max_retries?: google.protobuf.UInt32Value;
    readonly track_remaining?: boolean;
    readonly max_connection_pools?: google.protobuf.UInt32Value;
    readonly retry_budget?: envoy.config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget;
  }
}

export declare namespace envoy.config.cluster.v3.CircuitBreakers.Thresholds {
  interface RetryBudget {
    readonly budget_percent?: envoy.type.v3.Percent;
    readonly min_retry_concurrency?: google.protobuf.UInt32Value;
  }
}

export declare namespace envoy.config.cluster.v3.Cluster {
  type ClusterProtocolSelection = 'USE_CONFIGURED_PROTOCOL' | 'USE_DOWNSTREAM_PROTOCOL';
  interface CommonLbConfig {
    readonly healthy_panic_threshold?: envoy.type.v3.Percent;
    readonly zone_aware_lb_config?: envoy.config.cluster.v3.Cluster.CommonLbConfig.ZoneAwareLbConfig;
    readonly locality_weighted_lb_config?: envoy.config.cluster.v3.Cluster.CommonLbConfig.LocalityWeightedLbConfig;
    readonly update_merge_window?: google.protobuf.Duration;
    readonly ignore_new_hosts_until_first_hc?: boolean;
    readonly close_connections_on_host_set_change?: boolean;
    readonly consistent_hashing_lb_config?: envoy.config.cluster.v3.Cluster.CommonLbConfig.ConsistentHashingLbConfig;
    readonly override_host_status?: envoy.config.core.v3.HealthStatusSet;
  }
  interface CustomClusterType {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  type DiscoveryType = 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
  type DnsLookupFamily = 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';
  interface EdsClusterConfig {
    readonly eds_config?: envoy.config.core.v3.ConfigSource;
    readonly service_name?: string;
  }
  type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RING_HASH' | 'RANDOM' | 'MAGLEV' | 'CLUSTER_PROVIDED' | 'LOAD_BALANCING_POLICY_CONFIG';
  interface LbSubsetConfig {
    readonly fallback_policy?: envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetFallbackPolicy;
    readonly default_subset?: google.protobuf.Struct;
    readonly subset_selectors?: readonly envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetSelector[];
    readonly locality_weight_aware?: boolean;
    readonly scale_locality_weight?: boolean;
    readonly panic_mode_any?: boolean;
    readonly list_as_any?: boolean;
    readonly metadata_fallback_policy?: envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetMetadataFallbackPolicy;
  }
  interface LeastRequestLbConfig {
    readonly choice_count?: google.protobuf.UInt32Value;
    readonly active_request_bias?: envoy.config.core.v3.RuntimeDouble;
    readonly slow_start_config?: envoy.config.cluster.v3.Cluster.SlowStartConfig;
  }
  interface MaglevLbConfig {
    readonly table_size?: google.protobuf.UInt64Value;
  }
  interface OriginalDstLbConfig {
    readonly use_http_header?: boolean;
    readonly http_header_name?: string;
    readonly upstream_port_override?: google.protobuf.UInt32Value;
    readonly metadata_key?: envoy.type.metadata.v3.MetadataKey;
  }
  interface PreconnectPolicy {
    readonly per_upstream_preconnect_ratio?: google.protobuf.DoubleValue;
    readonly predictive_preconnect_ratio?: google.protobuf.DoubleValue;
  }
  interface RefreshRate {
    readonly base_interval?: google.protobuf.Duration;
    readonly max_interval?: google.protobuf.Duration;
  }
  interface RingHashLbConfig {
    readonly minimum_ring_size?: google.protobuf.UInt64Value;
    readonly hash_function?: envoy.config.cluster.v3.Cluster.RingHashLbConfig.HashFunction;
    readonly maximum_ring_size?: google.protobuf.UInt64Value;
  }
  interface RoundRobinLbConfig {
    readonly slow_start_config?: envoy.config.cluster.v3.Cluster.SlowStartConfig;
  }
  interface SlowStartConfig {
    readonly slow_start_window?: google.protobuf.Duration;
    readonly aggression?: envoy.config.core.v3.RuntimeDouble;
    readonly min_weight_percent?: envoy.type.v3.Percent;
  }
  interface TransportSocketMatch {
    readonly name?: string;
    readonly match?: google.protobuf.Struct;
    readonly transport_socket?: envoy.config.core.v3.TransportSocket;
  }
}

export declare namespace envoy.config.cluster.v3.Cluster.CommonLbConfig {
  interface ConsistentHashingLbConfig {
    readonly use_hostname_for_hashing?: boolean;
    readonly hash_balance_factor?: google.protobuf.UInt32Value;
  }
  type LocalityWeightedLbConfig = EmptyMessage;
  interface ZoneAwareLbConfig {
    readonly routing_enabled?: envoy.type.v3.Percent;
    readonly min_cluster_size?: google.protobuf.UInt64Value;
    readonly fail_traffic_on_panic?: boolean;
  }
}

export declare namespace envoy.config.cluster.v3.Cluster.LbSubsetConfig {
  type LbSubsetFallbackPolicy = 'NO_FALLBACK' | 'ANY_ENDPOINT' | 'DEFAULT_SUBSET';
  type LbSubsetMetadataFallbackPolicy = 'METADATA_NO_FALLBACK' | 'FALLBACK_LIST';
  interface LbSubsetSelector {
    readonly keys?: readonly string[];
    readonly fallback_policy?: envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetSelector.LbSubsetSelectorFallbackPolicy;
    readonly fallback_keys_subset?: readonly string[];
    readonly single_host_per_subset?: boolean;
  }
}

export declare namespace envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetSelector {
  type LbSubsetSelectorFallbackPolicy = 'NOT_DEFINED' | 'NO_FALLBACK' | 'ANY_ENDPOINT' | 'DEFAULT_SUBSET' | 'KEYS_SUBSET';
}

export declare namespace envoy.config.cluster.v3.Cluster.RingHashLbConfig {
  type HashFunction = 'XX_HASH' | 'MURMUR_HASH_2';
}

export declare namespace envoy.config.cluster.v3.LoadBalancingPolicy {
  interface Policy {
    readonly typed_extension_config?: envoy.config.core.v3.TypedExtensionConfig;
  }
}

export declare namespace envoy.config.cluster.v3.UpstreamConnectionOptions {
  type FirstAddressFamilyVersion = 'DEFAULT' | 'V4' | 'V6';
  interface HappyEyeballsConfig {
    readonly first_address_family_version?: envoy.config.cluster.v3.UpstreamConnectionOptions.FirstAddressFamilyVersion;
    readonly first_address_family_count?: google.protobuf.UInt32Value;
  }
}

export declare namespace envoy.config.core.v3 {
  interface Address {
    readonly socket_address?: envoy.config.core.v3.SocketAddress;
    readonly pipe?: envoy.config.core.v3.Pipe;
    readonly envoy_internal_address?: envoy.config.core.v3.EnvoyInternalAddress;
  }
  type AggregatedConfigSource = EmptyMessage;
  interface AlternateProtocolsCacheOptions {
    readonly name?: string;
    readonly max_entries?: google.protobuf.UInt32Value;
    readonly key_value_store_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly prepopulated_entries?: readonly envoy.config.core.v3.AlternateProtocolsCacheOptions.AlternateProtocolsCacheEntry[];
    readonly canonical_suffixes?: readonly string[];
  }
  interface ApiConfigSource {
    readonly api_type?: envoy.config.core.v3.ApiConfigSource.ApiType;
    readonly cluster_names?: readonly string[];
    readonly refresh_delay?: google.protobuf.Duration;
    readonly grpc_services?: readonly envoy.config.core.v3.GrpcService[];
    readonly request_timeout?: google.protobuf.Duration;
    readonly rate_limit_settings?: envoy.config.core.v3.RateLimitSettings;
    readonly set_node_on_first_message_only?: boolean;
    readonly transport_api_version?: envoy.config.core.v3.ApiVersion;
    readonly config_validators?: readonly envoy.config.core.v3.TypedExtensionConfig[];
  }
  type ApiVersion = 'AUTO' | 'V2' | 'V3';
  interface BackoffStrategy {
    readonly base_interval?: google.protobuf.Duration;
    readonly max_interval?: google.protobuf.Duration;
  }
  interface BindConfig {
    readonly source_address?: envoy.config.core.v3.SocketAddress;
    readonly freebind?: google.protobuf.BoolValue;
    readonly socket_options?: readonly envoy.config.core.v3.SocketOption[];
    /** @deprecated */
    readonly additional_source_addresses?: readonly envoy.config.core.v3.SocketAddress[];
    readonly extra_source_addresses?: readonly envoy.config.core.v3.ExtraSourceAddress[];
    readonly local_address_selector?: envoy.config.core.v3.TypedExtensionConfig;
  }
  interface BuildVersion {
    readonly version?: envoy.type.v3.SemanticVersion;
    readonly metadata?: google.protobuf.Struct;
  }
  interface CidrRange {
    readonly address_prefix?: string;
    readonly prefix_len?: google.protobuf.UInt32Value;
  }
  interface ConfigSource {
    /** @deprecated */
    readonly path?: string;
    readonly api_config_source?: envoy.config.core.v3.ApiConfigSource;
    readonly ads?: envoy.config.core.v3.AggregatedConfigSource;
    readonly initial_fetch_timeout?: google.protobuf.Duration;
    readonly self?: envoy.config.core.v3.SelfConfigSource;
    readonly resource_api_version?: envoy.config.core.v3.ApiVersion;
    readonly authorities?: readonly xds.core.v3.Authority[];
    readonly path_config_source?: envoy.config.core.v3.PathConfigSource;
  }
  interface DataSource {
    readonly filename?: string;
    readonly inline_bytes?: string;
    readonly inline_string?: string;
    readonly environment_variable?: string;
    readonly watched_directory?: envoy.config.core.v3.WatchedDirectory;
  }
  interface DnsResolutionConfig {
    readonly resolvers?: readonly envoy.config.core.v3.Address[];
    readonly dns_resolver_options?: envoy.config.core.v3.DnsResolverOptions;
  }
  interface DnsResolverOptions {
    readonly use_tcp_for_dns_lookups?: boolean;
    readonly no_default_search_domain?: boolean;
  }
  interface EnvoyInternalAddress {
    readonly server_listener_name?: string;
    readonly endpoint_id?: string;
  }
  interface EventServiceConfig {
    readonly grpc_service?: envoy.config.core.v3.GrpcService;
  }
  interface Extension {
    readonly name?: string;
    readonly category?: string;
    /** @deprecated */
    readonly type_descriptor?: string;
    readonly version?: envoy.config.core.v3.BuildVersion;
    readonly disabled?: boolean;
    readonly type_urls?: readonly string[];
  }
  interface ExtensionConfigSource {
    readonly config_source?: envoy.config.core.v3.ConfigSource;
    readonly default_config?: AnyJson;
    readonly apply_default_config_without_warming?: boolean;
    readonly type_urls?: readonly string[];
  }
  interface ExtraSourceAddress {
    readonly address?: envoy.config.core.v3.SocketAddress;
    readonly socket_options?: envoy.config.core.v3.SocketOptionsOverride;
  }
  interface GrpcService {
    readonly envoy_grpc?: envoy.config.core.v3.GrpcService.EnvoyGrpc;
    readonly google_grpc?: envoy.config.core.v3.GrpcService.GoogleGrpc;
    readonly timeout?: google.protobuf.Duration;
    readonly initial_metadata?: readonly envoy.config.core.v3.HeaderValue[];
    readonly retry_policy?: envoy.config.core.v3.RetryPolicy;
  }
  interface HeaderValue {
    readonly key?: string;
    readonly value?: string;
    readonly raw_value?: string;
  }
  interface HeaderValueOption {
    readonly header?: envoy.config.core.v3.HeaderValue;
    /** @deprecated */
    readonly append?: google.protobuf.BoolValue;
    readonly append_action?: envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
    readonly keep_empty_value?: boolean;
  }
  interface HealthCheck {
    readonly timeout?: google.protobuf.Duration;
    readonly interval?: google.protobuf.Duration;
    readonly interval_jitter?: google.protobuf.Duration;
    readonly unhealthy_threshold?: google.protobuf.UInt32Value;
    readonly healthy_threshold?: google.protobuf.UInt32Value;
    readonly alt_port?: google.protobuf.UInt32Value;
    readonly reuse_connection?: google.protobuf.BoolValue;
    readonly http_health_check?: envoy.config.core.v3.HealthCheck.HttpHealthCheck;
    readonly tcp_health_check?: envoy.config.core.v3.HealthCheck.TcpHealthCheck;
    readonly grpc_health_check?: envoy.config.core.v3.HealthCheck.GrpcHealthCheck;
    readonly no_traffic_interval?: google.protobuf.Duration;
    readonly custom_health_check?: envoy.config.core.v3.HealthCheck.CustomHealthCheck;
    readonly unhealthy_interval?: google.protobuf.Duration;
    readonly unhealthy_edge_interval?: google.protobuf.Duration;
    readonly healthy_edge_interval?: google.protobuf.Duration;
    /** @deprecated */
    readonly event_log_path?: string;
    readonly interval_jitter_percent?: number;
    readonly always_log_health_check_failures?: boolean;
    readonly initial_jitter?: google.protobuf.Duration;
    readonly tls_options?: envoy.config.core.v3.HealthCheck.TlsOptions;
    readonly event_service?: envoy.config.core.v3.EventServiceConfig;
    readonly transport_socket_match_criteria?: google.protobuf.Struct;
    readonly no_traffic_healthy_interval?: google.protobuf.Duration;
    readonly event_logger?: readonly envoy.config.core.v3.TypedExtensionConfig[];
    readonly always_log_health_check_success?: boolean;
  }
  type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';
  interface HealthStatusSet {
    readonly statuses?: readonly envoy.config.core.v3.HealthStatus[];
  }
  interface Http1ProtocolOptions {
    readonly allow_absolute_url?: google.protobuf.BoolValue;
    readonly accept_http_10?: boolean;
    readonly default_host_for_http_10?: string;
    readonly header_key_format?: envoy.config.core.v3.Http1ProtocolOptions.HeaderKeyFormat;
    readonly enable_trailers?: boolean;
    readonly allow_chunked_length?: boolean;
    readonly override_stream_error_on_invalid_http_message?: google.protobuf.BoolValue;
    readonly send_fully_qualified_url?: boolean;
    readonly use_balsa_parser?: google.protobuf.BoolValue;
    readonly allow_custom_methods?: boolean;
  }
  interface Http2ProtocolOptions {
    readonly hpack_table_size?: google.protobuf.UInt32Value;
    readonly max_concurrent_streams?: google.protobuf.UInt32Value;
    readonly initial_stream_window_size?: google.protobuf.UInt32Value;
    readonly initial_connection_window_size?: google.protobuf.UInt32Value;
    readonly allow_connect?: boolean;
    readonly allow_metadata?: boolean;
    readonly max_outbound_frames?: google.protobuf.UInt32Value;
    readonly max_outbound_control_frames?: google.protobuf.UInt32Value;
    readonly max_consecutive_inbound_frames_with_empty_payload?: google.protobuf.UInt32Value;
    readonly max_inbound_priority_frames_per_stream?: google.protobuf.UInt32Value;
    readonly max_inbound_window_update_frames_per_data_frame_sent?: google.protobuf.UInt32Value;
    /** @deprecated */
    readonly stream_error_on_invalid_http_messaging?: boolean;
    readonly custom_settings_parameters?: readonly envoy.config.core.v3.Http2ProtocolOptions.SettingsParameter[];
    readonly override_stream_error_on_invalid_http_message?: google.protobuf.BoolValue;
    readonly connection_keepalive?: envoy.config.core.v3.KeepaliveSettings;
    readonly use_oghttp2_codec?: google.protobuf.BoolValue;
  }
  interface Http3ProtocolOptions {
    readonly quic_protocol_options?: envoy.config.core.v3.QuicProtocolOptions;
    readonly override_stream_error_on_invalid_http_message?: google.protobuf.BoolValue;
    readonly allow_extended_connect?: boolean;
    readonly allow_metadata?: boolean;
  }
  interface HttpProtocolOptions {
    readonly idle_timeout?: google.protobuf.Duration;
    readonly max_headers_count?: google.protobuf.UInt32Value;
    readonly max_connection_duration?: google.protobuf.Duration;
    readonly max_stream_duration?: google.protobuf.Duration;
    readonly headers_with_underscores_action?: envoy.config.core.v3.HttpProtocolOptions.HeadersWithUnderscoresAction;
    readonly max_requests_per_connection?: google.protobuf.UInt32Value;
  }
  interface JsonFormatOptions {
    readonly sort_properties?: boolean;
  }
  interface KeepaliveSettings {
    readonly interval?: google.protobuf.Duration;
    readonly timeout?: google.protobuf.Duration;
    readonly interval_jitter?: envoy.type.v3.Percent;
    readonly connection_idle_interval?: google.protobuf.Duration;
  }
  interface Locality {
    readonly region?: string;
    readonly zone?: string;
    readonly sub_zone?: string;
  }
  interface Metadata {
    readonly filter_metadata?: { readonly [key: string]: google.protobuf.Struct };
    readonly typed_filter_metadata?: { readonly [key: string]: AnyJson };
  }
  interface Node {
    readonly id?: string;
    readonly cluster?: string;
    readonly metadata?: google.protobuf.Struct;
    readonly locality?: envoy.config.core.v3.Locality;
    readonly user_agent_name?: string;
    readonly user_agent_version?: string;
    readonly user_agent_build_version?: envoy.config.core.v3.BuildVersion;
    readonly extensions?: readonly envoy.config.core.v3.Extension[];
    readonly client_features?: readonly string[];
    /** @deprecated */
    readonly listening_addresses?: readonly envoy.config.core.v3.Address[];
    readonly dynamic_parameters?: { readonly [key: string]: xds.core.v3.ContextParams };
  }
  interface PathConfigSource {
    readonly path?: string;
    readonly watched_directory?: envoy.config.core.v3.WatchedDirectory;
  }
  interface Pipe {
    readonly path?: string;
    readonly mode?: number;
  }
  interface ProxyProtocolConfig {
    readonly version?: envoy.config.core.v3.ProxyProtocolConfig.Version;
    readonly pass_through_tlvs?: envoy.config.core.v3.ProxyProtocolPassThroughTLVs;
  }
  interface ProxyProtocolPassThroughTLVs {
    readonly match_type?: envoy.config.core.v3.ProxyProtocolPassThroughTLVs.PassTLVsMatchType;
    readonly tlv_type?: readonly number[];
  }
  interface QuicKeepAliveSettings {
    readonly max_interval?: google.protobuf.Duration;
    readonly initial_interval?: google.protobuf.Duration;
  }
  interface QuicProtocolOptions {
    readonly max_concurrent_streams?: google.protobuf.UInt32Value;
    readonly initial_stream_window_size?: google.protobuf.UInt32Value;
    readonly initial_connection_window_size?: google.protobuf.UInt32Value;
    readonly num_timeouts_to_trigger_port_migration?: google.protobuf.UInt32Value;
    readonly connection_keepalive?: envoy.config.core.v3.QuicKeepAliveSettings;
    readonly connection_options?: string;
    readonly client_connection_options?: string;
    readonly idle_network_timeout?: google.protobuf.Duration;
  }
  interface RateLimitSettings {
    readonly max_tokens?: google.protobuf.UInt32Value;
    readonly fill_rate?: google.protobuf.DoubleValue;
  }
  type RequestMethod = 'METHOD_UNSPECIFIED' | 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';
  interface RetryPolicy {
    readonly retry_back_off?: envoy.config.core.v3.BackoffStrategy;
    readonly num_retries?: google.protobuf.UInt32Value;
    readonly retry_on?: string;
    readonly retry_priority?: envoy.config.core.v3.RetryPolicy.RetryPriority;
    readonly retry_host_predicate?: readonly envoy.config.core.v3.RetryPolicy.RetryHostPredicate[];
    readonly host_selection_retry_max_attempts?: Int64Json;
  }
  type RoutingPriority = 'DEFAULT' | 'HIGH';
  interface RuntimeDouble {
    readonly default_value?: number;
    readonly runtime_key?: string;
  }
  interface RuntimeFeatureFlag {
    readonly default_value?: google.protobuf.BoolValue;
    readonly runtime_key?: string;
  }
  interface RuntimeFractionalPercent {
    readonly default_value?: envoy.type.v3.FractionalPercent;
    readonly runtime_key?: string;
  }
  interface RuntimeUInt32 {
    readonly default_value?: number;
    readonly runtime_key?: string;
  }
  interface SchemeHeaderTransformation {
    readonly scheme_to_overwrite?: string;
    readonly match_upstream?: boolean;
  }
  interface SelfConfigSource {
    readonly transport_api_version?: envoy.config.core.v3.ApiVersion;
  }
  interface SocketAddress {
    readonly protocol?: envoy.config.core.v3.SocketAddress.Protocol;
    readonly address?: string;
    readonly port_value?: number;
    readonly named_port?: string;
    readonly resolver_name?: string;
    readonly ipv4_compat?: boolean;
    readonly network_namespace_filepath?: string;
  }
  interface SocketOption {
    readonly description?: string;
    readonly level?: Int64Json;
    readonly name?: Int64Json;
    readonly int_value?: Int64Json;
    readonly buf_value?: string;
    readonly state?: envoy.config.core.v3.SocketOption.SocketState;
  }
  interface SocketOptionsOverride {
    readonly socket_options?: readonly envoy.config.core.v3.SocketOption[];
  }
  interface SubstitutionFormatString {
    /** @deprecated */
    readonly text_format?: string;
    readonly json_format?: google.protobuf.Struct;
    readonly omit_empty_values?: boolean;
    readonly content_type?: string;
    readonly text_format_source?: envoy.config.core.v3.DataSource;
    readonly formatters?: readonly envoy.config.core.v3.TypedExtensionConfig[];
    readonly json_format_options?: envoy.config.core.v3.JsonFormatOptions;
  }
  interface TcpKeepalive {
    readonly keepalive_probes?: google.protobuf.UInt32Value;
    readonly keepalive_time?: google.protobuf.UInt32Value;
    readonly keepalive_interval?: google.protobuf.UInt32Value;
  }
  type TrafficDirection = 'UNSPECIFIED' | 'INBOUND' | 'OUTBOUND';
  interface TransportSocket {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface TypedExtensionConfig {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface UdpSocketConfig {
    readonly max_rx_datagram_size?: google.protobuf.UInt64Value;
    readonly prefer_gro?: google.protobuf.BoolValue;
  }
  interface UpstreamHttpProtocolOptions {
    readonly auto_sni?: boolean;
    readonly auto_san_validation?: boolean;
    readonly override_auto_sni_header?: string;
  }
  interface WatchedDirectory {
    readonly path?: string;
  }
}

export declare namespace envoy.config.core.v3.AlternateProtocolsCacheOptions {
  interface AlternateProtocolsCacheEntry {
    readonly hostname?: string;
    readonly port?: number;
  }
}

export declare namespace envoy.config.core.v3.ApiConfigSource {
  type ApiType = 'DEPRECATED_AND_UNAVAILABLE_DO_NOT_USE' | 'REST' | 'GRPC' | 'DELTA_GRPC' | 'AGGREGATED_GRPC' | 'AGGREGATED_DELTA_GRPC';
}

export declare namespace envoy.config.core.v3.GrpcService {
  interface EnvoyGrpc {
    readonly cluster_name?: string;
    readonly authority?: string;
    readonly retry_policy?: envoy.config.core.v3.RetryPolicy;
    readonly max_receive_message_length?: google.protobuf.UInt32Value;
    readonly skip_envoy_headers?: boolean;
  }
  interface GoogleGrpc {
    readonly target_uri?: string;
    readonly channel_credentials?: envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelCredentials;
    readonly call_credentials?: readonly envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials[];
    readonly stat_prefix?: string;
    readonly credentials_factory_name?: string;
    readonly config?: google.protobuf.Struct;
    readonly per_stream_buffer_limit_bytes?: google.protobuf.UInt32Value;
    readonly channel_args?: envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelArgs;
  }
}

export declare namespace envoy.config.core.v3.GrpcService.GoogleGrpc {
  interface CallCredentials {
    readonly access_token?: string;
    readonly google_compute_engine?: google.protobuf.Empty;
    readonly google_refresh_token?: string;
    readonly service_account_jwt_access?: envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.ServiceAccountJWTAccessCredentials;
    readonly google_iam?: envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.GoogleIAMCredentials;
    readonly from_plugin?: envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.MetadataCredentialsFromPlugin;
    readonly sts_service?: envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.StsService;
  }
  interface ChannelArgs {
    readonly args?: { readonly [key: string]: envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelArgs.Value };
  }
  interface ChannelCredentials {
    readonly ssl_credentials?: envoy.config.core.v3.GrpcService.GoogleGrpc.SslCredentials;
    readonly google_default?: google.protobuf.Empty;
    readonly local_credentials?: envoy.config.core.v3.GrpcService.GoogleGrpc.GoogleLocalCredentials;
  }
  type GoogleLocalCredentials = EmptyMessage;
  interface SslCredentials {
    readonly root_certs?: envoy.config.core.v3.DataSource;
    readonly private_key?: envoy.config.core.v3.DataSource;
    readonly cert_chain?: envoy.config.core.v3.DataSource;
  }
}

export declare namespace envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials {
  interface GoogleIAMCredentials {
    readonly authorization_token?: string;
    readonly authority_selector?: string;
  }
  interface MetadataCredentialsFromPlugin {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface ServiceAccountJWTAccessCredentials {
    readonly json_key?: string;
    readonly token_lifetime_seconds?: Int64Json;
  }
  interface StsService {
    readonly token_exchange_service_uri?: string;
    readonly resource?: string;
    readonly audience?: string;
    readonly scope?: string;
    readonly requested_token_type?: string;
    readonly subject_token_path?: string;
    readonly subject_token_type?: string;
    readonly actor_token_path?: string;
    readonly actor_token_type?: string;
  }
}

export declare namespace envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelArgs {
  interface Value {
    readonly string_value?: string;
    readonly int_value?: Int64Json;
  }
}

export declare namespace envoy.config.core.v3.HeaderValueOption {
  type HeaderAppendAction = 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';
}

export declare namespace envoy.config.core.v3.HealthCheck {
  interface CustomHealthCheck {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface GrpcHealthCheck {
    readonly service_name?: string;
    readonly authority?: string;
    readonly initial_metadata?: readonly envoy.config.core.v3.HeaderValueOption[];
  }
  interface HttpHealthCheck {
    readonly host?: string;
    readonly path?: string;
    readonly send?: envoy.config.core.v3.HealthCheck.Payload;
    readonly receive?: readonly envoy.config.core.v3.HealthCheck.Payload[];
    readonly request_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    readonly request_headers_to_remove?: readonly string[];
    readonly expected_statuses?: readonly envoy.type.v3.Int64Range[];
    readonly codec_client_type?: envoy.type.v3.CodecClientType;
    readonly service_name_matcher?: envoy.type.matcher.v3.StringMatcher;
    readonly retriable_statuses?: readonly envoy.type.v3.Int64Range[];
    readonly method?: envoy.config.core.v3.RequestMethod;
    readonly response_buffer_size?: google.protobuf.UInt64Value;
  }
  interface Payload {
    readonly text?: string;
    readonly binary?: string;
  }
  interface TcpHealthCheck {
    readonly send?: envoy.config.core.v3.HealthCheck.Payload;
    readonly receive?: readonly envoy.config.core.v3.HealthCheck.Payload[];
    readonly proxy_protocol_config?: envoy.config.core.v3.ProxyProtocolConfig;
  }
  interface TlsOptions {
    readonly alpn_protocols?: readonly string[];
  }
}

export declare namespace envoy.config.core.v3.Http1ProtocolOptions {
  interface HeaderKeyFormat {
    readonly proper_case_words?: envoy.config.core.v3.Http1ProtocolOptions.HeaderKeyFormat.ProperCaseWords;
    readonly stateful_formatter?: envoy.config.core.v3.TypedExtensionConfig;
  }
}

export declare namespace envoy.config.core.v3.Http1ProtocolOptions.HeaderKeyFormat {
  type ProperCaseWords = EmptyMessage;
}

export declare namespace envoy.config.core.v3.Http2ProtocolOptions {
  interface SettingsParameter {
    readonly identifier?: google.protobuf.UInt32Value;
    readonly value?: google.protobuf.UInt32Value;
  }
}

export declare namespace envoy.config.core.v3.HttpProtocolOptions {
  type HeadersWithUnderscoresAction = 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';
}

export declare namespace envoy.config.core.v3.ProxyProtocolConfig {
  type Version = 'V1' | 'V2';
}

export declare namespace envoy.config.core.v3.ProxyProtocolPassThroughTLVs {
  type PassTLVsMatchType = 'INCLUDE_ALL' | 'INCLUDE';
}

export declare namespace envoy.config.core.v3.RetryPolicy {
  interface RetryHostPredicate {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface RetryPriority {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
}

export declare namespace envoy.config.core.v3.SocketAddress {
  type Protocol = 'TCP' | 'UDP';
}

export declare namespace envoy.config.core.v3.SocketOption {
  type SocketState = 'STATE_PREBIND' | 'STATE_BOUND' | 'STATE_LISTENING';
}

export declare namespace envoy.config.endpoint.v3 {
  interface ClusterLoadAssignment {
    readonly cluster_name?: string;
    readonly endpoints?: readonly envoy.config.endpoint.v3.LocalityLbEndpoints[];
    readonly policy?: envoy.config.endpoint.v3.ClusterLoadAssignment.Policy;
    readonly named_endpoints?: { readonly [key: string]: envoy.config.endpoint.v3.Endpoint };
  }
  interface Endpoint {
    readonly address?: envoy.config.core.v3.Address;
    readonly health_check_config?: envoy.config.endpoint.v3.Endpoint.HealthCheckConfig;
    readonly hostname?: string;
    readonly additional_addresses?: readonly envoy.config.endpoint.v3.Endpoint.AdditionalAddress[];
  }
  interface LbEndpoint {
    readonly endpoint?: envoy.config.endpoint.v3.Endpoint;
    readonly health_status?: envoy.config.core.v3.HealthStatus;
    readonly metadata?: envoy.config.core.v3.Metadata;
    readonly load_balancing_weight?: google.protobuf.UInt32Value;
    readonly endpoint_name?: string;
  }
  interface LedsClusterLocalityConfig {
    readonly leds_config?: envoy.config.core.v3.ConfigSource;
    readonly leds_collection_name?: string;
  }
  interface LocalityLbEndpoints {
    readonly locality?: envoy.config.core.v3.Locality;
    readonly lb_endpoints?: readonly envoy.config.endpoint.v3.LbEndpoint[];
    readonly load_balancing_weight?: google.protobuf.UInt32Value;
    readonly priority?: number;
    readonly proximity?: google.protobuf.UInt32Value;
    readonly load_balancer_endpoints?: envoy.config.endpoint.v3.LocalityLbEndpoints.LbEndpointList;
    readonly leds_cluster_locality_config?: envoy.config.endpoint.v3.LedsClusterLocalityConfig;
    readonly metadata?: envoy.config.core.v3.Metadata;
  }
}

export declare namespace envoy.config.endpoint.v3.ClusterLoadAssignment {
  interface Policy {
    readonly drop_overloads?: readonly envoy.config.endpoint.v3.ClusterLoadAssignment.Policy.DropOverload[];
    readonly overprovisioning_factor?: google.protobuf.UInt32Value;
    readonly endpoint_stale_after?: google.protobuf.Duration;
    readonly weighted_priority_health?: boolean;
  }
}

export declare namespace envoy.config.endpoint.v3.ClusterLoadAssignment.Policy {
  interface DropOverload {
    readonly category?: string;
    readonly drop_percentage?: envoy.type.v3.FractionalPercent;
  }
}

export declare namespace envoy.config.endpoint.v3.Endpoint {
  interface AdditionalAddress {
    readonly address?: envoy.config.core.v3.Address;
  }
  interface HealthCheckConfig {
    readonly port_value?: number;
    readonly hostname?: string;
    readonly address?: envoy.config.core.v3.Address;
    readonly disable_active_health_check?: boolean;
  }
}

export declare namespace envoy.config.endpoint.v3.LocalityLbEndpoints {
  interface LbEndpointList {
    readonly lb_endpoints?: readonly envoy.config.endpoint.v3.LbEndpoint[];
  }
}

export declare namespace envoy.config.listener.v3 {
  interface AdditionalAddress {
    readonly address?: envoy.config.core.v3.Address;
    readonly socket_options?: envoy.config.core.v3.SocketOptionsOverride;
  }
  interface ApiListener {
    readonly api_listener?: AnyJson;
  }
  interface Filter {
    readonly name?: string;
    readonly typed_config?: AnyJson;
    readonly config_discovery?: envoy.config.core.v3.ExtensionConfigSource;
  }
  interface FilterChain {
    readonly filter_chain_match?: envoy.config.listener.v3.FilterChainMatch;
    readonly filters?: readonly envoy.config.listener.v3.Filter[];
    /** @deprecated */
    readonly use_proxy_proto?: google.protobuf.BoolValue;
    readonly metadata?: envoy.config.core.v3.Metadata;
    readonly transport_socket?: envoy.config.core.v3.TransportSocket;
    readonly name?: string;
    readonly on_demand_configuration?: envoy.config.listener.v3.FilterChain.OnDemandConfiguration;
    readonly transport_socket_connect_timeout?: google.protobuf.Duration;
  }
  interface FilterChainMatch {
    readonly prefix_ranges?: readonly envoy.config.core.v3.CidrRange[];
    readonly address_suffix?: string;
    readonly suffix_len?: google.protobuf.UInt32Value;
    readonly source_prefix_ranges?: readonly envoy.config.core.v3.CidrRange[];
    readonly source_ports?: readonly number[];
    readonly destination_port?: google.protobuf.UInt32Value;
    readonly transport_protocol?: string;
    readonly application_protocols?: readonly string[];
    readonly server_names?: readonly string[];
    readonly source_type?: envoy.config.listener.v3.FilterChainMatch.ConnectionSourceType;
    readonly direct_source_prefix_ranges?: readonly envoy.config.core.v3.CidrRange[];
  }
  interface Listener {
    readonly name?: string;
    readonly address?: envoy.config.core.v3.Address;
    readonly filter_chains?: readonly envoy.config.listener.v3.FilterChain[];
    readonly use_original_dst?: google.protobuf.BoolValue;
    readonly per_connection_buffer_limit_bytes?: google.protobuf.UInt32Value;
    readonly metadata?: envoy.config.core.v3.Metadata;
    /** @deprecated */
    readonly deprecated_v1?: envoy.config.listener.v3.Listener.DeprecatedV1;
    readonly drain_type?: envoy.config.listener.v3.Listener.DrainType;
    readonly listener_filters?: readonly envoy.config.listener.v3.ListenerFilter[];
    readonly transparent?: google.protobuf.BoolValue;
    readonly freebind?: google.protobuf.BoolValue;
    readonly tcp_fast_open_queue_length?: google.protobuf.UInt32Value;
    readonly socket_options?: readonly envoy.config.core.v3.SocketOption[];
    readonly listener_filters_timeout?: google.protobuf.Duration;
    readonly traffic_direction?: envoy.config.core.v3.TrafficDirection;
    readonly continue_on_listener_filters_timeout?: boolean;
    readonly udp_listener_config?: envoy.config.listener.v3.UdpListenerConfig;
    readonly api_listener?: envoy.config.listener.v3.ApiListener;
    readonly connection_balance_config?: envoy.config.listener.v3.Listener.ConnectionBalanceConfig;
    /** @deprecated */
    readonly reuse_port?: boolean;
    readonly access_log?: readonly envoy.config.accesslog.v3.AccessLog[];
    readonly tcp_backlog_size?: google.protobuf.UInt32Value;
    readonly default_filter_chain?: envoy.config.listener.v3.FilterChain;
    readonly bind_to_port?: google.protobuf.BoolValue;
    readonly internal_listener?: envoy.config.listener.v3.Listener.InternalListenerConfig;
    readonly stat_prefix?: string;
    readonly enable_reuse_port?: google.protobuf.BoolValue;
    readonly enable_mptcp?: boolean;
    readonly ignore_global_conn_limit?: boolean;
    readonly filter_chain_matcher?: xds.type.matcher.v3.Matcher;
    readonly additional_addresses?: readonly envoy.config.listener.v3.AdditionalAddress[];
    readonly max_connections_to_accept_per_socket_event?: google.protobuf.UInt32Value;
    readonly bypass_overload_manager?: boolean;
  }
  interface ListenerFilter {
    readonly name?: string;
    readonly typed_config?: AnyJson;
    readonly filter_disabled?: envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
    readonly config_discovery?: envoy.config.core.v3.ExtensionConfigSource;
  }
  interface ListenerFilterChainMatchPredicate {
    readonly or_match?: envoy.config.listener.v3.ListenerFilterChainMatchPredicate.MatchSet;
    readonly and_match?: envoy.config.listener.v3.ListenerFilterChainMatchPredicate.MatchSet;
    readonly not_match?: envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
    readonly any_match?: boolean;
    readonly destination_port_range?: envoy.type.v3.Int32Range;
  }
  interface QuicProtocolOptions {
    readonly quic_protocol_options?: envoy.config.core.v3.QuicProtocolOptions;
    readonly idle_timeout?: google.protobuf.Duration;
    readonly crypto_handshake_timeout?: google.protobuf.Duration;
    readonly enabled?: envoy.config.core.v3.RuntimeFeatureFlag;
    readonly packets_to_read_to_connection_count_ratio?: google.protobuf.UInt32Value;
    readonly crypto_stream_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly proof_source_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly connection_id_generator_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly server_preferred_address_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly send_disable_active_migration?: google.protobuf.BoolValue;
    readonly connection_debug_visitor_config?: envoy.config.core.v3.TypedExtensionConfig;
  }
  interface UdpListenerConfig {
    readonly downstream_socket_config?: envoy.config.core.v3.UdpSocketConfig;
    readonly quic_options?: envoy.config.listener.v3.QuicProtocolOptions;
    readonly udp_packet_packet_writer_config?: envoy.config.core.v3.TypedExtensionConfig;
  }
}

export declare namespace envoy.config.listener.v3.FilterChain {
  interface OnDemandConfiguration {
    readonly rebuild_timeout?: google.protobuf.Duration;
  }
}

export declare namespace envoy.config.listener.v3.FilterChainMatch {
  type ConnectionSourceType = 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL';
}

export declare namespace envoy.config.listener.v3.Listener {
  interface ConnectionBalanceConfig {
    readonly exact_balance?: envoy.config.listener.v3.Listener.ConnectionBalanceConfig.ExactBalance;
    readonly extend_balance?: envoy.config.core.v3.TypedExtensionConfig;
  }
  interface DeprecatedV1 {
    readonly bind_to_port?: google.protobuf.BoolValue;
  }
  type DrainType = 'DEFAULT' | 'MODIFY_ONLY';
  type InternalListenerConfig = EmptyMessage;
}

export declare namespace envoy.config.listener.v3.Listener.ConnectionBalanceConfig {
  type ExactBalance = EmptyMessage;
}

export declare namespace envoy.config.listener.v3.ListenerFilterChainMatchPredicate {
  interface MatchSet {
    readonly rules?: readonly envoy.config.listener.v3.ListenerFilterChainMatchPredicate[];
  }
}

export declare namespace envoy.config.metrics.v3 {
  interface HistogramBucketSettings {
    readonly match?: envoy.type.matcher.v3.StringMatcher;
    readonly buckets?: readonly number[];
  }
  interface StatsConfig {
    readonly stats_tags?: readonly envoy.config.metrics.v3.TagSpecifier[];
    readonly use_all_default_tags?: google.protobuf.BoolValue;
    readonly stats_matcher?: envoy.config.metrics.v3.StatsMatcher;
    readonly histogram_bucket_settings?: readonly envoy.config.metrics.v3.HistogramBucketSettings[];
  }
  interface StatsMatcher {
    readonly reject_all?: boolean;
    readonly exclusion_list?: envoy.type.matcher.v3.ListStringMatcher;
    readonly inclusion_list?: envoy.type.matcher.v3.ListStringMatcher;
  }
  interface StatsSink {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface TagSpecifier {
    readonly tag_name?: string;
    readonly regex?: string;
    readonly fixed_value?: string;
  }
}

export declare namespace envoy.config.overload.v3 {
  interface BufferFactoryConfig {
    readonly minimum_account_to_track_power_of_two?: number;
  }
  interface LoadShedPoint {
    readonly name?: string;
    readonly triggers?: readonly envoy.config.overload.v3.Trigger[];
  }
  interface OverloadAction {
    readonly name?: string;
    readonly triggers?: readonly envoy.config.overload.v3.Trigger[];
    readonly typed_config?: AnyJson;
  }
  interface OverloadManager {
    readonly refresh_interval?: google.protobuf.Duration;
    readonly resource_monitors?: readonly envoy.config.overload.v3.ResourceMonitor[];
    readonly actions?: readonly envoy.config.overload.v3.OverloadAction[];
    readonly buffer_factory_config?: envoy.config.overload.v3.BufferFactoryConfig;
    readonly loadshed_points?: readonly envoy.config.overload.v3.LoadShedPoint[];
  }
  interface ResourceMonitor {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface ScaledTrigger {
    readonly scaling_threshold?: number;
    readonly saturation_threshold?: number;
  }
  interface ThresholdTrigger {
    readonly value?: number;
  }
  interface Trigger {
    readonly name?: string;
    readonly threshold?: envoy.config.overload.v3.ThresholdTrigger;
    readonly scaled?: envoy.config.overload.v3.ScaledTrigger;
  }
}

export declare namespace envoy.config.rbac.v3 {
  interface Permission {
    readonly and_rules?: envoy.config.rbac.v3.Permission.Set;
    readonly or_rules?: envoy.config.rbac.v3.Permission.Set;
    readonly any?: boolean;
    readonly header?: envoy.config.route.v3.HeaderMatcher;
    readonly destination_ip?: envoy.config.core.v3.CidrRange;
    readonly destination_port?: number;
    readonly metadata?: envoy.type.matcher.v3.MetadataMatcher;
    readonly not_rule?: envoy.config.rbac.v3.Permission;
    readonly requested_server_name?: envoy.type.matcher.v3.StringMatcher;
    readonly url_path?: envoy.type.matcher.v3.PathMatcher;
    readonly destination_port_range?: envoy.type.v3.Int32Range;
    readonly matcher?: envoy.config.core.v3.TypedExtensionConfig;
    readonly uri_template?: envoy.config.core.v3.TypedExtensionConfig;
  }
  interface Policy {
    readonly permissions?: readonly envoy.config.rbac.v3.Permission[];
    readonly principals?: readonly envoy.config.rbac.v3.Principal[];
    readonly condition?: google.api.expr.v1alpha1.Expr;
    readonly checked_condition?: google.api.expr.v1alpha1.CheckedExpr;
  }
  interface Principal {
    readonly and_ids?: envoy.config.rbac.v3.Principal.Set;
    readonly or_ids?: envoy.config.rbac.v3.Principal.Set;
    readonly any?: boolean;
    readonly authenticated?: envoy.config.rbac.v3.Principal.Authenticated;
    /** @deprecated */
    readonly source_ip?: envoy.config.core.v3.CidrRange;
    readonly header?: envoy.config.route.v3.HeaderMatcher;
    readonly metadata?: envoy.type.matcher.v3.MetadataMatcher;
    readonly not_id?: envoy.config.rbac.v3.Principal;
    readonly url_path?: envoy.type.matcher.v3.PathMatcher;
    readonly direct_remote_ip?: envoy.config.core.v3.CidrRange;
    readonly remote_ip?: envoy.config.core.v3.CidrRange;
    readonly filter_state?: envoy.type.matcher.v3.FilterStateMatcher;
  }
  interface RBAC {
    readonly action?: envoy.config.rbac.v3.RBAC.Action;
    readonly policies?: { readonly [key: string]: envoy.config.rbac.v3.Policy };
    readonly audit_logging_options?: envoy.config.rbac.v3.RBAC.AuditLoggingOptions;
  }
}

export declare namespace envoy.config.rbac.v3.Permission {
  interface Set {
    readonly rules?: readonly envoy.config.rbac.v3.Permission[];
  }
}

export declare namespace envoy.config.rbac.v3.Principal {
  interface Authenticated {
    readonly principal_name?: envoy.type.matcher.v3.StringMatcher;
  }
  interface Set {
    readonly ids?: readonly envoy.config.rbac.v3.Principal[];
  }
}

export declare namespace envoy.config.rbac.v3.RBAC {
  type Action = 'ALLOW' | 'DENY' | 'LOG';
  interface AuditLoggingOptions {
    readonly audit_condition?: envoy.config.rbac.v3.RBAC.AuditLoggingOptions.AuditCondition;
    readonly logger_configs?: readonly envoy.config.rbac.v3.RBAC.AuditLoggingOptions.AuditLoggerConfig[];
  }
}

export declare namespace envoy.config.rbac.v3.RBAC.AuditLoggingOptions {
  type AuditCondition = 'NONE' | 'ON_DENY' | 'ON_ALLOW' | 'ON_DENY_AND_ALLOW';
  interface AuditLoggerConfig {
    readonly audit_logger?: envoy.config.core.v3.TypedExtensionConfig;
    readonly is_optional?: boolean;
  }
}

export declare namespace envoy.config.route.v3 {
  interface ClusterSpecifierPlugin {
    readonly extension?: envoy.config.core.v3.TypedExtensionConfig;
    readonly is_optional?: boolean;
  }
  interface CorsPolicy {
    readonly allow_methods?: string;
    readonly allow_headers?: string;
    readonly expose_headers?: string;
    readonly max_age?: string;
    readonly allow_credentials?: google.protobuf.BoolValue;
    readonly filter_enabled?: envoy.config.core.v3.RuntimeFractionalPercent;
    readonly shadow_enabled?: envoy.config.core.v3.RuntimeFractionalPercent;
    readonly allow_origin_string_match?: readonly envoy.type.matcher.v3.StringMatcher[];
    readonly allow_private_network_access?: google.protobuf.BoolValue;
    readonly forward_not_matching_preflights?: google.protobuf.BoolValue;
  }
  interface Decorator {
    readonly operation?: string;
    readonly propagate?: google.protobuf.BoolValue;
  }
  interface DirectResponseAction {
    readonly status?: number;
    readonly body?: envoy.config.core.v3.DataSource;
  }
  interface FilterAction {
    readonly action?: AnyJson;
  }
  interface HeaderMatcher {
    readonly name?: string;
    /** @deprecated */
    readonly exact_match?: string;
    readonly range_match?: envoy.type.v3.Int64Range;
    readonly present_match?: boolean;
    readonly invert_match?: boolean;
    /** @deprecated */
    readonly prefix_match?: string;
    /** @deprecated */
    readonly suffix_match?: string;
    /** @deprecated */
    readonly safe_regex_match?: envoy.type.matcher.v3.RegexMatcher;
    /** @deprecated */
    readonly contains_match?: string;
    readonly string_match?: envoy.type.matcher.v3.StringMatcher;
    readonly treat_missing_header_as_empty?: boolean;
  }
  interface HedgePolicy {
    readonly initial_requests?: google.protobuf.UInt32Value;
    readonly additional_request_chance?: envoy.type.v3.FractionalPercent;
    readonly hedge_on_per_try_timeout?: boolean;
  }
  interface InternalRedirectPolicy {
    readonly max_internal_redirects?: google.protobuf.UInt32Value;
    readonly redirect_response_codes?: readonly number[];
    readonly predicates?: readonly envoy.config.core.v3.TypedExtensionConfig[];
    readonly allow_cross_scheme_redirect?: boolean;
    readonly response_headers_to_copy?: readonly string[];
  }
  type NonForwardingAction = EmptyMessage;
  interface QueryParameterMatcher {
    readonly name?: string;
    readonly string_match?: envoy.type.matcher.v3.StringMatcher;
    readonly present_match?: boolean;
  }
  interface RateLimit {
    readonly stage?: google.protobuf.UInt32Value;
    readonly disable_key?: string;
    readonly actions?: readonly envoy.config.route.v3.RateLimit.Action[];
    readonly limit?: envoy.config.route.v3.RateLimit.Override;
  }
  interface RedirectAction {
    readonly host_redirect?: string;
    readonly path_redirect?: string;
    readonly response_code?: envoy.config.route.v3.RedirectAction.RedirectResponseCode;
    readonly https_redirect?: boolean;
    readonly prefix_rewrite?: string;
    readonly strip_query?: boolean;
    readonly scheme_redirect?: string;
    readonly port_redirect?: number;
    readonly regex_rewrite?: envoy.type.matcher.v3.RegexMatchAndSubstitute;
  }
  interface RetryPolicy {
    readonly retry_on?: string;
    readonly num_retries?: google.protobuf.UInt32Value;
    readonly per_try_timeout?: google.protobuf.Duration;
    readonly retry_priority?: envoy.config.route.v3.RetryPolicy.RetryPriority;
    readonly retry_host_predicate?: readonly envoy.config.route.v3.RetryPolicy.RetryHostPredicate[];
    readonly host_selection_retry_max_attempts?: Int64Json;
    readonly retriable_status_codes?: readonly number[];
    readonly retry_back_off?: envoy.config.route.v3.RetryPolicy.RetryBackOff;
    readonly retriable_headers?: readonly envoy.config.route.v3.HeaderMatcher[];
    readonly retriable_request_headers?: readonly envoy.config.route.v3.HeaderMatcher[];
    readonly rate_limited_retry_back_off?: envoy.config.route.v3.RetryPolicy.RateLimitedRetryBackOff;
    readonly retry_options_predicates?: readonly envoy.config.core.v3.TypedExtensionConfig[];
    readonly per_try_idle_timeout?: google.protobuf.Duration;
  }
  interface Route {
    readonly match?: envoy.config.route.v3.RouteMatch;
    readonly route?: envoy.config.route.v3.RouteAction;
    readonly redirect?: envoy.config.route.v3.RedirectAction;
    readonly metadata?: envoy.config.core.v3.Metadata;
    readonly decorator?: envoy.config.route.v3.Decorator;
    readonly direct_response?: envoy.config.route.v3.DirectResponseAction;
    readonly request_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    readonly response_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    readonly response_headers_to_remove?: readonly string[];
    readonly request_headers_to_remove?: readonly string[];
    readonly typed_per_filter_config?: { readonly [key: string]: AnyJson };
    readonly name?: string;
    readonly tracing?: envoy.config.route.v3.Tracing;
    readonly per_request_buffer_limit_bytes?: google.protobuf.UInt32Value;
    readonly filter_action?: envoy.config.route.v3.FilterAction;
    readonly non_forwarding_action?: envoy.config.route.v3.NonForwardingAction;
    readonly stat_prefix?: string;
  }
  interface RouteAction {
    readonly cluster?: string;
    readonly cluster_header?: string;
    readonly weighted_clusters?: envoy.config.route.v3.WeightedCluster;
    readonly metadata_match?: envoy.config.core.v3.Metadata;
    readonly prefix_rewrite?: string;
    readonly host_rewrite_literal?: string;
    readonly auto_host_rewrite?: google.protobuf.BoolValue;
    readonly timeout?: google.protobuf.Duration;
    readonly retry_policy?: envoy.config.route.v3.RetryPolicy;
    readonly priority?: envoy.config.core.v3.RoutingPriority;
    readonly rate_limits?: readonly envoy.config.route.v3.RateLimit[];
    /** @deprecated */
    readonly include_vh_rate_limits?: google.protobuf.BoolValue;
    readonly hash_policy?: readonly envoy.config.route.v3.RouteAction.HashPolicy[];
    /** @deprecated */
    readonly cors?: envoy.config.route.v3.CorsPolicy;
    readonly cluster_not_found_response_code?: envoy.config.route.v3.RouteAction.ClusterNotFoundResponseCode;
    /** @deprecated */
    readonly max_grpc_timeout?: google.protobuf.Duration;
    readonly idle_timeout?: google.protobuf.Duration;
    readonly upgrade_configs?: readonly envoy.config.route.v3.RouteAction.UpgradeConfig[];
    /** @deprecated */
    readonly internal_redirect_action?: envoy.config.route.v3.RouteAction.InternalRedirectAction;
    readonly hedge_policy?: envoy.config.route.v3.HedgePolicy;
    /** @deprecated */
    readonly grpc_timeout_offset?: google.protobuf.Duration;
    readonly host_rewrite_header?: string;
    readonly request_mirror_policies?: readonly envoy.config.route.v3.RouteAction.RequestMirrorPolicy[];
    /** @deprecated */
    readonly max_internal_redirects?: google.protobuf.UInt32Value;
    readonly regex_rewrite?: envoy.type.matcher.v3.RegexMatchAndSubstitute;
    readonly retry_policy_typed_config?: AnyJson;
    readonly internal_redirect_policy?: envoy.config.route.v3.InternalRedirectPolicy;
    readonly host_rewrite_path_regex?: envoy.type.matcher.v3.RegexMatchAndSubstitute;
    readonly max_stream_duration?: envoy.config.route.v3.RouteAction.MaxStreamDuration;
    readonly cluster_specifier_plugin?: string;
    readonly append_x_forwarded_host?: boolean;
    readonly inline_cluster_specifier_plugin?: envoy.config.route.v3.ClusterSpecifierPlugin;
    readonly early_data_policy?: envoy.config.core.v3.TypedExtensionConfig;
    readonly path_rewrite_policy?: envoy.config.core.v3.TypedExtensionConfig;
  }
  interface RouteConfiguration {
    readonly name?: string;
    readonly virtual_hosts?: readonly envoy.config.route.v3.VirtualHost[];
    readonly internal_only_headers?: readonly string[];
    readonly response_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    readonly response_headers_to_remove?: readonly string[];
    readonly request_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    readonly validate_clusters?: google.protobuf.BoolValue;
    readonly request_headers_to_remove?: readonly string[];
    readonly vhds?: envoy.config.route.v3.Vhds;
    readonly most_specific_header_mutations_wins?: boolean;
    readonly max_direct_response_body_size_bytes?: google.protobuf.UInt32Value;
    readonly cluster_specifier_plugins?: readonly envoy.config.route.v3.ClusterSpecifierPlugin[];
    readonly request_mirror_policies?: readonly envoy.config.route.v3.RouteAction.RequestMirrorPolicy[];
    readonly ignore_port_in_host_matching?: boolean;
    readonly ignore_path_parameters_in_path_matching?: boolean;
    readonly typed_per_filter_config?: { readonly [key: string]: AnyJson };
    readonly metadata?: envoy.config.core.v3.Metadata;
  }
  interface RouteMatch {
    readonly prefix?: string;
    readonly path?: string;
    readonly case_sensitive?: google.protobuf.BoolValue;
    readonly headers?: readonly envoy.config.route.v3.HeaderMatcher[];
    readonly query_parameters?: readonly envoy.config.route.v3.QueryParameterMatcher[];
    readonly grpc?: envoy.config.route.v3.RouteMatch.GrpcRouteMatchOptions;
    readonly runtime_fraction?: envoy.config.core.v3.RuntimeFractionalPercent;
    readonly safe_regex?: envoy.type.matcher.v3.RegexMatcher;
    readonly tls_context?: envoy.config.route.v3.RouteMatch.TlsContextMatchOptions;
    readonly connect_matcher?: envoy.config.route.v3.RouteMatch.ConnectMatcher;
    readonly dynamic_metadata?: readonly envoy.type.matcher.v3.MetadataMatcher[];
    readonly path_separated_prefix?: string;
    readonly path_match_policy?: envoy.config.core.v3.TypedExtensionConfig;
  }
  interface ScopedRouteConfiguration {
    readonly name?: string;
    readonly route_configuration_name?: string;
    readonly key?: envoy.config.route.v3.ScopedRouteConfiguration.Key;
    readonly on_demand?: boolean;
    readonly route_configuration?: envoy.config.route.v3.RouteConfiguration;
  }
  interface Tracing {
    readonly client_sampling?: envoy.type.v3.FractionalPercent;
    readonly random_sampling?: envoy.type.v3.FractionalPercent;
    readonly overall_sampling?: envoy.type.v3.FractionalPercent;
    readonly custom_tags?: readonly envoy.type.tracing.v3.CustomTag[];
  }
  interface Vhds {
    readonly config_source?: envoy.config.core.v3.ConfigSource;
  }
  interface VirtualCluster {
    readonly name?: string;
    readonly headers?: readonly envoy.config.route.v3.HeaderMatcher[];
  }
  interface VirtualHost {
    readonly name?: string;
    readonly domains?: readonly string[];
    readonly routes?: readonly envoy.config.route.v3.Route[];
    readonly require_tls?: envoy.config.route.v3.VirtualHost.TlsRequirementType;
    readonly virtual_clusters?: readonly envoy.config.route.v3.VirtualCluster[];
    readonly rate_limits?: readonly envoy.config.route.v3.RateLimit[];
    readonly request_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    /** @deprecated */
    readonly cors?: envoy.config.route.v3.CorsPolicy;
    readonly response_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    readonly response_headers_to_remove?: readonly string[];
    readonly request_headers_to_remove?: readonly string[];
    readonly include_request_attempt_count?: boolean;
    readonly typed_per_filter_config?: { readonly [key: string]: AnyJson };
    readonly retry_policy?: envoy.config.route.v3.RetryPolicy;
    readonly hedge_policy?: envoy.config.route.v3.HedgePolicy;
    readonly per_request_buffer_limit_bytes?: google.protobuf.UInt32Value;
    readonly include_attempt_count_in_response?: boolean;
    readonly retry_policy_typed_config?: AnyJson;
    readonly matcher?: xds.type.matcher.v3.Matcher;
    readonly request_mirror_policies?: readonly envoy.config.route.v3.RouteAction.RequestMirrorPolicy[];
    readonly include_is_timeout_retry_header?: boolean;
    readonly metadata?: envoy.config.core.v3.Metadata;
  }
  interface WeightedCluster {
    readonly clusters?: readonly envoy.config.route.v3.WeightedCluster.ClusterWeight[];
    readonly runtime_key_prefix?: string;
    /** @deprecated */
    readonly total_weight?: google.protobuf.UInt32Value;
    readonly header_name?: string;
  }
}

export declare namespace envoy.config.route.v3.RateLimit {
  interface Action {
    readonly source_cluster?: envoy.config.route.v3.RateLimit.Action.SourceCluster;
    readonly destination_cluster?: envoy.config.route.v3.RateLimit.Action.DestinationCluster;
    readonly request_headers?: envoy.config.route.v3.RateLimit.Action.RequestHeaders;
    readonly remote_address?: envoy.config.route.v3.RateLimit.Action.RemoteAddress;
    readonly generic_key?: envoy.config.route.v3.RateLimit.Action.GenericKey;
    readonly header_value_match?: envoy.config.route.v3.RateLimit.Action.HeaderValueMatch;
    /** @deprecated */
    readonly dynamic_metadata?: envoy.config.route.v3.RateLimit.Action.DynamicMetaData;
    readonly metadata?: envoy.config.route.v3.RateLimit.Action.MetaData;
    readonly extension?: envoy.config.core.v3.TypedExtensionConfig;
    readonly masked_remote_address?: envoy.config.route.v3.RateLimit.Action.MaskedRemoteAddress;
    readonly query_parameter_value_match?: envoy.config.route.v3.RateLimit.Action.QueryParameterValueMatch;
  }
  interface Override {
    readonly dynamic_metadata?: envoy.config.route.v3.RateLimit.Override.DynamicMetadata;
  }
}

export declare namespace envoy.config.route.v3.RateLimit.Action {
  type DestinationCluster = EmptyMessage;
  interface DynamicMetaData {
    readonly descriptor_key?: string;
    readonly metadata_key?: envoy.type.metadata.v3.MetadataKey;
    readonly default_value?: string;
  }
  interface GenericKey {
    readonly descriptor_value?: string;
    readonly descriptor_key?: string;
  }
  interface HeaderValueMatch {
    readonly descriptor_value?: string;
    readonly expect_match?: google.protobuf.BoolValue;
    readonly headers?: readonly envoy.config.route.v3.HeaderMatcher[];
    readonly descriptor_key?: string;
  }
  interface MaskedRemoteAddress {
    readonly v4_prefix_mask_len?: google.protobuf.UInt32Value;
    readonly v6_prefix_mask_len?: google.protobuf.UInt32Value;
  }
  interface MetaData {
    readonly descriptor_key?: string;
    readonly metadata_key?: envoy.type.metadata.v3.MetadataKey;
    readonly default_value?: string;
    readonly source?: envoy.config.route.v3.RateLimit.Action.MetaData.Source;
    readonly skip_if_absent?: boolean;
  }
  interface QueryParameterValueMatch {
    readonly descriptor_value?: string;
    readonly expect_match?: google.protobuf.BoolValue;
    readonly query_parameters?: readonly envoy.config.route.v3.QueryParameterMatcher[];
    readonly descriptor_key?: string;
  }
  type RemoteAddress = EmptyMessage;
  interface RequestHeaders {
    readonly header_name?: string;
    readonly descriptor_key?: string;
    readonly skip_if_absent?: boolean;
  }
  type SourceCluster = EmptyMessage;
}

export declare namespace envoy.config.route.v3.RateLimit.Action.MetaData {
  type Source = 'DYNAMIC' | 'ROUTE_ENTRY';
}

export declare namespace envoy.config.route.v3.RateLimit.Override {
  interface DynamicMetadata {
    readonly metadata_key?: envoy.type.metadata.v3.MetadataKey;
  }
}

export declare namespace envoy.config.route.v3.RedirectAction {
  type RedirectResponseCode = 'MOVED_PERMANENTLY' | 'FOUND' | 'SEE_OTHER' | 'TEMPORARY_REDIRECT' | 'PERMANENT_REDIRECT';
}

export declare namespace envoy.config.route.v3.RetryPolicy {
  interface RateLimitedRetryBackOff {
    readonly reset_headers?: readonly envoy.config.route.v3.RetryPolicy.ResetHeader[];
    readonly max_interval?: google.protobuf.Duration;
  }
  interface ResetHeader {
    readonly name?: string;
    readonly format?: envoy.config.route.v3.RetryPolicy.ResetHeaderFormat;
  }
  type ResetHeaderFormat = 'SECONDS' | 'UNIX_TIMESTAMP';
  interface RetryBackOff {
    readonly base_interval?: google.protobuf.Duration;
    readonly max_interval?: google.protobuf.Duration;
  }
  interface RetryHostPredicate {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
  interface RetryPriority {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
}

export declare namespace envoy.config.route.v3.RouteAction {
  type ClusterNotFoundResponseCode = 'SERVICE_UNAVAILABLE' | 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR';
  interface HashPolicy {
    readonly header?: envoy.config.route.v3.RouteAction.HashPolicy.Header;
    readonly cookie?: envoy.config.route.v3.RouteAction.HashPolicy.Cookie;
    readonly connection_properties?: envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties;
    readonly terminal?: boolean;
    readonly query_parameter?: envoy.config.route.v3.RouteAction.HashPolicy.QueryParameter;
    readonly filter_state?: envoy.config.route.v3.RouteAction.HashPolicy.FilterState;
  }
  type InternalRedirectAction = 'PASS_THROUGH_INTERNAL_REDIRECT' | 'HANDLE_INTERNAL_REDIRECT';
  interface MaxStreamDuration {
    readonly max_stream_duration?: google.protobuf.Duration;
    readonly grpc_timeout_header_max?: google.protobuf.Duration;
    readonly grpc_timeout_header_offset?: google.protobuf.Duration;
  }
  interface RequestMirrorPolicy {
    readonly cluster?: string;
    readonly runtime_fraction?: envoy.config.core.v3.RuntimeFractionalPercent;
    readonly trace_sampled?: google.protobuf.BoolValue;
    readonly cluster_header?: string;
    readonly disable_shadow_host_suffix_append?: boolean;
  }
  interface UpgradeConfig {
    readonly upgrade_type?: string;
    readonly enabled?: google.protobuf.BoolValue;
    readonly connect_config?: envoy.config.route.v3.RouteAction.UpgradeConfig.ConnectConfig;
  }
}

export declare namespace envoy.config.route.v3.RouteAction.HashPolicy {
  interface ConnectionProperties {
    readonly source_ip?: boolean;
  }
  interface Cookie {
    readonly name?: string;
    readonly ttl?: google.protobuf.Duration;
    readonly path?: string;
    readonly attributes?: readonly envoy.config.route.v3.RouteAction.HashPolicy.CookieAttribute[];
  }
  interface CookieAttribute {
    readonly name?: string;
    readonly value?: string;
  }
  interface FilterState {
    readonly key?: string;
  }
  interface Header {
    readonly header_name?: string;
    readonly regex_rewrite?: envoy.type.matcher.v3.RegexMatchAndSubstitute;
  }
  interface QueryParameter {
    readonly name?: string;
  }
}

export declare namespace envoy.config.route.v3.RouteAction.UpgradeConfig {
  interface ConnectConfig {
    readonly proxy_protocol_config?: envoy.config.core.v3.ProxyProtocolConfig;
    readonly allow_post?: boolean;
  }
}

export declare namespace envoy.config.route.v3.RouteMatch {
  type ConnectMatcher = EmptyMessage;
  type GrpcRouteMatchOptions = EmptyMessage;
  interface TlsContextMatchOptions {
    readonly presented?: google.protobuf.BoolValue;
    readonly validated?: google.protobuf.BoolValue;
  }
}

export declare namespace envoy.config.route.v3.ScopedRouteConfiguration {
  interface Key {
    readonly fragments?: readonly envoy.config.route.v3.ScopedRouteConfiguration.Key.Fragment[];
  }
}

export declare namespace envoy.config.route.v3.ScopedRouteConfiguration.Key {
  interface Fragment {
    readonly string_key?: string;
  }
}

export declare namespace envoy.config.route.v3.VirtualHost {
  type TlsRequirementType = 'NONE' | 'EXTERNAL_ONLY' | 'ALL';
}

export declare namespace envoy.config.route.v3.WeightedCluster {
  interface ClusterWeight {
    readonly name?: string;
    readonly weight?: google.protobuf.UInt32Value;
    readonly metadata_match?: envoy.config.core.v3.Metadata;
    readonly request_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    readonly response_headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
    readonly response_headers_to_remove?: readonly string[];
    readonly request_headers_to_remove?: readonly string[];
    readonly typed_per_filter_config?: { readonly [key: string]: AnyJson };
    readonly host_rewrite_literal?: string;
    readonly cluster_header?: string;
  }
}

export declare namespace envoy.config.trace.v3 {
  interface Tracing {
    readonly http?: envoy.config.trace.v3.Tracing.Http;
  }
}

export declare namespace envoy.config.trace.v3.Tracing {
  interface Http {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
}

export declare namespace envoy.data.accesslog.v3 {
  type AccessLogType = 'NotSet' | 'TcpUpstreamConnected' | 'TcpPeriodic' | 'TcpConnectionEnd' | 'DownstreamStart' | 'DownstreamPeriodic' | 'DownstreamEnd' | 'UpstreamPoolReady' | 'UpstreamPeriodic' | 'UpstreamEnd' | 'DownstreamTunnelSuccessfullyEstablished' | 'UdpTunnelUpstreamConnected' | 'UdpPeriodic' | 'UdpSessionEnd';
}

export declare namespace envoy.extensions.access_loggers.filters.cel.v3 {
  interface ExpressionFilter {
    readonly expression?: string;
  }
}

export declare namespace envoy.extensions.access_loggers.grpc.v3 {
  interface CommonGrpcAccessLogConfig {
    readonly log_name?: string;
    readonly grpc_service?: envoy.config.core.v3.GrpcService;
    readonly buffer_flush_interval?: google.protobuf.Duration;
    readonly buffer_size_bytes?: google.protobuf.UInt32Value;
    readonly filter_state_objects_to_log?: readonly string[];
    readonly transport_api_version?: envoy.config.core.v3.ApiVersion;
    readonly grpc_stream_retry_policy?: envoy.config.core.v3.RetryPolicy;
    readonly custom_tags?: readonly envoy.type.tracing.v3.CustomTag[];
  }
  interface HttpGrpcAccessLogConfig {
    readonly common_config?: envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
    readonly additional_request_headers_to_log?: readonly string[];
    readonly additional_response_headers_to_log?: readonly string[];
    readonly additional_response_trailers_to_log?: readonly string[];
  }
  interface TcpGrpcAccessLogConfig {
    readonly common_config?: envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
  }
}

export declare namespace envoy.extensions.access_loggers.stream.v3 {
  interface StdoutAccessLog {
    readonly log_format?: envoy.config.core.v3.SubstitutionFormatString;
  }
}

export declare namespace envoy.extensions.filters.common.set_filter_state.v3 {
  interface FilterStateValue {
    readonly object_key?: string;
    readonly format_string?: envoy.config.core.v3.SubstitutionFormatString;
    readonly read_only?: boolean;
    readonly shared_with_upstream?: envoy.extensions.filters.common.set_filter_state.v3.FilterStateValue.SharedWithUpstream;
    readonly skip_if_empty?: boolean;
    readonly factory_key?: string;
  }
}

export declare namespace envoy.extensions.filters.common.set_filter_state.v3.FilterStateValue {
  type SharedWithUpstream = 'NONE' | 'ONCE' | 'TRANSITIVE';
}

export declare namespace envoy.extensions.filters.http.credential_injector.v3 {
  interface CredentialInjector {
    readonly overwrite?: boolean;
    readonly allow_request_without_credential?: boolean;
    readonly credential?: envoy.config.core.v3.TypedExtensionConfig;
  }
}

export declare namespace envoy.extensions.filters.http.rbac.v3 {
  interface RBAC {
    readonly rules?: envoy.config.rbac.v3.RBAC;
    readonly shadow_rules?: envoy.config.rbac.v3.RBAC;
    readonly shadow_rules_stat_prefix?: string;
    readonly matcher?: xds.type.matcher.v3.Matcher;
    readonly shadow_matcher?: xds.type.matcher.v3.Matcher;
    readonly rules_stat_prefix?: string;
    readonly track_per_rule_stats?: boolean;
  }
  interface RBACPerRoute {
    readonly rbac?: envoy.extensions.filters.http.rbac.v3.RBAC;
  }
}

export declare namespace envoy.extensions.filters.http.router.v3 {
  interface Router {
    readonly dynamic_stats?: google.protobuf.BoolValue;
    /** @deprecated */
    readonly start_child_span?: boolean;
    readonly upstream_log?: readonly envoy.config.accesslog.v3.AccessLog[];
    readonly suppress_envoy_headers?: boolean;
    readonly strict_check_headers?: readonly string[];
    readonly respect_expected_rq_timeout?: boolean;
    readonly suppress_grpc_request_failure_code_stats?: boolean;
    readonly upstream_http_filters?: readonly envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter[];
    readonly upstream_log_options?: envoy.extensions.filters.http.router.v3.Router.UpstreamAccessLogOptions;
  }
}

export declare namespace envoy.extensions.filters.http.router.v3.Router {
  interface UpstreamAccessLogOptions {
    readonly flush_upstream_log_on_upstream_stream?: boolean;
    readonly upstream_log_flush_interval?: google.protobuf.Duration;
  }
}

export declare namespace envoy.extensions.filters.listener.original_dst.v3 {
  type OriginalDst = EmptyMessage;
}

export declare namespace envoy.extensions.filters.listener.original_src.v3 {
  interface OriginalSrc {
    readonly bind_port?: boolean;
    readonly mark?: number;
  }
}

export declare namespace envoy.extensions.filters.listener.tls_inspector.v3 {
  interface TlsInspector {
    readonly enable_ja3_fingerprinting?: google.protobuf.BoolValue;
    readonly initial_read_buffer_size?: google.protobuf.UInt32Value;
  }
}

export declare namespace envoy.extensions.filters.network.direct_response.v3 {
  interface Config {
    readonly response?: envoy.config.core.v3.DataSource;
  }
}

export declare namespace envoy.extensions.filters.network.http_connection_manager.v3 {
  interface HttpConnectionManager {
    readonly codec_type?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.CodecType;
    readonly stat_prefix?: string;
    readonly rds?: envoy.extensions.filters.network.http_connection_manager.v3.Rds;
    readonly route_config?: envoy.config.route.v3.RouteConfiguration;
    readonly http_filters?: readonly envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter[];
    readonly add_user_agent?: google.protobuf.BoolValue;
    readonly tracing?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.Tracing;
    readonly http_protocol_options?: envoy.config.core.v3.Http1ProtocolOptions;
    readonly http2_protocol_options?: envoy.config.core.v3.Http2ProtocolOptions;
    readonly server_name?: string;
    readonly drain_timeout?: google.protobuf.Duration;
    readonly access_log?: readonly envoy.config.accesslog.v3.AccessLog[];
    readonly use_remote_address?: google.protobuf.BoolValue;
    readonly generate_request_id?: google.protobuf.BoolValue;
    readonly forward_client_cert_details?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ForwardClientCertDetails;
    readonly set_current_client_cert_details?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.SetCurrentClientCertDetails;
    readonly proxy_100_continue?: boolean;
    readonly xff_num_trusted_hops?: number;
    readonly represent_ipv4_remote_address_as_ipv4_mapped_ipv6?: boolean;
    readonly skip_xff_append?: boolean;
    readonly via?: string;
    readonly upgrade_configs?: readonly envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig[];
    readonly stream_idle_timeout?: google.protobuf.Duration;
    readonly internal_address_config?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.InternalAddressConfig;
    readonly delayed_close_timeout?: google.protobuf.Duration;
    readonly request_timeout?: google.protobuf.Duration;
    readonly max_request_headers_kb?: google.protobuf.UInt32Value;
    readonly normalize_path?: google.protobuf.BoolValue;
    readonly scoped_routes?: envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes;
    readonly preserve_external_request_id?: boolean;
    readonly merge_slashes?: boolean;
    readonly server_header_transformation?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ServerHeaderTransformation;
    readonly common_http_protocol_options?: envoy.config.core.v3.HttpProtocolOptions;
    readonly request_id_extension?: envoy.extensions.filters.network.http_connection_manager.v3.RequestIDExtension;
    readonly always_set_request_id_in_response?: boolean;
    readonly local_reply_config?: envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
    readonly strip_matching_host_port?: boolean;
    readonly stream_error_on_invalid_http_message?: google.protobuf.BoolValue;
    readonly request_headers_timeout?: google.protobuf.Duration;
    readonly strip_any_host_port?: boolean;
    readonly path_normalization_options?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.PathNormalizationOptions;
    readonly http3_protocol_options?: envoy.config.core.v3.Http3ProtocolOptions;
    readonly path_with_escaped_slashes_action?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.PathWithEscapedSlashesAction;
    readonly original_ip_detection_extensions?: readonly envoy.config.core.v3.TypedExtensionConfig[];
    readonly strip_trailing_host_dot?: boolean;
    readonly scheme_header_transformation?: envoy.config.core.v3.SchemeHeaderTransformation;
    readonly proxy_status_config?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ProxyStatusConfig;
    readonly typed_header_validation_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly append_x_forwarded_port?: boolean;
    readonly early_header_mutation_extensions?: readonly envoy.config.core.v3.TypedExtensionConfig[];
    readonly add_proxy_protocol_connection_state?: google.protobuf.BoolValue;
    /** @deprecated */
    readonly access_log_flush_interval?: google.protobuf.Duration;
    /** @deprecated */
    readonly flush_access_log_on_new_request?: boolean;
    readonly access_log_options?: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.HcmAccessLogOptions;
    readonly append_local_overload?: boolean;
  }
  interface HttpFilter {
    readonly name?: string;
    readonly typed_config?: AnyJson;
    readonly config_discovery?: envoy.config.core.v3.ExtensionConfigSource;
    readonly is_optional?: boolean;
    readonly disabled?: boolean;
  }
  interface LocalReplyConfig {
    readonly mappers?: readonly envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper[];
    readonly body_format?: envoy.config.core.v3.SubstitutionFormatString;
  }
  interface Rds {
    readonly config_source?: envoy.config.core.v3.ConfigSource;
    readonly route_config_name?: string;
  }
  interface RequestIDExtension {
    readonly typed_config?: AnyJson;
  }
  interface ResponseMapper {
    readonly filter?: envoy.config.accesslog.v3.AccessLogFilter;
    readonly status_code?: google.protobuf.UInt32Value;
    readonly body?: envoy.config.core.v3.DataSource;
    readonly body_format_override?: envoy.config.core.v3.SubstitutionFormatString;
    readonly headers_to_add?: readonly envoy.config.core.v3.HeaderValueOption[];
  }
  interface ScopedRds {
    readonly scoped_rds_config_source?: envoy.config.core.v3.ConfigSource;
    readonly srds_resources_locator?: string;
  }
  interface ScopedRouteConfigurationsList {
    readonly scoped_route_configurations?: readonly envoy.config.route.v3.ScopedRouteConfiguration[];
  }
  interface ScopedRoutes {
    readonly name?: string;
    readonly scope_key_builder?: envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder;
    readonly rds_config_source?: envoy.config.core.v3.ConfigSource;
    readonly scoped_route_configurations_list?: envoy.extensions.filters.network.http_connection_manager.v3.ScopedRouteConfigurationsList;
    readonly scoped_rds?: envoy.extensions.filters.network.http_connection_manager.v3.ScopedRds;
  }
}

export declare namespace envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager {
  type CodecType = 'AUTO' | 'HTTP1' | 'HTTP2' | 'HTTP3';
  type ForwardClientCertDetails = 'SANITIZE' | 'FORWARD_ONLY' | 'APPEND_FORWARD' | 'SANITIZE_SET' | 'ALWAYS_FORWARD_ONLY';
  interface HcmAccessLogOptions {
    readonly access_log_flush_interval?: google.protobuf.Duration;
    readonly flush_access_log_on_new_request?: boolean;
    readonly flush_log_on_tunnel_successfully_established?: boolean;
  }
  interface InternalAddressConfig {
    readonly unix_sockets?: boolean;
    readonly cidr_ranges?: readonly envoy.config.core.v3.CidrRange[];
  }
  interface PathNormalizationOptions {
    readonly forwarding_transformation?: envoy.type.http.v3.PathTransformation;
    readonly http_filter_transformation?: envoy.type.http.v3.PathTransformation;
  }
  type PathWithEscapedSlashesAction = 'IMPLEMENTATION_SPECIFIC_DEFAULT' | 'KEEP_UNCHANGED' | 'REJECT_REQUEST' | 'UNESCAPE_AND_REDIRECT' | 'UNESCAPE_AND_FORWARD';
  interface ProxyStatusConfig {
    readonly remove_details?: boolean;
    readonly remove_connection_termination_details?: boolean;
    readonly remove_response_flags?: boolean;
    readonly set_recommended_response_code?: boolean;
    readonly use_node_id?: boolean;
    readonly literal_proxy_name?: string;
  }
  type ServerHeaderTransformation = 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';
  interface SetCurrentClientCertDetails {
    readonly subject?: google.protobuf.BoolValue;
    readonly cert?: boolean;
    readonly dns?: boolean;
    readonly uri?: boolean;
    readonly chain?: boolean;
  }
  interface Tracing {
    readonly client_sampling?: envoy.type.v3.Percent;
    readonly random_sampling?: envoy.type.v3.Percent;
    readonly overall_sampling?: envoy.type.v3.Percent;
    readonly verbose?: boolean;
    readonly max_path_tag_length?: google.protobuf.UInt32Value;
    readonly custom_tags?: readonly envoy.type.tracing.v3.CustomTag[];
    readonly provider?: envoy.config.trace.v3.Tracing.Http;
    readonly spawn_upstream_span?: google.protobuf.BoolValue;
  }
  interface UpgradeConfig {
    readonly upgrade_type?: string;
    readonly filters?: readonly envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter[];
    readonly enabled?: google.protobuf.BoolValue;
  }
}

export declare namespace envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes {
  interface ScopeKeyBuilder {
    readonly fragments?: readonly envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder[];
  }
}

export declare namespace envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder {
  interface FragmentBuilder {
    readonly header_value_extractor?: envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor;
  }
}

export declare namespace envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder {
  interface HeaderValueExtractor {
    readonly name?: string;
    readonly element_separator?: string;
    readonly index?: number;
    readonly element?: envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor.KvElement;
  }
}

export declare namespace envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor {
  interface KvElement {
    readonly separator?: string;
    readonly key?: string;
  }
}

export declare namespace envoy.extensions.filters.network.rbac.v3 {
  interface RBAC {
    readonly rules?: envoy.config.rbac.v3.RBAC;
    readonly shadow_rules?: envoy.config.rbac.v3.RBAC;
    readonly stat_prefix?: string;
    readonly enforcement_type?: envoy.extensions.filters.network.rbac.v3.RBAC.EnforcementType;
    readonly shadow_rules_stat_prefix?: string;
    readonly matcher?: xds.type.matcher.v3.Matcher;
    readonly shadow_matcher?: xds.type.matcher.v3.Matcher;
  }
}

export declare namespace envoy.extensions.filters.network.rbac.v3.RBAC {
  type EnforcementType = 'ONE_TIME_ON_FIRST_BYTE' | 'CONTINUOUS';
}

export declare namespace envoy.extensions.filters.network.set_filter_state.v3 {
  interface Config {
    readonly on_new_connection?: readonly envoy.extensions.filters.common.set_filter_state.v3.FilterStateValue[];
  }
}

export declare namespace envoy.extensions.http.injected_credentials.generic.v3 {
  interface Generic {
    readonly credential?: envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
    readonly header?: string;
  }
}

export declare namespace envoy.extensions.transport_sockets.tls.v3 {
  interface CertificateProviderPluginInstance {
    readonly instance_name?: string;
    readonly certificate_name?: string;
  }
  interface CertificateValidationContext {
    readonly trusted_ca?: envoy.config.core.v3.DataSource;
    readonly verify_certificate_hash?: readonly string[];
    readonly verify_certificate_spki?: readonly string[];
    readonly require_signed_certificate_timestamp?: google.protobuf.BoolValue;
    readonly crl?: envoy.config.core.v3.DataSource;
    readonly allow_expired_certificate?: boolean;
    /** @deprecated */
    readonly match_subject_alt_names?: readonly envoy.type.matcher.v3.StringMatcher[];
    readonly trust_chain_verification?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.TrustChainVerification;
    readonly watched_directory?: envoy.config.core.v3.WatchedDirectory;
    readonly custom_validator_config?: envoy.config.core.v3.TypedExtensionConfig;
    readonly ca_certificate_provider_instance?: envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
    readonly only_verify_leaf_cert_crl?: boolean;
    readonly match_typed_subject_alt_names?: readonly envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher[];
    readonly max_verify_depth?: google.protobuf.UInt32Value;
    readonly system_root_certs?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.SystemRootCerts;
  }
  interface CommonTlsContext {
    readonly tls_params?: envoy.extensions.transport_sockets.tls.v3.TlsParameters;
    readonly tls_certificates?: readonly envoy.extensions.transport_sockets.tls.v3.TlsCertificate[];
    readonly validation_context?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
    readonly alpn_protocols?: readonly string[];
    readonly tls_certificate_sds_secret_configs?: readonly envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig[];
    readonly validation_context_sds_secret_config?: envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
    readonly combined_validation_context?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CombinedCertificateValidationContext;
    /** @deprecated */
    readonly tls_certificate_certificate_provider?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProvider;
    /** @deprecated */
    readonly validation_context_certificate_provider?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProvider;
    /** @deprecated */
    readonly tls_certificate_certificate_provider_instance?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProviderInstance;
    /** @deprecated */
    readonly validation_context_certificate_provider_instance?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProviderInstance;
    readonly custom_handshaker?: envoy.config.core.v3.TypedExtensionConfig;
    readonly tls_certificate_provider_instance?: envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
    readonly key_log?: envoy.extensions.transport_sockets.tls.v3.TlsKeyLog;
  }
  interface DownstreamTlsContext {
    readonly common_tls_context?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
    readonly require_client_certificate?: google.protobuf.BoolValue;
    readonly require_sni?: google.protobuf.BoolValue;
    readonly session_ticket_keys?: envoy.extensions.transport_sockets.tls.v3.TlsSessionTicketKeys;
    readonly session_ticket_keys_sds_secret_config?: envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
    readonly session_timeout?: google.protobuf.Duration;
    readonly disable_stateless_session_resumption?: boolean;
    readonly ocsp_staple_policy?: envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.OcspStaplePolicy;
    readonly full_scan_certs_on_sni_mismatch?: google.protobuf.BoolValue;
    readonly disable_stateful_session_resumption?: boolean;
  }
  interface GenericSecret {
    readonly secret?: envoy.config.core.v3.DataSource;
  }
  interface PrivateKeyProvider {
    readonly provider_name?: string;
    readonly typed_config?: AnyJson;
    readonly fallback?: boolean;
  }
  interface SdsSecretConfig {
    readonly name?: string;
    readonly sds_config?: envoy.config.core.v3.ConfigSource;
  }
  interface Secret {
    readonly name?: string;
    readonly tls_certificate?: envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
    readonly session_ticket_keys?: envoy.extensions.transport_sockets.tls.v3.TlsSessionTicketKeys;
    readonly validation_context?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
    readonly generic_secret?: envoy.extensions.transport_sockets.tls.v3.GenericSecret;
  }
  interface SubjectAltNameMatcher {
    readonly san_type?: envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher.SanType;
    readonly matcher?: envoy.type.matcher.v3.StringMatcher;
    readonly oid?: string;
  }
  interface TlsCertificate {
    readonly certificate_chain?: envoy.config.core.v3.DataSource;
    readonly private_key?: envoy.config.core.v3.DataSource;
    readonly password?: envoy.config.core.v3.DataSource;
    readonly ocsp_staple?: envoy.config.core.v3.DataSource;
    readonly signed_certificate_timestamp?: readonly envoy.config.core.v3.DataSource[];
    readonly private_key_provider?: envoy.extensions.transport_sockets.tls.v3.PrivateKeyProvider;
    readonly watched_directory?: envoy.config.core.v3.WatchedDirectory;
    readonly pkcs12?: envoy.config.core.v3.DataSource;
  }
  interface TlsKeyLog {
    readonly path?: string;
    readonly local_address_range?: readonly envoy.config.core.v3.CidrRange[];
    readonly remote_address_range?: readonly envoy.config.core.v3.CidrRange[];
  }
  interface TlsParameters {
    readonly tls_minimum_protocol_version?: envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
    readonly tls_maximum_protocol_version?: envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
    readonly cipher_suites?: readonly string[];
    readonly ecdh_curves?: readonly string[];
    readonly signature_algorithms?: readonly string[];
  }
  interface TlsSessionTicketKeys {
    readonly keys?: readonly envoy.config.core.v3.DataSource[];
  }
  interface UpstreamTlsContext {
    readonly common_tls_context?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
    readonly sni?: string;
    readonly allow_renegotiation?: boolean;
    readonly max_session_keys?: google.protobuf.UInt32Value;
    readonly enforce_rsa_key_usage?: google.protobuf.BoolValue;
  }
}

export declare namespace envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext {
  type SystemRootCerts = EmptyMessage;
  type TrustChainVerification = 'VERIFY_TRUST_CHAIN' | 'ACCEPT_UNTRUSTED';
}

export declare namespace envoy.extensions.transport_sockets.tls.v3.CommonTlsContext {
  interface CertificateProvider {
    readonly name?: string;
    readonly typed_config?: envoy.config.core.v3.TypedExtensionConfig;
  }
  interface CertificateProviderInstance {
    readonly instance_name?: string;
    readonly certificate_name?: string;
  }
  interface CombinedCertificateValidationContext {
    readonly default_validation_context?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
    readonly validation_context_sds_secret_config?: envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
    /** @deprecated */
    readonly validation_context_certificate_provider?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProvider;
    /** @deprecated */
    readonly validation_context_certificate_provider_instance?: envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProviderInstance;
  }
}

export declare namespace envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext {
  type OcspStaplePolicy = 'LENIENT_STAPLING' | 'STRICT_STAPLING' | 'MUST_STAPLE';
}

export declare namespace envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher {
  type SanType = 'SAN_TYPE_UNSPECIFIED' | 'EMAIL' | 'DNS' | 'URI' | 'IP_ADDRESS' | 'OTHER_NAME';
}

export declare namespace envoy.extensions.transport_sockets.tls.v3.TlsParameters {
  type TlsProtocol = 'TLS_AUTO' | 'TLSv1_0' | 'TLSv1_1' | 'TLSv1_2' | 'TLSv1_3';
}

export declare namespace envoy.extensions.upstreams.http.v3 {
  interface HttpProtocolOptions {
    readonly common_http_protocol_options?: envoy.config.core.v3.HttpProtocolOptions;
    readonly upstream_http_protocol_options?: envoy.config.core.v3.UpstreamHttpProtocolOptions;
    readonly explicit_http_config?: envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
    readonly use_downstream_protocol_config?: envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig;
    readonly auto_config?: envoy.extensions.upstreams.http.v3.HttpProtocolOptions.AutoHttpConfig;
    readonly http_filters?: readonly envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter[];
    readonly header_validation_config?: envoy.config.core.v3.TypedExtensionConfig;
  }
}

export declare namespace envoy.extensions.upstreams.http.v3.HttpProtocolOptions {
  interface AutoHttpConfig {
    readonly http_protocol_options?: envoy.config.core.v3.Http1ProtocolOptions;
    readonly http2_protocol_options?: envoy.config.core.v3.Http2ProtocolOptions;
    readonly http3_protocol_options?: envoy.config.core.v3.Http3ProtocolOptions;
    readonly alternate_protocols_cache_options?: envoy.config.core.v3.AlternateProtocolsCacheOptions;
  }
  interface ExplicitHttpConfig {
    readonly http_protocol_options?: envoy.config.core.v3.Http1ProtocolOptions;
    readonly http2_protocol_options?: envoy.config.core.v3.Http2ProtocolOptions;
    readonly http3_protocol_options?: envoy.config.core.v3.Http3ProtocolOptions;
  }
  interface UseDownstreamHttpConfig {
    readonly http_protocol_options?: envoy.config.core.v3.Http1ProtocolOptions;
    readonly http2_protocol_options?: envoy.config.core.v3.Http2ProtocolOptions;
    readonly http3_protocol_options?: envoy.config.core.v3.Http3ProtocolOptions;
  }
}

export declare namespace envoy.type.http.v3 {
  interface PathTransformation {
    readonly operations?: readonly envoy.type.http.v3.PathTransformation.Operation[];
  }
}

export declare namespace envoy.type.http.v3.PathTransformation {
  interface Operation {
    readonly normalize_path_rfc_3986?: envoy.type.http.v3.PathTransformation.Operation.NormalizePathRFC3986;
    readonly merge_slashes?: envoy.type.http.v3.PathTransformation.Operation.MergeSlashes;
  }
}

export declare namespace envoy.type.http.v3.PathTransformation.Operation {
  type MergeSlashes = EmptyMessage;
  type NormalizePathRFC3986 = EmptyMessage;
}

export declare namespace envoy.type.matcher.v3 {
  interface DoubleMatcher {
    readonly range?: envoy.type.v3.DoubleRange;
    readonly exact?: number;
  }
  interface FilterStateMatcher {
    readonly key?: string;
    readonly string_match?: envoy.type.matcher.v3.StringMatcher;
  }
  interface ListMatcher {
    readonly one_of?: envoy.type.matcher.v3.ValueMatcher;
  }
  interface ListStringMatcher {
    readonly patterns?: readonly envoy.type.matcher.v3.StringMatcher[];
  }
  interface MetadataMatcher {
    readonly filter?: string;
    readonly path?: readonly envoy.type.matcher.v3.MetadataMatcher.PathSegment[];
    readonly value?: envoy.type.matcher.v3.ValueMatcher;
    readonly invert?: boolean;
  }
  interface OrMatcher {
    readonly value_matchers?: readonly envoy.type.matcher.v3.ValueMatcher[];
  }
  interface PathMatcher {
    readonly path?: envoy.type.matcher.v3.StringMatcher;
  }
  interface RegexMatchAndSubstitute {
    readonly pattern?: envoy.type.matcher.v3.RegexMatcher;
    readonly substitution?: string;
  }
  interface RegexMatcher {
    /** @deprecated */
    readonly google_re2?: envoy.type.matcher.v3.RegexMatcher.GoogleRE2;
    readonly regex?: string;
  }
  interface StringMatcher {
    readonly exact?: string;
    readonly prefix?: string;
    readonly suffix?: string;
    readonly safe_regex?: envoy.type.matcher.v3.RegexMatcher;
    readonly ignore_case?: boolean;
    readonly contains?: string;
    readonly custom?: xds.core.v3.TypedExtensionConfig;
  }
  interface ValueMatcher {
    readonly null_match?: envoy.type.matcher.v3.ValueMatcher.NullMatch;
    readonly double_match?: envoy.type.matcher.v3.DoubleMatcher;
    readonly string_match?: envoy.type.matcher.v3.StringMatcher;
    readonly bool_match?: boolean;
    readonly present_match?: boolean;
    readonly list_match?: envoy.type.matcher.v3.ListMatcher;
    readonly or_match?: envoy.type.matcher.v3.OrMatcher;
  }
}

export declare namespace envoy.type.matcher.v3.MetadataMatcher {
  interface PathSegment {
    readonly key?: string;
  }
}

export declare namespace envoy.type.matcher.v3.RegexMatcher {
  interface GoogleRE2 {
    /** @deprecated */
    readonly max_program_size?: google.protobuf.UInt32Value;
  }
}

export declare namespace envoy.type.matcher.v3.ValueMatcher {
  type NullMatch = EmptyMessage;
}

export declare namespace envoy.type.metadata.v3 {
  interface MetadataKey {
    readonly key?: string;
    readonly path?: readonly envoy.type.metadata.v3.MetadataKey.PathSegment[];
  }
  interface MetadataKind {
    readonly request?: envoy.type.metadata.v3.MetadataKind.Request;
    readonly route?: envoy.type.metadata.v3.MetadataKind.Route;
    readonly cluster?: envoy.type.metadata.v3.MetadataKind.Cluster;
    readonly host?: envoy.type.metadata.v3.MetadataKind.Host;
  }
}

export declare namespace envoy.type.metadata.v3.MetadataKey {
  interface PathSegment {
    readonly key?: string;
  }
}

export declare namespace envoy.type.metadata.v3.MetadataKind {
  type Cluster = EmptyMessage;
  type Host = EmptyMessage;
  type Request = EmptyMessage;
  type Route = EmptyMessage;
}

export declare namespace envoy.type.tracing.v3 {
  interface CustomTag {
    readonly tag?: string;
    readonly literal?: envoy.type.tracing.v3.CustomTag.Literal;
    readonly environment?: envoy.type.tracing.v3.CustomTag.Environment;
    readonly request_header?: envoy.type.tracing.v3.CustomTag.Header;
    readonly metadata?: envoy.type.tracing.v3.CustomTag.Metadata;
  }
}

export declare namespace envoy.type.tracing.v3.CustomTag {
  interface Environment {
    readonly name?: string;
    readonly default_value?: string;
  }
  interface Header {
    readonly name?: string;
    readonly default_value?: string;
  }
  interface Literal {
    readonly value?: string;
  }
  interface Metadata {
    readonly kind?: envoy.type.metadata.v3.MetadataKind;
    readonly metadata_key?: envoy.type.metadata.v3.MetadataKey;
    readonly default_value?: string;
  }
}

export declare namespace envoy.type.v3 {
  type CodecClientType = 'HTTP1' | 'HTTP2' | 'HTTP3';
  interface DoubleRange {
    readonly start?: number;
    readonly end?: number;
  }
  interface FractionalPercent {
    readonly numerator?: number;
    readonly denominator?: envoy.type.v3.FractionalPercent.DenominatorType;
  }
  interface Int32Range {
    readonly start?: number;
    readonly end?: number;
  }
  interface Int64Range {
    readonly start?: Int64Json;
    readonly end?: Int64Json;
  }
  interface Percent {
    readonly value?: number;
  }
  interface SemanticVersion {
    readonly major_number?: number;
    readonly minor_number?: number;
    readonly patch?: number;
  }
}

export declare namespace envoy.type.v3.FractionalPercent {
  type DenominatorType = 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}

export declare namespace google.api.expr.v1alpha1 {
  interface CheckedExpr {
    readonly reference_map?: { readonly [key: string]: google.api.expr.v1alpha1.Reference };
    readonly type_map?: { readonly [key: string]: google.api.expr.v1alpha1.Type };
    readonly expr?: google.api.expr.v1alpha1.Expr;
    readonly source_info?: google.api.expr.v1alpha1.SourceInfo;
  }
  interface Constant {
    readonly null_value?: google.protobuf.NullValue;
    readonly bool_value?: boolean;
    readonly int64_value?: Int64Json;
    readonly uint64_value?: Int64Json;
    readonly double_value?: number;
    readonly string_value?: string;
    readonly bytes_value?: string;
    /** @deprecated */
    readonly duration_value?: google.protobuf.Duration;
    /** @deprecated */
    readonly timestamp_value?: google.protobuf.Timestamp;
  }
  interface Expr {
    readonly id?: Int64Json;
    readonly const_expr?: google.api.expr.v1alpha1.Constant;
    readonly ident_expr?: google.api.expr.v1alpha1.Expr.Ident;
    readonly select_expr?: google.api.expr.v1alpha1.Expr.Select;
    readonly call_expr?: google.api.expr.v1alpha1.Expr.Call;
    readonly list_expr?: google.api.expr.v1alpha1.Expr.CreateList;
    readonly struct_expr?: google.api.expr.v1alpha1.Expr.CreateStruct;
    readonly comprehension_expr?: google.api.expr.v1alpha1.Expr.Comprehension;
  }
  interface Reference {
    readonly name?: string;
    readonly overload_id?: readonly string[];
    readonly value?: google.api.expr.v1alpha1.Constant;
  }
  interface SourceInfo {
    readonly syntax_version?: string;
    readonly location?: string;
    readonly line_offsets?: readonly number[];
    readonly positions?: { readonly [key: string]: number };
    readonly macro_calls?: { readonly [key: string]: google.api.expr.v1alpha1.Expr };
  }
  interface Type {
    readonly dyn?: google.protobuf.Empty;
    readonly null?: google.protobuf.NullValue;
    readonly primitive?: google.api.expr.v1alpha1.Type.PrimitiveType;
    readonly wrapper?: google.api.expr.v1alpha1.Type.PrimitiveType;
    readonly well_known?: google.api.expr.v1alpha1.Type.WellKnownType;
    readonly list_type?: google.api.expr.v1alpha1.Type.ListType;
    readonly map_type?: google.api.expr.v1alpha1.Type.MapType;
    readonly function?: google.api.expr.v1alpha1.Type.FunctionType;
    readonly message_type?: string;
    readonly type_param?: string;
    readonly type?: google.api.expr.v1alpha1.Type;
    readonly error?: google.protobuf.Empty;
    readonly abstract_type?: google.api.expr.v1alpha1.Type.AbstractType;
  }
}

export declare namespace google.api.expr.v1alpha1.Expr {
  interface Call {
    readonly target?: google.api.expr.v1alpha1.Expr;
    readonly function?: string;
    readonly args?: readonly google.api.expr.v1alpha1.Expr[];
  }
  interface Comprehension {
    readonly iter_var?: string;
    readonly iter_range?: google.api.expr.v1alpha1.Expr;
    readonly accu_var?: string;
    readonly accu_init?: google.api.expr.v1alpha1.Expr;
    readonly loop_condition?: google.api.expr.v1alpha1.Expr;
    readonly loop_step?: google.api.expr.v1alpha1.Expr;
    readonly result?: google.api.expr.v1alpha1.Expr;
  }
  interface CreateList {
    readonly elements?: readonly google.api.expr.v1alpha1.Expr[];
  }
  interface CreateStruct {
    readonly message_name?: string;
    readonly entries?: readonly google.api.expr.v1alpha1.Expr.CreateStruct.Entry[];
  }
  interface Ident {
    readonly name?: string;
  }
  interface Select {
    readonly operand?: google.api.expr.v1alpha1.Expr;
    readonly field?: string;
    readonly test_only?: boolean;
  }
}

export declare namespace google.api.expr.v1alpha1.Expr.CreateStruct {
  interface Entry {
    readonly id?: Int64Json;
    readonly field_key?: string;
    readonly map_key?: google.api.expr.v1alpha1.Expr;
    readonly value?: google.api.expr.v1alpha1.Expr;
  }
}

export declare namespace google.api.expr.v1alpha1.Type {
  interface AbstractType {
    readonly name?: string;
    readonly parameter_types?: readonly google.api.expr.v1alpha1.Type[];
  }
  interface FunctionType {
    readonly result_type?: google.api.expr.v1alpha1.Type;
    readonly arg_types?: readonly google.api.expr.v1alpha1.Type[];
  }
  interface ListType {
    readonly elem_type?: google.api.expr.v1alpha1.Type;
  }
  interface MapType {
    readonly key_type?: google.api.expr.v1alpha1.Type;
    readonly value_type?: google.api.expr.v1alpha1.Type;
  }
  type PrimitiveType = 'PRIMITIVE_TYPE_UNSPECIFIED' | 'BOOL' | 'INT64' | 'UINT64' | 'DOUBLE' | 'STRING' | 'BYTES';
  type WellKnownType = 'WELL_KNOWN_TYPE_UNSPECIFIED' | 'ANY' | 'TIMESTAMP' | 'DURATION';
}

export declare namespace google.protobuf {
  interface BoolValue {
    readonly value?: boolean;
  }
  interface DoubleValue {
    readonly value?: number;
  }
  interface Duration {
    readonly seconds?: Int64Json;
    readonly nanos?: number;
  }
  type Empty = EmptyMessage;
  interface ListValue {
    readonly values?: readonly google.protobuf.Value[];
  }
  type NullValue = 'NULL_VALUE';
  interface Struct {
    readonly fields?: { readonly [key: string]: google.protobuf.Value };
  }
  interface Timestamp {
    readonly seconds?: Int64Json;
    readonly nanos?: number;
  }
  interface UInt32Value {
    readonly value?: number;
  }
  interface UInt64Value {
    readonly value?: Int64Json;
  }
  interface Value {
    readonly nullValue?: google.protobuf.NullValue;
    readonly numberValue?: number;
    readonly stringValue?: string;
    readonly boolValue?: boolean;
    readonly structValue?: google.protobuf.Struct;
    readonly listValue?: google.protobuf.ListValue;
  }
}

export declare namespace sluice.kafka.v1alpha1 {
  interface CidrRange {
    readonly address_prefix?: string;
    readonly prefix_len?: number;
  }
  interface Endpoint {
    readonly address?: string;
    readonly port?: number;
  }
  interface KafkaPolicy {
    readonly name?: string;
    readonly policy?: string;
    readonly endpoints?: readonly sluice.kafka.v1alpha1.Endpoint[];
    readonly mode?: sluice.kafka.v1alpha1.Mode;
    readonly deny?: readonly sluice.kafka.v1alpha1.KafkaRule[];
    readonly allow?: readonly sluice.kafka.v1alpha1.KafkaRule[];
  }
  interface KafkaRule {
    readonly id?: string;
    readonly role?: string;
    readonly api_keys?: readonly number[];
    readonly api_version?: sluice.kafka.v1alpha1.VersionRange;
    readonly client_id?: sluice.kafka.v1alpha1.StringMatcher;
    readonly topic?: sluice.kafka.v1alpha1.StringMatcher;
    readonly group?: sluice.kafka.v1alpha1.StringMatcher;
    readonly transactional_id?: sluice.kafka.v1alpha1.StringMatcher;
    readonly peers?: readonly sluice.kafka.v1alpha1.CidrRange[];
  }
  type Mode = 'ENFORCE' | 'AUDIT';
  interface StringMatcher {
    readonly exact?: string;
    readonly prefix?: string;
  }
  interface VersionRange {
    readonly min?: number;
    readonly max?: number;
  }
}

export declare namespace sluice.redirect.v1alpha1 {
  type Direction = 'OUTBOUND' | 'INBOUND';
  interface NodeRedirects {
    readonly host?: string;
    readonly redirects?: readonly sluice.redirect.v1alpha1.Redirect[];
    readonly pod_proxies?: readonly sluice.redirect.v1alpha1.PodProxies[];
  }
  interface PodProxies {
    readonly pod_uid?: string;
    readonly container_ids?: readonly string[];
  }
  type ProxyAddress = 'LOOPBACK' | 'NODE';
  interface Redirect {
    readonly proxy?: string;
    readonly direction?: sluice.redirect.v1alpha1.Direction;
    readonly address?: string;
    readonly port?: number;
    readonly proxy_port?: number;
    readonly fail_open?: boolean;
    readonly workloads?: readonly string[];
    readonly cgroup?: string;
    readonly pod_uid?: string;
    readonly bind_v4?: string;
    readonly bind_v6?: string;
    readonly proxy_address?: sluice.redirect.v1alpha1.ProxyAddress;
    readonly node_proxy_in_pod?: boolean;
  }
}

export declare namespace xds.core.v3 {
  interface Authority {
    readonly name?: string;
  }
  interface ContextParams {
    readonly params?: { readonly [key: string]: string };
  }
  interface TypedExtensionConfig {
    readonly name?: string;
    readonly typed_config?: AnyJson;
  }
}

export declare namespace xds.type.matcher.v3 {
  interface Matcher {
    readonly matcher_list?: xds.type.matcher.v3.Matcher.MatcherList;
    readonly matcher_tree?: xds.type.matcher.v3.Matcher.MatcherTree;
    readonly on_no_match?: xds.type.matcher.v3.Matcher.OnMatch;
  }
  interface RegexMatcher {
    readonly google_re2?: xds.type.matcher.v3.RegexMatcher.GoogleRE2;
    readonly regex?: string;
  }
  interface StringMatcher {
    readonly exact?: string;
    readonly prefix?: string;
    readonly suffix?: string;
    readonly safe_regex?: xds.type.matcher.v3.RegexMatcher;
    readonly ignore_case?: boolean;
    readonly contains?: string;
  }
}

export declare namespace xds.type.matcher.v3.Matcher {
  interface MatcherList {
    readonly matchers?: readonly xds.type.matcher.v3.Matcher.MatcherList.FieldMatcher[];
  }
  interface MatcherTree {
    readonly input?: xds.core.v3.TypedExtensionConfig;
    readonly exact_match_map?: xds.type.matcher.v3.Matcher.MatcherTree.MatchMap;
    readonly prefix_match_map?: xds.type.matcher.v3.Matcher.MatcherTree.MatchMap;
    readonly custom_match?: xds.core.v3.TypedExtensionConfig;
  }
  interface OnMatch {
    readonly matcher?: xds.type.matcher.v3.Matcher;
    readonly action?: xds.core.v3.TypedExtensionConfig;
  }
}

export declare namespace xds.type.matcher.v3.Matcher.MatcherList {
  interface FieldMatcher {
    readonly predicate?: xds.type.matcher.v3.Matcher.MatcherList.Predicate;
    readonly on_match?: xds.type.matcher.v3.Matcher.OnMatch;
  }
  interface Predicate {
    readonly single_predicate?: xds.type.matcher.v3.Matcher.MatcherList.Predicate.SinglePredicate;
    readonly or_matcher?: xds.type.matcher.v3.Matcher.MatcherList.Predicate.PredicateList;
    readonly and_matcher?: xds.type.matcher.v3.Matcher.MatcherList.Predicate.PredicateList;
    readonly not_matcher?: xds.type.matcher.v3.Matcher.MatcherList.Predicate;
  }
}

export declare namespace xds.type.matcher.v3.Matcher.MatcherList.Predicate {
  interface PredicateList {
    readonly predicate?: readonly xds.type.matcher.v3.Matcher.MatcherList.Predicate[];
  }
  interface SinglePredicate {
    readonly input?: xds.core.v3.TypedExtensionConfig;
    readonly value_match?: xds.type.matcher.v3.StringMatcher;
    readonly custom_match?: xds.core.v3.TypedExtensionConfig;
  }
}

export declare namespace xds.type.matcher.v3.Matcher.MatcherTree {
  interface MatchMap {
    readonly map?: { readonly [key: string]: xds.type.matcher.v3.Matcher.OnMatch };
  }
}

export declare namespace xds.type.matcher.v3.RegexMatcher {
  type GoogleRE2 = EmptyMessage;
}

/** Every generated message by its fully qualified name. */
export interface MessageTypes {
  'envoy.extensions.http.injected_credentials.generic.v3.Generic': envoy.extensions.http.injected_credentials.generic.v3.Generic;
  'envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig': envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
  'envoy.config.core.v3.ConfigSource': envoy.config.core.v3.ConfigSource;
  'google.protobuf.Duration': google.protobuf.Duration;
  'envoy.config.core.v3.SelfConfigSource': envoy.config.core.v3.SelfConfigSource;
  'envoy.config.core.v3.AggregatedConfigSource': envoy.config.core.v3.AggregatedConfigSource;
  'envoy.config.core.v3.ApiConfigSource': envoy.config.core.v3.ApiConfigSource;
  'envoy.config.core.v3.TypedExtensionConfig': envoy.config.core.v3.TypedExtensionConfig;
  'envoy.config.core.v3.RateLimitSettings': envoy.config.core.v3.RateLimitSettings;
  'google.protobuf.DoubleValue': google.protobuf.DoubleValue;
  'google.protobuf.UInt32Value': google.protobuf.UInt32Value;
  'envoy.config.core.v3.GrpcService': envoy.config.core.v3.GrpcService;
  'envoy.config.core.v3.RetryPolicy': envoy.config.core.v3.RetryPolicy;
  'envoy.config.core.v3.RetryPolicy.RetryHostPredicate': envoy.config.core.v3.RetryPolicy.RetryHostPredicate;
  'envoy.config.core.v3.RetryPolicy.RetryPriority': envoy.config.core.v3.RetryPolicy.RetryPriority;
  'envoy.config.core.v3.BackoffStrategy': envoy.config.core.v3.BackoffStrategy;
  'envoy.config.core.v3.HeaderValue': envoy.config.core.v3.HeaderValue;
  'envoy.config.core.v3.GrpcService.GoogleGrpc': envoy.config.core.v3.GrpcService.GoogleGrpc;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelArgs': envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelArgs;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelArgs.Value': envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelArgs.Value;
  'google.protobuf.Struct': google.protobuf.Struct;
  'google.protobuf.Value': google.protobuf.Value;
  'google.protobuf.ListValue': google.protobuf.ListValue;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials': envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.StsService': envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.StsService;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.MetadataCredentialsFromPlugin': envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.MetadataCredentialsFromPlugin;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.GoogleIAMCredentials': envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.GoogleIAMCredentials;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.ServiceAccountJWTAccessCredentials': envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.ServiceAccountJWTAccessCredentials;
  'google.protobuf.Empty': google.protobuf.Empty;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelCredentials': envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelCredentials;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.GoogleLocalCredentials': envoy.config.core.v3.GrpcService.GoogleGrpc.GoogleLocalCredentials;
  'envoy.config.core.v3.GrpcService.GoogleGrpc.SslCredentials': envoy.config.core.v3.GrpcService.GoogleGrpc.SslCredentials;
  'envoy.config.core.v3.DataSource': envoy.config.core.v3.DataSource;
  'envoy.config.core.v3.WatchedDirectory': envoy.config.core.v3.WatchedDirectory;
  'envoy.config.core.v3.GrpcService.EnvoyGrpc': envoy.config.core.v3.GrpcService.EnvoyGrpc;
  'envoy.config.core.v3.PathConfigSource': envoy.config.core.v3.PathConfigSource;
  'xds.core.v3.Authority': xds.core.v3.Authority;
  'envoy.extensions.filters.http.credential_injector.v3.CredentialInjector': envoy.extensions.filters.http.credential_injector.v3.CredentialInjector;
  'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector': envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
  'google.protobuf.BoolValue': google.protobuf.BoolValue;
  'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext': envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
  'envoy.extensions.transport_sockets.tls.v3.TlsSessionTicketKeys': envoy.extensions.transport_sockets.tls.v3.TlsSessionTicketKeys;
  'envoy.extensions.transport_sockets.tls.v3.CommonTlsContext': envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
  'envoy.extensions.transport_sockets.tls.v3.TlsKeyLog': envoy.extensions.transport_sockets.tls.v3.TlsKeyLog;
  'envoy.config.core.v3.CidrRange': envoy.config.core.v3.CidrRange;
  'envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProviderInstance': envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProviderInstance;
  'envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProvider': envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProvider;
  'envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CombinedCertificateValidationContext': envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CombinedCertificateValidationContext;
  'envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext': envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
  'envoy.type.matcher.v3.StringMatcher': envoy.type.matcher.v3.StringMatcher;
  'xds.core.v3.TypedExtensionConfig': xds.core.v3.TypedExtensionConfig;
  'envoy.type.matcher.v3.RegexMatcher': envoy.type.matcher.v3.RegexMatcher;
  'envoy.type.matcher.v3.RegexMatcher.GoogleRE2': envoy.type.matcher.v3.RegexMatcher.GoogleRE2;
  'envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher': envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
  'envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.SystemRootCerts': envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.SystemRootCerts;
  'envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance': envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
  'envoy.extensions.transport_sockets.tls.v3.TlsCertificate': envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
  'envoy.extensions.transport_sockets.tls.v3.PrivateKeyProvider': envoy.extensions.transport_sockets.tls.v3.PrivateKeyProvider;
  'envoy.extensions.transport_sockets.tls.v3.TlsParameters': envoy.extensions.transport_sockets.tls.v3.TlsParameters;
  'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext': envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
  'envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter': envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter;
  'envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig': envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig;
  'envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig': envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
  'envoy.type.tracing.v3.CustomTag': envoy.type.tracing.v3.CustomTag;
  'envoy.type.tracing.v3.CustomTag.Metadata': envoy.type.tracing.v3.CustomTag.Metadata;
  'envoy.type.metadata.v3.MetadataKey': envoy.type.metadata.v3.MetadataKey;
  'envoy.type.metadata.v3.MetadataKey.PathSegment': envoy.type.metadata.v3.MetadataKey.PathSegment;
  'envoy.type.metadata.v3.MetadataKind': envoy.type.metadata.v3.MetadataKind;
  'envoy.type.metadata.v3.MetadataKind.Host': envoy.type.metadata.v3.MetadataKind.Host;
  'envoy.type.metadata.v3.MetadataKind.Cluster': envoy.type.metadata.v3.MetadataKind.Cluster;
  'envoy.type.metadata.v3.MetadataKind.Route': envoy.type.metadata.v3.MetadataKind.Route;
  'envoy.type.metadata.v3.MetadataKind.Request': envoy.type.metadata.v3.MetadataKind.Request;
  'envoy.type.tracing.v3.CustomTag.Header': envoy.type.tracing.v3.CustomTag.Header;
  'envoy.type.tracing.v3.CustomTag.Environment': envoy.type.tracing.v3.CustomTag.Environment;
  'envoy.type.tracing.v3.CustomTag.Literal': envoy.type.tracing.v3.CustomTag.Literal;
  'envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig': envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
  'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog': envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
  'envoy.config.core.v3.SubstitutionFormatString': envoy.config.core.v3.SubstitutionFormatString;
  'envoy.config.core.v3.JsonFormatOptions': envoy.config.core.v3.JsonFormatOptions;
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter': envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
  'envoy.config.core.v3.ExtensionConfigSource': envoy.config.core.v3.ExtensionConfigSource;
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions.AutoHttpConfig': envoy.extensions.upstreams.http.v3.HttpProtocolOptions.AutoHttpConfig;
  'envoy.config.core.v3.AlternateProtocolsCacheOptions': envoy.config.core.v3.AlternateProtocolsCacheOptions;
  'envoy.config.core.v3.AlternateProtocolsCacheOptions.AlternateProtocolsCacheEntry': envoy.config.core.v3.AlternateProtocolsCacheOptions.AlternateProtocolsCacheEntry;
  'envoy.config.core.v3.Http3ProtocolOptions': envoy.config.core.v3.Http3ProtocolOptions;
  'envoy.config.core.v3.QuicProtocolOptions': envoy.config.core.v3.QuicProtocolOptions;
  'envoy.config.core.v3.QuicKeepAliveSettings': envoy.config.core.v3.QuicKeepAliveSettings;
  'envoy.config.core.v3.Http2ProtocolOptions': envoy.config.core.v3.Http2ProtocolOptions;
  'envoy.config.core.v3.KeepaliveSettings': envoy.config.core.v3.KeepaliveSettings;
  'envoy.type.v3.Percent': envoy.type.v3.Percent;
  'envoy.config.core.v3.Http2ProtocolOptions.SettingsParameter': envoy.config.core.v3.Http2ProtocolOptions.SettingsParameter;
  'envoy.config.core.v3.Http1ProtocolOptions': envoy.config.core.v3.Http1ProtocolOptions;
  'envoy.config.core.v3.Http1ProtocolOptions.HeaderKeyFormat': envoy.config.core.v3.Http1ProtocolOptions.HeaderKeyFormat;
  'envoy.config.core.v3.Http1ProtocolOptions.HeaderKeyFormat.ProperCaseWords': envoy.config.core.v3.Http1ProtocolOptions.HeaderKeyFormat.ProperCaseWords;
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig': envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig;
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig': envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
  'envoy.config.core.v3.UpstreamHttpProtocolOptions': envoy.config.core.v3.UpstreamHttpProtocolOptions;
  'envoy.config.core.v3.HttpProtocolOptions': envoy.config.core.v3.HttpProtocolOptions;
  'envoy.extensions.filters.http.router.v3.Router': envoy.extensions.filters.http.router.v3.Router;
  'envoy.extensions.filters.http.router.v3.Router.UpstreamAccessLogOptions': envoy.extensions.filters.http.router.v3.Router.UpstreamAccessLogOptions;
  'envoy.config.accesslog.v3.AccessLog': envoy.config.accesslog.v3.AccessLog;
  'envoy.config.accesslog.v3.AccessLogFilter': envoy.config.accesslog.v3.AccessLogFilter;
  'envoy.config.accesslog.v3.LogTypeFilter': envoy.config.accesslog.v3.LogTypeFilter;
  'envoy.config.accesslog.v3.MetadataFilter': envoy.config.accesslog.v3.MetadataFilter;
  'envoy.type.matcher.v3.MetadataMatcher': envoy.type.matcher.v3.MetadataMatcher;
  'envoy.type.matcher.v3.ValueMatcher': envoy.type.matcher.v3.ValueMatcher;
  'envoy.type.matcher.v3.OrMatcher': envoy.type.matcher.v3.OrMatcher;
  'envoy.type.matcher.v3.ListMatcher': envoy.type.matcher.v3.ListMatcher;
  'envoy.type.matcher.v3.DoubleMatcher': envoy.type.matcher.v3.DoubleMatcher;
  'envoy.type.v3.DoubleRange': envoy.type.v3.DoubleRange;
  'envoy.type.matcher.v3.ValueMatcher.NullMatch': envoy.type.matcher.v3.ValueMatcher.NullMatch;
  'envoy.type.matcher.v3.MetadataMatcher.PathSegment': envoy.type.matcher.v3.MetadataMatcher.PathSegment;
  'envoy.config.accesslog.v3.ExtensionFilter': envoy.config.accesslog.v3.ExtensionFilter;
  'envoy.config.accesslog.v3.GrpcStatusFilter': envoy.config.accesslog.v3.GrpcStatusFilter;
  'envoy.config.accesslog.v3.ResponseFlagFilter': envoy.config.accesslog.v3.ResponseFlagFilter;
  'envoy.config.accesslog.v3.HeaderFilter': envoy.config.accesslog.v3.HeaderFilter;
  'envoy.config.route.v3.HeaderMatcher': envoy.config.route.v3.HeaderMatcher;
  'envoy.type.v3.Int64Range': envoy.type.v3.Int64Range;
  'envoy.config.accesslog.v3.OrFilter': envoy.config.accesslog.v3.OrFilter;
  'envoy.config.accesslog.v3.AndFilter': envoy.config.accesslog.v3.AndFilter;
  'envoy.config.accesslog.v3.RuntimeFilter': envoy.config.accesslog.v3.RuntimeFilter;
  'envoy.type.v3.FractionalPercent': envoy.type.v3.FractionalPercent;
  'envoy.config.accesslog.v3.TraceableFilter': envoy.config.accesslog.v3.TraceableFilter;
  'envoy.config.accesslog.v3.NotHealthCheckFilter': envoy.config.accesslog.v3.NotHealthCheckFilter;
  'envoy.config.accesslog.v3.DurationFilter': envoy.config.accesslog.v3.DurationFilter;
  'envoy.config.accesslog.v3.ComparisonFilter': envoy.config.accesslog.v3.ComparisonFilter;
  'envoy.config.core.v3.RuntimeUInt32': envoy.config.core.v3.RuntimeUInt32;
  'envoy.config.accesslog.v3.StatusCodeFilter': envoy.config.accesslog.v3.StatusCodeFilter;
  'envoy.extensions.filters.http.rbac.v3.RBACPerRoute': envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
  'envoy.extensions.filters.http.rbac.v3.RBAC': envoy.extensions.filters.http.rbac.v3.RBAC;
  'xds.type.matcher.v3.Matcher': xds.type.matcher.v3.Matcher;
  'xds.type.matcher.v3.Matcher.OnMatch': xds.type.matcher.v3.Matcher.OnMatch;
  'xds.type.matcher.v3.Matcher.MatcherTree': xds.type.matcher.v3.Matcher.MatcherTree;
  'xds.type.matcher.v3.Matcher.MatcherTree.MatchMap': xds.type.matcher.v3.Matcher.MatcherTree.MatchMap;
  'xds.type.matcher.v3.Matcher.MatcherList': xds.type.matcher.v3.Matcher.MatcherList;
  'xds.type.matcher.v3.Matcher.MatcherList.FieldMatcher': xds.type.matcher.v3.Matcher.MatcherList.FieldMatcher;
  'xds.type.matcher.v3.Matcher.MatcherList.Predicate': xds.type.matcher.v3.Matcher.MatcherList.Predicate;
  'xds.type.matcher.v3.Matcher.MatcherList.Predicate.PredicateList': xds.type.matcher.v3.Matcher.MatcherList.Predicate.PredicateList;
  'xds.type.matcher.v3.Matcher.MatcherList.Predicate.SinglePredicate': xds.type.matcher.v3.Matcher.MatcherList.Predicate.SinglePredicate;
  'xds.type.matcher.v3.StringMatcher': xds.type.matcher.v3.StringMatcher;
  'xds.type.matcher.v3.RegexMatcher': xds.type.matcher.v3.RegexMatcher;
  'xds.type.matcher.v3.RegexMatcher.GoogleRE2': xds.type.matcher.v3.RegexMatcher.GoogleRE2;
  'envoy.config.rbac.v3.RBAC': envoy.config.rbac.v3.RBAC;
  'envoy.config.rbac.v3.RBAC.AuditLoggingOptions': envoy.config.rbac.v3.RBAC.AuditLoggingOptions;
  'envoy.config.rbac.v3.RBAC.AuditLoggingOptions.AuditLoggerConfig': envoy.config.rbac.v3.RBAC.AuditLoggingOptions.AuditLoggerConfig;
  'envoy.config.rbac.v3.Policy': envoy.config.rbac.v3.Policy;
  'google.api.expr.v1alpha1.CheckedExpr': google.api.expr.v1alpha1.CheckedExpr;
  'google.api.expr.v1alpha1.Expr': google.api.expr.v1alpha1.Expr;
  'google.api.expr.v1alpha1.Expr.Comprehension': google.api.expr.v1alpha1.Expr.Comprehension;
  'google.api.expr.v1alpha1.Expr.CreateStruct': google.api.expr.v1alpha1.Expr.CreateStruct;
  'google.api.expr.v1alpha1.Expr.CreateStruct.Entry': google.api.expr.v1alpha1.Expr.CreateStruct.Entry;
  'google.api.expr.v1alpha1.Expr.CreateList': google.api.expr.v1alpha1.Expr.CreateList;
  'google.api.expr.v1alpha1.Expr.Call': google.api.expr.v1alpha1.Expr.Call;
  'google.api.expr.v1alpha1.Expr.Select': google.api.expr.v1alpha1.Expr.Select;
  'google.api.expr.v1alpha1.Expr.Ident': google.api.expr.v1alpha1.Expr.Ident;
  'google.api.expr.v1alpha1.Constant': google.api.expr.v1alpha1.Constant;
  'google.protobuf.Timestamp': google.protobuf.Timestamp;
  'google.api.expr.v1alpha1.SourceInfo': google.api.expr.v1alpha1.SourceInfo;
  'google.api.expr.v1alpha1.Type': google.api.expr.v1alpha1.Type;
  'google.api.expr.v1alpha1.Type.AbstractType': google.api.expr.v1alpha1.Type.AbstractType;
  'google.api.expr.v1alpha1.Type.FunctionType': google.api.expr.v1alpha1.Type.FunctionType;
  'google.api.expr.v1alpha1.Type.MapType': google.api.expr.v1alpha1.Type.MapType;
  'google.api.expr.v1alpha1.Type.ListType': google.api.expr.v1alpha1.Type.ListType;
  'google.api.expr.v1alpha1.Reference': google.api.expr.v1alpha1.Reference;
  'envoy.config.rbac.v3.Principal': envoy.config.rbac.v3.Principal;
  'envoy.type.matcher.v3.FilterStateMatcher': envoy.type.matcher.v3.FilterStateMatcher;
  'envoy.type.matcher.v3.PathMatcher': envoy.type.matcher.v3.PathMatcher;
  'envoy.config.rbac.v3.Principal.Authenticated': envoy.config.rbac.v3.Principal.Authenticated;
  'envoy.config.rbac.v3.Principal.Set': envoy.config.rbac.v3.Principal.Set;
  'envoy.config.rbac.v3.Permission': envoy.config.rbac.v3.Permission;
  'envoy.type.v3.Int32Range': envoy.type.v3.Int32Range;
  'envoy.config.rbac.v3.Permission.Set': envoy.config.rbac.v3.Permission.Set;
  'envoy.extensions.filters.network.rbac.v3.RBAC': envoy.extensions.filters.network.rbac.v3.RBAC;
  'envoy.extensions.filters.network.set_filter_state.v3.Config': envoy.extensions.filters.network.set_filter_state.v3.Config;
  'envoy.extensions.filters.common.set_filter_state.v3.FilterStateValue': envoy.extensions.filters.common.set_filter_state.v3.FilterStateValue;
  'envoy.extensions.filters.network.direct_response.v3.Config': envoy.extensions.filters.network.direct_response.v3.Config;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager': envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ProxyStatusConfig': envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ProxyStatusConfig;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.PathNormalizationOptions': envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.PathNormalizationOptions;
  'envoy.type.http.v3.PathTransformation': envoy.type.http.v3.PathTransformation;
  'envoy.type.http.v3.PathTransformation.Operation': envoy.type.http.v3.PathTransformation.Operation;
  'envoy.type.http.v3.PathTransformation.Operation.MergeSlashes': envoy.type.http.v3.PathTransformation.Operation.MergeSlashes;
  'envoy.type.http.v3.PathTransformation.Operation.NormalizePathRFC3986': envoy.type.http.v3.PathTransformation.Operation.NormalizePathRFC3986;
  'envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig': envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
  'envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper': envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
  'envoy.config.core.v3.HeaderValueOption': envoy.config.core.v3.HeaderValueOption;
  'envoy.extensions.filters.network.http_connection_manager.v3.RequestIDExtension': envoy.extensions.filters.network.http_connection_manager.v3.RequestIDExtension;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig': envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.SetCurrentClientCertDetails': envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.SetCurrentClientCertDetails;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.InternalAddressConfig': envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.InternalAddressConfig;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.HcmAccessLogOptions': envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.HcmAccessLogOptions;
  'envoy.config.core.v3.SchemeHeaderTransformation': envoy.config.core.v3.SchemeHeaderTransformation;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.Tracing': envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.Tracing;
  'envoy.config.trace.v3.Tracing.Http': envoy.config.trace.v3.Tracing.Http;
  'envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes': envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes;
  'envoy.extensions.filters.network.http_connection_manager.v3.ScopedRds': envoy.extensions.filters.network.http_connection_manager.v3.ScopedRds;
  'envoy.extensions.filters.network.http_connection_manager.v3.ScopedRouteConfigurationsList': envoy.extensions.filters.network.http_connection_manager.v3.ScopedRouteConfigurationsList;
  'envoy.config.route.v3.ScopedRouteConfiguration': envoy.config.route.v3.ScopedRouteConfiguration;
  'envoy.config.route.v3.ScopedRouteConfiguration.Key': envoy.config.route.v3.ScopedRouteConfiguration.Key;
  'envoy.config.route.v3.ScopedRouteConfiguration.Key.Fragment': envoy.config.route.v3.ScopedRouteConfiguration.Key.Fragment;
  'envoy.config.route.v3.RouteConfiguration': envoy.config.route.v3.RouteConfiguration;
  'envoy.config.core.v3.Metadata': envoy.config.core.v3.Metadata;
  'envoy.config.route.v3.RouteAction.RequestMirrorPolicy': envoy.config.route.v3.RouteAction.RequestMirrorPolicy;
  'envoy.config.core.v3.RuntimeFractionalPercent': envoy.config.core.v3.RuntimeFractionalPercent;
  'envoy.config.route.v3.ClusterSpecifierPlugin': envoy.config.route.v3.ClusterSpecifierPlugin;
  'envoy.config.route.v3.Vhds': envoy.config.route.v3.Vhds;
  'envoy.config.route.v3.VirtualHost': envoy.config.route.v3.VirtualHost;
  'envoy.config.route.v3.HedgePolicy': envoy.config.route.v3.HedgePolicy;
  'envoy.config.route.v3.RetryPolicy': envoy.config.route.v3.RetryPolicy;
  'envoy.config.route.v3.RetryPolicy.RateLimitedRetryBackOff': envoy.config.route.v3.RetryPolicy.RateLimitedRetryBackOff;
  'envoy.config.route.v3.RetryPolicy.ResetHeader': envoy.config.route.v3.RetryPolicy.ResetHeader;
  'envoy.config.route.v3.RetryPolicy.RetryBackOff': envoy.config.route.v3.RetryPolicy.RetryBackOff;
  'envoy.config.route.v3.RetryPolicy.RetryHostPredicate': envoy.config.route.v3.RetryPolicy.RetryHostPredicate;
  'envoy.config.route.v3.RetryPolicy.RetryPriority': envoy.config.route.v3.RetryPolicy.RetryPriority;
  'envoy.config.route.v3.CorsPolicy': envoy.config.route.v3.CorsPolicy;
  'envoy.config.route.v3.RateLimit': envoy.config.route.v3.RateLimit;
  'envoy.config.route.v3.RateLimit.Override': envoy.config.route.v3.RateLimit.Override;
  'envoy.config.route.v3.RateLimit.Override.DynamicMetadata': envoy.config.route.v3.RateLimit.Override.DynamicMetadata;
  'envoy.config.route.v3.RateLimit.Action': envoy.config.route.v3.RateLimit.Action;
  'envoy.config.route.v3.RateLimit.Action.QueryParameterValueMatch': envoy.config.route.v3.RateLimit.Action.QueryParameterValueMatch;
  'envoy.config.route.v3.QueryParameterMatcher': envoy.config.route.v3.QueryParameterMatcher;
  'envoy.config.route.v3.RateLimit.Action.MaskedRemoteAddress': envoy.config.route.v3.RateLimit.Action.MaskedRemoteAddress;
  'envoy.config.route.v3.RateLimit.Action.MetaData': envoy.config.route.v3.RateLimit.Action.MetaData;
  'envoy.config.route.v3.RateLimit.Action.DynamicMetaData': envoy.config.route.v3.RateLimit.Action.DynamicMetaData;
  'envoy.config.route.v3.RateLimit.Action.HeaderValueMatch': envoy.config.route.v3.RateLimit.Action.HeaderValueMatch;
  'envoy.config.route.v3.RateLimit.Action.GenericKey': envoy.config.route.v3.RateLimit.Action.GenericKey;
  'envoy.config.route.v3.RateLimit.Action.RemoteAddress': envoy.config.route.v3.RateLimit.Action.RemoteAddress;
  'envoy.config.route.v3.RateLimit.Action.RequestHeaders': envoy.config.route.v3.RateLimit.Action.RequestHeaders;
  'envoy.config.route.v3.RateLimit.Action.DestinationCluster': envoy.config.route.v3.RateLimit.Action.DestinationCluster;
  'envoy.config.route.v3.RateLimit.Action.SourceCluster': envoy.config.route.v3.RateLimit.Action.SourceCluster;
  'envoy.config.route.v3.VirtualCluster': envoy.config.route.v3.VirtualCluster;
  'envoy.config.route.v3.Route': envoy.config.route.v3.Route;
  'envoy.config.route.v3.Tracing': envoy.config.route.v3.Tracing;
  'envoy.config.route.v3.Decorator': envoy.config.route.v3.Decorator;
  'envoy.config.route.v3.NonForwardingAction': envoy.config.route.v3.NonForwardingAction;
  'envoy.config.route.v3.FilterAction': envoy.config.route.v3.FilterAction;
  'envoy.config.route.v3.DirectResponseAction': envoy.config.route.v3.DirectResponseAction;
  'envoy.config.route.v3.RedirectAction': envoy.config.route.v3.RedirectAction;
  'envoy.type.matcher.v3.RegexMatchAndSubstitute': envoy.type.matcher.v3.RegexMatchAndSubstitute;
  'envoy.config.route.v3.RouteAction': envoy.config.route.v3.RouteAction;
  'envoy.config.route.v3.RouteAction.MaxStreamDuration': envoy.config.route.v3.RouteAction.MaxStreamDuration;
  'envoy.config.route.v3.InternalRedirectPolicy': envoy.config.route.v3.InternalRedirectPolicy;
  'envoy.config.route.v3.RouteAction.UpgradeConfig': envoy.config.route.v3.RouteAction.UpgradeConfig;
  'envoy.config.route.v3.RouteAction.UpgradeConfig.ConnectConfig': envoy.config.route.v3.RouteAction.UpgradeConfig.ConnectConfig;
  'envoy.config.core.v3.ProxyProtocolConfig': envoy.config.core.v3.ProxyProtocolConfig;
  'envoy.config.core.v3.ProxyProtocolPassThroughTLVs': envoy.config.core.v3.ProxyProtocolPassThroughTLVs;
  'envoy.config.route.v3.RouteAction.HashPolicy': envoy.config.route.v3.RouteAction.HashPolicy;
  'envoy.config.route.v3.RouteAction.HashPolicy.FilterState': envoy.config.route.v3.RouteAction.HashPolicy.FilterState;
  'envoy.config.route.v3.RouteAction.HashPolicy.QueryParameter': envoy.config.route.v3.RouteAction.HashPolicy.QueryParameter;
  'envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties': envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties;
  'envoy.config.route.v3.RouteAction.HashPolicy.Cookie': envoy.config.route.v3.RouteAction.HashPolicy.Cookie;
  'envoy.config.route.v3.RouteAction.HashPolicy.CookieAttribute': envoy.config.route.v3.RouteAction.HashPolicy.CookieAttribute;
  'envoy.config.route.v3.RouteAction.HashPolicy.Header': envoy.config.route.v3.RouteAction.HashPolicy.Header;
  'envoy.config.route.v3.WeightedCluster': envoy.config.route.v3.WeightedCluster;
  'envoy.config.route.v3.WeightedCluster.ClusterWeight': envoy.config.route.v3.WeightedCluster.ClusterWeight;
  'envoy.config.route.v3.RouteMatch': envoy.config.route.v3.RouteMatch;
  'envoy.config.route.v3.RouteMatch.TlsContextMatchOptions': envoy.config.route.v3.RouteMatch.TlsContextMatchOptions;
  'envoy.config.route.v3.RouteMatch.GrpcRouteMatchOptions': envoy.config.route.v3.RouteMatch.GrpcRouteMatchOptions;
  'envoy.config.route.v3.RouteMatch.ConnectMatcher': envoy.config.route.v3.RouteMatch.ConnectMatcher;
  'envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder': envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder;
  'envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder': envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder;
  'envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor': envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor;
  'envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor.KvElement': envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor.KvElement;
  'envoy.extensions.filters.network.http_connection_manager.v3.Rds': envoy.extensions.filters.network.http_connection_manager.v3.Rds;
  'envoy.extensions.filters.listener.original_src.v3.OriginalSrc': envoy.extensions.filters.listener.original_src.v3.OriginalSrc;
  'envoy.extensions.filters.listener.original_dst.v3.OriginalDst': envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
  'envoy.config.bootstrap.v3.Bootstrap': envoy.config.bootstrap.v3.Bootstrap;
  'envoy.config.bootstrap.v3.MemoryAllocatorManager': envoy.config.bootstrap.v3.MemoryAllocatorManager;
  'envoy.config.bootstrap.v3.Bootstrap.GrpcAsyncClientManagerConfig': envoy.config.bootstrap.v3.Bootstrap.GrpcAsyncClientManagerConfig;
  'envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig': envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig;
  'envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig.LogFormat': envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig.LogFormat;
  'envoy.config.bootstrap.v3.CustomInlineHeader': envoy.config.bootstrap.v3.CustomInlineHeader;
  'envoy.config.bootstrap.v3.FatalAction': envoy.config.bootstrap.v3.FatalAction;
  'envoy.config.core.v3.DnsResolutionConfig': envoy.config.core.v3.DnsResolutionConfig;
  'envoy.config.core.v3.DnsResolverOptions': envoy.config.core.v3.DnsResolverOptions;
  'envoy.config.core.v3.Address': envoy.config.core.v3.Address;
  'envoy.config.core.v3.EnvoyInternalAddress': envoy.config.core.v3.EnvoyInternalAddress;
  'envoy.config.core.v3.Pipe': envoy.config.core.v3.Pipe;
  'envoy.config.core.v3.SocketAddress': envoy.config.core.v3.SocketAddress;
  'google.protobuf.UInt64Value': google.protobuf.UInt64Value;
  'envoy.config.overload.v3.OverloadManager': envoy.config.overload.v3.OverloadManager;
  'envoy.config.overload.v3.BufferFactoryConfig': envoy.config.overload.v3.BufferFactoryConfig;
  'envoy.config.overload.v3.LoadShedPoint': envoy.config.overload.v3.LoadShedPoint;
  'envoy.config.overload.v3.Trigger': envoy.config.overload.v3.Trigger;
  'envoy.config.overload.v3.ScaledTrigger': envoy.config.overload.v3.ScaledTrigger;
  'envoy.config.overload.v3.ThresholdTrigger': envoy.config.overload.v3.ThresholdTrigger;
  'envoy.config.overload.v3.OverloadAction': envoy.config.overload.v3.OverloadAction;
  'envoy.config.overload.v3.ResourceMonitor': envoy.config.overload.v3.ResourceMonitor;
  'envoy.config.bootstrap.v3.Admin': envoy.config.bootstrap.v3.Admin;
  'envoy.config.core.v3.SocketOption': envoy.config.core.v3.SocketOption;
  'envoy.config.bootstrap.v3.LayeredRuntime': envoy.config.bootstrap.v3.LayeredRuntime;
  'envoy.config.bootstrap.v3.RuntimeLayer': envoy.config.bootstrap.v3.RuntimeLayer;
  'envoy.config.bootstrap.v3.RuntimeLayer.RtdsLayer': envoy.config.bootstrap.v3.RuntimeLayer.RtdsLayer;
  'envoy.config.bootstrap.v3.RuntimeLayer.AdminLayer': envoy.config.bootstrap.v3.RuntimeLayer.AdminLayer;
  'envoy.config.bootstrap.v3.RuntimeLayer.DiskLayer': envoy.config.bootstrap.v3.RuntimeLayer.DiskLayer;
  'envoy.config.trace.v3.Tracing': envoy.config.trace.v3.Tracing;
  'envoy.config.bootstrap.v3.Watchdogs': envoy.config.bootstrap.v3.Watchdogs;
  'envoy.config.bootstrap.v3.Watchdog': envoy.config.bootstrap.v3.Watchdog;
  'envoy.config.bootstrap.v3.Watchdog.WatchdogAction': envoy.config.bootstrap.v3.Watchdog.WatchdogAction;
  'envoy.config.metrics.v3.StatsConfig': envoy.config.metrics.v3.StatsConfig;
  'envoy.config.metrics.v3.HistogramBucketSettings': envoy.config.metrics.v3.HistogramBucketSettings;
  'envoy.config.metrics.v3.StatsMatcher': envoy.config.metrics.v3.StatsMatcher;
  'envoy.type.matcher.v3.ListStringMatcher': envoy.type.matcher.v3.ListStringMatcher;
  'envoy.config.metrics.v3.TagSpecifier': envoy.config.metrics.v3.TagSpecifier;
  'envoy.config.bootstrap.v3.Bootstrap.DeferredStatOptions': envoy.config.bootstrap.v3.Bootstrap.DeferredStatOptions;
  'envoy.config.metrics.v3.StatsSink': envoy.config.metrics.v3.StatsSink;
  'envoy.config.bootstrap.v3.ClusterManager': envoy.config.bootstrap.v3.ClusterManager;
  'envoy.config.core.v3.BindConfig': envoy.config.core.v3.BindConfig;
  'envoy.config.core.v3.ExtraSourceAddress': envoy.config.core.v3.ExtraSourceAddress;
  'envoy.config.core.v3.SocketOptionsOverride': envoy.config.core.v3.SocketOptionsOverride;
  'envoy.config.bootstrap.v3.ClusterManager.OutlierDetection': envoy.config.bootstrap.v3.ClusterManager.OutlierDetection;
  'envoy.config.core.v3.EventServiceConfig': envoy.config.core.v3.EventServiceConfig;
  'envoy.config.bootstrap.v3.Bootstrap.DynamicResources': envoy.config.bootstrap.v3.Bootstrap.DynamicResources;
  'envoy.config.bootstrap.v3.Bootstrap.StaticResources': envoy.config.bootstrap.v3.Bootstrap.StaticResources;
  'envoy.extensions.transport_sockets.tls.v3.Secret': envoy.extensions.transport_sockets.tls.v3.Secret;
  'envoy.extensions.transport_sockets.tls.v3.GenericSecret': envoy.extensions.transport_sockets.tls.v3.GenericSecret;
  'envoy.config.cluster.v3.Cluster': envoy.config.cluster.v3.Cluster;
  'envoy.config.cluster.v3.Cluster.PreconnectPolicy': envoy.config.cluster.v3.Cluster.PreconnectPolicy;
  'envoy.config.cluster.v3.TrackClusterStats': envoy.config.cluster.v3.TrackClusterStats;
  'envoy.config.cluster.v3.LoadBalancingPolicy': envoy.config.cluster.v3.LoadBalancingPolicy;
  'envoy.config.cluster.v3.LoadBalancingPolicy.Policy': envoy.config.cluster.v3.LoadBalancingPolicy.Policy;
  'envoy.config.cluster.v3.Filter': envoy.config.cluster.v3.Filter;
  'envoy.config.cluster.v3.UpstreamConnectionOptions': envoy.config.cluster.v3.UpstreamConnectionOptions;
  'envoy.config.cluster.v3.UpstreamConnectionOptions.HappyEyeballsConfig': envoy.config.cluster.v3.UpstreamConnectionOptions.HappyEyeballsConfig;
  'envoy.config.core.v3.TcpKeepalive': envoy.config.core.v3.TcpKeepalive;
  'envoy.config.core.v3.TransportSocket': envoy.config.core.v3.TransportSocket;
  'envoy.config.cluster.v3.Cluster.CommonLbConfig': envoy.config.cluster.v3.Cluster.CommonLbConfig;
  'envoy.config.core.v3.HealthStatusSet': envoy.config.core.v3.HealthStatusSet;
  'envoy.config.cluster.v3.Cluster.CommonLbConfig.ConsistentHashingLbConfig': envoy.config.cluster.v3.Cluster.CommonLbConfig.ConsistentHashingLbConfig;
  'envoy.config.cluster.v3.Cluster.CommonLbConfig.LocalityWeightedLbConfig': envoy.config.cluster.v3.Cluster.CommonLbConfig.LocalityWeightedLbConfig;
  'envoy.config.cluster.v3.Cluster.CommonLbConfig.ZoneAwareLbConfig': envoy.config.cluster.v3.Cluster.CommonLbConfig.ZoneAwareLbConfig;
  'envoy.config.cluster.v3.Cluster.RoundRobinLbConfig': envoy.config.cluster.v3.Cluster.RoundRobinLbConfig;
  'envoy.config.cluster.v3.Cluster.SlowStartConfig': envoy.config.cluster.v3.Cluster.SlowStartConfig;
  'envoy.config.core.v3.RuntimeDouble': envoy.config.core.v3.RuntimeDouble;
  'envoy.config.cluster.v3.Cluster.LeastRequestLbConfig': envoy.config.cluster.v3.Cluster.LeastRequestLbConfig;
  'envoy.config.cluster.v3.Cluster.OriginalDstLbConfig': envoy.config.cluster.v3.Cluster.OriginalDstLbConfig;
  'envoy.config.cluster.v3.Cluster.MaglevLbConfig': envoy.config.cluster.v3.Cluster.MaglevLbConfig;
  'envoy.config.cluster.v3.Cluster.RingHashLbConfig': envoy.config.cluster.v3.Cluster.RingHashLbConfig;
  'envoy.config.cluster.v3.Cluster.LbSubsetConfig': envoy.config.cluster.v3.Cluster.LbSubsetConfig;
  'envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetSelector': envoy.config.cluster.v3.Cluster.LbSubsetConfig.LbSubsetSelector;
  'envoy.config.cluster.v3.OutlierDetection': envoy.config.cluster.v3.OutlierDetection;
  'envoy.config.cluster.v3.Cluster.RefreshRate': envoy.config.cluster.v3.Cluster.RefreshRate;
  'envoy.config.cluster.v3.CircuitBreakers': envoy.config.cluster.v3.CircuitBreakers;
  'envoy.config.cluster.v3.CircuitBreakers.Thresholds': envoy.config.cluster.v3.CircuitBreakers.Thresholds;
  'envoy.config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget': envoy.config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget;
  'envoy.config.core.v3.HealthCheck': envoy.config.core.v3.HealthCheck;
  'envoy.config.core.v3.HealthCheck.TlsOptions': envoy.config.core.v3.HealthCheck.TlsOptions;
  'envoy.config.core.v3.HealthCheck.CustomHealthCheck': envoy.config.core.v3.HealthCheck.CustomHealthCheck;
  'envoy.config.core.v3.HealthCheck.GrpcHealthCheck': envoy.config.core.v3.HealthCheck.GrpcHealthCheck;
  'envoy.config.core.v3.HealthCheck.TcpHealthCheck': envoy.config.core.v3.HealthCheck.TcpHealthCheck;
  'envoy.config.core.v3.HealthCheck.Payload': envoy.config.core.v3.HealthCheck.Payload;
  'envoy.config.core.v3.HealthCheck.HttpHealthCheck': envoy.config.core.v3.HealthCheck.HttpHealthCheck;
  'envoy.config.endpoint.v3.ClusterLoadAssignment': envoy.config.endpoint.v3.ClusterLoadAssignment;
  'envoy.config.endpoint.v3.ClusterLoadAssignment.Policy': envoy.config.endpoint.v3.ClusterLoadAssignment.Policy;
  'envoy.config.endpoint.v3.ClusterLoadAssignment.Policy.DropOverload': envoy.config.endpoint.v3.ClusterLoadAssignment.Policy.DropOverload;
  'envoy.config.endpoint.v3.Endpoint': envoy.config.endpoint.v3.Endpoint;
  'envoy.config.endpoint.v3.Endpoint.AdditionalAddress': envoy.config.endpoint.v3.Endpoint.AdditionalAddress;
  'envoy.config.endpoint.v3.Endpoint.HealthCheckConfig': envoy.config.endpoint.v3.Endpoint.HealthCheckConfig;
  'envoy.config.endpoint.v3.LocalityLbEndpoints': envoy.config.endpoint.v3.LocalityLbEndpoints;
  'envoy.config.endpoint.v3.LedsClusterLocalityConfig': envoy.config.endpoint.v3.LedsClusterLocalityConfig;
  'envoy.config.endpoint.v3.LocalityLbEndpoints.LbEndpointList': envoy.config.endpoint.v3.LocalityLbEndpoints.LbEndpointList;
  'envoy.config.endpoint.v3.LbEndpoint': envoy.config.endpoint.v3.LbEndpoint;
  'envoy.config.core.v3.Locality': envoy.config.core.v3.Locality;
  'envoy.config.cluster.v3.Cluster.EdsClusterConfig': envoy.config.cluster.v3.Cluster.EdsClusterConfig;
  'envoy.config.cluster.v3.Cluster.CustomClusterType': envoy.config.cluster.v3.Cluster.CustomClusterType;
  'envoy.config.cluster.v3.Cluster.TransportSocketMatch': envoy.config.cluster.v3.Cluster.TransportSocketMatch;
  'envoy.config.listener.v3.Listener': envoy.config.listener.v3.Listener;
  'envoy.config.listener.v3.Listener.InternalListenerConfig': envoy.config.listener.v3.Listener.InternalListenerConfig;
  'envoy.config.listener.v3.Listener.ConnectionBalanceConfig': envoy.config.listener.v3.Listener.ConnectionBalanceConfig;
  'envoy.config.listener.v3.Listener.ConnectionBalanceConfig.ExactBalance': envoy.config.listener.v3.Listener.ConnectionBalanceConfig.ExactBalance;
  'envoy.config.listener.v3.ApiListener': envoy.config.listener.v3.ApiListener;
  'envoy.config.listener.v3.UdpListenerConfig': envoy.config.listener.v3.UdpListenerConfig;
  'envoy.config.listener.v3.QuicProtocolOptions': envoy.config.listener.v3.QuicProtocolOptions;
  'envoy.config.core.v3.RuntimeFeatureFlag': envoy.config.core.v3.RuntimeFeatureFlag;
  'envoy.config.core.v3.UdpSocketConfig': envoy.config.core.v3.UdpSocketConfig;
  'envoy.config.listener.v3.ListenerFilter': envoy.config.listener.v3.ListenerFilter;
  'envoy.config.listener.v3.ListenerFilterChainMatchPredicate': envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
  'envoy.config.listener.v3.ListenerFilterChainMatchPredicate.MatchSet': envoy.config.listener.v3.ListenerFilterChainMatchPredicate.MatchSet;
  'envoy.config.listener.v3.Listener.DeprecatedV1': envoy.config.listener.v3.Listener.DeprecatedV1;
  'envoy.config.listener.v3.FilterChain': envoy.config.listener.v3.FilterChain;
  'envoy.config.listener.v3.FilterChain.OnDemandConfiguration': envoy.config.listener.v3.FilterChain.OnDemandConfiguration;
  'envoy.config.listener.v3.Filter': envoy.config.listener.v3.Filter;
  'envoy.config.listener.v3.FilterChainMatch': envoy.config.listener.v3.FilterChainMatch;
  'envoy.config.listener.v3.AdditionalAddress': envoy.config.listener.v3.AdditionalAddress;
  'envoy.config.core.v3.Node': envoy.config.core.v3.Node;
  'envoy.config.core.v3.Extension': envoy.config.core.v3.Extension;
  'envoy.config.core.v3.BuildVersion': envoy.config.core.v3.BuildVersion;
  'envoy.type.v3.SemanticVersion': envoy.type.v3.SemanticVersion;
  'xds.core.v3.ContextParams': xds.core.v3.ContextParams;
  'sluice.redirect.v1alpha1.NodeRedirects': sluice.redirect.v1alpha1.NodeRedirects;
  'sluice.redirect.v1alpha1.PodProxies': sluice.redirect.v1alpha1.PodProxies;
  'sluice.redirect.v1alpha1.Redirect': sluice.redirect.v1alpha1.Redirect;
  'sluice.kafka.v1alpha1.KafkaPolicy': sluice.kafka.v1alpha1.KafkaPolicy;
  'sluice.kafka.v1alpha1.KafkaRule': sluice.kafka.v1alpha1.KafkaRule;
  'sluice.kafka.v1alpha1.CidrRange': sluice.kafka.v1alpha1.CidrRange;
  'sluice.kafka.v1alpha1.StringMatcher': sluice.kafka.v1alpha1.StringMatcher;
  'sluice.kafka.v1alpha1.VersionRange': sluice.kafka.v1alpha1.VersionRange;
  'sluice.kafka.v1alpha1.Endpoint': sluice.kafka.v1alpha1.Endpoint;
}

/** A `google.protobuf.Any` holding one of `MESSAGES`, in JSON form: its type URL as `@type`, then its fields. */
export interface AnyOf {
  'envoy.config.bootstrap.v3.Bootstrap': { readonly '@type': 'type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap' } & envoy.config.bootstrap.v3.Bootstrap;
  'envoy.config.cluster.v3.Cluster': { readonly '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster' } & envoy.config.cluster.v3.Cluster;
  'envoy.config.endpoint.v3.ClusterLoadAssignment': { readonly '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment' } & envoy.config.endpoint.v3.ClusterLoadAssignment;
  'envoy.config.listener.v3.Listener': { readonly '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener' } & envoy.config.listener.v3.Listener;
  'envoy.config.route.v3.RouteConfiguration': { readonly '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration' } & envoy.config.route.v3.RouteConfiguration;
  'envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter': { readonly '@type': 'type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter' } & envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter;
  'envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig': { readonly '@type': 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig' } & envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
  'envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig': { readonly '@type': 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig' } & envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig;
  'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog': { readonly '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog' } & envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
  'envoy.extensions.filters.http.credential_injector.v3.CredentialInjector': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.http.credential_injector.v3.CredentialInjector' } & envoy.extensions.filters.http.credential_injector.v3.CredentialInjector;
  'envoy.extensions.filters.http.rbac.v3.RBAC': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC' } & envoy.extensions.filters.http.rbac.v3.RBAC;
  'envoy.extensions.filters.http.rbac.v3.RBACPerRoute': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute' } & envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
  'envoy.extensions.filters.http.router.v3.Router': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } & envoy.extensions.filters.http.router.v3.Router;
  'envoy.extensions.filters.listener.original_dst.v3.OriginalDst': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst' };
  'envoy.extensions.filters.listener.original_src.v3.OriginalSrc': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_src.v3.OriginalSrc' } & envoy.extensions.filters.listener.original_src.v3.OriginalSrc;
  'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' } & envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
  'envoy.extensions.filters.network.direct_response.v3.Config': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.network.direct_response.v3.Config' } & envoy.extensions.filters.network.direct_response.v3.Config;
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager' } & envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
  'envoy.extensions.filters.network.rbac.v3.RBAC': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC' } & envoy.extensions.filters.network.rbac.v3.RBAC;
  'envoy.extensions.filters.network.set_filter_state.v3.Config': { readonly '@type': 'type.googleapis.com/envoy.extensions.filters.network.set_filter_state.v3.Config' } & envoy.extensions.filters.network.set_filter_state.v3.Config;
  'envoy.extensions.http.injected_credentials.generic.v3.Generic': { readonly '@type': 'type.googleapis.com/envoy.extensions.http.injected_credentials.generic.v3.Generic' } & envoy.extensions.http.injected_credentials.generic.v3.Generic;
  'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext': { readonly '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext' } & envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
  'envoy.extensions.transport_sockets.tls.v3.Secret': { readonly '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret' } & envoy.extensions.transport_sockets.tls.v3.Secret;
  'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext': { readonly '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext' } & envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { readonly '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions' } & envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
  'sluice.kafka.v1alpha1.KafkaPolicy': { readonly '@type': 'type.googleapis.com/sluice.kafka.v1alpha1.KafkaPolicy' } & sluice.kafka.v1alpha1.KafkaPolicy;
  'sluice.redirect.v1alpha1.NodeRedirects': { readonly '@type': 'type.googleapis.com/sluice.redirect.v1alpha1.NodeRedirects' } & sluice.redirect.v1alpha1.NodeRedirects;
}

/** What an `Any` field may hold. */
export type AnyJson = AnyOf[(typeof MESSAGES)[keyof typeof MESSAGES]];
