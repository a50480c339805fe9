/**
 * `plot --kind imbalance`: the replay's main CSV (SPEC §6) drawn as the
 * paper's Figure 4 — a panel per metric (active connections, bytes), one
 * step curve per policy: the probability density of each bin drawn flat over
 * its [bin_start, bin_end), so a lone bin still shows as a block.
 *
 * The x axis runs from 0 to the smallest bin edge below which every policy
 * has at least 99 % of its probability (MASS_FRACTION), or to the end of the
 * last non-empty bin when that is at most a quarter further. The imbalance of
 * a sample with a single active connection is N (all load on one server), so
 * a few samples at exactly N are common; the mass beyond the axis is written
 * in the panel, per policy, instead of squeezing the bulk into a corner.
 */
import { ReplayError } from '../errors.js';
import { CURVE_WIDTH, HEADROOM, drawAxes, drawHeader, drawNotes, panelRects, plotArea, type LegendEntry } from './chart.js';
import { policyStyles } from './colors.js';
import { percent } from './format.js';
import { col, numberField, seriesOf, type ColumnIndex, type PlotCollector, type PlotOptions, type PlotRenderer } from './renderer.js';
import { LinearScale, niceCeil } from './scale.js';
import { PathData, SvgBuilder } from './svg.js';

/** The share of each policy's probability the x axis shows at least. */
export const MASS_FRACTION = 0.99;
/** The axis goes on to the last non-empty bin when that adds at most this share of the range. */
const TAIL_SLACK = 1.25;

export const IMBALANCE_SIZE = { width: 960, height: 440 } as const;

/** One (metric, policy) histogram: bins in file order. */
export interface DensitySeries {
  readonly start: number[];
  readonly end: number[];
  readonly probability: number[];
  readonly density: number[];
}

function newSeries(): DensitySeries {
  return { start: [], end: [], probability: [], density: [] };
}

/**
 * The right end of the x axis for these series (the rule above): the
 * smallest bin end where every series' cumulative probability reaches
 * `fraction`, extended to the last non-empty bin's end when that is within
 * TAIL_SLACK of it.
 */
export function massRange(series: readonly DensitySeries[], fraction = MASS_FRACTION): number {
  let massEnd = 0;
  let lastEnd = 0;
  for (const s of series) {
    let total = 0;
    for (const p of s.probability) total += p;
    let cumulative = 0;
    let reached = false;
    for (let i = 0; i < s.start.length; i++) {
      cumulative += s.probability[i];
      if (s.probability[i] > 0) lastEnd = Math.max(lastEnd, s.end[i]);
      // Probabilities are rounded to 12 decimals in the CSV: allow for it.
      if (!reached && cumulative >= fraction * total - 1e-9) {
        massEnd = Math.max(massEnd, s.end[i]);
        reached = true;
      }
    }
  }
  if (massEnd === 0) return lastEnd > 0 ? lastEnd : 1;
  return lastEnd <= massEnd * TAIL_SLACK ? lastEnd : massEnd;
}

/** Probability in the bins that start at or after `xMax` (not drawn). */
export function massBeyond(s: DensitySeries, xMax: number): number {
  let p = 0;
  for (let i = 0; i < s.start.length; i++) if (s.start[i] >= xMax) p += s.probability[i];
  return p;
}

const PANEL_TITLES: Readonly<Record<string, string>> = {
  connections: 'active connections',
  bytes: 'bytes per interval',
};

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

class ImbalanceCollector implements PlotCollector {
  /** metric → policy → series, both in order of appearance. */
  private readonly metrics = new Map<string, Map<string, DensitySeries>>();
  private readonly policies: string[] = [];
  private readonly iMetric: number;
  private readonly iPolicy: number;
  private readonly iStart: number;
  private readonly iEnd: number;
  private readonly iProbability: number;
  private readonly iDensity: number;

