/** The router: always the last HTTP filter. */
import { MESSAGES, typed } from '../../../envoy-api/index.js';
import type { HttpFilter } from './types.js';

export function routerFilter(): HttpFilter {
  return { name: 'envoy.filters.http.router', typed_config: typed(MESSAGES.router) };
}
