/**
 * The flow log is on every listener the compiler emits for Envoy: every golden case and the
 * examples are compiled, and every filter chain of every Envoy Listener (the default chain
 * included) is walked. Each HTTP connection manager carries `envoy.access_loggers.http_grpc`
 * pointed at the xDS cluster (where serve's collector listens) with the log name of its listener's
 * direction, plus the stdout logger when the node asks for it, and nothing when the node asks for
 * none; the only chains without an HTTP connection manager are the closing chains, which close
 * the connection before any request exists: the `sluice|unmatched` default chains, and the
 * `sluice|tls-unavailable|…` chains of ports whose TLS cannot be served (the invalid-tls cases),
 * which first set their refusal (policy, rule, a "TLS unavailable" reason) in the connection's
 * filter state when the node has a log. Their flow log is the listener's own
 * (`Listener.access_log`), `envoy.access_loggers.tcp_grpc` to the xDS cluster with the same log
 * name, carrying that filter state and kept by its CEL filter to the connections of exactly the
 * closing chains (when the node asks for flows), and the stdout logger with the same filter (when
 * it asks for stdout); nothing otherwise. A new kind of chain (a TCP proxy, a passthrough) fails
 * here until it is given a flow log or a reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { ACCESS_LOG_NAME, REFUSAL_STATE, UNMATCHED_CHAIN, closingChainFilter, compileSources, isTlsUnavailableReason, parseClosingChain, irFromPlainJson, translate, XDS_CLUSTER, type Ir, type SourceFile, type Translation } from '../../policy-compiler/index.js';
import { goldenCases } from '../support/golden.js';
import { readCaseSecrets, caseCatalog } from './secrets.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.join(HERE, 'compile');
const TRANSLATE_DIR = path.join(HERE, 'translate');
const EXAMPLES = path.join(HERE, '..', '..', 'examples');

interface Filter { readonly name: string; readonly typed_config?: Record<string, unknown> }
interface Chain { readonly name?: string; readonly filters?: readonly Filter[] }
interface ListenerJson { readonly name: string; readonly traffic_direction?: string; readonly access_log?: readonly AccessLog[]; readonly filter_chains?: readonly Chain[]; readonly default_filter_chain?: Chain }
interface AccessLog { readonly name: string; readonly filter?: { readonly extension_filter?: { readonly name?: string; readonly typed_config?: { readonly expression?: string } } }; readonly typed_config?: { readonly common_config?: { readonly log_name?: string; readonly grpc_service?: { readonly envoy_grpc?: { readonly cluster_name?: string } }; readonly filter_state_objects_to_log?: readonly string[] } } }
interface FilterStateValue { readonly object_key?: string; readonly factory_key?: string; readonly format_string?: { readonly text_format_source?: { readonly inline_string?: string } } }

const HCM = 'envoy.filters.network.http_connection_manager';

/** What a chain's access logs must be for a node's `accessLog` setting. */
function wanted(accessLog: readonly string[]): string {
  return accessLog.map((s) => (s === 'flows' ? 'grpc log_name ok to xds' : `envoy.access_loggers.${s}`)).join(' + ') || 'none';
}

/** What is wrong with a closing chain's filters ('' : nothing): direct_response alone, after the refusal's filter state for a TLS-unavailable chain of a node with a log. */
function closingFilters(chain: Chain, isDefault: boolean, logged: boolean): string {
  const closing = parseClosingChain(chain.name ?? '');
  const names = (chain.filters ?? []).map((f) => f.name);
  if (isDefault) return closing?.kind === 'unmatched' && names.join(', ') === 'envoy.filters.network.direct_response' ? '' : `not a closing default chain (${names.join(', ')})`;
  if (closing?.kind !== 'tls-unavailable') return `no HCM (${names.join(', ')})`;
  if (!logged) return names.join(', ') === 'envoy.filters.network.direct_response' ? '' : `closes with ${names.join(', ')}`;
  if (names.join(', ') !== 'envoy.filters.network.set_filter_state, envoy.filters.network.direct_response') return `closes with ${names.join(', ')}`;
  const values = ((chain.filters?.[0]?.typed_config?.['on_new_connection'] ?? []) as readonly FilterStateValue[]);
  const state = Object.fromEntries(values.map((v) => [v.object_key, v.factory_key === 'envoy.string' ? v.format_string?.text_format_source?.inline_string : undefined]));
  const reason = state[REFUSAL_STATE.reason] ?? '';
  const rule = state[REFUSAL_STATE.rule] ?? '';
  return isTlsUnavailableReason(reason) && rule.startsWith(`${state[REFUSAL_STATE.policy] ?? '?'}#`) && values.length === 3 ? '' : `refusal state ${JSON.stringify(state)}`;
}

/**
 * One line per chain of every Envoy Listener that is not what its node asks for (the logs it
 * has, or why it has none), and how many HTTP chains, default chains and TLS-unavailable chains were walked.
 */
