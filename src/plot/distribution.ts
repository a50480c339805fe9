/**
 * `plot --kind distribution`: the CSV of `connections --distribution` drawn
 * as the paper's Figure 3 — a panel per metric (lifetime, bytes per
 * connection), each with the fraction of connections in every bin as a step
 * curve (left axis) and the cumulative fraction at each bin's upper edge as a
 * dashed line (right axis, 0–1).
 *
 * Log bins (the default of `--distribution`) are drawn on a log x axis from
 * the decade below the first bin to the decade above the last one. Their
 * first bin, [0, first edge), has no place on a log axis: its share is
 * written in the panel when it is not empty. Linear bins (`--bins linear`,
 * every bin as wide) get a linear axis from 0.
 */
import { ReplayError } from '../errors.js';
import { CURVE_WIDTH, HEADROOM, drawAxes, drawHeader, drawNotes, panelRects, plotArea, type LegendEntry } from './chart.js';
import { PALETTE } from './colors.js';
import { percent } from './format.js';
import { col, numberField, type ColumnIndex, type PlotCollector, type PlotOptions, type PlotRenderer } from './renderer.js';
import { LinearScale, LogScale, decadeDomain, niceCeil, type Scale } from './scale.js';
import { PathData, SvgBuilder } from './svg.js';

export const DISTRIBUTION_SIZE = { width: 960, height: 440 } as const;

interface Bins {
  readonly start: number[];
  readonly end: number[];
  readonly count: number[];
  readonly probability: number[];
  readonly cdf: number[];
}

const PANELS: Readonly<Record<string, { title: string; xLabel: string }>> = {
  duration: { title: 'connection lifetime', xLabel: 'lifetime, first to last packet (s)' },
  bytes: { title: 'bytes per connection', xLabel: 'payload bytes, both directions' },
};

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const COLOR = PALETTE[0];

/** Whether every bin has the same width (linear bins), to a millionth. */
export function isLinear(b: Bins): boolean {
  const w = b.end[0] - b.start[0];
  for (let i = 1; i < b.start.length; i++) {
    if (Math.abs(b.end[i] - b.start[i] - w) > w * 1e-6) return false;
  }
  return true;
}

class DistributionCollector implements PlotCollector {
  private readonly metrics = new Map<string, Bins>();
  private readonly iMetric: number;
  private readonly iStart: number;
  private readonly iEnd: number;
  private readonly iCount: number;
  private readonly iProbability: number;
  private readonly iCdf: number;

  constructor(
    columns: ColumnIndex,
    private readonly file: string,
    private readonly options: PlotOptions,
  ) {
    this.iMetric = col(columns, 'metric');
    this.iStart = col(columns, 'bin_start');
    this.iEnd = col(columns, 'bin_end');
    this.iCount = col(columns, 'count');
    this.iProbability = col(columns, 'probability');
    this.iCdf = col(columns, 'cdf');
  }

  row(fields: readonly string[], offset: number): void {
    const metric = fields[this.iMetric];
    let b = this.metrics.get(metric);
    if (b === undefined) {
      b = { start: [], end: [], count: [], probability: [], cdf: [] };
      this.metrics.set(metric, b);
    }
    const start = numberField(fields, this.iStart, 'bin_start', this.file, offset);
    const end = numberField(fields, this.iEnd, 'bin_end', this.file, offset);
    if (!(end > start) || start < 0) {
      throw new ReplayError('CSV_INVALID', `bin [${fields[this.iStart]}, ${fields[this.iEnd]}) is not a bin of non-negative values`, { file: this.file, offset });
    }
    const last = b.end.length - 1;
    if (last >= 0 && start < b.end[last]) {
      throw new ReplayError('CSV_INVALID', `bins of ${metric} are not in ascending order`, { file: this.file, offset });
    }
    b.start.push(start);
    b.end.push(end);
    b.count.push(numberField(fields, this.iCount, 'count', this.file, offset));
    b.probability.push(numberField(fields, this.iProbability, 'probability', this.file, offset));
    b.cdf.push(numberField(fields, this.iCdf, 'cdf', this.file, offset));
  }

