/**
 * Envoy accepts every golden case: each `compile/*.resources.yaml` (and stage 2's hand-written `translate/*.resources.yaml`) is served to a real Envoy 1.40
 * over ADS by sluice's own xDS server, and must be ACKed. The PGV checker in compile.test.ts stays
 * the fast path (every resource, in microseconds); Envoy is the authority.
 *
 * How, and why this way (figures measured on a 2-core machine; details in docs/envoy-validation.md):
 * - One Envoy for the whole file, fed one snapshot after another over one ADS stream, each step
 *   starting from an empty Envoy (envoy-harness.ts): ~50 ms a step, 59 steps in ~3 s after one
 *   boot of ~0.2–0.3 s. An Envoy per step costs ~300 ms a step (boot, serve, stop), ~18 s.
 *   `envoy --mode validate` is no faster (~60 ms a process) and would check a translation
 *   (static listeners, RDS inlined, ADS config sources replaced), not what sluice serves; serving
 *   over xDS is what production does, with ACK/NACK, warming and the RDS subscription.
 * - Envoy runs in a network namespace of its own, so the golden listeners bind their real ports
 *   and addresses (0.0.0.0:15006 transparent, 0.0.0.0:15001, 127.0.0.1:7443...), nothing is
 *   rewritten, and nothing clashes with the suites running beside this one. Root is needed (the
 *   namespace, the transparent inbound listener); CI has it.
 * - What is served (envoy-cases.ts): every Envoy node's resources; the proxyless view (client
 *   HCMs inside harness listeners, since Envoy ignores api_listeners over LDS; server listeners,
 *   clusters and endpoints as they are). Kafka enforcer nodes are skipped: not Envoy's type.
 * - The verdict per step: every resource ACKed at its served version, listeners active (not
 *   warming), routes and clusters in /config_dump; on a NACK, the failure names the case, the node
 *   and Envoy's message. The last tests break golden resources on purpose to prove a NACK fails.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { checkResource } from '../../envoy-api/index.js';
import { goldenResourceCases, readGoldenCase, LISTENER, type GoldenCase, type GoldenResource, type Step } from './envoy-cases.js';
import { GoldenEnvoy, describeEnvoyNetns, type Verdict } from './envoy-harness.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'compile');
/** Stage 2's hand-written IR cases (translate.test.ts), as `ir/<case>`. */
const IR_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'translate');
const cases: GoldenCase[] = [
  ...goldenResourceCases(DIR).map((name) => readGoldenCase(DIR, name)),
  ...goldenResourceCases(IR_DIR).map((name) => ({ ...readGoldenCase(IR_DIR, name), name: `ir/${name}` })),
];
/** Each case's wall time, for the summary line (the suite's own measurement). */
const timings = new Map<string, number>();
/** Long enough for every step's own deadlines, so a timeout still fails with the harness's reason. */
const CASE_TIMEOUT_MS = 120_000;

/** What a failed expectation prints: the case, the step and Envoy's own words. */
const outcome = (c: string, step: string, v: Verdict) => ({ case: c, step, verdict: v.ok ? 'ACKed' : v.reason });

