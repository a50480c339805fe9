/**
 * Imbalance measures over per-server loads (`--imbalance`, issue 11), as
 * exact integers so that their histogram bins are exact (SPEC §5).
 *
 * For loads x_0 … x_{n−1} (non-negative integers: active connections, or
 * bytes in an interval), S = Σx, Q = Σx²:
 *
 * | measure         | definition                 | exact form                     |
 * |-----------------|----------------------------|--------------------------------|
 * | `range`         | (max − min) / mean         | (max − min)·n / S              |
 * | `max-over-mean` | max / mean                 | max·n / S                      |
 * | `cv`            | σ / mean (σ over n, not n−1) | √(n·Q − S²) / S              |
 * | `jain`          | (Σx)² / (n·Σx²)            | S² / (n·Q)                     |
 *
 * `range` is SPEC §5's measure (src/sampler/imbalance.ts). `max-over-mean`
 * is what the consistent-hashing and Maglev papers report; `cv` is the
 * coefficient of variation; `jain` is Jain's fairness index (Jain, Chiu &
 * Hawe, DEC-TR-301, 1984): 1 when every server has the same load, 1/n when
 * one has it all — higher is fairer, unlike the other three. A sample with
 * S = 0 has no value (idle), for all four.
 *
 * A value is held as num/den, or √num/den for `cv` (`root`), both integers.
 * The bin of a value for a bin width p/q (lowest terms) is ⌊value·q/p⌋:
 * - ratio: ⌊num·q / (den·p)⌋;
 * - root: ⌊√(num·q²) / (den·p)⌋ = ⌊isqrt(num·q²) / (den·p)⌋, since for an
 *   integer k, k·den·p ≤ √X exactly when k·den·p ≤ ⌊√X⌋; isqrt is the exact
 *   integer square root. Equivalently: the largest k with (k·den·p)² ≤ num·q²,
 *   a comparison of squares, so no rounded square root is ever binned.
 * Doubles are used while every product stays below 2^53, BigInt beyond (once
 * per sample, never per packet).
 */

export const IMBALANCE_MEASURES = ['range', 'max-over-mean', 'cv', 'jain'] as const;
export type ImbalanceMeasure = (typeof IMBALANCE_MEASURES)[number];

