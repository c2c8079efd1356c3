/**
 * `serve` parses a source file once per version of it: a reload or rescan that finds nothing
 * changed parses nothing, with or without `--ca-dir` (whose issuer reads the policies' issue
 * requests on every reload, from the same parse cache as the runtime). Before, `--ca-dir` made
 * every reload, a rescan every 5 s included, parse every source again. Proven by the
 * `sluice_source_files_parsed_total` counter on /metrics, and by the cost of a reload that changed
 * nothing against parsing the same sources once, in the same process.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saveCa } from '../../certs/index.js';
import { startServe, type Serving } from '../../controller/index.js';
import { loadSources, type SourceFile } from '../../policy-compiler/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { newCa } from '../support/tls.js';
import { INVENTORY, policyText } from './fixtures.js';

const POLICIES = 300;

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
}

describe('serve --ca-dir parses each source file once per version', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-reparse-'));
  const files: SourceFile[] = [];
  let serving: Serving;

  const parsed = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${serving.adminPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('sluice_source_files_parsed_total'));
    if (!line) throw new Error('no sluice_source_files_parsed_total on /metrics');
    return Number(line.split(' ')[1]);
  };

  beforeAll(async () => {
    await saveCa(path.join(dir, 'ca'), await newCa('sluice interception CA'), webcrypto);
    fs.mkdirSync(path.join(dir, 'policies'));
    for (let i = 0; i < POLICIES; i++) {
      const file = { name: path.join(dir, 'policies', `p-${i}.yaml`), text: policyText(`p-${i}`, `{ http: [ { method: GET, path: /v${i}/.* } ] }`) };
      fs.writeFileSync(file.name, file.text);
      files.push(file);
    }
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), INVENTORY.text);
    files.push({ name: path.join(dir, 'inventory.yaml'), text: INVENTORY.text });
    serving = await startServe({
      policies: path.join(dir, 'policies'),
      inventory: path.join(dir, 'inventory.yaml'),
      caDir: path.join(dir, 'ca'),
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
      rescanMs: 60_000,
    });
  }, 60_000);

  afterAll(async () => {
    await serving?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('parsed every file once at start, and nothing on reloads that changed nothing', async () => {
    expect(serving.runtime.state().policies.size).toBe(POLICIES);
    expect(await parsed()).toBe(POLICIES + 1);
    for (let i = 0; i < 3; i++) serving.reload();
    expect(await parsed()).toBe(POLICIES + 1);
  });

  it('parses only the file that changed', async () => {
    const edited = files[7];
    if (!edited) throw new Error('no file 7');
    fs.writeFileSync(edited.name, policyText('p-7', '{ http: [ { method: PUT } ] }'));
    expect(serving.reload()).toBe(true);
    expect(await parsed()).toBe(POLICIES + 2);
    expect(JSON.stringify(serving.runtime.state().policies.get('shop/p-7')?.policy)).toContain('PUT');
  });

  it('reloads that changed nothing cost a fraction of parsing the sources once', () => {
    const reload: number[] = [];
    const parse: number[] = [];
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      serving.reload();
      reload.push(performance.now() - t);
      t = performance.now();
      loadSources(files);
      parse.push(performance.now() - t);
    }
    // With every source parsed again on each reload, a reload cost more than one parse.
    expect(median(reload)).toBeLessThan(median(parse) / 2);
  });
});
