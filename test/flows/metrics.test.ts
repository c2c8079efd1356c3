/** Flow metrics: verdicts by rule, requests and latency by the configured labels, and the series cap. */
import { describe, expect, it } from '@jest/globals';
import { FlowMetrics, parseMetricsConfig, DEFAULT_METRICS_CONFIG } from '../../flows/index.js';
import { Registry } from '../../telemetry/index.js';
import { BATCH, endpoint, flow } from './fixtures.js';

describe('flow metrics', () => {
  it('counts verdicts by policy and rule, and requests with latency by the configured labels', () => {
    const registry = new Registry();
    const { config } = parseMetricsConfig('source_workload,destination_workload,verdict', undefined);
    const m = new FlowMetrics(registry, config);
    m.record([flow(), flow(), flow({ verdict: 'denied', rule: '', reason: 'no allow rule matched', durationMs: 30, source: BATCH }), flow({ source: endpoint('', '', '192.0.2.7') })]);
    const text = registry.render();
    expect(text).toContain('sluice_policy_verdicts_total{direction="ingress",policy="shop/orders-api",protocol="http",rule="shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]",verdict="forwarded"} 3');
    expect(text).toContain('sluice_policy_verdicts_total{direction="ingress",policy="shop/orders-api",protocol="http",rule="default-deny",verdict="denied"} 1');
    expect(text).toContain('sluice_flow_requests_total{destination_workload="orders",source_workload="web",verdict="forwarded"} 2');
    expect(text).toContain('sluice_flow_requests_total{destination_workload="orders",source_workload="unknown",verdict="forwarded"} 1');
    expect(text).toContain('sluice_flow_request_duration_seconds_bucket{destination_workload="orders",le="0.05",source_workload="batch",verdict="denied"} 1');
    expect(text).toContain('sluice_flow_request_duration_seconds_bucket{destination_workload="orders",le="0.025",source_workload="batch",verdict="denied"} 0');
  });

  it('sends label sets past the cap to one "other" series and counts them', () => {
    const registry = new Registry();
    const m = new FlowMetrics(registry, { ...DEFAULT_METRICS_CONFIG, labels: ['source_address'], maxSeries: 10 });
    m.record(Array.from({ length: 1000 }, (_, i) => flow({ source: endpoint('', '', `192.0.2.${i % 250}`), rule: `shop/orders-api#r${i % 3}` })));
    expect(m.series()).toEqual({ verdicts: 3, requests: 10 });
    expect(m.requests.get({ source_address: 'other' })).toBe(1000 - 40);
    expect(m.overflow.get({ metric: 'sluice_flow_requests_total' })).toBe(960);
    const lines = registry.render().split('\n').filter((l) => l.startsWith('sluice_flow_requests_total{'));
    expect(lines).toHaveLength(11);
  });

  it('caps the verdict family and the latency histogram too: a flood of distinct rule ids and sources costs one "other" series each', () => {
    const registry = new Registry();
    const m = new FlowMetrics(registry, { ...DEFAULT_METRICS_CONFIG, labels: ['source_address'], maxSeries: 10 });
    // Pushed flows can name any rule (up to 2,048 characters): 1,000 distinct ones, from 1,000 addresses.
    m.record(Array.from({ length: 1000 }, (_, i) => flow({ source: endpoint('', '', `198.51.${i >> 8}.${i & 255}`), rule: `shop/orders-api#r${i}` })));
    expect(m.series()).toEqual({ verdicts: 10, requests: 10 });
    expect(m.verdicts.get({ policy: 'other', rule: 'other', verdict: 'other', direction: 'other', protocol: 'other' })).toBe(990);
    expect(m.overflow.get({ metric: 'sluice_policy_verdicts_total' })).toBe(990);
    const text = registry.render().split('\n');
    expect(text.filter((l) => l.startsWith('sluice_policy_verdicts_total{'))).toHaveLength(11);
    // One _count line per series of the histogram: the 10 admitted and "other".
    expect(text.filter((l) => l.startsWith('sluice_flow_request_duration_seconds_count{'))).toHaveLength(11);
    expect(text).toContain('sluice_flow_request_duration_seconds_count{source_address="other"} 990');
    // A second flood adds no series.
    m.record(Array.from({ length: 1000 }, (_, i) => flow({ source: endpoint('', '', `203.0.${i >> 8}.${i & 255}`), rule: `shop/orders-api#s${i}` })));
    expect(registry.render().split('\n').filter((l) => l.startsWith('sluice_policy_verdicts_total{'))).toHaveLength(11);
    expect(m.overflow.get({ metric: 'sluice_flow_requests_total' })).toBe(1990);
  });

  it('says which configured label or cap is wrong', () => {
    const { problems } = parseMetricsConfig('source_workload,pod,verdict', '0');
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^flow-metrics-labels\[1\]: unknown label "pod"; expected any of source_namespace, /),
      'flow-metrics-max-series: expected a count of at least 1, got "0"',
    ]);
  });
});
