/**
 * Suites against a real kube-apiserver (bench/k8s/apiserver.ts). CI builds it (.ci/deps/kube.sh),
 * so there a missing binary fails the suite; elsewhere the suite says why it skips.
 */
import { describe, it } from '@jest/globals';
import { kubeBinaries } from '../../bench/k8s/apiserver.js';

export function describeKube(name: string, fn: () => void): void {
  const found = kubeBinaries();
  if (!('missing' in found)) describe(name, fn);
  else if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('has the kube-apiserver and etcd CI builds', () => {
        throw new Error(found.missing);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${found.missing}`);
    describe.skip(name, fn);
  }
}
