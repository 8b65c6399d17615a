import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePromText } from '../src/prom-text';

describe('parsePromText', () => {
  it('returns every sample of what prom-client writes, labels unescaped', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ consumer: 'duration-consumer' });
    new Gauge({ name: 'lag', help: 'h', labelNames: ['partition'], registers: [registry] }).set({ partition: '2' }, 7);
    new Counter({ name: 'dl_total', help: 'h', labelNames: ['why'], registers: [registry] }).inc(
      { why: 'a "quoted"\\path\nnext' },
      3,
    );
    const h = new Histogram({ name: 'e2e_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
    h.observe(0.05);
    h.observe(5);

    const samples = parsePromText(await registry.metrics());

    expect(samples).toContainEqual({
      name: 'lag',
      labels: { consumer: 'duration-consumer', partition: '2' },
      value: 7,
    });
    expect(samples).toContainEqual({
      name: 'dl_total',
      labels: { consumer: 'duration-consumer', why: 'a "quoted"\\path\nnext' },
      value: 3,
    });
    const buckets = samples.filter((s) => s.name === 'e2e_seconds_bucket').map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([
      ['0.1', 1],
      ['1', 1],
      ['+Inf', 2],
    ]);
    expect(samples.find((s) => s.name === 'e2e_seconds_sum')?.value).toBeCloseTo(5.05);
  });

  it('reads special values and a trailing timestamp', () => {
    expect(parsePromText('a +Inf\nb -Inf\nc NaN\nd 1.5e3 1700000000000\n').map((s) => s.value)).toEqual([
      Infinity,
      -Infinity,
      NaN,
      1500,
    ]);
  });

  it('skips comments, blank lines and lines that are not samples instead of failing the scrape', () => {
    const text = '# HELP x y\n\n# TYPE x gauge\n{oops} 1\nx{a="unterminated} 2\nx{a="1"} notanumber\nx{a="1"} 4\n';
    expect(parsePromText(text)).toEqual([{ name: 'x', labels: { a: '1' }, value: 4 }]);
  });
});
