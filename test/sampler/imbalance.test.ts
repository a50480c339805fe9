import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplayError } from '../../src/errors.js';
import {
  ImbalanceStats,
  MeanAccumulator,
  compareRatios,
  imbalanceBin,
  parseBinWidth,
} from '../../src/sampler/imbalance.js';
import { Histogram } from '../../src/sampler/histogram.js';

const W001 = parseBinWidth('0.01');

function referenceBin(diff: number, n: number, sum: number, width: string): bigint {
  const w = parseBinWidth(width);
  return (BigInt(diff) * BigInt(n) * w.q) / (BigInt(sum) * w.p);
}

describe('parseBinWidth', () => {
  it('keeps the decimal and its reduced ratio', () => {
    expect(parseBinWidth('0.01')).toMatchObject({ text: '0.01', units: 1n, scale: 2, p: 1n, q: 100n, fast: true });
    expect(parseBinWidth('0.250')).toMatchObject({ text: '0.25', units: 25n, scale: 2, p: 1n, q: 4n });
    expect(parseBinWidth('2')).toMatchObject({ text: '2', units: 2n, scale: 0, p: 2n, q: 1n });
    expect(parseBinWidth('0.0000000000000000001')).toMatchObject({ fast: false, q: 10n ** 19n });
  });

  it('refuses zero, negatives and exponents with OPTION_INVALID', () => {
    for (const text of ['0', '0.00', '-0.1', '1e-2', 'abc', '']) {
      let err: unknown;
      try {
        parseBinWidth(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ReplayError);
      expect((err as ReplayError).code).toBe('OPTION_INVALID');
      expect((err as ReplayError).message).toBe(`option --bin-width: '${text}' is not a positive decimal number`);
    }
  });
});

describe('imbalanceBin: exact, not floating point', () => {
  it('puts 3·5/50 = 0.3 in bin 30 of width 0.01', () => {
    expect(imbalanceBin(3, 5, 50, W001)).toBe(30);
  });

  it('gets right the boundaries where doubles fall one bin short', () => {
    // (23·5/50)/0.01 is 229.99999999999997 in doubles; the imbalance is exactly 2.3.
    expect(Math.floor((23 * 5) / 50 / 0.01)).toBe(229);
    expect(imbalanceBin(23, 5, 50, W001)).toBe(230);
    // 1·29/100 = 0.29 exactly: bin 29, where doubles say 28.
    expect(Math.floor((1 * 29) / 100 / 0.01)).toBe(28);
    expect(imbalanceBin(1, 29, 100, W001)).toBe(29);
    // Just below a boundary stays below.
    expect(imbalanceBin(29, 1, 101, W001)).toBe(28);
  });

  it('handles other widths exactly', () => {
    expect(imbalanceBin(1, 3, 10, parseBinWidth('0.1'))).toBe(3);
    expect(imbalanceBin(1, 2, 4, parseBinWidth('0.25'))).toBe(2);
    expect(imbalanceBin(5, 5, 5, parseBinWidth('2'))).toBe(2);
    expect(imbalanceBin(0, 5, 5, W001)).toBe(0);
  });

  it('takes the BigInt path when a product passes 2^53 and stays exact', () => {
    const big = 2 ** 52;
    expect(imbalanceBin(big, 5, 2 * big, W001)).toBe(250);
    expect(imbalanceBin(big + 2, 7, big * 4, parseBinWidth('0.0000000000000000001'))).toBe(
      Number(referenceBin(big + 2, 7, big * 4, '0.0000000000000000001')),
    );
  });

  it('agrees with the BigInt formula everywhere', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: Number.MAX_SAFE_INTEGER })),
        fc.integer({ min: 1, max: 65536 }),
        fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
        fc.constantFrom('0.01', '0.1', '0.25', '0.001', '3', '0.000000007'),
        (diffRaw, n, sumRaw, width) => {
          const sum = Math.max(sumRaw, diffRaw, 1);
          const diff = Math.min(diffRaw, sum);
          expect(imbalanceBin(diff, n, sum, parseBinWidth(width))).toBe(Number(referenceBin(diff, n, sum, width)));
        },
      ),
    );
  });
});

