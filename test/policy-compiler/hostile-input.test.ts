/** Hostile and malformed policy input: a precise diagnostic every time, never a crash or a hang. */
import { describe, it, expect } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSourceFiles } from '../../controller/source-files.js';
import { INVENTORY_MAX_BYTES, loadSources, type Diagnostic } from '../../policy-compiler/index.js';

const HEADER = 'apiVersion: sluice.dev/v1alpha1\nkind: L7Policy\nmetadata: { name: p }\n';
const load = (text: string) => loadSources([{ name: 'in.yaml', text }]);
const codes = (ds: readonly Diagnostic[]) => ds.map((d) => d.code);

describe('hostile policy input', () => {
  it('refuses a file over the size limit without parsing it', () => {
    const big = `${HEADER}spec:\n  selector: {}\n# ${'x'.repeat(1024 * 1024)}\n`;
    const started = Date.now();
    const r = load(big);
    expect(codes(r.diagnostics)).toEqual(['source.too-large']);
    expect(r.diagnostics[0]?.message).toMatch(/the limit is 1048576/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('gives an inventory its own limit: 8,000 workloads (over 1 MiB) load, more than INVENTORY_MAX_BYTES does not; a policy file keeps 1 MiB', () => {
    const workloads = Array.from({ length: 8000 }, (_, i) => ({ name: `w${i}`, namespace: 'ns', labels: { app: `app-${i % 50}`, tier: 'backend' }, addresses: [`10.${(i >> 8) & 255}.${i & 255}.7`], ports: [{ port: 8080, name: 'http' }], proxy: { node: `node-${i % 50}` } }));
    const proxies = Array.from({ length: 50 }, (_, i) => ({ node: `node-${i}` }));
    const text = JSON.stringify({ apiVersion: 'sluice.dev/v1alpha1', kind: 'Inventory', proxies, workloads });
    expect(text.length).toBeGreaterThan(1024 * 1024);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-inventory-'));
    try {
      const inventory = path.join(dir, 'inventory.json');
      const policy = path.join(dir, 'big-policy.yaml');
      fs.writeFileSync(inventory, text);
      fs.writeFileSync(policy, `${HEADER}spec:\n  selector: {}\n# ${'x'.repeat(1024 * 1024)}\n`);
      const read = readSourceFiles([inventory, policy], { inventory });
      expect(read.diagnostics.map((d) => [path.basename(d.file ?? ''), d.code])).toEqual([['big-policy.yaml', 'source.too-large']]);
      const loaded = loadSources(read.files);
      expect(loaded.diagnostics).toEqual([]);
      expect(loaded.inventory?.workloads.length).toBe(8000);
      // Without the mark it is a policy file's size, and refused.
      expect(codes(readSourceFiles([inventory]).diagnostics)).toEqual(['source.too-large']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const huge = loadSources([{ name: 'inventory.json', text: `${' '.repeat(INVENTORY_MAX_BYTES)}{}`, maxBytes: INVENTORY_MAX_BYTES }]);
    expect(codes(huge.diagnostics)).toEqual(['source.too-large']);
  });

  it('stops at a nesting depth limit instead of overflowing the stack', () => {
    const deep = `${HEADER}spec: ${'['.repeat(100)}${']'.repeat(100)}\n`;
    expect(codes(load(deep).diagnostics)).toEqual(['yaml.too-deep']);
    const deeper = load(`${HEADER}spec: ${'['.repeat(20000)}${']'.repeat(20000)}\n`);
    expect(deeper.diagnostics.length).toBeGreaterThan(0);
    expect(deeper.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(deeper.policies).toEqual([]);
  });

  it('refuses an alias expansion bomb', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const r = load(`${lines.join('\n')}\n`);
    expect(codes(r.diagnostics)).toEqual(['yaml.aliases']);
  });

  it('reports binary garbage as a syntax or shape error', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    const r = load(garbage);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(r.policies).toEqual([]);
  });

  it('does not let __proto__ keys reach the model or pollute prototypes', () => {
    const r = load(`${HEADER}spec:\n  selector: { matchLabels: { __proto__: { polluted: "yes" } } }\n  __proto__: { admin: true }\n`);
    expect(codes(r.diagnostics)).toContain('schema.unknown-field');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('bounds string lengths and list sizes from the schema', () => {
    const longRegex = `${HEADER}spec:\n  selector: {}\n  ingress: [ { toPorts: [ { ports: [ { port: 80 } ], rules: { http: [ { path: { regex: "${'a'.repeat(2000)}" } } ] } } ] } ]\n`;
    expect(codes(load(longRegex).diagnostics)).toEqual(['schema.max-length']);
    const manyPorts = `${HEADER}spec:\n  selector: {}\n  ingress: [ { toPorts: [ { ports: [ ${Array.from({ length: 41 }, (_, i) => `{ port: ${i + 1} }`).join(', ')} ] } ] } ]\n`;
    expect(codes(load(manyPorts).diagnostics)).toEqual(['schema.max-items']);
  });

  it('accepts JSON as well as YAML', () => {
    const json = JSON.stringify({ apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'j' }, spec: { selector: {} } });
    const r = loadSources([{ name: 'p.json', text: json }]);
    expect(r.policies.map((p) => p.key)).toEqual(['default/j']);
  });

  it('treats an empty file and empty documents as nothing, not as errors', () => {
    expect(load('').diagnostics).toEqual([]);
    expect(load('---\n---\n').diagnostics).toEqual([]);
  });

  it('handles many documents in one file', () => {
    const docs = Array.from({ length: 2000 }, (_, i) => `${HEADER.replace('name: p', `name: p${i}`)}spec: { selector: {} }\n`).join('---\n');
    const r = load(docs);
    expect(r.policies).toHaveLength(2000);
  });

  it('reports a tab-indented document with its line', () => {
    const r = load(`${HEADER}spec:\n\tselector: {}\n`);
    expect(r.diagnostics[0]).toMatchObject({ code: 'yaml.syntax', line: 5 });
  });
});

describe('regex validation at scale', () => {
  it('validates tens of thousands of distinct regexes without exhausting RE2\'s fixed heap', async () => {
    const { checkRe2 } = await import('../../policy-compiler/index.js');
    for (let i = 0; i < 20_000; i++) expect(checkRe2(`/v2/p${i}/[0-9]+/r${i}`)).toBeUndefined();
    expect(checkRe2('(?<=x)')).toMatch(/invalid perl operator/);
  });
});

describe('invalid regexes at scale', () => {
  it('rejects tens of thousands of distinct invalid regexes without leaking RE2\'s heap', async () => {
    const { checkRe2 } = await import('../../policy-compiler/index.js');
    for (let i = 0; i < 40_000; i++) expect(checkRe2(`(?<=p${i})x`)).toMatch(/invalid perl operator/);
    expect(checkRe2('/still/[a-z]+/works')).toBeUndefined();
  });
});
