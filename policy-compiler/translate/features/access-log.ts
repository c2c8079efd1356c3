/**
 * The audit access log of Envoy chains: one JSON line per request on Envoy's stdout, with the
 * request, the enforced verdict and the audit (shadow) verdict with the id of the deciding rule,
 * read from the RBAC filters' dynamic metadata.
 */
import { MESSAGES, typed, type envoy, type google } from '../../../envoy-api/index.js';
import type { FeatureTranslator } from '../feature.js';
import { RBAC_PREFIX } from './rbac.js';

/** A google.protobuf.Struct, in the field-by-field form protobufjs encodes (its bundled struct.proto names the field stringValue). */
function structOf(fields: Record<string, string>): google.protobuf.Struct {
  return { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { stringValue: v }])) };
}

function auditAccessLog(): envoy.config.accesslog.v3.AccessLog {
  const rbac = (key: string) => `%DYNAMIC_METADATA(envoy.filters.http.rbac:${key})%`;
  return {
    name: 'envoy.access_loggers.stdout',
    typed_config: typed(MESSAGES.stdoutAccessLog, {
      log_format: {
        json_format: structOf({
          time: '%START_TIME%',
          chain: '%FILTER_CHAIN_NAME%',
          client: '%DOWNSTREAM_REMOTE_ADDRESS%',
          destination: '%DOWNSTREAM_LOCAL_ADDRESS%',
          method: '%REQ(:METHOD)%',
          path: '%REQ(:PATH)%',
          authority: '%REQ(:AUTHORITY)%',
          status: '%RESPONSE_CODE%',
          grpc_status: '%GRPC_STATUS%',
          deny_rule: rbac(`${RBAC_PREFIX.deny}enforced_effective_policy_id`),
          allow_result: rbac(`${RBAC_PREFIX.allow}enforced_engine_result`),
          allow_rule: rbac(`${RBAC_PREFIX.allow}enforced_effective_policy_id`),
          audit_deny_rule: rbac(`${RBAC_PREFIX.auditDeny}shadow_effective_policy_id`),
          audit_allow_result: rbac(`${RBAC_PREFIX.auditAllow}shadow_engine_result`),
          audit_allow_rule: rbac(`${RBAC_PREFIX.auditAllow}shadow_effective_policy_id`),
        }),
      },
    }),
  };
}

export const ACCESS_LOG_FEATURE: FeatureTranslator = {
  name: "access log: each request's enforced and audit verdicts with the deciding rule ids (Envoy)",
  connectionManager: ({ flavor }) => (flavor === 'envoy' ? { access_log: [auditAccessLog()] } : {}),
};
