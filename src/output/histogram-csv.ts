/**
 * The main output (SPEC §6): the probability density of the imbalance as
 * CSV, one row per (metric, policy, bin), long form.
 *
 * - Header `metric,policy,bin_start,bin_end,count,probability,density,cdf`,
 *   LF record delimiter (for Unix pipes; RFC 4180 says CRLF), fields quoted
 *   as RFC 4180 requires (only a field holding `,`, `"`, CR or LF is quoted,
 *   with `"` doubled; with the built-in policy names nothing is), by `csvField` of
 *   output/csv.ts.
 * - Rows: metric `connections`, then `bytes`; within each, the policy
 *   instances in command-line order; bins ascending from 0 to the last
 *   non-empty bin of any instance for that metric, so every instance has the
 *   same bins. A metric with no non-idle sample has no rows (idle samples are
 *   the same for every instance, so that is all or none); with no non-idle
 *   sample at all, the output is the header alone.
 * - `bin_start`, `bin_end`: the exact decimals k·width and (k+1)·width, no
 *   trailing zeros. `count`: samples in the bin. `probability` = count /
 *   non-idle samples; `density` = probability / width; `cdf` = samples in
 *   bins 0 … k / non-idle samples — each the exact ratio rounded half to even
 *   to 12 decimals, trailing zeros and point dropped, no exponent form.
 */
import type { BinWidth, ImbalanceStats } from '../sampler/imbalance.js';
import { RATIO_DECIMALS, writeHistogramRows } from './histogram-rows.js';

export const HISTOGRAM_CSV_HEADER = 'metric,policy,bin_start,bin_end,count,probability,density,cdf\n';

export { RATIO_DECIMALS };

/** The metrics, in row order. */
export const METRICS = ['connections', 'bytes'] as const;
export type Metric = (typeof METRICS)[number];

/** What the CSV needs: the bin width and, per instance in order, its label and two distributions. */
export interface HistogramCsvInput {
  readonly binWidth: BinWidth;
  readonly policies: readonly {
    readonly info: { readonly label: string };
    readonly connections: ImbalanceStats;
    readonly bytes: ImbalanceStats;
  }[];
}

/**
 * Writes the whole CSV through `write`: the header, then one call per row
 * (each a line ending in LF).
 */
export function writeHistogramCsv(input: HistogramCsvInput, write: (chunk: string) => void): void {
  write(HISTOGRAM_CSV_HEADER);
  const width = input.binWidth;
  for (const metric of METRICS) {
    let lastBin = -1;
    for (const p of input.policies) lastBin = Math.max(lastBin, p[metric].histogram.lastBin);
    if (lastBin < 0) continue;
    for (const p of input.policies) {
      const histogram = p[metric].histogram;
      writeHistogramRows(metric, p.info.label, histogram.binCounts(), histogram.total, lastBin, width, write);
    }
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