describeEnvoyNetns('real Envoy accepts every golden case', () => {
  let golden: GoldenEnvoy | undefined;
  const envoy = (): GoldenEnvoy => {
    if (!golden) throw new Error('Envoy did not start');
    return golden;
  };

  beforeAll(async () => {
    golden = await GoldenEnvoy.start();
  }, 60_000);

  afterAll(async () => {
    await golden?.stop();
    const total = [...timings.values()].reduce((a, b) => a + b, 0);
    const slowest = [...timings].sort((a, b) => b[1] - a[1])[0];
    if (golden) console.log(`[envoy-accepts] boot ${golden.bootMs.toFixed(0)} ms; ${timings.size} cases served in ${total.toFixed(0)} ms${slowest ? ` (slowest ${slowest[0]}: ${slowest[1].toFixed(0)} ms)` : ''}`);
  });

  it('covers every resources file; only invalid cases have nothing for Envoy', () => {
    expect(cases.length).toBeGreaterThan(20);
    const empty = cases.filter((c) => c.steps.length === 0).map((c) => c.name);
    expect(empty.filter((n) => !n.startsWith('invalid-'))).toEqual([]);
    console.log(`[envoy-accepts] ${cases.length} resources files, ${cases.reduce((n, c) => n + c.steps.length, 0)} steps; nothing for Envoy in ${empty.join(', ')}`);
    for (const c of cases) for (const s of c.skipped) console.log(`[envoy-accepts] ${c.name}: skipped ${s}`);
  });

  for (const c of cases.filter((x) => x.steps.length > 0)) {
    it(c.name, async () => {
      const t0 = performance.now();
      for (const step of c.steps) {
        const v = await envoy().serve(step);
        expect(outcome(c.name, step.label, v)).toEqual(outcome(c.name, step.label, { ok: true, ms: 0 }));
      }
      timings.set(c.name, performance.now() - t0);
    }, CASE_TIMEOUT_MS);
  }

  // ---- The harness detects what Envoy refuses: golden resources broken on purpose ----

  it('a cluster Envoy refuses but the PGV checker passes (ORIGINAL_DST with ROUND_ROBIN) fails with Envoy\'s message', async () => {
    const step = broken('http-matchers', 'node node-a', CLUSTER, 'sluice|original_dst|inbound', (c) => ({ ...c, lb_policy: 'ROUND_ROBIN' }));
    expect(checkResource(CLUSTER, resourceOf(step, CLUSTER, 'sluice|original_dst|inbound').json)).toEqual([]);
    const v = await envoy().serve(step);
    expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(/^Envoy NACKed CDS version \S+: .*ORIGINAL_DST/s) });
  });

  it('a route Envoy refuses but the PGV checker passes (prefix_rewrite with regex_rewrite) fails with Envoy\'s message', async () => {
    const step = broken('http-matchers', 'node node-a', ROUTES, 'inbound|8080|shop/orders', (rc) => withRoute(rc, (r) => ({ ...r, route: { ...(r['route'] as object), prefix_rewrite: '/v2', regex_rewrite: { pattern: { regex: '^/v1' }, substitution: '/v2' } } })));
    expect(checkResource(ROUTES, resourceOf(step, ROUTES, 'inbound|8080|shop/orders').json)).toEqual([]);
    const v = await envoy().serve(step);
    expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(/^Envoy NACKed RDS version \S+: .*prefix_rewrite/s) });
  });

  it('a listener with two identical filter chain matches is refused by both: the PGV checker and Envoy (with its message)', async () => {
    const step = broken('http-matchers', 'node node-a', LISTENER, 'inbound', (l) => {
      const chains = l['filter_chains'] as Record<string, unknown>[];
      return { ...l, filter_chains: [...chains, { ...chains[0], name: 'copy' }] };
    });
    expect(checkResource(LISTENER, resourceOf(step, LISTENER, 'inbound').json).map((x) => x.rule)).toContain('envoy.filter_chain_match');
    const v = await envoy().serve(step);
    expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(/^Envoy NACKed LDS version \S+: .*filter chain 'copy' has the same matching rules defined as 'inbound\|8080\|shop\/orders'/s) });
  });

  it('why client HCMs are served inside harness listeners: Envoy ACKs an api_listener over LDS and ignores it', async () => {
    const v = await envoy().serve(clientApiListeners('http-matchers'));
    expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(/^not in Envoy's config: listener \S+ is absent/) });
    expect(v.ok === false && v.reason.includes('NACK')).toBe(false);
  });
});

const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const ROUTES = 'envoy.config.route.v3.RouteConfiguration';

function stepOf(caseName: string, label: string): Step {
  const step = cases.find((c) => c.name === caseName)?.steps.find((s) => s.label === label);
  if (!step) throw new Error(`golden case ${caseName} has no step ${label}`);
  return step;
}

function resourceOf(step: Step, message: string, name: string): GoldenResource {
  const r = step.resources.find((x) => x.message === message && x.name === name);
  if (!r) throw new Error(`${step.label} has no ${message} ${name}`);
  return r;
}

/** A golden step with one resource replaced by `edit` of a copy of it. */
function broken(caseName: string, label: string, message: string, name: string, edit: (json: Record<string, unknown>) => Record<string, unknown>): Step {
  const step = stepOf(caseName, label);
  const target = resourceOf(step, message, name);
  return { label: `${label}, ${message} ${name} broken`, resources: step.resources.map((r) => (r === target ? { ...r, json: edit(structuredClone(r.json)) } : r)) };
}

/** A route configuration whose first route is replaced by `edit` of it. */
function withRoute(rc: Record<string, unknown>, edit: (route: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> {
  const [vh, ...vhs] = rc['virtual_hosts'] as Record<string, unknown>[];
  const [route, ...routes] = (vh?.['routes'] ?? []) as Record<string, unknown>[];
  if (!vh || !route) throw new Error('no route to break');
  return { ...rc, virtual_hosts: [{ ...vh, routes: [edit(route), ...routes] }, ...vhs] };
}

/**
 * The client Listeners of a proxyless step as the golden file has them (api_listeners), with
 * their clusters: no route configurations, since Envoy never asks for them (it builds no HCM).
 */
function clientApiListeners(caseName: string): Step {
  const step = stepOf(caseName, 'proxyless');
  const clientHcm = (json: Record<string, unknown>): unknown => (json['filter_chains'] as { filters: { typed_config: unknown }[] }[] | undefined)?.[0]?.filters[0]?.typed_config;
  const resources = step.resources.flatMap((r): GoldenResource[] => {
    if (r.message === ROUTES) return [];
    if (r.message !== LISTENER || r.name.startsWith('grpc/server')) return [r];
    return [{ ...r, json: { name: r.name, api_listener: { api_listener: clientHcm(r.json) } }, references: [] }];
  });
  return { label: 'proxyless client Listeners as api_listeners', resources };
}