  constructor(
    columns: ColumnIndex,
    private readonly file: string,
    private readonly options: PlotOptions,
  ) {
    this.iMetric = col(columns, 'metric');
    this.iPolicy = col(columns, 'policy');
    this.iStart = col(columns, 'bin_start');
    this.iEnd = col(columns, 'bin_end');
    this.iProbability = col(columns, 'probability');
    this.iDensity = col(columns, 'density');
  }

  row(fields: readonly string[], offset: number): void {
    const metric = fields[this.iMetric];
    const policy = fields[this.iPolicy];
    const s = seriesOf(this.metrics, this.policies, metric, policy, newSeries);
    const start = numberField(fields, this.iStart, 'bin_start', this.file, offset);
    const end = numberField(fields, this.iEnd, 'bin_end', this.file, offset);
    if (!(end > start)) throw new ReplayError('CSV_INVALID', `bin_end ${fields[this.iEnd]} is not above bin_start ${fields[this.iStart]}`, { file: this.file, offset });
    const last = s.end.length - 1;
    if (last >= 0 && start < s.end[last]) {
      throw new ReplayError('CSV_INVALID', `bins of ${metric}/${policy} are not in ascending order`, { file: this.file, offset });
    }
    s.start.push(start);
    s.end.push(end);
    s.probability.push(numberField(fields, this.iProbability, 'probability', this.file, offset));
    s.density.push(numberField(fields, this.iDensity, 'density', this.file, offset));
  }

  render(): string {
    if (this.options.binWidth !== undefined) {
      const w = Number(this.options.binWidth);
      for (const byPolicy of this.metrics.values()) {
        for (const [policy, s] of byPolicy) byPolicy.set(policy, rebin(s, w, this.options.binWidth));
      }
    }
    const width = this.options.width ?? IMBALANCE_SIZE.width;
    const height = this.options.height ?? IMBALANCE_SIZE.height;
    const title = this.options.title ?? 'Load imbalance across servers: probability density per policy';
    const styles = policyStyles(this.policies);
    const svg = new SvgBuilder(width, height, title);
    const legend: LegendEntry[] = this.policies.map((p) => ({ label: p, style: styles.get(p)! }));
    const space = drawHeader(svg, title, legend);
    const metrics = [...this.metrics.keys()];
    const rects = panelRects(space, metrics.length, 'row');
    metrics.forEach((metric, m) => {
      const byPolicy = this.metrics.get(metric)!;
      const series = [...byPolicy.values()];
      const area = plotArea(rects[m]);
      const xMax = massRange(series);
      let yTop = 0;
      for (const s of series) {
        for (let i = 0; i < s.start.length; i++) if (s.start[i] < xMax) yTop = Math.max(yTop, s.density[i]);
      }
      const x = new LinearScale([0, xMax], [area.x, area.x + area.w]);
      const y = new LinearScale([0, niceCeil(yTop * HEADROOM)], [area.y + area.h, area.y], 5);
      svg.open('g', { class: 'panel', 'data-panel': metric });
      drawAxes(svg, area, {
        title: `(${LETTERS[m % LETTERS.length]}) ${PANEL_TITLES[metric] ?? metric}`,
        x,
        y,
        xLabel: 'imbalance = (max − min) / mean',
        yLabel: 'probability density',
      });
      svg.open('g', { class: 'curves' });
      for (const [policy, s] of byPolicy) {
        const style = styles.get(policy)!;
        svg.el('path', {
          class: 'curve',
          'data-panel': metric,
          'data-policy': policy,
          d: stepPath(s, x, y, xMax),
          fill: 'none',
          stroke: style.color,
          'stroke-width': CURVE_WIDTH,
          'stroke-dasharray': style.dash,
          'stroke-linejoin': 'miter',
        });
      }
      svg.close('g');
      drawNotes(svg, area, beyondNotes(byPolicy, xMax));
      svg.close('g');
    });
    return svg.finish();
  }
}

