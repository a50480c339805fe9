import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RESOLUTION_MICRO,
  RESOLUTION_NANO,
  type TsResolution,
  divOut,
  divU64,
  resolutionText,
  signedU64ToNumber,
  tsOut,
  unitsToTime,
  unitsToTimeExact,
} from '../src/time.js';

/** Splits an unsigned 64-bit BigInt into the (hi, lo) halves the readers pass. */
function halves(v: bigint): [number, number] {
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

function convert(units: bigint, res: TsResolution): { sec: number; nsec: number } {
  const [hi, lo] = halves(units);
  unitsToTime(hi, lo, res);
  return { sec: tsOut.sec, nsec: tsOut.nsec };
}

/** Reference: floor(units · 1e9 / perSec) split into seconds and nanoseconds, in BigInt. */
function reference(units: bigint, res: TsResolution): { sec: number; nsec: number } {
  const perSec = res.base === 10 ? 10n ** BigInt(res.exp) : 1n << BigInt(res.exp);
  const sec = units / perSec;
  const nsec = ((units % perSec) * 1_000_000_000n) / perSec;
  return { sec: Number(sec), nsec: Number(nsec) };
}

describe('unitsToTime', () => {
  it('10^-3: 1 700 000 000 123 ms', () => {
    expect(convert(1_700_000_000_123n, { base: 10, exp: 3 })).toEqual({ sec: 1_700_000_000, nsec: 123_000_000 });
  });

  it('10^-6: 1 700 000 000 654 321 µs (the pcapng default)', () => {
    expect(convert(1_700_000_000_654_321n, RESOLUTION_MICRO)).toEqual({ sec: 1_700_000_000, nsec: 654_321_000 });
  });

  it('10^-6 with the count above 2^53 (year 287 396, slow path)', () => {
    // 2^53 + 7 µs = 9 007 199 254 740 999 µs
    expect(convert(9_007_199_254_740_999n, RESOLUTION_MICRO)).toEqual({ sec: 9_007_199_254, nsec: 740_999_000 });
  });

  it('10^-9: 1 700 000 000 123 456 789 ns (above 2^53: split arithmetic)', () => {
    expect(convert(1_700_000_000_123_456_789n, RESOLUTION_NANO)).toEqual({ sec: 1_700_000_000, nsec: 123_456_789 });
  });

  it('10^-9: the largest count, 2^64 − 1 ns', () => {
    expect(convert(18_446_744_073_709_551_615n, RESOLUTION_NANO)).toEqual({ sec: 18_446_744_073, nsec: 709_551_615 });
  });

  it('10^-10 is floored to the nanosecond: …123 456 789 9 → 123 456 789', () => {
    expect(convert(17_000_000_001_234_567_899n, { base: 10, exp: 10 })).toEqual({ sec: 1_700_000_000, nsec: 123_456_789 });
  });

  it('10^-0: whole seconds', () => {
    expect(convert(1_700_000_000n, { base: 10, exp: 0 })).toEqual({ sec: 1_700_000_000, nsec: 0 });
  });

  it('2^-10: 513/1024 s = 500 976 562.5 ns, floored', () => {
    expect(convert(1_700_000_000n * 1024n + 513n, { base: 2, exp: 10 })).toEqual({ sec: 1_700_000_000, nsec: 500_976_562 });
  });

  it('2^-30: (2^29 + 3)/2^30 s = 500 000 002.79 ns, floored', () => {
    expect(convert(1_700_000_000n * 2n ** 30n + 2n ** 29n + 3n, { base: 2, exp: 30 })).toEqual({
      sec: 1_700_000_000,
      nsec: 500_000_002,
    });
  });

  it('2^-32: hi = seconds, lo = fraction; 0x80000005/2^32 s = 500 000 001.16 ns', () => {
    unitsToTime(1_700_000_000, 0x8000_0005, { base: 2, exp: 32 });
    expect({ sec: tsOut.sec, nsec: tsOut.nsec }).toEqual({ sec: 1_700_000_000, nsec: 500_000_001 });
  });

  it('2^-64: the whole count is a fraction of a second; 2^64 − 1 units = 999 999 999 ns', () => {
    unitsToTime(0xffff_ffff, 0xffff_ffff, { base: 2, exp: 64 });
    expect({ sec: tsOut.sec, nsec: tsOut.nsec }).toEqual({ sec: 0, nsec: 999_999_999 });
    unitsToTime(0xc000_0000, 0, { base: 2, exp: 64 });
    expect({ sec: tsOut.sec, nsec: tsOut.nsec }).toEqual({ sec: 0, nsec: 750_000_000 });
  });

  it('2^-0: whole seconds', () => {
    expect(convert(1_700_000_000n, { base: 2, exp: 0 })).toEqual({ sec: 1_700_000_000, nsec: 0 });
  });

  it('matches exact BigInt arithmetic for any count and resolution', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.oneof(
          fc.record({ base: fc.constant<10>(10), exp: fc.integer({ min: 0, max: 24 }) }),
          fc.record({ base: fc.constant<2>(2), exp: fc.integer({ min: 0, max: 100 }) }),
        ),
        (units, res) => {
          expect(convert(units, res)).toEqual(reference(units, res));
          // The general long-division path, which the fast paths stand in for.
          const [hi, lo] = halves(units);
          unitsToTimeExact(hi, lo, res);
          expect({ sec: tsOut.sec, nsec: tsOut.nsec }).toEqual(reference(units, res));
        },
      ),
      { numRuns: 5_000, seed: 42 },
    );
  });

  it('matches BigInt just below whole seconds, where a rounded division would be one too high', () => {
    for (const exp of [3, 6, 9]) {
      const perSec = 10n ** BigInt(exp);
      for (const sec of [1n, 1_700_000_000n, 4_000_000_000n, 2n ** 40n]) {
        const units = sec * perSec - 1n;
        if (units >= 2n ** 64n) continue;
        expect(convert(units, { base: 10, exp })).toEqual(reference(units, { base: 10, exp }));
      }
    }
  });
});