describe('compareRatios', () => {
  it('compares exactly, also beyond 2^53', () => {
    expect(compareRatios(1, 3, 2, 6)).toBe(0);
    expect(compareRatios(1, 3, 1, 4)).toBe(1);
    expect(compareRatios(1, 4, 1, 3)).toBe(-1);
    const big = Number.MAX_SAFE_INTEGER;
    expect(compareRatios(big - 1, big, big - 2, big - 1)).toBe(1);
  });
});

describe('MeanAccumulator', () => {
  function mean(terms: [number, number, number, number][]): bigint {
    const acc = new MeanAccumulator();
    for (const [d, n, s, t] of terms) acc.add(d, n, s, t);
    return acc.scaledSum();
  }

  it('sums exactly representable imbalances exactly', () => {
    // 0.3 + 1.5·2 + 0 = 3.3
    expect(mean([[3, 5, 50, 1], [3, 1, 2, 2], [0, 5, 7, 1]])).toBe(33n * 10n ** 23n);
  });

  it('truncates each term at 24 decimals and says so', () => {
    const acc = new MeanAccumulator();
    acc.add(1, 1, 3, 3);
    expect(acc.scaledSum()).toBe(999_999_999_999_999_999_999_999n);
    expect(acc.truncated).toBe(true);
  });

  it('matches per-term BigInt truncation on the fast and slow paths', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            diff: fc.nat({ max: 2 ** 40 }),
            n: fc.integer({ min: 1, max: 100 }),
            extra: fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: 2 ** 45 })),
            times: fc.integer({ min: 1, max: 1_000_000 }),
          }),
          { maxLength: 20 },
        ),
        (terms) => {
          const acc = new MeanAccumulator();
          let expected = 0n;
          for (const t of terms) {
            const sum = t.diff + t.extra + 1;
            acc.add(t.diff, t.n, sum, t.times);
            expected += ((BigInt(t.diff) * BigInt(t.n) * 10n ** 24n) / BigInt(sum)) * BigInt(t.times);
          }
          expect(acc.scaledSum()).toBe(expected);
        },
      ),
    );
  });
});

describe('Histogram and ImbalanceStats', () => {
  it('grows as needed and finds nearest ranks', () => {
    const h = new Histogram();
    h.add(0, 2);
    h.add(1000, 1);
    h.add(3, 7);
    expect(h.lastBin).toBe(1000);
    expect(h.total).toBe(10);
    expect([h.count(0), h.count(3), h.count(1000), h.count(5000)]).toEqual([2, 7, 1, 0]);
    expect([1, 2, 3, 9, 10].map((r) => h.binOfRank(r))).toEqual([0, 0, 3, 3, 1000]);
    expect(h.binOfRank(0)).toBe(-1);
    expect(h.binOfRank(11)).toBe(-1);
  });

  it('records bins, idle samples, the mean and the exact max', () => {
    const s = new ImbalanceStats();
    expect(s.record(3, 5, 50, W001, 4)).toBe(30);
    s.recordIdle(2);
    expect(s.record(23, 5, 50, W001, 1)).toBe(230);
    expect(s.record(1, 5, 50, W001, 1)).toBe(10);
    expect(s.samples).toBe(8);
    expect(s.idle).toBe(2);
    expect([s.maxDiff, s.maxSum, s.maxBin]).toEqual([23, 50, 230]);
    // A larger ratio in the same bin replaces the max; an equal one does not.
    const t = new ImbalanceStats();
    t.record(1, 1, 3, parseBinWidth('1'), 1);
    t.record(2, 1, 5, parseBinWidth('1'), 1);
    expect([t.maxDiff, t.maxSum]).toEqual([2, 5]);
    t.record(4, 1, 10, parseBinWidth('1'), 1);
    expect([t.maxDiff, t.maxSum]).toEqual([2, 5]);
  });
});
