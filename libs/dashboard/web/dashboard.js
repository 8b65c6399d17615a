// The dashboard page: plain JS (no build step), type-checked against the server's frame types with checkJs.
// It draws one uPlot chart per panel from the server-sent `snapshot` and `frame` events of GET /events.
'use strict';

/** @typedef {import('../src/frame').Frame} Frame */
/** @typedef {import('../src/frame').Snapshot} Snapshot */
/** @typedef {import('../src/frame').PredictionRow} PredictionRow */
/** @typedef {import('../src/frame').MonitorStatus} MonitorStatus */

/** Points kept per chart: 10 minutes at one frame a second. */
const MAX_POINTS = 600;
const LATEST_ROWS = 12;
/** A reason lists every bad field; the table shows its start (the full text is in the dead letter's headers). */
const REASON_CHARS = 160;
const PALETTE = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#a5d6ff', '#7ee787'];

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
/** Accuracy and drift figures: four decimals, as the monitor's docs and tests quote them. */
const fmt4 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 });
const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
/** @param {number | null} v @param {Intl.NumberFormat} f */
const orDash = (v, f) => (v == null ? '–' : f.format(v));

/**
 * One live chart: a time axis and one line per series name. A series that appears later (a new model version, a
 * partition, a reason) is back-filled with gaps; since uPlot's series are fixed at construction, the chart is built
 * again then (rare), and otherwise only gets `setData`.
 */
class LiveChart {
  /** @param {HTMLElement} figure */
  constructor(figure) {
    this.figure = figure;
    this.unit = figure.dataset.unit ?? '';
    /** @type {number[]} */
    this.times = [];
    /** @type {Map<string, (number | null)[]>} */
    this.series = new Map();
    /** @type {uPlot | undefined} */
    this.plot = undefined;
    this.empty = document.createElement('div');
    this.empty.className = 'empty';
    this.empty.textContent = 'no data yet';
    figure.append(this.empty);
  }

  /**
   * @param {number} t unix seconds
   * @param {Readonly<Record<string, number>>} values
   */
  push(t, values) {
    let grew = false;
    for (const name of Object.keys(values)) {
      if (this.series.has(name)) continue;
      this.series.set(
        name,
        this.times.map(() => null),
      );
      grew = true;
    }
    this.times.push(t);
    for (const [name, points] of this.series) points.push(values[name] ?? null);
    if (this.times.length > MAX_POINTS) {
      this.times.shift();
      for (const points of this.series.values()) points.shift();
    }
    if (grew || !this.plot) this.build();
  }

  /**
   * Replaces every point, for a chart whose x is not the frame's time (the monitor's windows, by window start).
   * @param {MonitorStatus['rmseByWindow']} points
   */
  replace(points) {
    const names = [...new Set(points.flatMap((p) => Object.keys(p.values)))];
    const grew = names.some((n) => !this.series.has(n)) || names.length !== this.series.size;
    this.times = points.map((p) => p.t);
    this.series = new Map(names.map((n) => [n, points.map((p) => p.values[n] ?? null)]));
    if (grew || !this.plot) this.build();
    else this.draw();
  }

  /** @returns {uPlot.AlignedData} */
  data() {
    return [this.times, ...this.series.values()];
  }

  draw() {
    this.plot?.setData(this.data());
  }

  width() {
    return Math.max(300, this.figure.clientWidth - 16);
  }

  build() {
    if (this.series.size === 0) return;
    this.plot?.destroy();
    this.empty.remove();
    const axis = { stroke: '#8591a0', grid: { stroke: '#28313b', width: 1 }, ticks: { stroke: '#28313b' } };
    /** @type {uPlot.Options} */
    const opts = {
      width: this.width(),
      height: 190,
      series: [
        {},
        ...[...this.series.keys()].map((label, i) => ({
          label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: false,
          value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : fmt.format(v)),
        })),
      ],
      axes: [axis, { ...axis, label: this.unit, size: 56 }],
      scales: { y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max * 1.1)] } },
      legend: { live: false },
      cursor: { show: false },
    };
    this.plot = new uPlot(opts, this.data(), this.figure);
  }

  resize() {
    this.plot?.setSize({ width: this.width(), height: 190 });
  }
}