export function isImbalanceMeasure(text: string): text is ImbalanceMeasure {
  return (IMBALANCE_MEASURES as readonly string[]).includes(text);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** An exact measure value: num/den, or √num/den when `root`. Reused between samples. */
export class MeasureValue {
  /** Numerator (radicand when `root`) and denominator as doubles; exact only when !big. */
  num = 0;
  den = 1;
  /** The exact numerator and denominator (always set). */
  numBig = 0n;
  denBig = 1n;
  /** num or den exceeded 2^53 − 1: only the BigInt fields are exact. */
  big = false;
  /** The value is √num / den (cv). */
  root = false;

  /** The value as a double (for display and tests; not for binning). */
  toNumber(): number {
    const n = this.big ? Number(this.numBig) : this.num;
    const d = this.big ? Number(this.denBig) : this.den;
    return (this.root ? Math.sqrt(n) : n) / d;
  }
}

/** The bin width p/q the measures are binned with (src/sampler/imbalance.ts's BinWidth has this shape). */
export interface ExactWidth {
  readonly p: bigint;
  readonly q: bigint;
  readonly pNum: number;
  readonly qNum: number;
  /** p and q ≤ 2^53 − 1. */
  readonly fast: boolean;
}

function setSafe(out: MeasureValue, num: number, den: number, root: boolean): void {
  out.num = num;
  out.den = den;
  out.numBig = BigInt(num);
  out.denBig = BigInt(den);
  out.big = false;
  out.root = root;
}

function setBig(out: MeasureValue, num: bigint, den: bigint, root: boolean): void {
  out.numBig = num;
  out.denBig = den;
  out.big = num > BigInt(MAX_SAFE) || den > BigInt(MAX_SAFE);
  out.num = Number(num);
  out.den = Number(den);
  out.root = root;
}

/**
 * The measure of the loads x[base … base+n−1] into `out`; false (and `out`
 * untouched) when their sum is 0 (an idle sample). Loads are integers ≥ 0.
 */
export function measureImbalance(measure: ImbalanceMeasure, x: ArrayLike<number>, base: number, n: number, out: MeasureValue): boolean {
  if (n < 1) throw new RangeError('at least one server');
  let sum = 0;
  let max = x[base];
  let min = x[base];
  for (let i = 0; i < n; i++) {
    const v = x[base + i];
    sum += v;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (sum === 0) return false;
  switch (measure) {
    case 'range':
    case 'max-over-mean': {
      const top = measure === 'range' ? max - min : max;
      const num = top * n;
      if (num <= MAX_SAFE && sum <= MAX_SAFE) setSafe(out, num, sum, false);
      else setBig(out, BigInt(top) * BigInt(n), BigInt(sum), false);
      return true;
    }
    case 'cv':
    case 'jain': {
      // n·Q ≤ n²·max² and S² ≤ n²·max²: the double path is exact below 2^53.
      if (n * n * max * max <= MAX_SAFE) {
        let q = 0;
        for (let i = 0; i < n; i++) q += x[base + i] * x[base + i];
        if (measure === 'cv') setSafe(out, n * q - sum * sum, sum, true);
        else setSafe(out, sum * sum, n * q, false);
      } else {
        let q = 0n;
        let s = 0n;
        for (let i = 0; i < n; i++) {
          const v = BigInt(x[base + i]);
          q += v * v;
          s += v;
        }
        const bn = BigInt(n);
        if (measure === 'cv') setBig(out, bn * q - s * s, s, true);
        else setBig(out, s * s, bn * q, false);
      }
      return true;
    }
  }
}

/** ⌊√n⌋ for n ≥ 0, exactly (Newton's method on integers). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('square root of a negative number');
  if (n < 2n) return n;
  // Start at a power of two ≥ √n; Newton's steps then decrease to ⌊√n⌋ and stop.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** ⌊a / b⌋ for integers 0 ≤ a, 0 < b with a + b ≤ 2^53 − 1 (the double quotient corrected). */
function floorDivSafe(a: number, b: number): number {
  let k = Math.floor(a / b);
  const r = a - k * b;
  if (r < 0) k--;
  else if (r >= b) k++;
  return k;
}

/** ⌊√n⌋ for an integer 0 ≤ n ≤ 2^53 − 1 in doubles (corrected to exact). */
function isqrtSafe(n: number): number {
  let s = Math.floor(Math.sqrt(n));
  while (s * s > n) s--;
  while ((s + 1) * (s + 1) <= n) s++;
  return s;
}

/** The histogram bin of `value` for `width`: ⌊value / width⌋, exactly (see the module comment). */
export function measureBin(value: MeasureValue, width: ExactWidth): number {
  if (!value.big && width.fast) {
    const den = value.den * width.pNum;
    if (value.root) {
      const x = value.num * width.qNum * width.qNum;
      if (x <= MAX_SAFE && den <= MAX_SAFE) {
        const r = isqrtSafe(x);
        if (r + den <= MAX_SAFE) return floorDivSafe(r, den);
      }
    } else {
      const num = value.num * width.qNum;
      if (num <= MAX_SAFE && den <= MAX_SAFE && num + den <= MAX_SAFE) return floorDivSafe(num, den);
    }
  }
  const den = value.denBig * width.p;
  if (value.root) return Number(isqrt(value.numBig * width.q * width.q) / den);
  return Number((value.numBig * width.q) / den);
}

/** −1, 0 or 1 as a < b, a = b, a > b (both of the same measure or not: ratios and roots compare exactly). */
export function compareMeasures(a: MeasureValue, b: MeasureValue): number {
  // Compare squares when either is a root: (√n)²/d² = n/d², and n/d² for a plain ratio n/d is n²/d².
  const an = a.root ? a.numBig : a.numBig * a.numBig;
  const bn = b.root ? b.numBig : b.numBig * b.numBig;
  const left = an * b.denBig * b.denBig;
  const right = bn * a.denBig * a.denBig;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** ⌊value · 10^decimals⌋ exactly, for sums of many values (a mean) in fixed point. */
export function scaledFloor(value: MeasureValue, decimals: number): bigint {
  const scale = 10n ** BigInt(decimals);
  if (value.root) return isqrt(value.numBig * scale * scale) / value.denBig;
  return (value.numBig * scale) / value.denBig;
}
