/**
 * What proxyless gRPC clients need to reach a workload through `xds:///name.namespace:port`: an
 * API listener with that name, its route configuration, an EDS cluster and its endpoints.
 */
import { MESSAGES, typed } from '../../../envoy-api/index.js';
import type { Service } from '../../ir/types.js';
import { serviceClusterName, serviceRouteName } from '../../names.js';
import { ADS_CONFIG_SOURCE } from '../ads.js';
import type { FeatureTranslator } from '../feature.js';
import type { EnvoyResource } from '../resource.js';
import { routerFilter } from './router.js';

function serviceResources(service: Service): EnvoyResource[] {
  const routeName = serviceRouteName(service.target);
  const cluster = serviceClusterName(service.port, service.workload);
  return [
    {
      message: MESSAGES.listener,
      name: service.target,
      references: [{ message: MESSAGES.routeConfiguration, name: routeName }],
      json: {
        name: service.target,
        api_listener: {
          api_listener: typed(MESSAGES.httpConnectionManager, {
            stat_prefix: 'client',
            rds: { config_source: ADS_CONFIG_SOURCE, route_config_name: routeName },
            http_filters: [routerFilter()],
          }),
        },
      },
    },
    {
      message: MESSAGES.routeConfiguration,
      name: routeName,
      references: [{ message: MESSAGES.cluster, name: cluster }],
      json: { name: routeName, virtual_hosts: [{ name: service.target, domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster } }] }] },
    },
    {
      message: MESSAGES.cluster,
      name: cluster,
      references: [{ message: MESSAGES.clusterLoadAssignment, name: cluster }],
      json: { name: cluster, type: 'EDS', eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE, service_name: cluster }, lb_policy: 'ROUND_ROBIN', connect_timeout: { seconds: 5 } },
    },
    {
      message: MESSAGES.clusterLoadAssignment,
      name: cluster,
      references: [],
      json: {
        cluster_name: cluster,
        endpoints: [
          {
            locality: {},
            // gRPC needs a locality weight, or it finds "an empty priority list" and fails every call.
            load_balancing_weight: { value: 1 },
            lb_endpoints: service.endpoints.map((e) => ({ endpoint: { address: { socket_address: { address: e.address, port_value: e.port } } }, health_status: 'HEALTHY' })),
          },
        ],
      },
    },
  ];
}

export const MESH_SERVICES_FEATURE: FeatureTranslator = {
  name: 'mesh services: the API listener, route, EDS cluster and endpoints proxyless gRPC clients reach a service by',
  serviceResources,
};