const charts = {
  rides: new LiveChart(byId('chart-rides')),
  predictions: new LiveChart(byId('chart-predictions')),
  lag: new LiveChart(byId('chart-lag')),
  deadLetters: new LiveChart(byId('chart-dead-letters')),
  e2e: new LiveChart(byId('chart-e2e')),
  versions: new LiveChart(byId('chart-versions')),
  rmse: new LiveChart(byId('chart-rmse')),
};
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

/**
 * @param {Readonly<Record<string, number>>} record
 * @param {(key: string) => string} keyOf
 */
function sumBy(record, keyOf) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const [k, v] of Object.entries(record)) out[keyOf(k)] = (out[keyOf(k)] ?? 0) + v;
  return out;
}

/** @param {Frame} f */
function plotFrame(f) {
  charts.rides.push(f.t, { 'rides/s': f.rides.perSec });
  const perSec = Object.fromEntries(Object.entries(f.predictions).map(([k, v]) => [k, v.perSec]));
  charts.predictions.push(f.t, perSec);
  // The version chart folds consumers into "<kind> <version>" so a rollout reads as one line handing over to another.
  charts.versions.push(
    f.t,
    sumBy(perSec, (k) => k.replace(/^(\S+) [^@]*@/, '$1 v')),
  );
  charts.lag.push(f.t, f.lag);
  charts.deadLetters.push(f.t, Object.fromEntries(Object.entries(f.deadLetters).map(([code, r]) => [code, r.count])));
  charts.e2e.push(f.t, f.e2eMs);
  if (f.monitor) charts.rmse.replace(f.monitor.rmseByWindow);
}

/**
 * @param {HTMLElement} tbody
 * @param {readonly (readonly [string, string])[][]} rows cells as [class, text]
 * @param {(readonly string[])=} keys a `data-key` per row, for tests and for eyes
 */
