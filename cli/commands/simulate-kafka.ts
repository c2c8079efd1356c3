/**
 * `sluice simulate --kafka-api API …`: one Kafka request judged by the KafkaPolicy the Kafka
 * enforcer in front of the broker would hold, through the enforcer's own request code
 * (kafka-proxy's simulateKafkaRequest), with what it cannot judge said instead of guessed.
 */
import { MESSAGES } from '../../envoy-api/index.js';
import { formatHostPort } from '../../ip/index.js';
import {
  apiKeyOf, apiNameOf, PolicyStore, simulateKafkaRequest, validateKafkaPolicy,
  type KafkaPolicy, type KafkaPolicyJson, type KafkaSimResult,
} from '../../kafka-proxy/index.js';
import type { CompileOutput } from '../../policy-compiler/index.js';
import { EXIT, UsageError, type CommandIo } from '../command.js';

export interface KafkaSimArgs {
  readonly api: string;
  readonly apiVersion?: string;
  readonly clientId?: string;
  readonly from: string;
  readonly to: { readonly host: string; readonly port: number };
  readonly topics: readonly string[];
  readonly groups: readonly string[];
  readonly transactionalId?: string;
}

/** The KafkaPolicy resources of every Kafka enforcer, as the enforcers validate them, and the node of each. */
export function compiledKafkaPolicies(output: CompileOutput): { readonly store: PolicyStore; readonly nodeOf: ReadonlyMap<string, string> } {
  const policies: KafkaPolicy[] = [];
  const nodeOf = new Map<string, string>();
  for (const node of output.nodes) {
    if (node.kind !== 'kafka') continue;
    for (const r of node.resources) {
      if (r.message !== MESSAGES.kafkaPolicy) continue;
      policies.push(validateKafkaPolicy(r.json as KafkaPolicyJson).policy);
      nodeOf.set(r.name, node.node);
    }
  }
  const store = new PolicyStore();
  store.set(policies);
  return { store, nodeOf };
}

/** The Kafka policy covering a broker endpoint, if a Kafka enforcer protects it. */
export function kafkaPolicyAt(output: CompileOutput, host: string, port: number): { readonly policy: KafkaPolicy; readonly node: string } | undefined {
  const { store, nodeOf } = compiledKafkaPolicies(output);
  const policy = store.lookup(host, port);
  return policy ? { policy, node: nodeOf.get(policy.name) ?? '' } : undefined;
}

function formatResult(args: KafkaSimArgs, at: { policy: KafkaPolicy; node: string }, r: KafkaSimResult): string {
  const target = formatHostPort(args.to.host, args.to.port);
  const where = `Kafka enforcer ${at.node}, policy ${at.policy.policy} (${at.policy.mode})`;
  const lines = [`${apiNameOf(apiKeyOf(args.api) ?? -1)} v${r.apiVersion} from ${args.from} to ${target}: ${where}`];
  const w = Math.max(...r.decisions.map((d) => `${d.kind} ${d.name}`.trim().length), 7);
  for (const d of r.decisions) lines.push(`  ${(d.verdict.allowed ? 'ALLOW' : 'DENY').padEnd(6)} ${`${d.kind} ${d.name}`.trim().padEnd(w)}  ${d.verdict.ruleId}`);
  lines.push(`  outcome: ${r.outcome}${r.outcome === 'audit_deny' ? ' (audit mode: forwarded, logged as would-deny)' : r.outcome === 'partial' ? ' (the denied items are stripped and answered with an authorization error; the rest is forwarded)' : ''}`);
  for (const c of r.cannotJudge) lines.push(`  cannot judge: ${c}`);
  return `${lines.join('\n')}\n`;
}

/** Exit 0 when the enforcer would forward the request whole (or only log it, in audit), 1 when it would deny any of it. */
export function runKafkaSimulation(output: CompileOutput, args: KafkaSimArgs, format: 'text' | 'json', io: CommandIo): number {
  const apiKey = apiKeyOf(args.api) ?? (/^\d{1,5}$/.test(args.api) ? Number(args.api) : undefined);
  if (apiKey === undefined) throw new UsageError(`--kafka-api: expected a Kafka API name such as Produce, Fetch or JoinGroup (or its key), got "${args.api}"`);
  let apiVersion: number | undefined;
  if (args.apiVersion !== undefined) {
    if (!/^\d{1,5}$/.test(args.apiVersion)) throw new UsageError(`--api-version: expected a version number, got "${args.apiVersion}"`);
    apiVersion = Number(args.apiVersion);
  }
  const at = kafkaPolicyAt(output, args.to.host, args.to.port);
  if (!at) {
    const reason = `no Kafka policy covers ${formatHostPort(args.to.host, args.to.port)}: no Kafka enforcer is configured for it (one it passes through anyway decides by its --uncovered flag, deny by default)`;
    io.stdout(format === 'json' ? `${JSON.stringify({ handledBy: null, outcome: 'allow', reason }, null, 2)}\n` : `ALLOW  ${reason}\n`);
    return EXIT.ok;
  }
  const result = simulateKafkaRequest(at.policy, {
    apiKey, clientId: args.clientId ?? null, peer: args.from, topics: args.topics, groups: args.groups,
    ...(apiVersion !== undefined ? { apiVersion } : {}), ...(args.transactionalId !== undefined ? { transactionalId: args.transactionalId } : {}),
  });
  if (typeof result === 'string') {
    io.stderr(`sluice simulate: cannot judge: ${result}\n`);
    return EXIT.invalid;
  }
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ handledBy: { node: at.node, resource: at.policy.name, policy: at.policy.policy, mode: at.policy.mode }, ...result }, null, 2)}\n`);
  } else io.stdout(formatResult(args, at, result));
  return result.outcome === 'allow' || result.outcome === 'audit_deny' ? EXIT.ok : EXIT.invalid;
}
