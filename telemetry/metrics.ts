/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4). Each component registers its metrics on the registry it is
 * given; `/metrics` renders the one registry of the process.
 */
export type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Registry {
  private readonly families = new Map<string, Family>();
  private readonly collectors: Array<() => void> = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  /** Runs before every render: for values read from elsewhere at scrape time (the kernel's counters). */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  /** The exposition text for every registered family, sorted by name. */
  render(): string {
    for (const collect of this.collectors) collect();
    const lines: string[] = [];
    for (const family of [...this.families.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`, ...family.render());
    }
    return `${lines.join('\n')}\n`;
  }

  private add<T extends Family>(family: T): T {
    const existing = this.families.get(family.name);
    if (existing) {
      if (existing.type !== family.type) throw new Error(`metric ${family.name} registered twice with different types`);
      return existing as T;
    }
    this.families.set(family.name, family);
    return family;
  }
}

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`).join(',')}}`;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** One label set of a counter, its series key computed once (for code that counts the same labels per message). */
export interface CounterSeries {
  inc(by?: number): void;
}

export class Counter implements Family {
  readonly type = 'counter' as const;
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  /** The series of one label set: `series(l).inc(n)` is `inc(l, n)` without rendering the labels again. It appears once first incremented. */
  series(labels: Labels): CounterSeries {
    const key = labelKey(labels);
    const values = this.values;
    return { inc: (by = 1) => void values.set(key, (values.get(key) ?? 0) + by) };
  }
  /** Mirrors a counter kept elsewhere (monotonic at its source), read at collection time. */
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([key, v]) => `${this.name}${key} ${v}`);
  }
}

export class Gauge implements Family {
  readonly type = 'gauge' as const;
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  dec(labels: Labels = {}, by = 1): void {
    this.inc(labels, -by);
  }
  /** Drops one label set (a node that went away), so stale series do not linger. */
  remove(labels: Labels): void {
    this.values.delete(labelKey(labels));
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([key, v]) => `${this.name}${key} ${v}`);
  }
}

export class Histogram implements Family {
  readonly type = 'histogram' as const;
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, private readonly buckets: readonly number[]) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const counts = s.counts;
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] ?? Infinity)) counts[i] = (counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }
  render(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((bound, i) => out.push(`${this.name}_bucket${labelKey({ ...s.labels, le: String(bound) })} ${s.counts[i] ?? 0}`));
      out.push(`${this.name}_bucket${labelKey({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${labelKey(s.labels)} ${s.sum}`, `${this.name}_count${labelKey(s.labels)} ${s.count}`);
    }
    return out;
  }
}
