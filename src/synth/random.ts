/**
 * The synthetic traffic generator's random numbers: a seeded xoshiro128**
 * generator and the distributions the traffic model draws from.
 *
 * "Same seed → byte-identical capture on any machine" rules out `Math.log`,
 * `Math.exp` and `Math.pow`: ECMAScript leaves their precision to the
 * implementation (ECMA-262 §21.3.2: "implementation-approximated"), so two
 * engines, or two versions of one, may differ in the last bit, and a last-bit
 * difference in an RTT becomes a different nanosecond in the file. `ln` and
 * `exp` below use only + − × ÷ and `Math.sqrt`, which IEEE 754 requires to be
 * correctly rounded, so every engine computes the same bits. Their accuracy
 * (about 1e-15 relative) is far beyond what a traffic model needs; what
 * matters is that they are reproducible.
 */

const TWO_NEG_32 = 1 / 4_294_967_296;
const LN2 = 0.6931471805599453;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const SQRT2 = 1.4142135623730951;

/** Scratch for reading and writing the bits of a double (big-endian view: same on every host). */
const bits = new DataView(new ArrayBuffer(8));

/** Natural logarithm of x > 0, from + − × ÷ only (see the module comment). */
export function ln(x: number): number {
  if (!(x > 0) || x === Infinity) {
    if (x === 0) return -Infinity;
    return x === Infinity ? Infinity : Number.NaN;
  }
  let e = 0;
  // Subnormals: scale into the normal range first (2^54 is exact).
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984;
    e = -54;
  }
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  // Mantissa with the exponent of 1: m in [1, 2).
  bits.setUint32(0, (hi & 0x000fffff) | 0x3ff00000);
  let m = bits.getFloat64(0);
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  // ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716: 11 odd terms reach 1e-18.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  const series =
    1 +
    s2 *
      (1 / 3 +
        s2 *
          (1 / 5 +
            s2 * (1 / 7 + s2 * (1 / 9 + s2 * (1 / 11 + s2 * (1 / 13 + s2 * (1 / 15 + s2 * (1 / 17 + s2 * (1 / 19 + s2 / 21)))))))));
  return e * LN2 + 2 * s * series;
}

/** e^x from + − × ÷ only (see the module comment). Underflows to 0 below −708, overflows to Infinity above 709. */
export function exp(x: number): number {
  if (x !== x) return x;
  if (x > 709.78) return Infinity;
  if (x < -708.39) return 0;
  // x = k·ln2 + r, |r| ≤ ln2/2 ≈ 0.347; Taylor to r^15/15! (< 1e-19). ln2 is
  // split Cody–Waite style (fdlibm's ln2HI has 32 significant bits, so
  // k·ln2HI is exact for |k| < 2^21) to keep r exact for large |x|.
  const k = Math.round(x / LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  // Horner from the highest term: 1 + r(1 + r/2(1 + r/3(… (1 + r/15)))).
  let sum = 1;
  for (let i = 15; i >= 1; i--) sum = 1 + (r / i) * sum;
  // 2^k exactly, from its bits (k in [−1022, 1023] here).
  bits.setUint32(0, (k + 1023) << 20);
  bits.setUint32(4, 0);
  return sum * bits.getFloat64(0);
}

/**
 * xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
 * seeded through SplitMix32 so that any 32-bit seed gives a well-mixed, non-zero
 * state. 32-bit integer arithmetic only (Math.imul), so identical on every engine.
 */
export class Xoshiro128 {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Second value of the last polar normal pair, NaN when none is cached. */
  private spareNormal = Number.NaN;

  constructor(seed: number) {
    let z = seed >>> 0;
    const next = (): number => {
      // SplitMix32 (the 32-bit finalizer of MurmurHash3 over a Weyl sequence).
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator with the given raw state (not all zero), for checks against the reference implementation. */
  static fromState(s0: number, s1: number, s2: number, s3: number): Xoshiro128 {
    const g = new Xoshiro128(0);
    g.s0 = s0 | 0;
    g.s1 = s1 | 0;
    g.s2 = s2 | 0;
    g.s3 = s3 | 0;
    return g;
  }

  /**
   * Reseeds in place from three 32-bit keys (a seed and a two-word index, e.g.
   * a connection's time slot and rank in it): SplitMix32 over a Weyl sequence
   * started from their mix, so every (seed, a, b) has its own stream and a
   * connection can be simulated without replaying any other's draws.
   */
  reseed(seed: number, a: number, b: number): void {
    let z = (Math.imul(seed ^ 0x6a09e667, 0x9e3779b1) ^ Math.imul(a ^ 0xbb67ae85, 0x85ebca77) ^ Math.imul(b ^ 0x3c6ef372, 0xc2b2ae3d)) >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      return (t ^ (t >>> 16)) >>> 0;
    };
    // Two rounds of mixing of the other keys so that nearby (a, b) do not give nearby states.
    z = (z ^ next() ^ Math.imul(b, 0x27d4eb2f)) >>> 0;
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = Number.NaN;
  }

  /** Copies the state (4 words and the cached normal) into `to[at … at+4]`. */
  saveState(to: Float64Array, at: number): void {
    to[at] = this.s0;
    to[at + 1] = this.s1;
    to[at + 2] = this.s2;
    to[at + 3] = this.s3;
    to[at + 4] = this.spareNormal;
  }

  /** Restores a state saved by `saveState`. */
  loadState(from: Float64Array, at: number): void {
    this.s0 = from[at] | 0;
    this.s1 = from[at + 1] | 0;
    this.s2 = from[at + 2] | 0;
    this.s3 = from[at + 3] | 0;
    this.spareNormal = from[at + 4];
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** Uniform in the open interval (0, 1), 32 bits of resolution (never 0, so ln is finite). */
  uniform(): number {
    return (this.nextU32() + 0.5) * TWO_NEG_32;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (multiply-shift; bias ≤ n/2^32, irrelevant here). */
  below(n: number): number {
    return Math.floor(this.nextU32() * TWO_NEG_32 * n);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -ln(this.uniform()) * mean;
  }

  /** Standard normal (Marsaglia's polar method: sqrt and ln only). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = Number.NaN;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * ln(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Log-normal: median · e^(sigma·Z). */
  logNormal(median: number, sigma: number): number {
    return median * exp(sigma * this.normal());
  }

  /** Pareto with scale xm (the minimum) and shape alpha: xm · U^(−1/alpha). */
  pareto(xm: number, alpha: number): number {
    return xm * exp(-ln(this.uniform()) / alpha);
  }

  /** Geometric on {0, 1, 2, …} with the given mean (P(k) = (1−p)^k·p, mean (1−p)/p). */
  geometric(mean: number): number {
    if (mean <= 0) return 0;
    const q = mean / (1 + mean); // 1 − p
    return Math.floor(ln(this.uniform()) / ln(q));
  }
}
