/**
 * `plot --kind timeseries`: the `--timeseries` CSV of a replay (one row per
 * sample, policy and server) as the load of each server over time, for one
 * policy (`--policy`, default the first in the file): a panel of active
 * connections and one of bytes per interval, one line per server.
 *
 * The replay writes no row for a sample where nothing was active and no byte
 * moved (docs/replay.md), so a gap longer than the sampling interval (the
 * smallest step between two samples) is drawn at 0, which is what those
 * samples held. A series with more points than twice the panel's width in
 * pixels is reduced per pixel column to its first, lowest, highest and last
 * points, which draws the same picture from a few thousand points.
 */
import { ReplayError } from '../errors.js';
import { CURVE_WIDTH, HEADROOM, drawAxes, drawHeader, panelRects, plotArea, type LegendEntry, type Rect } from './chart.js';
import { paletteStyle } from './colors.js';
import { col, numberField, type ColumnIndex, type PlotCollector, type PlotOptions, type PlotRenderer } from './renderer.js';
import { LinearScale, niceCeil } from './scale.js';
import { PathData, SvgBuilder } from './svg.js';

export const TIMESERIES_SIZE = { width: 960, height: 620 } as const;

const TIME_TEXT = /^(\d+)(?:\.(\d{1,9}))?$/;

/** Grows to hold index `i`, filling with 0. */
function put(values: number[], i: number, v: number): void {
  while (values.length < i) values.push(0);
  values[i] = v;
}

class TimeseriesCollector implements PlotCollector {
  private policy: string | undefined;
  private readonly seen: string[] = [];
  private lastTimeText = '';
  private baseSec = 0;
  private baseNsec = 0;
  /** Seconds after the first sample, one per sample. */
  private readonly times: number[] = [];
  /** Per server: values per sample. */
  private readonly connections: number[][] = [];
  private readonly bytes: number[][] = [];
  private readonly iTime: number;
  private readonly iPolicy: number;
  private readonly iServer: number;
  private readonly iConnections: number;
  private readonly iBytes: number;

  constructor(
    columns: ColumnIndex,
    private readonly file: string,
    private readonly options: PlotOptions,
  ) {
    this.policy = options.policy;
    this.iTime = col(columns, 'time');
    this.iPolicy = col(columns, 'policy');
    this.iServer = col(columns, 'server');
    this.iConnections = col(columns, 'connections');
    this.iBytes = col(columns, 'bytes');
  }

  row(fields: readonly string[], offset: number): void {
    const policy = fields[this.iPolicy];
    if (!this.seen.includes(policy)) this.seen.push(policy);
    if (this.policy === undefined) this.policy = policy;
    if (policy !== this.policy) return;
    const timeText = fields[this.iTime];
    if (timeText !== this.lastTimeText) {
      const m = TIME_TEXT.exec(timeText);
      if (m === null) throw new ReplayError('CSV_INVALID', `column time: '${timeText}' is not a time in seconds`, { file: this.file, offset });
      const sec = Number(m[1]);
      const nsec = Number((m[2] ?? '').padEnd(9, '0'));
      if (this.times.length === 0) {
        this.baseSec = sec;
        this.baseNsec = nsec;
      }
      // Whole seconds and nanoseconds apart, so epoch times near 10⁹ s keep their sub-microsecond part.
      const t = sec - this.baseSec + (nsec - this.baseNsec) / 1e9;
      if (this.times.length > 0 && t <= this.times[this.times.length - 1]) {
        throw new ReplayError('CSV_INVALID', `time ${timeText} is not after the previous sample's`, { file: this.file, offset });
      }
      this.times.push(t);
      this.lastTimeText = timeText;
    }
    const server = numberField(fields, this.iServer, 'server', this.file, offset);
    if (!Number.isSafeInteger(server) || server < 0 || server > 65535) {
      throw new ReplayError('CSV_INVALID', `column server: '${fields[this.iServer]}' is not a server number`, { file: this.file, offset });
    }
    while (this.connections.length <= server) {
      this.connections.push([]);
      this.bytes.push([]);
    }
    const k = this.times.length - 1;
    put(this.connections[server], k, numberField(fields, this.iConnections, 'connections', this.file, offset));
    put(this.bytes[server], k, numberField(fields, this.iBytes, 'bytes', this.file, offset));
  }

