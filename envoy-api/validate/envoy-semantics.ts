/**
 * A few checks Envoy's C++ runs on a resource beyond PGV, for the messages sluice emits. Each one
 * names the Envoy behaviour it stands for; none is complete (see docs/envoy-validation.md for what
 * a real `envoy --mode validate` does that these do not).
 *
 * - `envoy.regex`: a `RegexMatcher.regex` must compile with RE2 (Envoy compiles it on load).
 * - `envoy.terminal_filter`: in an HCM's `http_filters` and a filter chain's `filters`, a terminal
 *   filter (router, HCM, tcp_proxy, …) must come last, and the last must be terminal.
 * - `envoy.filter_chain_match`: two filter chains of a listener must not match the same
 *   connections (Envoy: "multiple filter chains with the same matching rules are defined").
 * - `envoy.unique_domains`: a domain may appear in only one virtual host of a route configuration.
 * - `envoy.unique_names`: bootstrap static listeners and clusters need distinct names.
 */
import { isPlainObject } from './raw-options.js';
import { re2Problem } from './re2.js';
import { fieldPath, indexPath, type Path } from './violation.js';
import type { WalkContext } from './walk.js';
import { TYPE_URL_PREFIX } from '../protos.js';

type Json = Record<string, unknown>;
type Hook = (ctx: WalkContext, json: Json, path: Path) => void;

const T = TYPE_URL_PREFIX;
const TERMINAL_HTTP = new Set([`${T}envoy.extensions.filters.http.router.v3.Router`]);
const NON_TERMINAL_HTTP = new Set([
  'rbac.v3.RBAC', 'cors.v3.Cors', 'fault.v3.HTTPFault', 'ext_authz.v3.ExtAuthz', 'jwt_authn.v3.JwtAuthentication',
  'local_ratelimit.v3.LocalRateLimit', 'header_mutation.v3.HeaderMutation', 'lua.v3.Lua', 'buffer.v3.Buffer',
].map((m) => `${T}envoy.extensions.filters.http.${m}`));
const TERMINAL_NETWORK = new Set([
  'http_connection_manager.v3.HttpConnectionManager', 'tcp_proxy.v3.TcpProxy', 'direct_response.v3.Config', 'echo.v3.Echo',
].map((m) => `${T}envoy.extensions.filters.network.${m}`));
const NON_TERMINAL_NETWORK = new Set([
  'rbac.v3.RBAC', 'ext_authz.v3.ExtAuthz', 'local_ratelimit.v3.LocalRateLimit', 'ratelimit.v3.RateLimit', 'connection_limit.v3.ConnectionLimit', 'set_filter_state.v3.Config',
].map((m) => `${T}envoy.extensions.filters.network.${m}`));

function list(json: Json, key: string): readonly unknown[] {
  const value = json[key];
  return Array.isArray(value) ? value : [];
}

function typeOf(filter: unknown): string | undefined {
  if (!isPlainObject(filter) || !isPlainObject(filter.typed_config)) return undefined;
  const t = filter.typed_config['@type'];
  return typeof t === 'string' ? t : undefined;
}

function terminalOrder(ctx: WalkContext, filters: readonly unknown[], path: Path, terminal: ReadonlySet<string>, nonTerminal: ReadonlySet<string>, what: string): void {
  filters.forEach((filter, i) => {
    const type = typeOf(filter);
    if (type === undefined) return;
    const last = i === filters.length - 1;
    if (!last && terminal.has(type)) ctx.sink.add(indexPath(path, i), 'envoy.terminal_filter', `terminal filter ${type.slice(T.length)} must be the last filter in a ${what}`);
    if (last && nonTerminal.has(type)) ctx.sink.add(indexPath(path, i), 'envoy.terminal_filter', `non-terminal filter ${type.slice(T.length)} is the last filter in a ${what}`);
  });
}

