/**
 * `plot --kind sweep`: the CSV of scripts/load-sweep.mjs (one row per metric,
 * policy and rate) as p90 imbalance against load — a panel per metric
 * (active connections, bytes), x the mean active connections per server and y
 * the p90 imbalance, both on log axes, one line with point markers per policy.
 *
 * The imbalance of a non-adaptive policy (one that does not look at the load:
 * round-robin, random, hash) falls roughly as 1/√n with n active connections
 * per server, the spread of a sum of n independent draws relative to its mean.
 * A dashed grey line ∝ 1/√n shows that slope (−1/2 on log–log axes): it is
 * c/√n with c the median of p90·√n over the non-adaptive policies' points of
 * the panel, so it runs through the middle of those points and a policy that
 * follows the law runs parallel to it.
 *
 * A point with no p90 (a run with no non-idle sample) or a value of 0 has no
 * place on a log axis; it is left out and counted in a note in the panel.
 */
import { ReplayError } from '../errors.js';
import { CURVE_WIDTH, drawAxes, drawHeader, drawNotes, panelRects, plotArea, type LegendEntry } from './chart.js';
import { policyStyles, type SeriesStyle } from './colors.js';
import { col, numberField, seriesOf, type ColumnIndex, type PlotCollector, type PlotOptions, type PlotRenderer } from './renderer.js';
import { LogScale, decadeDomain } from './scale.js';
import { PathData, SvgBuilder } from './svg.js';

export const SWEEP_SIZE = { width: 960, height: 440 } as const;

/** Policies whose choice does not depend on the servers' load (SPEC §4); least-active does. */
export const NON_ADAPTIVE: readonly string[] = ['round-robin', 'random', 'hash'];

/** Style of the reference line: grey, dashed. */
export const REFERENCE_STYLE: SeriesStyle = { color: '#808080', dash: '6 4' };
export const REFERENCE_LABEL = '∝ 1/√n';

/** Radius of a point marker in pixels. */
export const MARKER_RADIUS = 3.5;

const PANEL_TITLES: Readonly<Record<string, string>> = {
  connections: 'active connections',
  bytes: 'bytes per interval',
};

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One point of a policy's line: a run at one rate. */
export interface SweepPoint {
  readonly rate: number;
  /** Mean active connections per server (x). */
  readonly active: number;
  /** p90 imbalance (y). */
  readonly p90: number;
}

/** Whether a policy label is of a non-adaptive policy (`hash` or an instance label such as `hash/7`). */
export function isNonAdaptive(policy: string): boolean {
  const base = policy.includes('/') ? policy.slice(0, policy.indexOf('/')) : policy;
  return NON_ADAPTIVE.includes(base);
}

/** The median of the values (the mean of the two middle ones for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 === 1 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/** c of the reference line c/√n: the median of p90·√n over the points of non-adaptive policies; NaN without any. */
export function referenceCoefficient(byPolicy: ReadonlyMap<string, readonly SweepPoint[]>): number {
  const c: number[] = [];
  for (const [policy, points] of byPolicy) {
    if (!isNonAdaptive(policy)) continue;
    for (const p of points) c.push(p.p90 * Math.sqrt(p.active));
  }
  return median(c);
}

class SweepCollector implements PlotCollector {
  /** metric → policy → points, both in order of appearance. */
  private readonly metrics = new Map<string, Map<string, SweepPoint[]>>();
  /** metric → points left out (no p90, or a value of 0). */
  private readonly leftOut = new Map<string, number>();
  private readonly policies: string[] = [];
  private readonly iMetric: number;
  private readonly iPolicy: number;
  private readonly iRate: number;
  private readonly iActive: number;
  private readonly iP90: number;

  constructor(
    columns: ColumnIndex,
    private readonly file: string,
    private readonly options: PlotOptions,
  ) {
    this.iMetric = col(columns, 'metric');
    this.iPolicy = col(columns, 'policy');
    this.iRate = col(columns, 'rate');
    this.iActive = col(columns, 'mean_active_per_server');
    this.iP90 = col(columns, 'p90');
  }

  row(fields: readonly string[], offset: number): void {
    const metric = fields[this.iMetric];
    const policy = fields[this.iPolicy];
    if (!this.leftOut.has(metric)) this.leftOut.set(metric, 0);
    const points = seriesOf<SweepPoint[]>(this.metrics, this.policies, metric, policy, () => []);
    const rate = numberField(fields, this.iRate, 'rate', this.file, offset);
    const active = numberField(fields, this.iActive, 'mean_active_per_server', this.file, offset);
    // An empty p90 is a run without a non-idle sample (the summary's null).
    const p90 = fields[this.iP90].trim() === '' ? 0 : numberField(fields, this.iP90, 'p90', this.file, offset);
    if (active < 0 || p90 < 0) {
      throw new ReplayError('CSV_INVALID', `a negative ${active < 0 ? 'mean_active_per_server' : 'p90'}`, { file: this.file, offset });
    }
    if (active > 0 && p90 > 0) points.push({ rate, active, p90 });
    else this.leftOut.set(metric, this.leftOut.get(metric)! + 1);
  }