function walk(t: Translation, ir: Ir): { wrong: string[]; hcms: number; unmatched: number; tlsUnavailable: number } {
  const out: string[] = [];
  let hcms = 0;
  let unmatched = 0;
  let tlsUnavailable = 0;
  for (const node of t.nodes.filter((n) => n.kind === 'envoy')) {
    const setting = ir.envoyNodes.find((n) => n.node === node.node)?.accessLog;
    if (!setting) throw new Error(`no IR node ${node.node}`);
    for (const r of node.resources.filter((x) => x.message === 'envoy.config.listener.v3.Listener')) {
      const l = r.json as unknown as ListenerJson;
      const direction = l.traffic_direction === 'INBOUND' ? 'inbound' : l.traffic_direction === 'OUTBOUND' ? 'outbound' : `?${l.traffic_direction}`;
      for (const chain of [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
        const filters = chain.filters ?? [];
        const hcm = filters.find((f) => f.name === HCM);
        if (!hcm) {
          const wrongFilters = closingFilters(chain, chain === l.default_filter_chain, setting.length > 0);
          if (wrongFilters) {
            out.push(`${node.node} ${l.name} ${chain.name}: ${wrongFilters}`);
            continue;
          }
          if (chain !== l.default_filter_chain) {
            tlsUnavailable += 1;
            continue;
          }
          expect(chain.name).toBe(UNMATCHED_CHAIN);
          const logs = (l.access_log ?? []).map((a) => {
            const common = a.typed_config?.common_config;
            const only = a.filter?.extension_filter;
            const filter = only?.name === 'envoy.access_loggers.extension_filters.cel' && only.typed_config?.expression === closingChainFilter() ? 'only closing chains' : `filter ${JSON.stringify(only)}`;
            if (a.name === 'envoy.access_loggers.stdout') return `${a.name} ${filter}`;
            const state = JSON.stringify(common?.filter_state_objects_to_log) === JSON.stringify(Object.values(REFUSAL_STATE)) ? 'with the refusal' : `state ${JSON.stringify(common?.filter_state_objects_to_log)}`;
            return `${a.name} ${common?.log_name === ACCESS_LOG_NAME[direction as 'inbound'] ? 'log_name ok' : `log_name ${common?.log_name}`} ${common?.grpc_service?.envoy_grpc?.cluster_name === XDS_CLUSTER ? 'to xds' : 'elsewhere'} ${state} ${filter}`;
          });
          const has = logs.join(' + ') || 'none';
          const want = [
            ...(setting.includes('flows') ? ['envoy.access_loggers.tcp_grpc log_name ok to xds with the refusal only closing chains'] : []),
            ...(setting.includes('stdout') ? ['envoy.access_loggers.stdout only closing chains'] : []),
          ].join(' + ') || 'none';
          if (has !== want) out.push(`${node.node} ${l.name} listener (for ${chain.name}): ${has}, the node asks for ${want}`);
          unmatched += 1;
          continue;
        }
        hcms += 1;
        const logs = ((hcm.typed_config?.['access_log'] ?? []) as readonly AccessLog[]).map((a) =>
          a.name === 'envoy.access_loggers.http_grpc'
            ? `grpc ${a.typed_config?.common_config?.log_name === ACCESS_LOG_NAME[direction as 'inbound'] ? 'log_name ok' : `log_name ${a.typed_config?.common_config?.log_name}`} ${a.typed_config?.common_config?.grpc_service?.envoy_grpc?.cluster_name === XDS_CLUSTER ? 'to xds' : 'elsewhere'}`
            : a.name);
        const has = logs.join(' + ') || 'none';
        if (has !== wanted(setting)) out.push(`${node.node} ${l.name} ${chain.name}: ${has}, the node asks for ${wanted(setting)}`);
      }
    }
  }
  return { wrong: out, hcms, unmatched, tlsUnavailable };
}

const examples = (accessLog?: string): SourceFile[] => {
  let inventory = fs.readFileSync(path.join(EXAMPLES, 'inventory.yaml'), 'utf8');
  if (accessLog !== undefined) inventory = inventory.replace(/^(\s+)outboundPort: 15001$/m, `$1outboundPort: 15001\n$1accessLog: ${accessLog}`);
  return [{ name: 'inventory.yaml', text: inventory }, ...fs.readdirSync(path.join(EXAMPLES, 'policies')).map((f) => ({ name: f, text: fs.readFileSync(path.join(EXAMPLES, 'policies', f), 'utf8') }))];
};

describe('the flow log on every Envoy listener the compiler emits', () => {
  let hcms = 0;
  let tlsUnavailable = 0;

  it.each(goldenCases(DIR))('compile/%s', (name) => {
    const secrets = readCaseSecrets(DIR, name);
    const result = compileSources([{ name: `${name}.in.yaml`, text: fs.readFileSync(path.join(DIR, `${name}.in.yaml`), 'utf8') }], secrets ? caseCatalog(secrets) : undefined);
    if (!result.output) return;
    const walked = walk(result.output, result.output.ir);
    hcms += walked.hcms;
    tlsUnavailable += walked.tlsUnavailable;
    expect(walked.wrong).toEqual([]);
  });

  it.each(goldenCases(TRANSLATE_DIR, '.ir.yaml'))('translate/%s (IR written by hand)', (name) => {
    const ir = irFromPlainJson(parse(fs.readFileSync(path.join(TRANSLATE_DIR, `${name}.ir.yaml`), 'utf8')));
    const walked = walk(translate(ir), ir);
    hcms += walked.hcms;
    expect(walked.wrong).toEqual([]);
  });

  it('walked HTTP chains and TLS-unavailable chains in the golden cases (the walk finds what it checks)', () => {
    expect(hcms).toBeGreaterThan(20);
    expect(tlsUnavailable).toBeGreaterThanOrEqual(10);
  });

  it.each([[undefined, ['flows']], ['[flows, stdout]', ['flows', 'stdout']], ['[stdout]', ['stdout']], ['[]', []]] as const)('the examples with accessLog %s', (accessLog, setting) => {
    const result = compileSources(examples(accessLog));
    if (!result.output) throw new Error(`the examples do not compile: ${JSON.stringify(result.diagnostics)}`);
    expect(result.output.ir.envoyNodes.map((n) => n.accessLog)).toEqual([setting]);
    const walked = walk(result.output, result.output.ir);
    expect(walked.hcms).toBeGreaterThan(0);
    expect(walked.unmatched).toBe(2);
    expect(walked.wrong).toEqual([]);
  });
});
