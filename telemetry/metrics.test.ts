import { describe, expect, it } from '@jest/globals';
import { Registry } from './metrics.js';

describe('metrics registry', () => {
  it('a counter series counts into the same series as inc with those labels, and appears once incremented', () => {
    const r = new Registry();
    const c = r.counter('t_total', 'help');
    const lds = c.series({ type: 'LDS' });
    expect(r.render()).not.toContain('t_total{');
    lds.inc();
    lds.inc(4);
    c.inc({ type: 'LDS' });
    c.inc({ type: 'CDS' }, 2);
    expect(c.get({ type: 'LDS' })).toBe(6);
    expect(r.render()).toContain('t_total{type="LDS"} 6\nt_total{type="CDS"} 2\n');
  });

  it('escapes backslashes, newlines and quotes in label values, and leaves plain values as they are', () => {
    const r = new Registry();
    const c = r.counter('e_total', 'help');
    c.inc({ reason: 'a\\b\n"c"' });
    c.series({ reason: 'plain' }).inc();
    expect(r.render()).toContain('e_total{reason="a\\\\b\\n\\"c\\""} 1\n');
    expect(r.render()).toContain('e_total{reason="plain"} 1\n');
  });

  it('a histogram counts each observation in every bucket at or above it (cumulative), and +Inf', () => {
    const r = new Registry();
    const h = r.histogram('d_seconds', 'help', [0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const text = r.render();
    expect(text).toContain('d_seconds_bucket{le="0.1"} 1\n');
    expect(text).toContain('d_seconds_bucket{le="1"} 2\n');
    expect(text).toContain('d_seconds_bucket{le="+Inf"} 3\n');
    expect(text).toContain('d_seconds_count 3');
  });
});
