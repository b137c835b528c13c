// Lab 13's tests judge /metrics by parsing it (labs/13-carrier-integration/tests/prometheus.ts). The parser is checked
// here against what prom-client itself writes: counters, gauges and histograms with labels, escapes, and what it
// must refuse.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheus } from '../../labs/13-carrier-integration/tests/prometheus.ts';

describe("lab 13's Prometheus text parser", () => {
  it("reads prom-client's exposition: every sample with its labels and value, and each metric's type", async () => {
    const registry = new Registry();
    const calls = new Counter({
      name: 'calls_total',
      help: 'Calls.',
      labelNames: ['carrier', 'outcome'],
      registers: [registry],
    });
    const state = new Gauge({ name: 'state', help: 'State.', labelNames: ['carrier'], registers: [registry] });
    const seconds = new Histogram({
      name: 'seconds',
      help: 'Seconds.',
      labelNames: ['carrier'],
      buckets: [0.1, 1],
      registers: [registry],
    });
    calls.inc({ carrier: 'dhl', outcome: 'success' }, 3);
    calls.inc({ carrier: 'po"st\\al\nx', outcome: 'server_error' });
    state.set({ carrier: 'dhl' }, 1);
    seconds.observe({ carrier: 'dhl' }, 0.05);
    seconds.observe({ carrier: 'dhl' }, 0.5);
    const { samples, types } = parsePrometheus(await registry.metrics());
    expect(types.get('calls_total')).toBe('counter');
    expect(types.get('state')).toBe('gauge');
    expect(types.get('seconds')).toBe('histogram');
    expect(samples).toContainEqual({ name: 'calls_total', labels: { carrier: 'dhl', outcome: 'success' }, value: 3 });
    expect(samples).toContainEqual({
      name: 'calls_total',
      labels: { carrier: 'po"st\\al\nx', outcome: 'server_error' },
      value: 1,
    });
    expect(samples).toContainEqual({ name: 'state', labels: { carrier: 'dhl' }, value: 1 });
    expect(samples).toContainEqual({ name: 'seconds_bucket', labels: { carrier: 'dhl', le: '0.1' }, value: 1 });
    expect(samples).toContainEqual({ name: 'seconds_bucket', labels: { carrier: 'dhl', le: '+Inf' }, value: 2 });
    expect(samples).toContainEqual({ name: 'seconds_count', labels: { carrier: 'dhl' }, value: 2 });
    expect(samples.find((s) => s.name === 'seconds_sum')?.value).toBeCloseTo(0.55);
  });

  it('reads samples without labels, with a timestamp, and the special values', () => {
    const { samples } = parsePrometheus('up 1\nlast_seen{job="a"} 7 1700000000000\nx +Inf\ny -Inf\nz NaN\n');
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ['up', 1],
      ['last_seen', 7],
      ['x', Number.POSITIVE_INFINITY],
      ['y', Number.NEGATIVE_INFINITY],
      ['z', Number.NaN],
    ]);
  });

  it('refuses what is not the format, naming the line', () => {
    expect(() => parsePrometheus('calls_total{carrier=dhl} 1')).toThrow(/line 1 has malformed labels/);
    expect(() => parsePrometheus('# HELP a A.\ncalls_total{carrier="dhl"}')).toThrow(/line 2 has no value/);
    expect(() => parsePrometheus('calls_total one')).toThrow(/not a number/);
    expect(() => parsePrometheus('{carrier="dhl"} 1')).toThrow(/line 1 is not a sample/);
  });
});
