/**
 * The one place that decides the order of HTTP filters in a chain:
 * 1. `sluice.rbac.deny`: deny rules first, so a deny wins over any allow;
 * 2. `sluice.rbac.allow`: then the allow list; what it does not allow is denied;
 * 3. the router, last, as Envoy and gRPC both require.
 */
import type { Authz } from '../../ir/types.js';
import { rbacFilters } from './rbac.js';
import { routerFilter } from './router.js';
import type { HttpFilter, ProxyFlavor } from './types.js';

export function orderedHttpFilters(authz: Authz, direction: 'inbound' | 'outbound', flavor: ProxyFlavor): HttpFilter[] {
  const { deny, allow } = rbacFilters(authz, direction, flavor);
  return [...(deny ? [deny] : []), ...(allow ? [allow] : []), routerFilter()];
}
