/**
 * The distribution of one imbalance measure besides the paper's `range`
 * (`--imbalance max-over-mean|cv|jain`, issue 11; src/policies/measures.ts)
 * for one metric of one policy instance: exact bins (SPEC §5), idle
 * samples, the exact maximum, and the mean from values truncated to
 * MEAN_DECIMALS decimals (as the range's mean is). One call per sample
 * (BigInt arithmetic there is per sample, never per packet).
 */
import { Histogram } from './histogram.js';
import { MEAN_DECIMALS } from './imbalance.js';
import { compareMeasures, isqrt, measureBin, scaledFloor, MeasureValue, type ExactWidth, type ImbalanceMeasure } from '../policies/measures.js';
import { formatRatioFixed } from '../output/decimal.js';

export class MeasureStats {
  readonly histogram = new Histogram();
  idle = 0;
  /** Σ ⌊value · 10^MEAN_DECIMALS⌋ over the non-idle samples. */
  meanScaled = 0n;
  /** The largest value so far (valid when histogram.total > 0). */
  readonly max = new MeasureValue();

  constructor(readonly measure: ImbalanceMeasure) {}

  get samples(): number {
    return this.idle + this.histogram.total;
  }

  /** Records `times` identical non-idle samples of `value`. */
  record(value: MeasureValue, width: ExactWidth, times: number): void {
    const first = this.histogram.total === 0;
    this.histogram.add(measureBin(value, width), times);
    this.meanScaled += scaledFloor(value, MEAN_DECIMALS) * BigInt(times);
    if (first || compareMeasures(value, this.max) > 0) copyValue(value, this.max);
  }

  recordIdle(times: number): void {
    this.idle += times;
  }
}

export function copyValue(from: MeasureValue, to: MeasureValue): void {
  to.num = from.num;
  to.den = from.den;
  to.numBig = from.numBig;
  to.denBig = from.denBig;
  to.big = from.big;
  to.root = from.root;
}

/** A measure value rounded half to even to `decimals` decimals, written with exactly that many ("0.290000"). */
export function formatMeasureValue(value: MeasureValue, decimals: number): string {
  if (!value.root) return formatRatioFixed(value.numBig, value.denBig, decimals);
  // √num / den · 10^d = √(num · 10^2d) / den: k = ⌊isqrt(X) / den⌋, then round by comparing squares.
  const x = value.numBig * 10n ** BigInt(2 * decimals);
  const k = isqrt(x) / value.denBig;
  const twice = (2n * k + 1n) * value.denBig;
  const lhs = twice * twice;
  const rhs = 4n * x;
  const q = lhs < rhs || (lhs === rhs && (k & 1n) === 1n) ? k + 1n : k;
  return fixed(q, decimals);
}

function fixed(q: bigint, decimals: number): string {
  // q counts 10^-decimals: reuse the ratio formatter with denominator 10^decimals.
  return formatRatioFixed(q, 10n ** BigInt(decimals), decimals);
}
