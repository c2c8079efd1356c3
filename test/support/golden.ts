/**
 * Golden files: compare output with the committed file, or rewrite it when UPDATE_GOLDEN=1
 * (`npm run test:golden:update`), deleting outputs whose input no longer exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@jest/globals';

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export function expectGolden(file: string, actual: string): void {
  if (UPDATE_GOLDEN) {
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`golden file ${path.basename(file)} is missing: run npm run test:golden:update and review it`);
  const expected = fs.readFileSync(file, 'utf8');
  if (expected !== actual) {
    // toEqual on lines gives a readable diff of just what moved.
    expect(actual.split('\n')).toEqual(expected.split('\n'));
  }
}

/** Inputs (`*.in.yaml`, or another suffix) of a golden directory, by case name. */
export function goldenCases(dir: string, inputSuffix = '.in.yaml'): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(inputSuffix)).map((f) => f.slice(0, -inputSuffix.length)).sort();
}

/** In update mode, deletes files of `dir` that no case produced (EG's cleanupOutdatedTestData). */
export function removeOrphans(dir: string, produced: ReadonlySet<string>, inputSuffix = '.in.yaml'): string[] {
  const orphans = fs.readdirSync(dir).filter((f) => !f.endsWith(inputSuffix) && !produced.has(f));
  if (UPDATE_GOLDEN) for (const f of orphans) fs.rmSync(path.join(dir, f));
  return orphans;
}
