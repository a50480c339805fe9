/**
 * Imbalance of a sample and its exact bin (SPEC §5).
 *
 * For one metric and one policy instance with N servers, a sample's values
 * x_0 … x_{N−1} (active connections, or bytes in the interval) give
 *   imbalance = (max − min) / mean = (max − min)·N / sum,
 * a ratio of integers; sum = 0 makes the sample idle. Its bin for a width
 * p/q (the `--bin-width` decimal, reduced) is
 *   bin = ⌊(max − min)·N·q / (sum·p)⌋,
 * computed in integers: in doubles while both products stay at most 2^53 − 1
 * (then the division is corrected to the exact floor), in BigInt beyond. So
 * 3·5/50 = 0.3 with width 0.01 lands in bin 30, where 0.3 / 0.01 in doubles
 * is 29.999….
 */
import { ReplayError } from '../errors.js';
import { parseDecimal } from '../output/decimal.js';
import { Histogram } from './histogram.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A histogram bin width, exactly. */
export interface BinWidth {
  /** Canonical decimal text ("0.01"). */
  readonly text: string;
  /** The width is units / 10^scale (unreduced; bin edges are k·units / 10^scale). */
  readonly units: bigint;
  readonly scale: number;
  /** The width is p / q in lowest terms. */
  readonly p: bigint;
  readonly q: bigint;
  /** p and q as doubles, meaningful only when `fast`. */
  readonly pNum: number;
  readonly qNum: number;
  /** p and q are at most 2^53 − 1, so the double path may be tried. */
  readonly fast: boolean;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Parses `--bin-width` ("0.01", "0.25", "1") exactly; throws OPTION_INVALID. */
export function parseBinWidth(text: string): BinWidth {
  const trimmed = text.trim();
  const dec = parseDecimal(trimmed);
  if (dec === undefined || dec.units === 0n) {
    throw new ReplayError('OPTION_INVALID', `option --bin-width: '${trimmed}' is not a positive decimal number`);
  }
  let { units, scale } = dec;
  // Canonical form: no trailing fractional zeros.
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  const denominator = 10n ** BigInt(scale);
  const g = gcd(units, denominator);
  const p = units / g;
  const q = denominator / g;
  const fast = p <= BigInt(MAX_SAFE) && q <= BigInt(MAX_SAFE);
  const digits = units.toString().padStart(scale + 1, '0');
  const canonical = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return { text: canonical, units, scale, p, q, pNum: Number(p), qNum: Number(q), fast };
}

/**
 * ⌊num / den⌋ for integers 0 ≤ num, 0 < den with num + den ≤ 2^53 − 1: the
 * double quotient is rounded, so the floor is corrected by the remainder
 * (q·den ≤ num + den stays exact).
 */
function floorDivSafe(num: number, den: number): number {
  let q = Math.floor(num / den);
  const r = num - q * den;
  if (r < 0) q--;
  else if (r >= den) q++;
  return q;
}

/**
 * The bin of the imbalance diff·n / sum for `width`: ⌊diff·n·q / (sum·p)⌋.
 * diff ≥ 0, n ≥ 1, sum > 0, all integers. No allocation unless a product
 * exceeds 2^53 − 1 (then BigInt, once per sample).
 */
export function imbalanceBin(diff: number, n: number, sum: number, width: BinWidth): number {
  if (width.fast) {
    // A product above 2^53 − 1 rounds to at least 2^53, so these tests are exact.
    const num = diff * n * width.qNum;
    const den = sum * width.pNum;
    if (num <= MAX_SAFE && den <= MAX_SAFE && num + den <= MAX_SAFE) return floorDivSafe(num, den);
  }
  return Number((BigInt(diff) * BigInt(n) * width.q) / (BigInt(sum) * width.p));
}

/** Compares d1/s1 with d2/s2 (non-negative integers, s > 0): −1, 0 or 1. */
export function compareRatios(d1: number, s1: number, d2: number, s2: number): number {
  const left = d1 * s2;
  const right = d2 * s1;
  if (left <= MAX_SAFE && right <= MAX_SAFE) return left < right ? -1 : left > right ? 1 : 0;
  const l = BigInt(d1) * BigInt(s2);
  const r = BigInt(d2) * BigInt(s1);
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Decimals kept of each imbalance before summing for the mean. */
export const MEAN_DECIMALS = 24;
const LIMB = 1_000_000;
const LIMB_DIGITS = 6;
const LIMBS = MEAN_DECIMALS / LIMB_DIGITS;
/** Largest sum for the double path: r·10^6 + sum stays below 2^53. */
const MEAN_FAST_MAX_SUM = 9_000_000_000;
const SCALE_BIG = 10n ** BigInt(MEAN_DECIMALS);

/**
 * The sum of many imbalances for their mean (SPEC §6 summary). An exact sum
 * of arbitrary ratios needs unbounded precision, so each imbalance is
 * truncated to MEAN_DECIMALS (24) decimals — exactly, by long division — and
 * those are summed exactly in fixed point: the mean is low by less than
 * 10^-24. Limb 0 holds the integer part, limbs 1–4 six decimals each.
 */
export class MeanAccumulator {
  private readonly limbs = new Float64Array(LIMBS + 1);
  /** Some imbalance had digits beyond the 24th decimal. */
  truncated = false;

  /** Adds diff·n / sum, `times` times (sum > 0). */
  add(diff: number, n: number, sum: number, times: number): void {
    const a = diff * n;
    const limbs = this.limbs;
    if (sum <= MEAN_FAST_MAX_SUM && a + sum <= MAX_SAFE) {
      const whole = floorDivSafe(a, sum);
      let r = a - whole * sum;
      limbs[0] += whole * times;
      for (let j = 1; j <= LIMBS; j++) {
        const x = r * LIMB;
        const digit = floorDivSafe(x, sum);
        r = x - digit * sum;
        limbs[j] += digit * times;
      }
      if (r !== 0) this.truncated = true;
    } else {
      const num = BigInt(diff) * BigInt(n) * SCALE_BIG;
      const den = BigInt(sum);
      let v = num / den;
      if (v * den !== num) this.truncated = true;
      for (let j = LIMBS; j >= 1; j--) {
        limbs[j] += Number(v % BigInt(LIMB)) * times;
        v /= BigInt(LIMB);
      }
      limbs[0] += Number(v) * times;
    }
    for (let j = LIMBS; j >= 1; j--) {
      const carry = Math.floor(limbs[j] / LIMB);
      if (carry !== 0) {
        limbs[j] -= carry * LIMB;
        limbs[j - 1] += carry;
      }
    }
  }

  /** The sum as an integer count of 10^-24. */
  scaledSum(): bigint {
    let v = BigInt(this.limbs[0]);
    for (let j = 1; j <= LIMBS; j++) v = v * BigInt(LIMB) + BigInt(this.limbs[j]);
    return v;
  }
}

/** The distribution of one metric's imbalance for one policy instance. */
export class ImbalanceStats {
  readonly histogram = new Histogram();
  /** Samples whose sum was 0 (no imbalance). */
  idle = 0;
  readonly mean = new MeanAccumulator();
  /** The largest imbalance so far is maxDiff·n / maxSum (maxSum 0 while none). */
  maxDiff = 0;
  maxSum = 0;
  maxBin = -1;

  /** Samples taken: idle plus in the histogram. */
  get samples(): number {
    return this.idle + this.histogram.total;
  }

  /** Records `times` identical non-idle samples; returns their bin. */
  record(diff: number, n: number, sum: number, width: BinWidth, times: number): number {
    const bin = imbalanceBin(diff, n, sum, width);
    this.histogram.add(bin, times);
    this.mean.add(diff, n, sum, times);
    if (bin >= this.maxBin && (this.maxSum === 0 || compareRatios(diff, sum, this.maxDiff, this.maxSum) > 0)) {
      this.maxDiff = diff;
      this.maxSum = sum;
      this.maxBin = bin;
    }
    return bin;
  }

  recordIdle(times: number): void {
    this.idle += times;
  }
}