  render(): string {
    const width = this.options.width ?? DISTRIBUTION_SIZE.width;
    const height = this.options.height ?? DISTRIBUTION_SIZE.height;
    const title = this.options.title ?? 'Connections: distribution of lifetime and size';
    const svg = new SvgBuilder(width, height, title);
    const legend: LegendEntry[] = [
      { label: 'fraction of connections in the bin', style: { color: COLOR, dash: '' } },
      { label: 'cumulative fraction (right axis)', style: { color: COLOR, dash: '6 3' } },
    ];
    const space = drawHeader(svg, title, legend);
    const metrics = [...this.metrics.keys()];
    const rects = panelRects(space, metrics.length, 'row');
    metrics.forEach((metric, m) => {
      const b = this.metrics.get(metric)!;
      const area = plotArea(rects[m], true);
      const linear = isLinear(b);
      // Bins drawn: all of them on a linear axis; on a log axis those above 0.
      const first = linear ? 0 : b.start.findIndex((s) => s > 0);
      const notes: string[] = [];
      let x: Scale;
      if (linear) {
        x = new LinearScale([0, b.end[b.end.length - 1]], [area.x, area.x + area.w]);
      } else {
        const lo = first >= 0 ? b.start[first] : 1;
        const hi = first >= 0 ? b.end[b.end.length - 1] : 10;
        x = new LogScale(decadeDomain(lo, hi), [area.x, area.x + area.w]);
        let atZero = 0;
        let atZeroCount = 0;
        for (let i = 0; i < b.start.length && b.start[i] === 0; i++) {
          atZero += b.probability[i];
          atZeroCount += b.count[i];
        }
        // Log bins hold only the value 0 below the first edge (output/distribution.ts).
        if (atZeroCount > 0) notes.push(`at 0: ${atZeroCount} (${percent(atZero)}), not on the log axis`);
      }
      let yTop = 0;
      if (first >= 0) for (let i = first; i < b.start.length; i++) yTop = Math.max(yTop, b.probability[i]);
      const y = new LinearScale([0, niceCeil(yTop * HEADROOM)], [area.y + area.h, area.y], 5);
      const right = new LinearScale([0, 1], [area.y + area.h, area.y], 5);
      const panel = PANELS[metric] ?? { title: metric, xLabel: metric };
      svg.open('g', { class: 'panel', 'data-panel': metric });
      drawAxes(svg, area, {
        title: `(${LETTERS[m % LETTERS.length]}) ${panel.title}`,
        x,
        y,
        xLabel: panel.xLabel,
        yLabel: 'fraction of connections',
        right: { scale: right, label: 'cumulative fraction' },
      });
      svg.open('g', { class: 'curves' });
      svg.el('path', {
        class: 'curve',
        'data-panel': metric,
        d: first >= 0 ? stepPath(b, first, x, y) : '',
        fill: 'none',
        stroke: COLOR,
        'stroke-width': CURVE_WIDTH,
      });
      svg.el('path', {
        class: 'cdf',
        'data-panel': metric,
        d: first >= 0 ? cdfPath(b, first, x, right) : '',
        fill: 'none',
        stroke: COLOR,
        'stroke-width': 1.5,
        'stroke-dasharray': '6 3',
      });
      svg.close('g');
      drawNotes(svg, area, notes);
      svg.close('g');
    });
    return svg.finish();
  }
}

function stepPath(b: Bins, first: number, x: Scale, y: Scale): string {
  const path = new PathData();
  const y0 = y.at(0);
  path.move(x.at(b.start[first]), y0);
  for (let i = first; i < b.start.length; i++) {
    const yi = y.at(b.probability[i]);
    path.to(x.at(b.start[i]), yi);
    path.to(x.at(b.end[i]), yi);
  }
  path.to(x.at(b.end[b.end.length - 1]), y0);
  return path.toString();
}

/** The cumulative fraction: the share below the first drawn bin at its start, then each bin's cdf at its end. */
function cdfPath(b: Bins, first: number, x: Scale, y: Scale): string {
  const path = new PathData();
  path.move(x.at(b.start[first]), y.at(first > 0 ? b.cdf[first - 1] : 0));
  for (let i = first; i < b.start.length; i++) path.to(x.at(b.end[i]), y.at(b.cdf[i]));
  return path.toString();
}

export const distributionRenderer: PlotRenderer = {
  kind: 'distribution',
  columns: ['metric', 'bin_start', 'bin_end', 'count', 'probability', 'cdf'],
  forbids: ['policy'],
  takes: [],
  emptyReason: 'the capture has no connection',
  collector: (columns, file, options) => new DistributionCollector(columns, file, options),
};
