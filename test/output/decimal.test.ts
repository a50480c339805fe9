import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatRatio, formatRatioFixed, formatScaled, parseDecimal, roundRatioHalfEven } from '../../src/output/decimal.js';

describe('parseDecimal', () => {
  it('reads plain decimals exactly', () => {
    expect(parseDecimal('0.01')).toEqual({ units: 1n, scale: 2 });
    expect(parseDecimal('2')).toEqual({ units: 2n, scale: 0 });
    expect(parseDecimal('0.250')).toEqual({ units: 250n, scale: 3 });
  });

  it('refuses signs, exponents and empty parts', () => {
    for (const text of ['-1', '+1', '1e-2', '.5', '5.', '', ' 1', '0x10', '1,5']) expect(parseDecimal(text)).toBeUndefined();
  });
});

describe('formatScaled', () => {
  it('writes k·width without float noise or trailing zeros', () => {
    expect(formatScaled(0n, 2)).toBe('0');
    expect(formatScaled(30n, 2)).toBe('0.3');
    expect(formatScaled(29n, 2)).toBe('0.29');
    expect(formatScaled(100n, 2)).toBe('1');
    expect(formatScaled(125n, 1)).toBe('12.5');
    expect(formatScaled(7n, 0)).toBe('7');
    expect(formatScaled(1n, 9)).toBe('0.000000001');
    expect(formatScaled(-5n, 1)).toBe('-0.5');
  });

  it('where doubles would print 0.30000000000000004 it prints 0.3', () => {
    // 0.1 + 0.2 style: 3 bins of width 0.1.
    expect(String(3 * 0.1)).toBe('0.30000000000000004');
    expect(formatScaled(3n * 1n, 1)).toBe('0.3');
    expect(String(29 * 0.01)).toBe('0.29');
    expect(String(57 * 0.01)).toBe('0.5700000000000001');
    expect(formatScaled(57n, 2)).toBe('0.57');
  });
});

describe('formatRatio (half to even at 12 decimals)', () => {
  it('drops trailing zeros and the point', () => {
    expect(formatRatio(1n, 1n, 12)).toBe('1');
    expect(formatRatio(0n, 7n, 12)).toBe('0');
    expect(formatRatio(1n, 2n, 12)).toBe('0.5');
    expect(formatRatio(1n, 4n, 12)).toBe('0.25');
    expect(formatRatio(10n, 4n, 12)).toBe('2.5');
  });

  it('rounds to nearest at the 12th decimal', () => {
    expect(formatRatio(1n, 3n, 12)).toBe('0.333333333333');
    expect(formatRatio(2n, 3n, 12)).toBe('0.666666666667');
    expect(formatRatio(1n, 6n, 12)).toBe('0.166666666667');
    expect(formatRatio(5n, 6n, 12)).toBe('0.833333333333');
  });

  it('breaks exact ties at the 13th decimal to the even digit', () => {
    // 0.0000000000005 → 0 (even), 0.0000000000015 → 0.000000000002, 0.0000000000025 → 0.000000000002.
    expect(formatRatio(5n, 10n ** 13n, 12)).toBe('0');
    expect(formatRatio(15n, 10n ** 13n, 12)).toBe('0.000000000002');
    expect(formatRatio(25n, 10n ** 13n, 12)).toBe('0.000000000002');
    expect(formatRatio(35n, 10n ** 13n, 12)).toBe('0.000000000004');
    // 1.0000000000005 → 1; 0.9999999999995 → 1 (…9999 is odd, rounds up into the units).
    expect(formatRatio(10n ** 13n + 5n, 10n ** 13n, 12)).toBe('1');
    expect(formatRatio(10n ** 13n - 5n, 10n ** 13n, 12)).toBe('1');
    // Just above a tie rounds up even from an even digit.
    expect(formatRatio(250001n, 10n ** 17n, 12)).toBe('0.000000000003');
  });

  it('never writes exponent form', () => {
    expect(formatRatio(1n, 10n ** 12n, 12)).toBe('0.000000000001');
    expect(formatRatio(10n ** 30n, 1n, 12)).toBe('1000000000000000000000000000000');
  });

  it('matches a decimal reference for arbitrary ratios', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 20n }), (num, den) => {
        const q = roundRatioHalfEven(num, den, 12);
        // |num/den − q/10^12| ≤ 1/2 · 10^-12
        const diff = num * 10n ** 12n - q * den;
        expect(2n * (diff < 0n ? -diff : diff) <= den).toBe(true);
        const text = formatRatio(num, den, 12);
        expect(text).toMatch(/^\d+(\.\d*[1-9])?$/);
      }),
    );
  });
});

describe('formatRatioFixed', () => {
  it('keeps exactly the given decimals', () => {
    expect(formatRatioFixed(3n, 10n, 6)).toBe('0.300000');
    expect(formatRatioFixed(2n, 3n, 6)).toBe('0.666667');
    expect(formatRatioFixed(5n, 1n, 0)).toBe('5');
    expect(formatRatioFixed(1234565n, 10n ** 7n, 6)).toBe('0.123456');
    expect(formatRatioFixed(1234575n, 10n ** 7n, 6)).toBe('0.123458');
    expect(formatRatioFixed(-1n, 3n, 3)).toBe('-0.333');
  });
});