  render(): string {
    const policy = this.policy!;
    if (this.times.length === 0) {
      throw new ReplayError('PLOT_UNKNOWN_POLICY', `no rows of policy '${policy}' (the CSV has ${this.seen.join(', ')})`, { file: this.file });
    }
    const width = this.options.width ?? TIMESERIES_SIZE.width;
    const height = this.options.height ?? TIMESERIES_SIZE.height;
    const title = this.options.title ?? `Load per server over time: ${policy}`;
    const servers = this.connections.length;
    const svg = new SvgBuilder(width, height, title);
    const legend: LegendEntry[] = [];
    for (let s = 0; s < servers; s++) legend.push({ label: `server ${s}`, style: paletteStyle(s) });
    const space = drawHeader(svg, title, legend);
    const rects = panelRects(space, 2, 'column');
    const n = this.times.length;
    const interval = smallestStep(this.times);
    const tEnd = this.times[n - 1];
    const panels = [
      { metric: 'connections', title: '(a) active connections', values: this.connections },
      { metric: 'bytes', title: '(b) bytes per interval', values: this.bytes },
    ];
    panels.forEach((panel, p) => {
      const area = plotArea(rects[p]);
      let top = 0;
      for (const v of panel.values) for (let k = 0; k < n; k++) top = Math.max(top, v[k] ?? 0);
      const x = new LinearScale([0, tEnd > 0 ? tEnd : 1], [area.x, area.x + area.w]);
      const y = new LinearScale([0, niceCeil(top * HEADROOM)], [area.y + area.h, area.y], 5, true);
      svg.open('g', { class: 'panel', 'data-panel': panel.metric });
      drawAxes(svg, area, {
        title: panel.title,
        x,
        y,
        xLabel: `seconds after the first sample (${this.firstTimeText()})`,
        yLabel: panel.metric === 'connections' ? 'active connections' : 'payload bytes',
      });
      svg.open('g', { class: 'curves' });
      for (let s = 0; s < servers; s++) {
        const style = paletteStyle(s);
        svg.el('path', {
          class: 'curve',
          'data-panel': panel.metric,
          'data-server': String(s),
          d: linePath(this.times, panel.values[s], interval, x, y, area),
          fill: 'none',
          stroke: style.color,
          'stroke-width': CURVE_WIDTH,
          'stroke-dasharray': style.dash,
          'stroke-linejoin': 'round',
        });
      }
      svg.close('g');
      svg.close('g');
    });
    return svg.finish();
  }

  /** The first sample's time as written (epoch seconds), for the axis label. */
  private firstTimeText(): string {
    const frac = String(this.baseNsec).padStart(9, '0').replace(/0+$/, '');
    return frac === '' ? `${this.baseSec}` : `${this.baseSec}.${frac}`;
  }
}

/** The smallest step between consecutive times (the sampling interval); Infinity for one sample. */
export function smallestStep(times: readonly number[]): number {
  let step = Infinity;
  for (let k = 1; k < times.length; k++) step = Math.min(step, times[k] - times[k - 1]);
  return step;
}

/**
 * The points of one server's line in pixels: every sample, with 0 drawn one
 * interval after a sample followed by a gap and one interval before the
 * sample that ends it.
 */
export function linePoints(times: readonly number[], values: readonly number[], interval: number): [number[], number[]] {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let k = 0; k < times.length; k++) {
    if (k > 0 && times[k] - times[k - 1] > interval * 1.5) {
      ts.push(times[k - 1] + interval, times[k] - interval);
      vs.push(0, 0);
    }
    ts.push(times[k]);
    vs.push(values[k] ?? 0);
  }
  return [ts, vs];
}

function linePath(times: readonly number[], values: readonly number[], interval: number, x: LinearScale, y: LinearScale, area: Rect): string {
  const [ts, vs] = linePoints(times, values, interval);
  const path = new PathData();
  if (ts.length <= area.w * 2) {
    for (let i = 0; i < ts.length; i++) path.to(x.at(ts[i]), y.at(vs[i]));
    return path.toString();
  }
  // Per pixel column: first, lowest, highest, last (in time order).
  let i = 0;
  while (i < ts.length) {
    const column = Math.floor(x.at(ts[i]));
    let j = i;
    let lo = i;
    let hi = i;
    while (j < ts.length && Math.floor(x.at(ts[j])) === column) {
      if (vs[j] < vs[lo]) lo = j;
      if (vs[j] > vs[hi]) hi = j;
      j++;
    }
    const keep = [i, lo, hi, j - 1].sort((a, b) => a - b);
    for (const k of keep) path.to(x.at(ts[k]), y.at(vs[k]));
    i = j;
  }
  return path.toString();
}

export const timeseriesRenderer: PlotRenderer = {
  kind: 'timeseries',
  columns: ['time', 'policy', 'server', 'connections', 'bytes'],
  forbids: [],
  takes: ['policy'],
  emptyReason: 'no sample of the replay had an active connection or a byte',
  collector: (columns, file, options) => new TimeseriesCollector(columns, file, options),
};
