import { describe, expect, it } from 'vitest';
import { Xoshiro128, exp, ln } from '../../src/synth/random.js';

describe('Xoshiro128', () => {
  it('matches the reference xoshiro128** 1.1 from state {1, 2, 3, 4}', () => {
    // Outputs of prng.di.unimi.it/xoshiro128starstar.c compiled with gcc, state {1, 2, 3, 4}.
    const g = Xoshiro128.fromState(1, 2, 3, 4);
    const got = Array.from({ length: 8 }, () => g.nextU32());
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it('gives the same draws for a seed (pinned: a change here changes every synthetic capture)', () => {
    const g = new Xoshiro128(42);
    expect(g.nextU32()).toBe(2837322924);
    expect(g.uniform()).toBe(0.12688010407146066);
    expect(g.exponential(10)).toBe(21.919209897897417);
    expect(g.normal()).toBe(-0.3451611523044512);
    expect(g.logNormal(50, 0.7)).toBe(73.23172598758867);
    expect(g.pareto(12000, 1.2)).toBe(30616.917529657385);
    expect(g.geometric(2)).toBe(4);
  });

  it('seeds differ', () => {
    expect(new Xoshiro128(1).nextU32()).not.toBe(new Xoshiro128(2).nextU32());
  });

  it('uniform stays in (0, 1) and below(n) in [0, n)', () => {
    const g = new Xoshiro128(7);
    for (let k = 0; k < 100_000; k++) {
      const u = g.uniform();
      expect(u > 0 && u < 1).toBe(true);
      const b = g.below(3);
      expect(b === 0 || b === 1 || b === 2).toBe(true);
    }
  });

  it('draws have the means their parameters say', () => {
    const g = new Xoshiro128(3);
    const n = 200_000;
    let e = 0;
    let z = 0;
    let z2 = 0;
    let geo = 0;
    let paretoMin = Infinity;
    let lnMedianBelow = 0;
    for (let k = 0; k < n; k++) {
      e += g.exponential(5);
      const x = g.normal();
      z += x;
      z2 += x * x;
      geo += g.geometric(2.5);
      paretoMin = Math.min(paretoMin, g.pareto(100, 1.5));
      if (g.logNormal(50, 1) < 50) lnMedianBelow++;
    }
    expect(e / n).toBeCloseTo(5, 1);
    expect(z / n).toBeCloseTo(0, 2);
    expect(z2 / n).toBeCloseTo(1, 1);
    expect(geo / n).toBeCloseTo(2.5, 1);
    expect(paretoMin).toBeGreaterThanOrEqual(100);
    expect(lnMedianBelow / n).toBeCloseTo(0.5, 2);
  });
});

describe('ln and exp (basic arithmetic only)', () => {
  const ulps = (a: number, b: number): number => Math.abs(a - b) / (Math.abs(b) * Number.EPSILON || Number.MIN_VALUE);

  it('agree with Math.log / Math.exp within 2 ulp', () => {
    const g = new Xoshiro128(11);
    for (let k = 0; k < 20_000; k++) {
      const x = exp((g.uniform() - 0.5) * 1_200); // 1e-260 … 1e260
      expect(ulps(ln(x), Math.log(x))).toBeLessThanOrEqual(2);
      const y = (g.uniform() - 0.5) * 1_400;
      expect(ulps(exp(y), Math.exp(y))).toBeLessThanOrEqual(2);
    }
    expect(ulps(ln(2.2250738585072014e-310), Math.log(2.2250738585072014e-310))).toBeLessThanOrEqual(2);
  });

  it('give exact values and limits where they exist', () => {
    expect(ln(1)).toBe(0);
    expect(exp(0)).toBe(1);
    expect(ln(0)).toBe(-Infinity);
    expect(ln(Infinity)).toBe(Infinity);
    expect(ln(-1)).toBeNaN();
    expect(exp(-1_000)).toBe(0);
    expect(exp(1_000)).toBe(Infinity);
    expect(exp(Number.NaN)).toBeNaN();
  });

  it('are pinned to the bit (they, not the engine, decide the capture)', () => {
    expect(ln(0.3)).toBe(-1.203972804325936);
    expect(ln(123456.789)).toBe(11.723646487185881);
    expect(exp(-2.5)).toBe(0.0820849986238988);
    expect(exp(3.75)).toBe(42.52108200006278);
  });
});
