/** The CLI as users meet it: help everywhere, precise errors, exit codes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, afterAll } from '@jest/globals';
import { parse } from 'yaml';
import { runCli, type CliResult } from '../support/run-cli.js';
import { eventually, freePort } from '../support/poll.js';
import { checkResource } from '../../envoy-api/index.js';
import { defaultStateDir, STATE_FILE } from '../../controller/index.js';
import { FlowPusher, flowFromJson, flowToJson, kafkaFlow } from '../../flows/index.js';
import { flow, T0 } from '../flows/fixtures.js';

const EXAMPLES = path.resolve('examples');

describe('sluice CLI', () => {
  it('lists every command with a summary', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of ['serve', 'validate', 'compile', 'bootstrap']) expect(r.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
  });

  it('answers an unknown command with the command list and exit 2', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it.each(['serve', 'validate', 'compile', 'bootstrap'])('%s --help prints usage and exits 0', async (name) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: sluice ${name}`));
  });

  it('rejects an unknown flag as a usage error', async () => {
    const r = await runCli(['validate', '--strictly', 'x.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--strictly'/);
  });

  it('validates the shipped examples', async () => {
    const r = await runCli(['validate', EXAMPLES]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 invalid; 0 error\(s\)/);
  });

  it('exits 1 with file:line:column diagnostics for an invalid policy', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-'));
    try {
      const file = path.join(dir, 'p.yaml');
      fs.writeFileSync(file, 'apiVersion: sluice.dev/v1alpha1\nkind: L7Policy\nmetadata: { name: p }\nspec:\n  selector: {}\n  mode: sometimes\n');
      const r = await runCli(['validate', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${file}:6:9: error: spec.mode: must be one of "enforce", "audit", not "sometimes" [schema.enum]`);
      const json = await runCli(['validate', '-o', 'json', file]);
      expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, diagnostics: [{ path: 'spec.mode', line: 6, column: 9, code: 'schema.enum' }] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file instead of crashing', async () => {
    const r = await runCli(['validate', '/nonexistent/policy.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/nonexistent\/policy\.yaml: error: no such file or directory \[source\.unreadable\]/);
  });

  it('compiles the examples for one node', async () => {
    const r = await runCli(['compile', '--inventory', path.join(EXAMPLES, 'inventory.yaml'), '--node', 'node-a', path.join(EXAMPLES, 'policies')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [view] = parse(r.stdout) as { node: string; listeners: { name: string }[]; clusters: { name: string }[] }[];
    expect(view?.node).toBe('node-a');
    expect(view?.listeners.map((l) => l.name)).toEqual(['inbound', 'outbound']);
    expect(view?.clusters.map((c) => c.name)).toEqual(['sluice|original_dst|inbound', 'sluice|original_dst|outbound']);
  });

  it('shows the redirect entries and the IR', async () => {
    const redirects = await runCli(['compile', '--inventory', path.join(EXAMPLES, 'inventory.yaml'), '--show', 'redirects', '-o', 'json', path.join(EXAMPLES, 'policies')]);
    expect(JSON.parse(redirects.stdout)).toEqual([
      { node: 'kafka-a', direction: 'inbound', address: '10.1.0.20', port: 9092, proxyPort: 15092, failOpen: false },
      { node: 'node-a', direction: 'inbound', address: '10.1.0.7', port: 8080, proxyPort: 15006, failOpen: false },
    ]);
    const ir = await runCli(['compile', '--inventory', path.join(EXAMPLES, 'inventory.yaml'), '--show', 'ir', '--node', 'proxyless', path.join(EXAMPLES, 'policies')]);
    expect(parse(ir.stdout)).toMatchObject({ proxyless: [{ workload: 'vault/ledger', port: 7443 }] });
  });

  it('says which nodes exist when --node names none', async () => {
    const r = await runCli(['compile', '--inventory', path.join(EXAMPLES, 'inventory.yaml'), '--node', 'node-z', path.join(EXAMPLES, 'policies')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown node "node-z"; the inventory has kafka-a, node-a, proxyless/);
  });

  it('needs an inventory to compile', async () => {
    const r = await runCli(['compile', path.join(EXAMPLES, 'policies')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--inventory FILE is required/);
  });

  it('prints an Envoy bootstrap that passes Envoy\'s own validation rules', async () => {
    const r = await runCli(['bootstrap', '--node', 'node-a', '--xds-address', '10.0.0.1:18000', '-o', 'json']);
    expect(r.code).toBe(0);
    const bootstrap = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(bootstrap).toMatchObject({ node: { id: 'node-a' }, dynamic_resources: { ads_config: { api_type: 'DELTA_GRPC' } } });
    expect(checkResource('envoy.config.bootstrap.v3.Bootstrap', bootstrap)).toEqual([]);
    const sotw = await runCli(['bootstrap', '--node', 'node-a', '--xds-api', 'sotw', '-o', 'json']);
    expect(JSON.parse(sotw.stdout)).toMatchObject({ dynamic_resources: { ads_config: { api_type: 'GRPC' } } });
    const bad = await runCli(['bootstrap', '--node', 'node-a', '--xds-api', 'rest']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--xds-api: expected delta or sotw')]);
  });

  it('rejects a bad bootstrap address with the flag name', async () => {
    const r = await runCli(['bootstrap', '--node', 'n', '--xds-address', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--xds-address: expected HOST:PORT/);
  });
});

describe('sluice simulate', () => {
  const base = ['simulate', '--inventory', path.join(EXAMPLES, 'inventory.yaml')];
  const policies = path.join(EXAMPLES, 'policies');

  it('names the rule that allows a request, exit 0', async () => {
    const r = await runCli([...base, '--from', '10.1.0.9', '--to', '10.1.0.7:8080', '--path', '/v1/orders/7', '-H', 'x-tenant: acme', policies]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('enforced: ALLOW  shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]');
  });

  it('names the deny rule that wins, exit 1', async () => {
    const r = await runCli([...base, '--from', '10.1.0.9', '--to', '10.1.0.7:8080', '--path', '/v1/orders/admin/7', '-o', 'json', policies]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ handledBy: { chain: 'inbound|8080|shop/orders' }, enforced: { verdict: 'deny', rule: 'shop/orders-api#spec.ingress[0].toPorts[0].deny.http[0]' } });
  });

  it('says when nothing covers the destination', async () => {
    const r = await runCli([...base, '--to', '10.9.9.9:80', policies]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ALLOW  no policy covers 10\.9\.9\.9:80/);
  });

  it('simulates a gRPC call on a proxyless server', async () => {
    const r = await runCli([...base, '--to', '127.0.0.1:7443', '--grpc', 'vault.v1.Ledger/GetBalance', policies]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/proxyless gRPC server, chain inbound\|7443\|vault\/ledger/);
  });

  it('rejects a malformed header with the flag name', async () => {
    const r = await runCli([...base, '--to', '10.1.0.7:8080', '-H', 'no-colon', policies]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--header: expected "Name: value"/);
  });

  describe('Kafka requests', () => {
    const kafka = [...base, '--from', '10.1.0.9', '--to', '10.1.0.20:9092'];

    it('judges a Produce topic by topic through the enforcer\'s code, exit 1 when any is denied', async () => {
      const r = await runCli([...kafka, '--kafka-api', 'Produce', '--topic', 'invoices', '--topic', 'internal.x', '--client-id', 'billing-1', '-o', 'json', policies]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({
        handledBy: { node: 'kafka-a', policy: 'data/invoices', mode: 'enforce' }, apiVersion: 12, outcome: 'partial',
        decisions: [
          { kind: 'request', verdict: { allowed: true, ruleId: 'data/invoices#spec.ingress[0].toPorts[0].rules.kafka[0]' } },
          { kind: 'topic', name: 'invoices', verdict: { allowed: true } },
          { kind: 'topic', name: 'internal.x', verdict: { allowed: false, ruleId: 'data/invoices#spec.ingress[0].toPorts[0].deny.kafka[0]' } },
        ],
      });
    });

    it('allows what the rules allow, and denies a client id they do not name', async () => {
      const ok = await runCli([...kafka, '--kafka-api', 'Produce', '--topic', 'invoices', '--client-id', 'billing-1', policies]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/outcome: allow/);
      const other = await runCli([...kafka, '--kafka-api', 'Produce', '--topic', 'invoices', '--client-id', 'intruder', policies]);
      expect(other.code).toBe(1);
      expect(other.stdout).toMatch(/DENY\s+request\s+default-deny/);
    });

    it('says what it cannot judge instead of allowing', async () => {
      const plain = await runCli([...kafka, policies]);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(/10\.1\.0\.20:9092 is a Kafka broker port that policy data\/invoices protects \(Kafka enforcer kafka-a\): name the request with --kafka-api/);
      const byId = await runCli([...kafka, '--kafka-api', 'Fetch', '--api-version', '13', '--topic', 'audit.x', policies]);
      expect(byId.code).toBe(1);
      expect(byId.stderr).toMatch(/cannot judge: Fetch v13 names topics by id/);
      const all = await runCli([...kafka, '--kafka-api', 'Metadata', policies]);
      expect(all.stdout).toMatch(/cannot judge: a Metadata request for all topics/);
      expect((await runCli([...kafka, '--kafka-api', 'Bogus', policies])).stderr).toMatch(/--kafka-api: expected a Kafka API name/);
      expect((await runCli([...kafka, '--topic', 'x', policies])).stderr).toMatch(/--topic describes a Kafka request: name its API with --kafka-api/);
    });
  });

  describe('--replay', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-replay-'));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const admin = { method: 'GET', path: '/v1/orders/admin/7', authority: 'orders', status: 200, version: 'HTTP/1.1' };
    const denyRule = 'shop/orders-api#spec.ingress[0].toPorts[0].deny.http[0]';
    const write = (name: string, lines: readonly string[]) => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    };
    const json = (over: Parameters<typeof flow>[0]) => JSON.stringify(flowToJson(flow(over)));

    it('lists the recorded flows whose verdict the policies would change, exit 1', async () => {
      // Recorded under an older, laxer policy: the admin path was forwarded; the examples deny it.
      // The allowed request needs an x-tenant header, which flows do not record: marked approximate.
      const file = write('laxer.jsonl', [json({ http: admin }), json({ http: admin, time: T0 + 1 }), 'not json', json({ verdict: 'denied', rule: denyRule, http: admin }), json({})]);
      const r = await runCli([...base, '--replay', file, policies]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/replayed 4 flow\(s\) against the proposed policies: 3 would change, 1 unchanged/);
      expect(r.stdout).toMatch(/^\s+1  forwarded → denied\s+shop\/web\s+GET \/v1\/orders\/7\s+\(default deny\)  ~$/m);
      expect(r.stdout).toContain('~ the deciding rules match on request headers');
      expect(r.stdout).toMatch(new RegExp(`^\\s+2  forwarded → denied\\s+shop/web\\s+GET /v1/orders/admin/7\\s+${denyRule.replace(/[[\].#]/g, '\\$&')}$`, 'm'));
      expect(r.stderr).toContain(`${file}:3: not a flow record`);
    });

    it('exits 0 when no verdict changes, and says which flows it cannot judge', async () => {
      const kafka = JSON.stringify(flowToJson(flow({ protocol: 'kafka', http: undefined, kafka: { api: 'Produce', apiVersion: 9, topic: 'invoices', group: '', clientId: 'c' } })));
      const file = write('same.jsonl', [json({ verdict: 'denied', rule: denyRule, http: admin }), kafka]);
      const r = await runCli([...base, '--replay', file, '-o', 'json', policies]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ total: 2, unchanged: 1, skipped: 1, groups: [] });
    });

    it('replays Kafka flows with the enforcer\'s evaluation', async () => {
      const broker = { address: '10.1.0.20', port: 9092, workload: 'broker', namespace: 'data', labels: { app: 'kafka' } };
      const produce = (topic: string, verdict: 'forwarded' | 'denied') => JSON.stringify(flowToJson(flow({
        protocol: 'kafka', http: undefined, destination: broker, verdict, kafka: { api: 'Produce', apiVersion: 9, topic, group: '', clientId: 'billing-1' },
      })));
      const file = write('kafka.jsonl', [produce('internal.audit', 'forwarded'), produce('invoices', 'forwarded')]);
      const r = await runCli([...base, '--replay', file, '-o', 'json', policies]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toEqual({ total: 2, unchanged: 1, skipped: 0, groups: [
        { from: 'forwarded', to: 'denied', rule: 'data/invoices#spec.ingress[0].toPorts[0].deny.kafka[0]', peer: 'shop/web', what: 'Produce internal.audit', count: 1, approximate: true },
      ] });
    });

    it('reads the flows of a server, and fails with exit 3 when it cannot', async () => {
      const port = await freePort();
      const r = await runCli([...base, '--replay', `http://127.0.0.1:${port}`, policies]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`cannot read flows from http://127.0.0.1:${port}: .*ECONNREFUSED`));
    });

    it('refuses --to with --replay, and a bad --since', async () => {
      expect((await runCli([...base, '--replay', 'x', '--to', '10.1.0.7:8080', policies])).stderr).toMatch(/use one or the other/);
      expect((await runCli([...base, '--replay', 'x', '--since', 'soon', policies])).stderr).toMatch(/--since: expected a duration/);
    });
  });
});

describe('sluice kafka-proxy', () => {
  it('refuses a bad --flows-address with the flag name', async () => {
    const r = await runCli(['kafka-proxy', '--listen', '127.0.0.1:0', '--node', 'kafka-a', '--xds-address', '127.0.0.1:18000', '--flows-address', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--flows-address: expected HOST:PORT/);
  });
});

describe('sluice serve', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-serve-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Runs serve until `check` has what it waits for, then stops it with a signal. */
  async function serveUntil<T>(args: readonly string[], check: (admin: number, xds: number) => Promise<T | undefined>): Promise<{ found: T; result: CliResult; admin: number; xds: number }> {
    const stop = new AbortController();
    const [xds, admin] = [await freePort(), await freePort()];
    const running = runCli(['serve', '--xds-address', `127.0.0.1:${xds}`, '--admin-address', `127.0.0.1:${admin}`, '--log-level', 'warn', ...args], stop.signal);
    try {
      const found = await eventually(() => check(admin, xds), 'serve to be ready', 15_000);
      stop.abort();
      return { found, result: await running, admin, xds };
    } finally {
      stop.abort();
      await running;
    }
  }
  const readyz = async (admin: number) => {
    const r = await fetch(`http://127.0.0.1:${admin}/readyz`).catch(() => undefined);
    return r?.status === 200 ? r.text() : undefined;
  };

  it('serves the shipped examples by default, prints where it listens, and stops on a signal', async () => {
    const state = path.join(tmp, 'default-state');
    const { found, result: r, admin, xds } = await serveUntil(['--state-dir', state], readyz);
    expect(found).toMatch(/generation 1 published/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`xDS (ADS)  127.0.0.1:${xds}`);
    expect(r.stdout).toContain(`admin      http://127.0.0.1:${admin}/status`);
    expect(r.stdout).toContain(`state      ${path.join(state, STATE_FILE)}`);
    expect(r.stdout).toMatch(/examples\/policies with inventory .*examples\/inventory\.yaml/);
    expect(fs.existsSync(path.join(state, STATE_FILE))).toBe(true);
  });

  it('collects flows on the xDS port into its store and the file export the flow flags name', async () => {
    const file = path.join(tmp, 'flows.jsonl');
    const args = ['--state-dir', path.join(tmp, 'flow-state'), '--flow-store-size', '10', '--flow-export-file', file, '--flow-export-file-size', '1', '--flow-export-file-count', '2'];
    let pusher: FlowPusher | undefined;
    const { found, result } = await serveUntil(args, async (admin, xds) => {
      if (!(await readyz(admin))) return undefined;
      // A Kafka enforcer's push, to the xDS port where serve collects flows.
      if (!pusher) {
        pusher = new FlowPusher({ address: `127.0.0.1:${xds}`, intervalMs: 20 });
        pusher.offer(kafkaFlow({ time: Date.now(), node: 'kafka-a', direction: 'ingress', client: { address: '10.1.0.9', port: 40000 }, broker: { address: '10.1.0.20', port: 9092 }, clientId: 'billing-1', api: 'Produce', version: 9, resource: 'topic', name: 'invoices', verdict: 'allow', rule: 'data/invoices#spec.ingress[0].toPorts[0].rules.kafka[0]', policy: 'data/invoices' }));
      }
      const status = (await (await fetch(`http://127.0.0.1:${admin}/flows/status`)).json()) as { store: { capacity: number; total: number } };
      return status.store.total > 0 && fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('invoices') ? status : undefined;
    });
    await pusher?.close();
    expect(found.store.capacity).toBe(10);
    expect(result.stdout).toMatch(/flows      http:\/\/127\.0\.0\.1:\d+\/flows  map: /);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => flowFromJson(JSON.parse(l)));
    expect(lines).toEqual([expect.objectContaining({ node: 'kafka-a', verdict: 'forwarded', destination: expect.objectContaining({ workload: 'broker', namespace: 'data' }) })]);
  });

  it.each([
    [['--flow-store-size', '0'], /--flow-store-size: expected a whole number from 1 to 10000000, got "0"/],
    [['--flow-export-file-size', '5'], /--flow-export-file-size needs --flow-export-file/],
    [['--flow-export-kafka', 'nowhere'], /--flow-export-kafka: expected host:port,\.\.\. .*got "nowhere"/],
    [['--flow-export-kafka', '127.0.0.1:9092', '--flow-export-kafka-topic', 'bad topic'], /--flow-export-kafka-topic: "bad topic" is not a Kafka topic name/],
    [['--flow-metrics-labels', 'source_workload,colour'], /--flow-metrics-labels/],
  ])('refuses bad flow flags %j with the flag name', async (args, message) => {
    const r = await runCli(['serve', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('serves several policy directories given by a repeated --policies', async () => {
    const [a, b] = [path.join(tmp, 'a'), path.join(tmp, 'b')];
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.copyFileSync(path.join(EXAMPLES, 'policies', 'orders-api.yaml'), path.join(a, 'orders-api.yaml'));
    fs.copyFileSync(path.join(EXAMPLES, 'policies', 'ledger-grpc.yaml'), path.join(b, 'ledger-grpc.yaml'));
    const args = ['--policies', a, '--policies', b, '--inventory', path.join(EXAMPLES, 'inventory.yaml'), '--state-dir', path.join(tmp, 'several-state')];
    const { found, result } = await serveUntil(args, async (admin) => {
      if (!(await readyz(admin))) return undefined;
      return (await (await fetch(`http://127.0.0.1:${admin}/status`)).json()) as { sources: { policies: string[] }; policies: { key: string }[] };
    });
    expect(found.sources.policies).toEqual([a, b]);
    expect(found.policies.map((p) => p.key)).toEqual(['shop/orders-api', 'vault/ledger-readonly']);
    expect(result.stdout).toContain(`sluice serving ${a}, ${b} with inventory ${path.join(EXAMPLES, 'inventory.yaml')}`);
  });

  it.each([
    [['--policies', '/nonexistent/policies'], /--policies: \/nonexistent\/policies does not exist/],
    [['--policies', EXAMPLES, '--policies', EXAMPLES], /--policies: .*examples is given twice/],
    [['--policies', EXAMPLES, '--policies', path.join(EXAMPLES, 'policies')], /--policies: .*examples\/policies overlaps .*examples: every file must come from one directory/],
    [['--policies', EXAMPLES, '--inventory', path.join(EXAMPLES, 'inventory.yaml')], /--inventory: .*inventory\.yaml is inside --policies .*examples; it would be read twice/],
    [['--rescan-interval', '0'], /--rescan-interval: expected seconds between 0 and 3600/],
    [['--bpf-node', 'node-a'], /--bpf-node needs --bpf-cgroup/],
    [['--issue-days', '10'], /--issue-days needs --ca-dir/],
    [['--renew-window', '2d'], /--renew-window needs --ca-dir/],
    [['--ca-dir', '/nonexistent/ca', '--issue-days', '0'], /--issue-days: expected a whole number of days from 1 to 36500, got "0"/],
    [['--ca-dir', '/nonexistent/ca', '--renew-window', '30'], /--renew-window: expected a duration such as 30d, 12h or 1d12h, got "30"/],
    [['--ca-dir', '/nonexistent/ca', '--renew-window', '0s'], /--renew-window: expected a duration such as 30d, 12h or 1d12h, got "0s"/],
  ])('refuses %j before listening anywhere', async (args, message) => {
    const r = await runCli(['serve', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('says in --help that a repeated --policies means several directories, and where the state is kept', async () => {
    const r = await runCli(['serve', '--help']);
    expect(r.stdout).toMatch(/--policies DIR {12}policy files .*; repeat\n\s+for several directories/);
    expect(r.stdout).toMatch(/--state-dir DIR {11}where the last good state is kept \(default \/var\/lib\/sluice as root,/);
  });
});

describe('the default state directory', () => {
  it.each([
    [{ uid: 0, home: '/root', xdgStateHome: '/x' }, '/var/lib/sluice'],
    [{ uid: 1000, home: '/home/u', xdgStateHome: '/home/u/.state' }, '/home/u/.state/sluice'],
    [{ uid: 1000, home: '/home/u', xdgStateHome: 'relative' }, '/home/u/.local/state/sluice'],
    [{ uid: 1000, home: '/home/u' }, '/home/u/.local/state/sluice'],
  ])('%j → %s', (env, dir) => {
    expect(defaultStateDir(env)).toBe(dir);
  });
});
