/**
 * The numbers of the imbalance histogram output (SPEC §6), before any text:
 * which (metric, policy) blocks of rows there are, and per block the counts
 * of bins 0 … lastBin. Renderers (src/output/histogram-rows.ts for CSV) turn
 * each block's bins into rows; the maths here decides the shape:
 *
 * - metric `connections`, then `bytes`; within each, the instances in order;
 * - every instance's block runs to the last non-empty bin of ANY instance
 *   for that metric, so all instances have the same bins;
 * - a metric with no non-idle sample has no block (idle samples depend on
 *   the traffic only, so that is all instances or none).
 */

/** The metrics, in row order. */
export const METRICS = ['connections', 'bytes'] as const;
export type Metric = (typeof METRICS)[number];

/** One metric's counts of one instance: counts[k] for bin k, `total` = their sum (non-idle samples). */
export interface MetricCounts {
  readonly counts: ArrayLike<number>;
  readonly total: number;
}

/** One (metric, policy) block: bins 0 … lastBin (counts past the end of `counts` are 0). */
export interface HistogramBlock {
  readonly metric: Metric;
  readonly label: string;
  readonly counts: ArrayLike<number>;
  readonly total: number;
  readonly lastBin: number;
}

/** The last non-empty bin of `counts` (−1 when none). */
export function lastNonEmptyBin(counts: ArrayLike<number>): number {
  for (let k = counts.length - 1; k >= 0; k--) if (counts[k] !== 0) return k;
  return -1;
}

/** The blocks of the main output for instances in order, each with its label and per-metric counts. */
export function histogramBlocks(
  instances: readonly { readonly label: string; readonly connections: MetricCounts; readonly bytes: MetricCounts }[],
): HistogramBlock[] {
  const blocks: HistogramBlock[] = [];
  for (const metric of METRICS) {
    let lastBin = -1;
    for (const inst of instances) lastBin = Math.max(lastBin, lastNonEmptyBin(inst[metric].counts));
    if (lastBin < 0) continue;
    for (const inst of instances) {
      const m = inst[metric];
      blocks.push({ metric, label: inst.label, counts: m.counts, total: m.total, lastBin });
    }
  }
  return blocks;
}
