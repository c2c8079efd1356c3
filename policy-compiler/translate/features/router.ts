/** The router: always the last HTTP filter. */
import { MESSAGES, typed } from '../../../envoy-api/index.js';
import type { FeatureTranslator, HttpFilter } from '../feature.js';

export function routerFilter(): HttpFilter {
  return { name: 'envoy.filters.http.router', typed_config: typed(MESSAGES.router) };
}

export const ROUTER_FEATURE: FeatureTranslator = {
  name: 'router: forwards what the filters before it let through',
  httpFilters: () => [{ position: 'router', value: routerFilter() }],
};
