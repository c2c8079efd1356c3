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
});

describe('sluice serve', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-serve-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Runs serve until `check` has what it waits for, then stops it with a signal. */
  async function serveUntil<T>(args: readonly string[], check: (admin: number) => Promise<T | undefined>): Promise<{ found: T; result: CliResult; admin: number; xds: number }> {
    const stop = new AbortController();
    const [xds, admin] = [await freePort(), await freePort()];
    const running = runCli(['serve', '--xds-address', `127.0.0.1:${xds}`, '--admin-address', `127.0.0.1:${admin}`, '--log-level', 'warn', ...args], stop.signal);
    try {
      const found = await eventually(() => check(admin), 'serve to be ready', 15_000);
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
