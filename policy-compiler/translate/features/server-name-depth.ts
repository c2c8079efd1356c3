/**
 * SNI allow lists mean what docs/tls.md says: `*.example.com` covers one label below it, as a
 * certificate's wildcard does (RFC 6125). Envoy reads a wildcard in `server_names` and in virtual
 * host domains as a suffix, so on its own it would terminate `a.b.example.com` and route a request
 * for it. On a chain whose list has a wildcard, an RBAC filter ahead of the rules denies (403) every
 * request whose connection's server name, or whose :authority, is not one of the listed names.
 */
import { MESSAGES, typed, type envoy } from '../../../envoy-api/index.js';
import type { FeatureTranslator } from '../feature.js';

type Permission = envoy.config.rbac.v3.Permission;

/** The RBAC policy name (and stat prefix) of the guard, as Envoy's stats and logs show it. */
export const SERVER_NAME_GUARD = { filter: 'sluice.server_names', policy: 'sluice|server-names', statPrefix: 'sluice_server_names_' } as const;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The listed names as one RE2 pattern, case-insensitive: `*.` is one label (no dot), other names exact. */
function namesPattern(names: readonly string[]): string {
  return names.map((n) => (n.startsWith('*.') ? `[^.]+${escape(n.slice(1))}` : escape(n))).join('|');
}

export const SERVER_NAME_DEPTH_FEATURE: FeatureTranslator = {
  name: 'SNI wildcards of one label: an RBAC filter denying server names and :authority values a suffix match would add',
  httpFilters: ({ chain }) => {
    const names = chain?.tls?.serverNames ?? [];
    if (!chain || !names.some((n) => n.startsWith('*.'))) return [];
    const listed = namesPattern(names);
    const outside: Permission = {
      or_rules: {
        rules: [
          { not_rule: { requested_server_name: { safe_regex: { regex: `(?i)(?:${listed})` } } } },
          { not_rule: { header: { name: ':authority', string_match: { safe_regex: { regex: `(?i)(?:${listed})(?::${chain.port})?` } } } } },
        ],
      },
    };
    return [{
      position: 'server-names',
      value: {
        name: SERVER_NAME_GUARD.filter,
        typed_config: typed(MESSAGES.rbac, {
          rules: { action: 'DENY', policies: { [SERVER_NAME_GUARD.policy]: { permissions: [outside], principals: [{ any: true }] } } },
          rules_stat_prefix: SERVER_NAME_GUARD.statPrefix,
        }),
      },
    }];
  },
};
