/**
 * A reader of the Prometheus text exposition format (what prom-client's `registry.metrics()` writes), enough for
 * the dashboard's scrapes: samples with their labels; HELP/TYPE lines and timestamps are not needed and skipped.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  return text === '' ? NaN : Number(text);
}

/** Reads `{a="x",b="y\"z"}` from `line` at `start` (just after the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } | undefined {
  const labels: Record<string, string> = {};
  let i = start;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = NAME.exec(line.slice(i))?.[0];
    if (!name || line[i + name.length] !== '=' || line[i + name.length + 1] !== '"') return undefined;
    i += name.length + 2;
    let value = '';
    for (; i < line.length && line[i] !== '"'; i++) {
      if (line[i] !== '\\') value += line[i];
      else {
        const next = line[++i];
        value += next === 'n' ? '\n' : (next ?? '');
      }
    }
    if (i >= line.length) return undefined;
    labels[name] = value;
    i++;
  }
}

/**
 * Every sample of a scrape. Lines that are not samples (comments, blanks, garbage) are skipped rather than failing
 * the whole scrape: one odd line must not blank the dashboard.
 *
 * @example
 * parsePromText('ridestream_consumer_lag{partition="0"} 12\n')
 * // [{ name: 'ridestream_consumer_lag', labels: { partition: '0' }, value: 12 }]
 */
export function parsePromText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) continue;
    let rest = name.length;
    let labels: Record<string, string> = {};
    if (line[rest] === '{') {
      const parsed = parseLabels(line, rest + 1);
      if (!parsed) continue;
      labels = parsed.labels;
      rest = parsed.end;
    }
    const valueText = line.slice(rest).trim().split(/\s+/)[0] ?? '';
    const value = parseValue(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') continue;
    samples.push({ name, labels, value });
  }
  return samples;
}
