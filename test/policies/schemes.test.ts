/**
 * The consistent schemes on tiny hand-computed inputs, Maglev's worked
 * example (NSDI 2016, Table 1) and jump's reference outputs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fmix32, serverId } from '../../src/policies/mix.js';
import { ModuloMapping } from '../../src/policies/modulo.js';
import { HashThresholdMapping } from '../../src/policies/hash-threshold.js';
import { HrwMapping, HRW_SALT } from '../../src/policies/hrw.js';
import { RingMapping, ringPoint } from '../../src/policies/ring.js';
import { MaglevMapping, checkMaglevSize, defaultMaglevSize, populateMaglev } from '../../src/policies/maglev.js';
import { JumpMapping, jumpHash } from '../../src/policies/jump.js';
import { isPrime, nextPrime } from '../../src/policies/prime.js';
import { ReplayError } from '../../src/errors.js';

const members = (...s: number[]) => Int32Array.from(s);
const TWO_32 = 2 ** 32;

describe('fmix32 (MurmurHash3 finalizer)', () => {
  it('matches MurmurHash3_x86_32 of the empty input, whose value is fmix32(seed)', () => {
    // Published MurmurHash3_x86_32 vectors (SMHasher): "" with seed 0 → 0, seed 1 → 0x514E28B7, seed 0xFFFFFFFF → 0x81F16F39.
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xffffffff)).toBe(0x81f16f39);
  });
});

describe('modulo', () => {
  it('hash mod n over the servers in service, in index order', () => {
    const all = new ModuloMapping(members(0, 1, 2, 3, 4));
    expect(all.lookup(7)).toBe(2);
    expect(all.lookup(0xffffffff)).toBe(0xffffffff % 5);
    const without2 = new ModuloMapping(members(0, 1, 3, 4));
    expect(without2.lookup(7)).toBe(4); // 7 mod 4 = 3 → the fourth member, server 4
    expect(without2.lookup(6)).toBe(3);
  });
});

describe('hash-threshold (RFC 2992)', () => {
  it('n equal contiguous regions of the 32-bit space', () => {
    const m = new HashThresholdMapping(members(0, 1, 2, 3, 4));
    // Region boundaries at k·2^32/5 = k·858993459.2.
    expect(m.lookup(0)).toBe(0);
    expect(m.lookup(858993459)).toBe(0);
    expect(m.lookup(858993460)).toBe(1);
    expect(m.lookup(1717986918)).toBe(1);
    expect(m.lookup(1717986919)).toBe(2);
    expect(m.lookup(TWO_32 - 1)).toBe(4);
    const without1 = new HashThresholdMapping(members(0, 2, 3, 4));
    expect(without1.lookup(2 ** 31)).toBe(3); // region ⌊2^31·4/2^32⌋ = 2 → third member
    expect(without1.lookup(2 ** 30 - 1)).toBe(0);
    expect(without1.lookup(2 ** 30)).toBe(2);
  });
});

describe('hrw (rendezvous)', () => {
  it('the server with the highest score fmix32(hash ⊕ id) wins', () => {
    const m = new HrwMapping(members(0, 1, 2));
    for (const hash of [0, 1, 12345, 0xdeadbeef, 0xffffffff]) {
      const scores = [0, 1, 2].map((s) => fmix32((hash ^ serverId(s, HRW_SALT)) >>> 0));
      expect(scores.map((_, i) => m.score(hash, i))).toEqual(scores);
      expect(m.lookup(hash)).toBe(scores.indexOf(Math.max(...scores)));
    }
  });

  it('removing a server leaves every flow that was not on it where it was', () => {
    const all = new HrwMapping(members(0, 1, 2, 3));
    const without = new HrwMapping(members(0, 1, 3));
    for (let h = 0; h < 5000; h++) {
      const hash = fmix32(h);
      const before = all.lookup(hash);
      if (before !== 2) expect(without.lookup(hash)).toBe(before);
      else expect(without.lookup(hash)).not.toBe(2);
    }
  });
});

describe('ring', () => {
  it('the owner of the first point at or after the hash, wrapping around', () => {
    const m = new RingMapping(members(0, 1, 2), 1);
    const points = [0, 1, 2].map((s) => ({ s, p: ringPoint(s, 0) })).sort((a, b) => a.p - b.p);
    expect(Array.from(m.points)).toEqual(points.map((x) => x.p));
    expect(Array.from(m.owners)).toEqual(points.map((x) => x.s));
    for (let i = 0; i < 3; i++) {
      expect(m.lookup(points[i].p)).toBe(points[i].s);
      expect(m.lookup(points[i].p - 1)).toBe(points[i].s);
      expect(m.lookup(points[i].p + 1)).toBe(points[(i + 1) % 3].s);
    }
    expect(m.lookup(0)).toBe(points[0].s);
    expect(m.lookup(TWO_32 - 1)).toBe(points[2].p === TWO_32 - 1 ? points[2].s : points[0].s);
  });

  it('vnodes points per server, each depending only on its server', () => {
    const m = new RingMapping(members(0, 3), 100);
    expect(m.points.length).toBe(200);
    expect(Array.from(m.owners).filter((s) => s === 3).length).toBe(100);
    const alone = new RingMapping(members(3), 100);
    const mine = Array.from(m.points).filter((_, i) => m.owners[i] === 3);
    expect(mine).toEqual(Array.from(alone.points));
  });
});

describe('maglev (NSDI 2016 §3.4)', () => {
  it("reproduces Table 1: B0 (offset 3, skip 4), B1 (0, 2), B2 (3, 1), M = 7, before and after B1 is removed", () => {
    // Permutations: B0 3 0 4 1 5 2 6; B1 0 2 4 6 1 3 5; B2 3 4 5 6 0 1 2.
    expect(Array.from(populateMaglev([3, 0, 3], [4, 2, 1], 7))).toEqual([1, 0, 1, 0, 2, 2, 0]); // B1 B0 B1 B0 B2 B2 B0
    const after = populateMaglev([3, 3], [4, 1], 7).map((i) => [0, 2][i]);
    expect(Array.from(after)).toEqual([0, 0, 0, 0, 2, 2, 2]); // B0 B0 B0 B0 B2 B2 B2
  });

  it('every server gets ⌊M/n⌋ or ⌈M/n⌉ entries (one entry per server per turn)', () => {
    const m = new MaglevMapping(members(0, 1, 2, 3, 4), 503);
    const counts = [0, 0, 0, 0, 0];
    for (const s of m.table) counts[s]++;
    expect(counts.reduce((a, b) => a + b)).toBe(503);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.filter((c) => c === 101).length).toBe(3);
    expect(m.lookup(503 + 7)).toBe(m.table[7]);
  });

  it('table size: the smallest prime ≥ 100·N by default; --maglev-size must be a prime ≥ 100·N', () => {
    expect(defaultMaglevSize(5)).toBe(503);
    expect(defaultMaglevSize(1)).toBe(101);
    expect(defaultMaglevSize(10)).toBe(1009);
    expect(() => checkMaglevSize(65537, 5)).not.toThrow();
    expect(() => checkMaglevSize(500, 5)).toThrow(ReplayError);
    expect(() => checkMaglevSize(499, 5)).toThrow('option --maglev-size: must be at least 100 times the servers (500), got 499');
    expect(() => checkMaglevSize(509, 5)).not.toThrow();
    expect(() => populateMaglev([0], [1], 8)).toThrow(RangeError);
    expect([2, 3, 5, 7, 101, 503, 65537].every(isPrime)).toBe(true);
    expect([0, 1, 4, 9, 25, 49, 121, 65535].some(isPrime)).toBe(false);
    expect(nextPrime(500)).toBe(503);
  });
});

/** The paper's loop in BigInt, for checking the limb arithmetic. */
function jumpReference(key: bigint, buckets: number): number {
  let b = -1n;
  let j = 0n;
  const n = BigInt(buckets);
  while (j < n) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & 0xffffffffffffffffn;
    j = BigInt(Math.floor(Number(b + 1n) * (2 ** 31 / Number((key >> 33n) + 1n))));
  }
  return Number(b);
}

