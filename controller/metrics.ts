/** The runtime's Prometheus metrics. */
import type { Registry } from '../telemetry/index.js';
import type { PolicyEntry } from './policy-set.js';

export interface RuntimeMetrics {
  readonly publishFailures: { inc(): void };
  observeApply(ms: number, entries: ReadonlyMap<string, PolicyEntry>): void;
}

export function runtimeMetrics(registry: Registry): RuntimeMetrics {
  const applies = registry.counter('sluice_policy_applies_total', 'Times the sources were loaded, compiled and published.');
  const duration = registry.histogram('sluice_policy_apply_seconds', 'Time to load, compile and publish the sources.', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]);
  const policies = registry.gauge('sluice_policies', 'Policies by where their enforced version comes from (current, last-good, rejected).');
  const failures = registry.counter('sluice_publish_failures_total', 'Compiled configurations that failed the snapshot consistency check (a bug).');
  return {
    publishFailures: { inc: () => failures.inc() },
    observeApply(ms, entries) {
      applies.inc();
      duration.observe(ms / 1000);
      for (const source of ['current', 'last-good', 'rejected'] as const) {
        policies.set([...entries.values()].filter((e) => e.source === source).length, { source });
      }
    },
  };
}
