/**
 * One (metric, policy) block of histogram CSV rows (SPEC §6), rendered from
 * integer counts: shared by the main CSV (src/output/histogram-csv.ts) and
 * `batch`, so both print the same bytes for the same counts.
 *
 * Row k (0 ≤ k ≤ lastBin): `metric,label,bin_start,bin_end,count,probability,density,cdf`
 * with bin = [k·w, (k+1)·w) as exact decimals; probability = count / total,
 * density = probability / w, cdf = cumulative count / total, each the exact
 * ratio rounded half to even to RATIO_DECIMALS decimals (src/output/decimal.ts).
 * Counts past the end of `counts` are 0, so several policies can share bins.
 */
import { csvField } from './csv.js';
import { formatRatio, formatScaled } from './decimal.js';
import { parseBinWidth, type BinWidth } from '../sampler/imbalance.js';

/** Decimals of `probability`, `density` and `cdf`. */
export const RATIO_DECIMALS = 12;

/**
 * Calls `write` once per row (each a line ending in LF) for bins 0 … lastBin
 * of one metric and one policy. `total` is the number of non-idle samples
 * (the sum of `counts`); `binWidth` is a parsed width or its decimal text.
 */
export function writeHistogramRows(
  metric: string,
  label: string,
  counts: ArrayLike<number>,
  total: number,
  lastBin: number,
  binWidth: BinWidth | string,
  write: (row: string) => void,
): void {
  const width = typeof binWidth === 'string' ? parseBinWidth(binWidth) : binWidth;
  const totalBig = BigInt(total);
  const policy = csvField(label);
  const densityDen = totalBig * width.p;
  let cumulative = 0n;
  for (let bin = 0; bin <= lastBin; bin++) {
    const count = BigInt(bin < counts.length ? counts[bin] : 0);
    cumulative += count;
    const start = formatScaled(BigInt(bin) * width.units, width.scale);
    const end = formatScaled(BigInt(bin + 1) * width.units, width.scale);
    const probability = formatRatio(count, totalBig, RATIO_DECIMALS);
    const density = formatRatio(count * width.q, densityDen, RATIO_DECIMALS);
    const cdf = formatRatio(cumulative, totalBig, RATIO_DECIMALS);
    write(`${metric},${policy},${start},${end},${count},${probability},${density},${cdf}\n`);
  }
}

/** The rows of `writeHistogramRows` as one string ('' when lastBin < 0). */
export function histogramRowsCsv(
  metric: string,
  label: string,
  counts: ArrayLike<number>,
  total: number,
  lastBin: number,
  binWidth: BinWidth | string,
): string {
  let text = '';
  writeHistogramRows(metric, label, counts, total, lastBin, binWidth, (row) => {
    text += row;
  });
  return text;
}
