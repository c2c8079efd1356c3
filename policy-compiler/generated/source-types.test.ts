/** The schemas are the single source of truth: the generated TypeScript types must match them. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from '@jest/globals';

interface Generator {
  readonly SCHEMAS: readonly (readonly [string, string])[];
  generate(schemaPath: string): Promise<string>;
}

describe('generated source types', () => {
  it('are what `npm run gen` produces from the schemas (regenerate and commit when this fails)', async () => {
    const { SCHEMAS, generate } = (await import(path.resolve('scripts/gen-types.mjs'))) as Generator;
    expect(SCHEMAS.length).toBeGreaterThan(0);
    for (const [schema, out] of SCHEMAS) {
      expect({ file: out, text: fs.readFileSync(out, 'utf8') }).toEqual({ file: out, text: await generate(schema) });
    }
  });
});
