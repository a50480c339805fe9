/**
 * The pseudo-random generator of the `random` dispatch policy (SPEC §4: the
 * same seed gives the same result on any machine).
 *
 * - Generator: xoshiro128** 1.1 (Blackman and Vigna, "Scrambled linear
 *   pseudorandom number generators", 2018; reference code
 *   https://prng.di.unimi.it/xoshiro128starstar.c). 128 bits of state, period
 *   2^128 − 1, 32-bit outputs. Only 32-bit integer operations
 *   (`Math.imul`, shifts, `>>> 0`), so every JavaScript engine gives the same
 *   sequence.
 * - Seeding: the four state words are the first four outputs of SplitMix32
 *   started at the seed (a 32-bit unsigned integer): z += 0x9E3779B9, then
 *   z ^= z >>> 16; z *= 0x21F0AAAD; z ^= z >>> 15; z *= 0x735A2D97;
 *   z ^= z >>> 15 (the 32-bit mixer of Chris Wellons' hash-prospector), all
 *   modulo 2^32. SplitMix32 never yields four zero words, which would be the
 *   one forbidden state of xoshiro.
 * - Bounded draws: `nextBelow(n)` is uniform over 0 … n−1 by rejection: a
 *   32-bit output x is accepted when x < 2^32 − (2^32 mod n), and the answer
 *   is x mod n. Every residue then has the same number of accepted x, so there
 *   is no modulo bias; at most half the draws are rejected (for n just above
 *   2^31), none when n is a power of two.
 */

const TWO_32 = 4_294_967_296;

/** SplitMix32 increment: 2^32 / φ, rounded to odd. */
export const SPLITMIX32_GAMMA = 0x9e3779b9;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** One SplitMix32 output from the state after adding the gamma. */
function splitMix32Mix(z: number): number {
  z = (z ^ (z >>> 16)) >>> 0;
  z = Math.imul(z, 0x21f0aaad) >>> 0;
  z = (z ^ (z >>> 15)) >>> 0;
  z = Math.imul(z, 0x735a2d97) >>> 0;
  return (z ^ (z >>> 15)) >>> 0;
}

export class Xoshiro128StarStar {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** Seeds the state from a 32-bit unsigned `seed` through SplitMix32 (see the module comment). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_32) {
      throw new RangeError(`seed must be an integer from 0 to ${TWO_32 - 1}, got ${seed}`);
    }
    let z = seed;
    z = (z + SPLITMIX32_GAMMA) >>> 0;
    this.s0 = splitMix32Mix(z);
    z = (z + SPLITMIX32_GAMMA) >>> 0;
    this.s1 = splitMix32Mix(z);
    z = (z + SPLITMIX32_GAMMA) >>> 0;
    this.s2 = splitMix32Mix(z);
    z = (z + SPLITMIX32_GAMMA) >>> 0;
    this.s3 = splitMix32Mix(z);
  }

  /** A generator with the given raw state (for checking against the reference code). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Xoshiro128StarStar {
    const g = new Xoshiro128StarStar(0);
    g.s0 = s0 >>> 0;
    g.s1 = s1 >>> 0;
    g.s2 = s2 >>> 0;
    g.s3 = s3 >>> 0;
    if ((g.s0 | g.s1 | g.s2 | g.s3) === 0) throw new RangeError('xoshiro128** state must not be all zero');
    return g;
  }

  /** The next 32-bit output, an unsigned integer in [0, 2^32). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform integer in [0, n), 1 ≤ n ≤ 2^32, without modulo bias (rejection). */
  nextBelow(n: number): number {
    return boundedDraw(this, n);
  }
}

/** Anything that yields uniform unsigned 32-bit integers. */
export interface U32Source {
  nextU32(): number;
}

/**
 * Uniform integer in [0, n) from a 32-bit source by rejection (see the module
 * comment). Exported on its own so tests can drive it with a scripted source.
 */
export function boundedDraw(source: U32Source, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO_32) throw new RangeError(`bound must be an integer from 1 to 2^32, got ${n}`);
  const limit = TWO_32 - (TWO_32 % n);
  let x = source.nextU32();
  while (x >= limit) x = source.nextU32();
  return x % n;
}