/**
 * The series in bins [k·w, (k+1)·w): each the sum of the CSV's bins inside
 * it, density = probability / w. Every CSV bin must lie inside one new bin
 * (w a multiple of the CSV's width), or the sum would split a bin's samples.
 */
export function rebin(s: DensitySeries, w: number, wText = String(w)): DensitySeries {
  const sums = new Map<number, number>();
  let kLo = Infinity;
  let kHi = -Infinity;
  for (let i = 0; i < s.start.length; i++) {
    const k = Math.floor(s.start[i] / w + 1e-9);
    if (Math.ceil(s.end[i] / w - 1e-9) !== k + 1) {
      throw new ReplayError('OPTION_INVALID', `option --bin-width: the CSV's bin [${s.start[i]}, ${s.end[i]}) is not inside one bin of ${wText}`);
    }
    sums.set(k, (sums.get(k) ?? 0) + s.probability[i]);
    kLo = Math.min(kLo, k);
    kHi = Math.max(kHi, k);
  }
  const out = newSeries();
  for (let k = kLo; k <= kHi; k++) {
    const p = sums.get(k) ?? 0;
    out.start.push(Number((k * w).toPrecision(12)));
    out.end.push(Number(((k + 1) * w).toPrecision(12)));
    out.probability.push(p);
    out.density.push(p / w);
  }
  return out;
}

/**
 * One line per policy with probability beyond the axis, `hash: 0.8 % beyond
 * 3.34`; one line `every policy: …` when they all have the same share.
 */
export function beyondNotes(byPolicy: ReadonlyMap<string, DensitySeries>, xMax: number): string[] {
  const notes: string[] = [];
  const shares = new Set<string>();
  for (const [policy, s] of byPolicy) {
    const beyond = massBeyond(s, xMax);
    shares.add(beyond > 0 ? percent(beyond) : '');
    if (beyond > 0) notes.push(`${policy}: ${percent(beyond)} beyond ${trimNumber(xMax)}`);
  }
  if (byPolicy.size > 1 && shares.size === 1 && notes.length > 0) {
    return [`every policy: ${[...shares][0]} beyond ${trimNumber(xMax)}`];
  }
  return notes;
}

/** A bin edge as the CSV wrote it (it is a short decimal): no float noise. */
function trimNumber(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/**
 * The step outline of a density series, clipped at `xMax`: up at each bin's
 * start, flat to its end, down to 0 at gaps and after the last non-empty bin.
 */
export function stepPath(s: DensitySeries, x: LinearScale, y: LinearScale, xMax: number): string {
  const path = new PathData();
  const y0 = y.at(0);
  // Empty bins before the first and after the last non-empty one would only retrace the axis.
  let first = 0;
  while (first < s.start.length && s.density[first] === 0) first++;
  let last = s.start.length - 1;
  while (last >= first && s.density[last] === 0) last--;
  let prevEnd = NaN;
  for (let i = first; i <= last; i++) {
    if (s.start[i] >= xMax) break;
    const x0 = x.at(s.start[i]);
    if (s.start[i] !== prevEnd) {
      if (!Number.isNaN(prevEnd)) path.to(x.at(prevEnd), y0);
      path.to(x0, y0);
    }
    const yi = y.at(s.density[i]);
    path.to(x0, yi);
    const end = Math.min(s.end[i], xMax);
    path.to(x.at(end), yi);
    prevEnd = end;
  }
  if (!Number.isNaN(prevEnd)) path.to(x.at(prevEnd), y0);
  return path.toString();
}

export const imbalanceRenderer: PlotRenderer = {
  kind: 'imbalance',
  columns: ['metric', 'policy', 'bin_start', 'bin_end', 'probability', 'density'],
  forbids: [],
  takes: ['binWidth'],
  emptyReason: 'the replay measured no sample',
  collector: (columns, file, options) => new ImbalanceCollector(columns, file, options),
};
