import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Xoshiro128StarStar, boundedDraw, type U32Source } from '../../src/dispatch/prng.js';

const TWO_32 = 4_294_967_296;

function take(g: Xoshiro128StarStar, n: number): number[] {
  return Array.from({ length: n }, () => g.nextU32());
}

class Scripted implements U32Source {
  calls = 0;
  constructor(private readonly values: number[]) {}
  nextU32(): number {
    const v = this.values[this.calls++];
    if (v === undefined) throw new Error('script exhausted');
    return v;
  }
}

describe('xoshiro128**', () => {
  it('matches the reference C code from state {1, 2, 3, 4}', () => {
    // Outputs of prng.di.unimi.it/xoshiro128starstar.c with s = {1, 2, 3, 4}, compiled with gcc.
    expect(take(Xoshiro128StarStar.fromState(1, 2, 3, 4), 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('pins the first outputs for seed 1 (SplitMix32 seeding, checked against a C build)', () => {
    expect(take(new Xoshiro128StarStar(1), 8)).toEqual([
      393288148, 2174103013, 3814759091, 2092745082, 1865176206, 2179171167, 3207394750, 2858353069,
    ]);
  });

  it('pins seeds 0 and 2^32 − 1 as well', () => {
    expect(take(new Xoshiro128StarStar(0), 4)).toEqual([1789933344, 44971166, 2521387044, 3848737593]);
    expect(take(new Xoshiro128StarStar(0xffffffff), 4)).toEqual([4104197751, 1825856343, 1152209388, 2427537429]);
  });

  it('is deterministic: the same seed gives the same sequence', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (seed) => {
        expect(take(new Xoshiro128StarStar(seed), 16)).toEqual(take(new Xoshiro128StarStar(seed), 16));
      }),
      { numRuns: 50 },
    );
  });

  it('yields unsigned 32-bit integers', () => {
    const g = new Xoshiro128StarStar(7);
    for (const v of take(g, 1000)) {
      expect(Number.isInteger(v) && v >= 0 && v < TWO_32).toBe(true);
    }
  });

  it('refuses seeds outside 0 … 2^32 − 1 and the all-zero state', () => {
    expect(() => new Xoshiro128StarStar(-1)).toThrow(RangeError);
    expect(() => new Xoshiro128StarStar(TWO_32)).toThrow(RangeError);
    expect(() => new Xoshiro128StarStar(1.5)).toThrow(RangeError);
    expect(() => Xoshiro128StarStar.fromState(0, 0, 0, 0)).toThrow(RangeError);
  });
});

describe('boundedDraw', () => {
  it('rejects the top 2^32 mod n outputs: n = 3 rejects only 2^32 − 1', () => {
    const src = new Scripted([TWO_32 - 1, TWO_32 - 2]);
    expect(boundedDraw(src, 3)).toBe((TWO_32 - 2) % 3);
    expect(src.calls).toBe(2);
  });

  it('n = 2^31 + 1 accepts x < 2^31 + 1 only', () => {
    const n = 2 ** 31 + 1;
    const src = new Scripted([2 ** 31 + 1, TWO_32 - 1, 2 ** 31]);
    expect(boundedDraw(src, n)).toBe(2 ** 31);
    expect(src.calls).toBe(3);
  });

  it('never rejects for powers of two and n = 1 always gives 0', () => {
    const src = new Scripted([TWO_32 - 1, 12345]);
    expect(boundedDraw(src, 8)).toBe(7);
    expect(boundedDraw(src, 1)).toBe(0);
    expect(src.calls).toBe(2);
  });

  it('accepts exactly a multiple of n outputs, so every residue is equally likely', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: TWO_32 }), (n) => {
        const limit = TWO_32 - (TWO_32 % n);
        expect(limit % n).toBe(0);
        expect(limit).toBeGreaterThan(TWO_32 - n);
        // The largest accepted value and the smallest rejected one.
        expect(boundedDraw(new Scripted([limit - 1]), n)).toBe((limit - 1) % n);
        if (limit < TWO_32) {
          const src = new Scripted([limit, 0]);
          expect(boundedDraw(src, n)).toBe(0);
          expect(src.calls).toBe(2);
        }
      }),
    );
  });

  it('spreads draws evenly (chi-square over 6 values, fixed seed)', () => {
    const g = new Xoshiro128StarStar(1);
    const counts = new Array<number>(6).fill(0);
    const draws = 60_000;
    for (let i = 0; i < draws; i++) counts[g.nextBelow(6)]++;
    const expected = draws / 6;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 5 degrees of freedom: P(χ² > 20.5) ≈ 0.001.
    expect(chi2).toBeLessThan(20.5);
  });

  it('refuses bounds outside 1 … 2^32', () => {
    const src = new Scripted([0]);
    expect(() => boundedDraw(src, 0)).toThrow(RangeError);
    expect(() => boundedDraw(src, TWO_32 + 1)).toThrow(RangeError);
  });
});
