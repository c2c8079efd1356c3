/**
 * Golden files for stage 2 alone, as Envoy Gateway's xds-ir testdata: the input is IR YAML, the
 * output the resources (`translate(ir)`, which reads nothing but the IR).
 *   translate/<case>.ir.yaml → translate/<case>.resources.yaml   IR written by hand, for cases the
 *                                                                 policy model cannot produce (yet)
 *   compile/<case>.ir.yaml   → exactly compile/<case>.resources.yaml   stage 1's output, read back:
 *                              the IR holds every fact translation needs
 * Every emitted resource passes Envoy's rules and survives the binary round trip; the
 * hand-written cases are served to a real Envoy too (envoy-accepts.test.ts).
 * Regenerate with `npm run test:golden:update` and review the diff.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { checkResource, roundTrip, violationDiagnostic } from '../../envoy-api/index.js';
import { irFromPlainJson, translate } from '../../policy-compiler/index.js';
import { expectGolden, goldenCases, removeOrphans } from '../support/golden.js';
import { allResources, resourcesView, yaml } from './views.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.join(HERE, 'translate');
const COMPILE_DIR = path.join(HERE, 'compile');
const produced = new Set<string>();

const translateFile = (file: string) => translate(irFromPlainJson(parse(fs.readFileSync(file, 'utf8'))));

describe('translation golden files (IR → resources)', () => {
  const cases = goldenCases(DIR, '.ir.yaml');

  it('has hand-written cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of cases) {
    it(name, () => {
      const output = translateFile(path.join(DIR, `${name}.ir.yaml`));
      produced.add(`${name}.resources.yaml`);
      expectGolden(path.join(DIR, `${name}.resources.yaml`), yaml(resourcesView(output)));
      for (const r of allResources(output)) {
        expect(checkResource(r.message, r.json).map((v) => violationDiagnostic(v, { type: r.message, name: r.name }))).toEqual([]);
        expect({ resource: `${r.message}/${r.name}`, lost: roundTrip(r.message, r.json) }).toEqual({ resource: `${r.message}/${r.name}`, lost: [] });
      }
    });
  }

  const compiled = goldenCases(COMPILE_DIR).filter((n) => fs.existsSync(path.join(COMPILE_DIR, `${n}.resources.yaml`)));
  it.each(compiled)('compile/%s: the IR file alone gives its resources file', (name) => {
    const output = translateFile(path.join(COMPILE_DIR, `${name}.ir.yaml`));
    expect(yaml(resourcesView(output)).split('\n')).toEqual(fs.readFileSync(path.join(COMPILE_DIR, `${name}.resources.yaml`), 'utf8').split('\n'));
  });

  afterAll(() => {
    const orphans = removeOrphans(DIR, produced, '.ir.yaml');
    if (orphans.length > 0 && process.env.UPDATE_GOLDEN !== '1') throw new Error(`orphaned golden files (no input produces them): ${orphans.join(', ')}; run npm run test:golden:update`);
  });
});