  render(): string {
    const width = this.options.width ?? SWEEP_SIZE.width;
    const height = this.options.height ?? SWEEP_SIZE.height;
    const title = this.options.title ?? 'Load imbalance against load: p90 per policy';
    const styles = policyStyles(this.policies);
    const svg = new SvgBuilder(width, height, title);
    const coefficients = new Map<string, number>();
    for (const [metric, byPolicy] of this.metrics) coefficients.set(metric, referenceCoefficient(byPolicy));
    const legend: LegendEntry[] = this.policies.map((p) => ({ label: p, style: styles.get(p)! }));
    if ([...coefficients.values()].some((c) => !Number.isNaN(c))) legend.push({ label: REFERENCE_LABEL, style: REFERENCE_STYLE });
    const space = drawHeader(svg, title, legend);
    const metrics = [...this.metrics.keys()];
    const rects = panelRects(space, metrics.length, 'row');
    metrics.forEach((metric, m) => {
      const byPolicy = this.metrics.get(metric)!;
      const area = plotArea(rects[m]);
      const all = [...byPolicy.values()].flat();
      const c = coefficients.get(metric)!;
      let xLo = Infinity;
      let xHi = -Infinity;
      let yLo = Infinity;
      let yHi = -Infinity;
      for (const p of all) {
        xLo = Math.min(xLo, p.active);
        xHi = Math.max(xHi, p.active);
        yLo = Math.min(yLo, p.p90);
        yHi = Math.max(yHi, p.p90);
      }
      if (all.length === 0) [xLo, xHi, yLo, yHi] = [1, 10, 1, 10];
      // The y axis holds the reference line over the points' x range too.
      if (!Number.isNaN(c)) {
        yLo = Math.min(yLo, c / Math.sqrt(xHi));
        yHi = Math.max(yHi, c / Math.sqrt(xLo));
      }
      const x = new LogScale(decadeDomain(xLo, xHi), [area.x, area.x + area.w]);
      const y = new LogScale(decadeDomain(yLo, yHi), [area.y + area.h, area.y]);
      svg.open('g', { class: 'panel', 'data-panel': metric });
      drawAxes(svg, area, {
        title: `(${LETTERS[m % LETTERS.length]}) ${PANEL_TITLES[metric] ?? metric}`,
        x,
        y,
        xLabel: 'mean active connections per server',
        yLabel: 'p90 imbalance',
      });
      if (!Number.isNaN(c)) {
        svg.el('path', {
          class: 'reference',
          'data-panel': metric,
          d: referencePath(c, x, y),
          fill: 'none',
          stroke: REFERENCE_STYLE.color,
          'stroke-width': 1.5,
          'stroke-dasharray': REFERENCE_STYLE.dash,
        });
      }
      svg.open('g', { class: 'curves' });
      for (const [policy, points] of byPolicy) {
        const style = styles.get(policy)!;
        const sorted = [...points].sort((a, b) => a.active - b.active || a.rate - b.rate);
        const path = new PathData();
        for (const p of sorted) path.to(x.at(p.active), y.at(p.p90));
        svg.el('path', {
          class: 'curve',
          'data-panel': metric,
          'data-policy': policy,
          d: path.toString(),
          fill: 'none',
          stroke: style.color,
          'stroke-width': CURVE_WIDTH,
          'stroke-dasharray': style.dash,
          'stroke-linejoin': 'round',
        });
        for (const p of sorted) {
          svg.el('circle', {
            class: 'marker',
            'data-panel': metric,
            'data-policy': policy,
            cx: x.at(p.active),
            cy: y.at(p.p90),
            r: MARKER_RADIUS,
            fill: style.color,
          });
        }
      }
      svg.close('g');
      const leftOut = this.leftOut.get(metric)!;
      drawNotes(svg, area, leftOut > 0 ? [`${leftOut} ${leftOut === 1 ? 'point' : 'points'} without p90 or at 0, not on the log axes`] : []);
      svg.close('g');
    });
    return svg.finish();
  }
}

/**
 * The reference line c/√n across the panel: a straight segment on log–log
 * axes, cut where it leaves the y axis' domain so it stays inside the frame.
 */
export function referencePath(c: number, x: LogScale, y: LogScale): string {
  // c/√n = y ⇔ n = (c/y)²: the x where the line crosses the top and the bottom of the axis.
  const from = Math.max(x.domain[0], (c / y.domain[1]) ** 2);
  const to = Math.min(x.domain[1], (c / y.domain[0]) ** 2);
  const path = new PathData();
  if (!(from < to)) return '';
  path.to(x.at(from), y.at(c / Math.sqrt(from)));
  path.to(x.at(to), y.at(c / Math.sqrt(to)));
  return path.toString();
}

export const sweepRenderer: PlotRenderer = {
  kind: 'sweep',
  columns: ['metric', 'policy', 'rate', 'mean_active_per_server', 'p90'],
  forbids: [],
  takes: [],
  emptyReason: 'the sweep has no run',
  collector: (columns, file, options) => new SweepCollector(columns, file, options),
};