/** Every combination of the match fields one filter chain covers, or `undefined` past `limit`. */
function matchKeys(match: unknown, limit: number): string[] | undefined {
  const m = isPlainObject(match) ? match : {};
  const axis = (key: string, canon: (v: unknown) => string): string[] => {
    const values = Array.isArray(m[key]) ? (m[key] as unknown[]) : [];
    return values.length === 0 ? ['*'] : values.map(canon);
  };
  const cidr = (v: unknown): string => (isPlainObject(v) ? `${String(v.address_prefix ?? '').toLowerCase()}/${String(v.prefix_len ?? '')}` : JSON.stringify(v));
  const scalar = (key: string): string[] => [m[key] === undefined || m[key] === null ? '*' : JSON.stringify(isPlainObject(m[key]) ? (m[key] as Json).value : m[key])];
  const axes = [
    scalar('destination_port'), axis('prefix_ranges', cidr), axis('direct_source_prefix_ranges', cidr),
    axis('server_names', (v) => String(v).toLowerCase()), scalar('transport_protocol'), axis('application_protocols', String),
    scalar('source_type'), axis('source_prefix_ranges', cidr), axis('source_ports', String),
  ];
  let keys = [''];
  for (const values of axes) {
    if (keys.length * values.length > limit) return undefined;
    keys = keys.flatMap((k) => values.map((v) => `${k}|${v}`));
  }
  return keys;
}

const HOOKS: ReadonlyMap<string, Hook> = new Map<string, Hook>([
  ['envoy.type.matcher.v3.RegexMatcher', (ctx, json, path) => {
    if (typeof json.regex !== 'string') return;
    const problem = re2Problem(json.regex);
    if (problem !== undefined) ctx.sink.add(fieldPath(path, 'regex'), 'envoy.regex', `RE2 refuses the regex: ${problem}`);
  }],
  ['envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', (ctx, json, path) => {
    terminalOrder(ctx, list(json, 'http_filters'), fieldPath(path, 'http_filters'), TERMINAL_HTTP, NON_TERMINAL_HTTP, 'http filter chain');
  }],
  ['envoy.config.listener.v3.FilterChain', (ctx, json, path) => {
    terminalOrder(ctx, list(json, 'filters'), fieldPath(path, 'filters'), TERMINAL_NETWORK, NON_TERMINAL_NETWORK, 'network filter chain');
  }],
  ['envoy.config.listener.v3.Listener', (ctx, json, path) => {
    if (json.filter_chain_matcher !== undefined && json.filter_chain_matcher !== null) return;
    const owner = new Map<string, number>();
    list(json, 'filter_chains').forEach((chain, i) => {
      const keys = matchKeys(isPlainObject(chain) ? chain.filter_chain_match : undefined, 4096);
      if (!keys) return;
      for (const key of keys) {
        const other = owner.get(key);
        if (other !== undefined && other !== i) {
          ctx.sink.add(fieldPath(indexPath(fieldPath(path, 'filter_chains'), i), 'filter_chain_match'), 'envoy.filter_chain_match',
            `filter chain ${i} matches the same connections as filter chain ${other} (Envoy: multiple filter chains with the same matching rules)`);
          return;
        }
        owner.set(key, i);
      }
    });
  }],
  ['envoy.config.route.v3.RouteConfiguration', (ctx, json, path) => {
    const seen = new Map<string, number>();
    list(json, 'virtual_hosts').forEach((vh, i) => {
      if (!isPlainObject(vh)) return;
      list(vh, 'domains').forEach((domain, j) => {
        if (typeof domain !== 'string') return;
        const key = domain.toLowerCase();
        const other = seen.get(key);
        if (other !== undefined) {
          ctx.sink.add(indexPath(fieldPath(indexPath(fieldPath(path, 'virtual_hosts'), i), 'domains'), j), 'envoy.unique_domains', `domain ${JSON.stringify(domain)} is already used by virtual host ${other}`);
        } else seen.set(key, i);
      });
    });
  }],
  ['envoy.config.bootstrap.v3.Bootstrap.StaticResources', (ctx, json, path) => {
    for (const key of ['listeners', 'clusters']) {
      const seen = new Set<string>();
      list(json, key).forEach((item, i) => {
        const name = isPlainObject(item) ? item.name : undefined;
        if (typeof name !== 'string' || name === '') return;
        if (seen.has(name)) ctx.sink.add(fieldPath(indexPath(fieldPath(path, key), i), 'name'), 'envoy.unique_names', `duplicate ${key.slice(0, -1)} name ${JSON.stringify(name)}`);
        seen.add(name);
      });
    }
  }],
]);

/** The `envoy.*` rule names these checks report. */
export const ENVOY_SEMANTIC_RULES = ['envoy.regex', 'envoy.terminal_filter', 'envoy.filter_chain_match', 'envoy.unique_domains', 'envoy.unique_names'] as const;

/** Runs the semantic checks registered for a message type (after its fields were walked). */
export function checkEnvoySemantics(ctx: WalkContext, fullName: string, json: Json, path: Path): void {
  HOOKS.get(fullName)?.(ctx, json, path);
}
