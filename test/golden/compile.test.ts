/**
 * Golden files for the whole compiler, one case per `*.in.yaml` (an inventory and policies):
 *   <case>.diagnostics.txt  every diagnostic, as `sluice validate` prints it
 *   <case>.ir.yaml          stage 1: policies → IR
 *   <case>.resources.yaml   stage 2: IR → Envoy resources, per node, plus the proxyless view
 * (translate.test.ts runs stage 2 alone on these IR files, and on IR written by hand.)
 * Every emitted resource must also pass Envoy's own validation rules (the protoc-gen-validate
 * annotations of its protos) and survive protobuf encoding and decoding without loss: the fast
 * path. The authority, a real Envoy, is served every resources file in envoy-accepts.test.ts.
 * A case may come with secrets (`<case>.secrets.yaml`, written by make-secrets.ts); private keys
 * and credentials are redacted in the outputs.
 * Regenerate with `npm run test:golden:update` and review the diff.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, afterAll } from '@jest/globals';
import { compileSources, formatDiagnostic } from '../../policy-compiler/index.js';
import { checkResource, roundTrip, violationDiagnostic } from '../../envoy-api/index.js';
import { expectGolden, goldenCases, removeOrphans } from '../support/golden.js';
import { allResources, resourcesView, yaml } from './views.js';
import { caseCatalog, readCaseSecrets } from './secrets.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'compile');
const produced = new Set<string>();

describe('compiler golden files', () => {
  const cases = goldenCases(DIR);

  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const name of cases) {
    it(name, () => {
      const text = fs.readFileSync(path.join(DIR, `${name}.in.yaml`), 'utf8');
      // A case's secrets (`<case>.secrets.yaml`), as `serve --secrets` would find them.
      const secrets = readCaseSecrets(DIR, name);
      if (secrets) produced.add(`${name}.secrets.yaml`);
      const result = compileSources([{ name: `${name}.in.yaml`, text }], secrets ? caseCatalog(secrets) : undefined);
      const out = (suffix: string, content: string) => {
        produced.add(`${name}${suffix}`);
        expectGolden(path.join(DIR, `${name}${suffix}`), content);
      };
      out('.diagnostics.txt', result.diagnostics.map((d) => formatDiagnostic(d)).join('\n') + (result.diagnostics.length ? '\n' : 'no diagnostics\n'));
      const invalid = name.startsWith('invalid-');
      expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(invalid);
      if (!result.output) return;
      out('.ir.yaml', yaml(result.output.ir));
      out('.resources.yaml', yaml(resourcesView(result.output)));
      for (const r of allResources(result.output)) {
        expect(checkResource(r.message, r.json).map((v) => violationDiagnostic(v, { type: r.message, name: r.name }))).toEqual([]);
        expect({ resource: `${r.message}/${r.name}`, lost: roundTrip(r.message, r.json) }).toEqual({ resource: `${r.message}/${r.name}`, lost: [] });
      }
    });
  }

  afterAll(() => {
    const orphans = removeOrphans(DIR, produced);
    if (orphans.length > 0 && process.env.UPDATE_GOLDEN !== '1') throw new Error(`orphaned golden files (no input produces them): ${orphans.join(', ')}; run npm run test:golden:update`);
  });
});