describe('jump (Lamping & Veach 2014)', () => {
  it('reference outputs for buckets 1, 2, 3 …', () => {
    // Generated from the paper's C++ code; as published in dgryski/go-jump's jump_test.go.
    const cases: Array<[bigint, number[]]> = [
      [0n, Array<number>(20).fill(0)],
      [1n, [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17]],
      [0xdeadbeefn, [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16]],
      [0x0ddc0ffeebadf00dn, [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15]],
    ];
    for (const [key, expected] of cases) {
      const hi = Number(key >> 32n);
      const lo = Number(key & 0xffffffffn);
      expect(expected.map((_, i) => jumpHash(hi, lo, i + 1))).toEqual(expected);
    }
  });

  it('equals the BigInt form of the loop on any key and bucket count', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 1, max: 100000 }), (key, n) => {
        expect(jumpHash(Number(key >> 32n), Number(key & 0xffffffffn), n)).toBe(jumpReference(key, n));
      }),
    );
  });

  it('slots: a leaving server gives its slot to the last one; a new server takes a new last slot', () => {
    const first = new JumpMapping(members(0, 1, 2, 3, 4));
    expect(Array.from(first.slots)).toEqual([0, 1, 2, 3, 4]);
    const without1 = new JumpMapping(members(0, 2, 3, 4), first);
    expect(Array.from(without1.slots)).toEqual([0, 4, 2, 3]);
    const without4 = new JumpMapping(members(0, 2, 3), without1);
    expect(Array.from(without4.slots)).toEqual([0, 3, 2]);
    const with5 = new JumpMapping(members(0, 2, 3, 5), without4);
    expect(Array.from(with5.slots)).toEqual([0, 3, 2, 5]);
    const lastTwoGone = new JumpMapping(members(0, 1, 2), first);
    expect(Array.from(lastTwoGone.slots)).toEqual([0, 1, 2]);
    expect(first.lookup(0xdeadbeef)).toBe(jumpHash(0, 0xdeadbeef, 5));
    expect(without1.lookup(0xdeadbeef)).toBe([0, 4, 2, 3][jumpHash(0, 0xdeadbeef, 4)]);
  });
});
