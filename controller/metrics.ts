/** The runtime's Prometheus metrics. */
import type { Registry } from '../telemetry/index.js';
import type { PolicyEntry, PolicySource } from './policy-set.js';

export interface RuntimeMetrics {
  readonly publishFailures: { inc(): void };
  readonly stateSaveFailures: { inc(): void };
  /** Source files parsed: new, or changed since their last parse (the parse cache's misses). */
  readonly filesParsed: { inc(): void };
  observeApply(ms: number, entries: ReadonlyMap<string, PolicyEntry>, staleSources: number): void;
}

/** What the source watcher and the reloads it drives report. */
export interface SourceMetrics {
  readonly watch: { event(): void; directories(count: number): void };
  /** A read that found the sources changed, by what noticed it. */
  changed(noticedBy: 'start' | 'watch' | 'rescan' | 'manual'): void;
}

export function sourceMetrics(registry: Registry): SourceMetrics {
  const events = registry.counter('sluice_source_watch_events_total', 'Events from the directory watches that concern the sources.');
  const directories = registry.gauge('sluice_source_watched_directories', 'Directories watched for changes to the sources.');
  const changes = registry.counter('sluice_source_changes_total', 'Reads that found the sources changed, by what noticed it (a change noticed by the rescan is one the watches missed).');
  return {
    watch: { event: () => events.inc(), directories: (n) => directories.set(n) },
    changed: (noticedBy) => changes.inc({ noticed_by: noticedBy }),
  };
}

const SOURCES: readonly PolicySource[] = ['current', 'stale', 'rejected'];

export function runtimeMetrics(registry: Registry): RuntimeMetrics {
  const applies = registry.counter('sluice_policy_applies_total', 'Times the sources were loaded, compiled and published.');
  const duration = registry.histogram('sluice_policy_apply_seconds', 'Time to load, compile and publish the sources.', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]);
  const policies = registry.gauge('sluice_policies', 'Policies by where their enforced version comes from (current, stale: the last good version of a broken source, rejected).');
  const stale = registry.gauge('sluice_policy_sources_stale', 'Source files (policy files and the inventory) that are broken, unreadable or emptied, whose last good version stays in force.');
  const failures = registry.counter('sluice_publish_failures_total', 'Compiled configurations that failed the snapshot consistency check (a bug).');
  const saveFailures = registry.counter('sluice_state_save_failures_total', 'Times the last good state could not be written to the state directory.');
  const parsed = registry.counter('sluice_source_files_parsed_total', 'Source files parsed: read for the first time or changed since their last parse (a file that did not change is not parsed again).');
  return {
    publishFailures: { inc: () => failures.inc() },
    stateSaveFailures: { inc: () => saveFailures.inc() },
    filesParsed: { inc: () => parsed.inc() },
    observeApply(ms, entries, staleSources) {
      applies.inc();
      duration.observe(ms / 1000);
      for (const source of SOURCES) policies.set([...entries.values()].filter((e) => e.source === source).length, { source });
      stale.set(staleSources);
    },
  };
}
