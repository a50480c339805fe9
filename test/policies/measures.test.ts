/** Imbalance measures: exact values and bins on hand-computed loads, and the bin definition as a property. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  IMBALANCE_MEASURES,
  MeasureValue,
  compareMeasures,
  isImbalanceMeasure,
  isqrt,
  measureBin,
  measureImbalance,
  scaledFloor,
  type ExactWidth,
  type ImbalanceMeasure,
} from '../../src/policies/measures.js';

function width(p: bigint, q: bigint): ExactWidth {
  return { p, q, pNum: Number(p), qNum: Number(q), fast: true };
}
const W001 = width(1n, 100n);

function measure(m: ImbalanceMeasure, loads: number[]): MeasureValue {
  const out = new MeasureValue();
  expect(measureImbalance(m, Float64Array.from(loads), 0, loads.length, out)).toBe(true);
  return out;
}

function exact(v: MeasureValue): [bigint, bigint, boolean] {
  return [v.numBig, v.denBig, v.root];
}

describe('imbalance measures on loads 3, 0, 0, 0, 2 (n = 5, S = 5, Σx² = 13)', () => {
  const loads = [3, 0, 0, 0, 2];
  it('range = (3 − 0)·5/5 = 15/5, bin 300', () => {
    const v = measure('range', loads);
    expect(exact(v)).toEqual([15n, 5n, false]);
    expect(measureBin(v, W001)).toBe(300);
  });
  it('max-over-mean = 3·5/5 = 15/5, bin 300', () => {
    expect(exact(measure('max-over-mean', loads))).toEqual([15n, 5n, false]);
  });
  it('cv = √(5·13 − 25)/5 = √40/5 ≈ 1.2649, bin ⌊isqrt(400000)/5⌋ = ⌊632/5⌋ = 126', () => {
    const v = measure('cv', loads);
    expect(exact(v)).toEqual([40n, 5n, true]);
    expect(v.toNumber()).toBeCloseTo(Math.sqrt(40) / 5, 12);
    expect(measureBin(v, W001)).toBe(126);
  });
  it('jain = 25/(5·13) = 25/65, bin ⌊2500/65⌋ = 38', () => {
    const v = measure('jain', loads);
    expect(exact(v)).toEqual([25n, 65n, false]);
    expect(measureBin(v, W001)).toBe(38);
  });
});

describe('exact bins where doubles go wrong', () => {
  it('cv of 129, 71 is exactly √3364/200 = 58/200 = 0.29: bin 29 (0.29 / 0.01 is 28.999… in doubles)', () => {
    const v = measure('cv', [129, 71]);
    expect(exact(v)).toEqual([3364n, 200n, true]);
    expect(Math.floor(v.toNumber() / 0.01)).toBe(28);
    expect(measureBin(v, W001)).toBe(29);
    expect(exact(measure('cv', [1, 4]))).toEqual([9n, 5n, true]);
  });
  it('range 3·5/50 = 0.3: bin 30 (SPEC §5); max-over-mean 12·5/50 = 1.2: bin 120', () => {
    const v = measure('range', [12, 9, 10, 10, 9]);
    expect(exact(v)).toEqual([15n, 50n, false]);
    expect(measureBin(v, W001)).toBe(30);
    const m = measure('max-over-mean', [12, 9, 10, 10, 9]);
    expect(exact(m)).toEqual([60n, 50n, false]);
    expect(measureBin(m, W001)).toBe(120);
  });
  it('jain of 1, 4 = 25/34; of equal loads 1', () => {
    expect(exact(measure('jain', [1, 4]))).toEqual([25n, 34n, false]);
    const equal = measure('jain', [7, 7, 7]);
    expect(equal.toNumber()).toBe(1);
    expect(measureBin(equal, W001)).toBe(100);
    expect(measureBin(measure('cv', [7, 7, 7]), W001)).toBe(0);
  });
  it('byte loads beyond 2^53 when squared go through BigInt: cv of 3e9, 1e9 = 0.5, jain 0.8', () => {
    const cv = measure('cv', [3e9, 1e9]);
    expect(exact(cv)).toEqual([4n * 10n ** 18n, 4n * 10n ** 9n, true]);
    expect(cv.big).toBe(true);
    expect(measureBin(cv, W001)).toBe(50);
    const jain = measure('jain', [3e9, 1e9]);
    expect(jain.big).toBe(true);
    expect(measureBin(jain, W001)).toBe(80);
  });
  it('a sum of 0 is idle for every measure', () => {
    for (const m of IMBALANCE_MEASURES) expect(measureImbalance(m, new Float64Array(4), 0, 4, new MeasureValue())).toBe(false);
  });
  it('reads loads at an offset', () => {
    const v = new MeasureValue();
    measureImbalance('range', Float64Array.of(99, 99, 2, 4), 2, 2, v);
    expect(exact(v)).toEqual([4n, 6n, false]);
  });
});

describe('bin definition (property)', () => {
  const loads = fc.array(fc.oneof(fc.nat(1000), fc.nat(2 ** 40)), { minLength: 1, maxLength: 12 });
  const widths = fc.constantFrom(width(1n, 100n), width(1n, 1000n), width(1n, 4n), width(3n, 20n), width(1n, 1n));

  it('k = bin is the largest k with k·width ≤ value, checked by squares for cv and by products otherwise', () => {
    fc.assert(
      fc.property(fc.constantFrom(...IMBALANCE_MEASURES), loads, widths, (m, x, w) => {
        const v = new MeasureValue();
        if (!measureImbalance(m, Float64Array.from(x), 0, x.length, v)) return;
        const k = BigInt(measureBin(v, w));
        expect(k >= 0n).toBe(true);
        const d = v.denBig * w.p;
        if (v.root) {
          expect((k * d) ** 2n <= v.numBig * w.q * w.q).toBe(true);
          expect(((k + 1n) * d) ** 2n > v.numBig * w.q * w.q).toBe(true);
        } else {
          expect(k * d <= v.numBig * w.q).toBe(true);
          expect((k + 1n) * d > v.numBig * w.q).toBe(true);
        }
      }),
    );
  });

  it('isqrt is the exact integer square root', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 130n }), (n) => {
        const r = isqrt(n);
        expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true);
      }),
    );
  });
});

describe('comparison and fixed point', () => {
  it('compares values exactly, roots by their squares', () => {
    expect(compareMeasures(measure('cv', [1, 4]), measure('cv', [1, 3]))).toBe(1);
    expect(compareMeasures(measure('cv', [1, 3]), measure('cv', [2, 6]))).toBe(0);
    expect(compareMeasures(measure('range', [1, 3]), measure('range', [1, 4]))).toBe(-1);
    // cv 1/2 against range 1: 1/4 < 1 by squares
    expect(compareMeasures(measure('cv', [1, 3]), measure('range', [1, 3]))).toBe(-1);
  });
  it('scaledFloor truncates exactly: cv of 1, 2 is 1/3; cv of 0, 0, 1 is √2', () => {
    expect(scaledFloor(measure('cv', [1, 2]), 6)).toBe(333333n);
    expect(scaledFloor(measure('cv', [0, 0, 1]), 6)).toBe(1414213n);
    expect(scaledFloor(measure('jain', [1, 4]), 4)).toBe(7352n);
  });
  it('names', () => {
    expect(IMBALANCE_MEASURES.every(isImbalanceMeasure)).toBe(true);
    expect(isImbalanceMeasure('gini')).toBe(false);
  });
});
