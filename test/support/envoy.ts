/**
 * Suites that run real Envoy. Envoy is a test peer in CI (.ci/deps/envoy.sh installs it), so there
 * a missing binary fails the suite; elsewhere the suite says why it skips.
 */
import { describe, it } from '@jest/globals';
import { findEnvoy } from '../../bench/envoy/process.js';

export function describeEnvoy(name: string, fn: () => void): void {
  const found = findEnvoy();
  if ('path' in found) {
    describe(name, fn);
  } else if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('has the Envoy binary CI installs', () => {
        throw new Error(found.missing);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${found.missing}`);
    describe.skip(name, fn);
  }
}
