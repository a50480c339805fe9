/**
 * The main output (SPEC §6): the probability density of the imbalance as
 * CSV, one row per (metric, policy, bin), long form.
 *
 * - Header `metric,policy,bin_start,bin_end,count,probability,density,cdf`,
 *   LF record delimiter (for Unix pipes; RFC 4180 says CRLF), fields quoted
 *   as RFC 4180 requires (only a field holding `,`, `"`, CR or LF is quoted,
 *   with `"` doubled; with the built-in policy names nothing is), by `csvField` of
 *   output/csv.ts.
 * - Rows: the blocks of src/sampler/histogram-blocks.ts — metric
 *   `connections` (`packets` with `--granularity packet`), then `bytes`; within each, the policy instances in
 *   command-line order; bins ascending from 0 to the last non-empty bin of any
 *   instance for that metric, so every instance has the same bins. A metric
 *   with no non-idle sample has no rows; with no non-idle sample at all, the
 *   output is the header alone. Each block is rendered by
 *   src/output/histogram-rows.ts, which `batch` uses too.
 * - `bin_start`, `bin_end`: the exact decimals k·width and (k+1)·width, no
 *   trailing zeros. `count`: samples in the bin. `probability` = count /
 *   non-idle samples; `density` = probability / width; `cdf` = samples in
 *   bins 0 … k / non-idle samples — each the exact ratio rounded half to even
 *   to 12 decimals, trailing zeros and point dropped, no exponent form.
 */
import type { BinWidth, ImbalanceStats } from '../sampler/imbalance.js';
import { RATIO_DECIMALS, writeHistogramRows } from './histogram-rows.js';
import { histogramBlocks, METRICS, type Metric } from '../sampler/histogram-blocks.js';
import type { MeasureStats } from '../sampler/measure-stats.js';
import type { ImbalanceMeasure } from '../policies/measures.js';

export const HISTOGRAM_CSV_HEADER = 'metric,policy,bin_start,bin_end,count,probability,density,cdf\n';

export { RATIO_DECIMALS };

export { METRICS, type Metric };

/** What the CSV needs: the bin width and, per instance in order, its label and two distributions. */
export interface HistogramCsvInput {
  readonly binWidth: BinWidth;
  readonly policies: readonly {
    readonly info: { readonly label: string };
    readonly connections: ImbalanceStats;
    readonly bytes: ImbalanceStats;
    /** The measures besides range (`--imbalance`), by name. */
    readonly measures?: readonly { readonly measure: ImbalanceMeasure; readonly connections: MeasureStats; readonly bytes: MeasureStats }[];
  }[];
  /** `--imbalance` in output order; ['range'] when absent. */
  readonly imbalance?: readonly ImbalanceMeasure[];
  /** `--granularity`; with `packet` the first load is packets per interval, its metric named `packets`. */
  readonly granularity?: string;
}

/** The `metric` column of a measure's rows: `connections`/`bytes` for range, `connections:cv` and so on for the others. */
export function metricName(metric: Metric, measure: ImbalanceMeasure, granularity = 'connection'): string {
  const name = metric === 'connections' && granularity === 'packet' ? 'packets' : metric;
  return measure === 'range' ? name : `${name}:${measure}`;
}

/**
 * Writes the whole CSV through `write`: the header, then one call per row
 * (each a line ending in LF).
 */
export function writeHistogramCsv(input: HistogramCsvInput, write: (chunk: string) => void): void {
  write(HISTOGRAM_CSV_HEADER);
  // Measures in the order asked; each gives its connections blocks, then its bytes blocks.
  for (const measure of input.imbalance ?? ['range']) {
    const blocks = histogramBlocks(
      input.policies.map((p) => {
        if (measure === 'range') {
          return {
            label: p.info.label,
            connections: { counts: p.connections.histogram.binCounts(), total: p.connections.histogram.total },
            bytes: { counts: p.bytes.histogram.binCounts(), total: p.bytes.histogram.total },
          };
        }
        const m = p.measures?.find((x) => x.measure === measure);
        if (m === undefined) throw new Error(`measure ${measure} was not sampled`);
        return {
          label: p.info.label,
          connections: { counts: m.connections.histogram.binCounts(), total: m.connections.histogram.total },
          bytes: { counts: m.bytes.histogram.binCounts(), total: m.bytes.histogram.total },
        };
      }),
    );
    for (const b of blocks) writeHistogramRows(metricName(b.metric, measure, input.granularity), b.label, b.counts, b.total, b.lastBin, input.binWidth, write);
  }
}

/** The whole CSV as one string (for tests and small outputs). */
export function histogramCsvText(input: HistogramCsvInput): string {
  let text = '';
  writeHistogramCsv(input, (chunk) => {
    text += chunk;
  });
  return text;
}
