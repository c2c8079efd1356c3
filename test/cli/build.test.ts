/**
 * `npm run build` alone gives a working sluice: the build (scripts/build.mjs) runs into a fresh
 * directory of its own (under the repository's ignored .cache/, so that the compiled code still
 * finds node_modules; dist/ is never touched), and the CLI built there validates the examples.
 * Without the schemas, `sluice validate` says what is missing and how to fix it, with no stack
 * trace, and commands that do not need them still work.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const ROOT = path.resolve('.');
let out = '';

const sluice = (args: readonly string[]) => spawnSync(process.execPath, [path.join(out, 'cli', 'main.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run build', () => {
  beforeAll(() => {
    fs.mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
    out = fs.mkdtempSync(path.join(ROOT, '.cache', 'build-test-'));
    execFileSync('npm', ['run', '--silent', 'build', '--', '--out-dir', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  }, 180_000);

  afterAll(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('puts the JSON Schemas beside the compiled code', () => {
    expect(fs.readdirSync(path.join(out, 'policy-compiler', 'schema')).sort()).toEqual(fs.readdirSync(path.join(ROOT, 'policy-compiler', 'schema')).sort());
  });

  it('builds a CLI that validates the examples (exit 0)', () => {
    const r = sluice(['validate', 'examples/policies', 'examples/inventory.yaml']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/3 valid policies, 1 inventory, 0 invalid; 0 error\(s\)/);
  });

  it('without the schemas, validate fails with a clear message and no stack trace; other commands still run', () => {
    fs.rmSync(path.join(out, 'policy-compiler', 'schema'), { recursive: true });
    const r = sluice(['validate', 'examples/policies', 'examples/inventory.yaml']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^sluice validate: cannot read the L7Policy JSON Schema \S+l7policy\.schema\.json \(ENOENT\): this sluice build is incomplete; build it with `npm run build`/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const bootstrap = sluice(['bootstrap', '--node', 'n1', '-o', 'json']);
    expect({ status: bootstrap.status, stderr: bootstrap.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
