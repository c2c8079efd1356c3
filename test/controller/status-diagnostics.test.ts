/**
 * `/status` returns each policy's problems structured: the code, severity, field path, file, line
 * and column of the exact spot in the YAML, under the policy they concern; and its lines of text
 * are the one formatter's rendering of those same diagnostics. Both a policy that was never valid
 * (Invalid) and one whose newest version broke while the last good one stays in force (Stale).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startServe, type PolicyStatus, type Serving } from '../../controller/index.js';
import { formatDiagnostic, type Diagnostic } from '../../problems/index.js';
import { silentLogger } from '../../telemetry/index.js';

const EXAMPLES = path.resolve('examples');

/** The 1-based line and column where `needle` starts in `text` (found independently of sluice's YAML positions). */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  if (index < 0 || lines.findIndex((l, i) => i > index && l.includes(needle)) >= 0) throw new Error(`"${needle}" must occur exactly once`);
  return { line: index + 1, column: (lines[index] ?? '').indexOf(needle) + 1 };
}

interface StatusBody {
  readonly policies: PolicyStatus[];
  readonly sources: { readonly stale: { file: string; policies?: string[]; errors: string[]; diagnostics: Diagnostic[] }[] };
}

describe('/status returns diagnostics structured, with line and column', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-status-diag-'));
  const ordersFile = path.join(dir, 'orders-api.yaml');
  const ledgerFile = path.join(dir, 'ledger-grpc.yaml');
  // An RE2-invalid regex deep in a flow mapping: a semantic error (not the schema's), found after parsing.
  const orders = fs.readFileSync(path.join(EXAMPLES, 'policies', 'orders-api.yaml'), 'utf8').replace('path: { prefix: /v1/orders }', 'path: { regex: "/v1/(orders" }');
  const ledger = fs.readFileSync(path.join(EXAMPLES, 'policies', 'ledger-grpc.yaml'), 'utf8');
  let serving: Serving;
  const status = async (): Promise<StatusBody> => (await (await fetch(`http://127.0.0.1:${serving.adminPort}/status`)).json()) as StatusBody;
  const policy = (body: StatusBody, key: string): PolicyStatus => {
    const p = body.policies.find((x) => x.key === key);
    if (!p) throw new Error(`${key} missing from /status`);
    return p;
  };

  beforeAll(async () => {
    expect(orders).toContain('"/v1/(orders"');
    fs.writeFileSync(ordersFile, orders);
    fs.writeFileSync(ledgerFile, ledger);
    serving = await startServe({
      policies: dir,
      inventory: path.join(EXAMPLES, 'inventory.yaml'),
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
      rescanMs: 3_600_000,
    });
  });

  afterAll(async () => {
    await serving?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives a policy that was never valid its error: code, path, line and column of the regex, the file', async () => {
    const p = policy(await status(), 'shop/orders-api');
    expect(p.state).toBe('Invalid');
    const at = positionOf(orders, '"/v1/(orders"');
    expect(at).toEqual({ line: 15, column: 32 });
    expect(p.file).toBe(ordersFile);
    expect(p.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'regex.invalid',
        file: ordersFile,
        document: 0,
        path: 'spec.ingress[0].toPorts[0].rules.http[0].path.regex',
        ...at,
        message: 'not a valid RE2 regular expression: missing ): /v1/(orders',
      },
    ]);
    // The text lines are the one formatter's rendering of the same diagnostics, not a second format.
    expect(p.errors).toEqual(p.diagnostics.map((d) => formatDiagnostic(d, 'in-policy')));
    expect(p.errors).toEqual(['line 15: spec.ingress[0].toPorts[0].rules.http[0].path.regex: not a valid RE2 regular expression: missing ): /v1/(orders']);
    // The valid policy beside it is untouched.
    expect(policy(await status(), 'vault/ledger-readonly')).toMatchObject({ source: 'current', errors: [], diagnostics: [] });
  });

  it('gives a policy whose newest version broke (Stale) the new error structured, in its entry and in the sources', async () => {
    const broken = ledger.replace('spec:\n', 'spec:\n  mode: sometimes\n');
    const at = positionOf(broken, 'sometimes');
    expect(at).toEqual({ line: 6, column: 9 });
    fs.writeFileSync(ledgerFile, broken);
    expect(serving.reload()).toBe(true);
    const body = await status();
    const p = policy(body, 'vault/ledger-readonly');
    expect(p).toMatchObject({ state: 'Stale', source: 'stale', file: ledgerFile });
    const expected: Diagnostic = { severity: 'error', code: 'schema.enum', file: ledgerFile, document: 0, path: 'spec.mode', ...at, message: 'must be one of "enforce", "audit", not "sometimes"' };
    expect(p.diagnostics).toEqual([expected]);
    expect(p.errors).toEqual(['line 6: spec.mode: must be one of "enforce", "audit", not "sometimes"']);
    const stale = body.sources.stale.find((s) => s.file === ledgerFile);
    expect(stale).toMatchObject({ policies: ['vault/ledger-readonly'], diagnostics: [expected] });
    expect(stale?.errors).toEqual([formatDiagnostic(expected, 'in-sources')]);
  });
});
