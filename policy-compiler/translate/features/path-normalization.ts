/**
 * Paths are normalized before any filter sees them, and forwarded as normalized: RFC 3986 (dot
 * segments removed, percent-encoded unreserved characters decoded) and adjacent slashes merged, as
 * Istio's MERGE_SLASHES. Without it `/v1/./admin`, `/v1//admin` or `/v1/%61dmin` would miss a deny
 * rule on `/v1/admin` and reach a workload that reads them as that path. Escaped slashes (`%2F`,
 * `%5C`) are kept: rules and the workload both see them as written. (gRPC's xDS client does not
 * implement these fields; proxyless servers get none.)
 */
import type { FeatureTranslator } from '../feature.js';

export const PATH_NORMALIZATION_FEATURE: FeatureTranslator = {
  name: 'path normalization: RFC 3986 normalization and merged slashes before any rule sees a path (Envoy)',
  connectionManager: ({ flavor }) => (flavor === 'envoy' ? { normalize_path: { value: true }, merge_slashes: true } : {}),
};