describe('divU64', () => {
  it('(2^64 − 1) / 10^9 = 18 446 744 073 remainder 709 551 615', () => {
    divU64(0xffff_ffff, 0xffff_ffff, 1_000_000_000);
    expect(divOut.hi * 2 ** 32 + divOut.lo).toBe(18_446_744_073);
    expect(divOut.rem).toBe(709_551_615);
  });

  it('matches BigInt for divisors up to 10^11', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 1, max: 100_000_000_000 }), (v, d) => {
        const [hi, lo] = halves(v);
        divU64(hi, lo, d);
        const q = (BigInt(divOut.hi) << 32n) + BigInt(divOut.lo);
        expect(q).toBe(v / BigInt(d));
        expect(BigInt(divOut.rem)).toBe(v % BigInt(d));
      }),
      { numRuns: 3_000, seed: 7 },
    );
  });
});

describe('signedU64ToNumber (if_tsoffset)', () => {
  it('reads two’s complement: −3600 s', () => {
    const [hi, lo] = halves(BigInt.asUintN(64, -3600n));
    expect(hi).toBe(0xffff_ffff);
    expect(lo).toBe(0xffff_f1f0);
    expect(signedU64ToNumber(hi, lo)).toBe(-3600);
  });

  it('reads positive values: 86 400 s, and −2^40', () => {
    expect(signedU64ToNumber(0, 86_400)).toBe(86_400);
    const [hi, lo] = halves(BigInt.asUintN(64, -(2n ** 40n)));
    expect(signedU64ToNumber(hi, lo)).toBe(-(2 ** 40));
  });
});

describe('resolutionText', () => {
  it('prints 10^-6, 10^-9 and 2^-30', () => {
    expect(resolutionText(RESOLUTION_MICRO)).toBe('10^-6');
    expect(resolutionText(RESOLUTION_NANO)).toBe('10^-9');
    expect(resolutionText({ base: 2, exp: 30 })).toBe('2^-30');
  });
});

describe('unitsToTime near whole seconds, counts above 2^53 (10^-4 … 10^-9 fast path)', () => {
  it('matches BigInt on either side of every boundary', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 2n ** 31n }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: -3000, max: 3000 }),
        (v, exp, delta) => {
          const d = 10n ** BigInt(exp);
          // A multiple of d, moved by a few units either way.
          const units = (v / d) * d + BigInt(delta);
          const res: TsResolution = { base: 10, exp };
          expect(convert(units, res)).toEqual(reference(units, res));
        },
      ),
      { numRuns: 20_000, seed: 3 },
    );
  });
});