function fillTable(tbody, rows, keys) {
  tbody.replaceChildren(
    ...rows.map((cells, i) => {
      const tr = document.createElement('tr');
      if (keys?.[i]) tr.dataset.key = keys[i];
      for (const [cls, text] of cells) {
        const td = document.createElement('td');
        if (cls) td.className = cls;
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

/** @type {PredictionRow[]} */
let latest = [];

/** @param {readonly PredictionRow[]} rows */
function showLatest(rows) {
  latest = [...rows, ...latest].slice(0, LATEST_ROWS);
  fillTable(
    /** @type {HTMLElement} */ (byId('latest').querySelector('tbody')),
    latest.map((p) => [
      ['', p.scoredAt.slice(11, 23)],
      ['', p.kind],
      ['', p.model],
      ['', p.rideId],
      ['', p.eventTime],
      ['num', fmt.format(p.value)],
    ]),
  );
}

/** @param {Frame} f */
function showTables(f) {
  const reasons = Object.entries(f.deadLetters).sort((a, b) => b[1].count - a[1].count);
  fillTable(
    /** @type {HTMLElement} */ (byId('dead-letters').querySelector('tbody')),
    reasons.map(([code, r]) => [
      ['code', code],
      ['count num', String(r.count)],
      ['', r.consumers.join(', ') || '–'],
      ['', r.modelVersions.join(', ') || '–'],
      ['reason', r.reason.length > REASON_CHARS ? `${r.reason.slice(0, REASON_CHARS)}…` : r.reason],
    ]),
    reasons.map(([code]) => code),
  );
  // Versions seen on each kind's predictions in this frame, for instances that do not say which one they serve.
  const seen = Object.keys(f.predictions).map((k) => k.split(' '));
  fillTable(
    /** @type {HTMLElement} */ (byId('instances').querySelector('tbody')),
    f.instances.map((i) => [
      ['', i.name],
      [i.up ? 'up' : 'down', i.up ? 'up' : `down: ${i.error ?? ''}`],
      ['', i.role ?? '–'],
      [
        '',
        i.modelVersion ??
          (seen
            .filter(([kind]) => kind && (i.role ?? i.name).includes(kind))
            .map(([, model]) => `${model} (seen on its predictions)`)
            .join(', ') ||
            '–'),
      ],
    ]),
    f.instances.map((i) => i.name),
  );
  const total = Object.values(f.predictions).reduce((a, v) => a + v.total, 0);
  const rate = Object.values(f.predictions).reduce((a, v) => a + v.perSec, 0);
  byId('rides-total').textContent = String(f.rides.total);
  byId('rides-rate').textContent = `${fmt.format(f.rides.perSec)}/s`;
  byId('predictions-total').textContent = String(total);
  byId('predictions-rate').textContent = `${fmt.format(rate)}/s`;
  byId('dead-letters-total').textContent = String(reasons.reduce((a, [, r]) => a + r.count, 0));
  byId('dead-letters-codes').textContent = reasons.length ? reasons.map(([c]) => c).join(', ') : 'no reasons';
  byId('instances-up').textContent = String(f.instances.filter((i) => i.up).length);
  byId('instances-all').textContent = `of ${f.instances.length}`;
  showMonitor(f.monitor);
}

/** @param {MonitorStatus | null} m */
function showMonitor(m) {
  byId('monitor').dataset.state = m ? 'present' : 'absent';
  byId('monitor-status').textContent = !m
    ? 'no monitor'
    : m.windows === 0
      ? `fed by ${m.source}: no window has closed yet (a window closes once its rides' outcomes are in)`
      : `fed by ${m.source}: ${m.windows} closed windows`;
  if (!m) return;
  fillTable(
    /** @type {HTMLElement} */ (byId('accuracy').querySelector('tbody')),
    m.accuracy.map((a) => [
      ['', a.kind],
      ['', a.model],
      ['', a.role],
      ['', `${a.windowStart.slice(0, 16)} – ${a.windowEnd.slice(11, 16)}`],
      ['num', String(a.predictions)],
      ['num', String(a.matched)],
      ['num coverage', orDash(a.coverage, pct)],
      ['num rmse', orDash(a.rmse, fmt4)],
      ['num mae', orDash(a.mae, fmt4)],
    ]),
    m.accuracy.map((a) => `${a.kind} ${a.model} ${a.role}`),
  );
  fillTable(
    /** @type {HTMLElement} */ (byId('drift').querySelector('tbody')),
    m.drift.map((d) => [
      ['', d.kind],
      ['', d.column],
      ['', d.windowStart.slice(0, 16)],
      ['num', String(d.sample)],
      ['num', orDash(d.jensenShannon, fmt4)],
      ['num', orDash(d.psi, fmt4)],
      ['num', pct.format(d.missing)],
      [d.drifted ? 'drifted' : '', d.drifted == null ? 'too few values' : d.drifted ? 'drift' : 'no drift'],
    ]),
    m.drift.map((d) => `${d.kind} ${d.column}`),
  );
}

function connect() {
  const status = byId('connection');
  const events = new EventSource('/events');
  events.addEventListener('open', () => {
    status.dataset.state = 'live';
    status.textContent = 'live';
  });
  events.addEventListener('error', () => {
    status.dataset.state = 'lost';
    status.textContent = 'reconnecting';
  });
  events.addEventListener('snapshot', (e) => {
    /** @type {Snapshot} */
    const s = JSON.parse(/** @type {MessageEvent<string>} */ (e).data);
    byId('transport').textContent = s.transport;
    for (const c of Object.values(charts)) {
      c.times = [];
      c.series.clear();
    }
    for (const f of s.frames) plotFrame(f);
    Object.values(charts).forEach((c) => c.build());
    latest = [];
    showLatest(s.latest);
    const last = s.frames.at(-1);
    if (last) showTables(last);
  });
  events.addEventListener('frame', (e) => {
    /** @type {Frame} */
    const f = JSON.parse(/** @type {MessageEvent<string>} */ (e).data);
    plotFrame(f);
    Object.values(charts).forEach((c) => c.draw());
    showTables(f);
    showLatest(f.latest);
  });
}

connect();
