/** Weighted policies, p2c and bounded-load on tiny hand-computed inputs, and their properties. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Xoshiro128StarStar } from '../../src/dispatch/prng.js';
import { BoundedLoadPolicy, balanceFactorFraction } from '../../src/policies/bounded-load.js';
import { CATALOGUE_POLICY_NAMES, createCataloguePolicy, isCataloguePolicyName, usesHash } from '../../src/policies/catalogue.js';
import { PowerOfTwoPolicy } from '../../src/policies/p2c.js';
import { RingMapping } from '../../src/policies/ring.js';
import { ServerSet } from '../../src/policies/server-set.js';
import { WeightedLeastActivePolicy } from '../../src/policies/weighted-least-active.js';
import { WeightedRandomPolicy } from '../../src/policies/weighted-random.js';
import { WeightedRoundRobinPolicy } from '../../src/policies/weighted-round-robin.js';
import { Weights } from '../../src/policies/weights.js';

const NO_LOAD = new Float64Array(16);

function picks(policy: { choose(h: number, a: Float64Array, b: number): number }, count: number): number[] {
  return Array.from({ length: count }, () => policy.choose(0, NO_LOAD, 0));
}

describe('weighted-round-robin (smooth, as NGINX)', () => {
  it('weights 5, 1, 1 give a a b a c a a, then again', () => {
    const p = new WeightedRoundRobinPolicy(new ServerSet(3), new Weights(3, [5, 1, 1]));
    expect(picks(p, 14)).toEqual([0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0]);
  });

  it('weights 1, 1, 1 are plain round-robin; weight 0 and drained servers get nothing', () => {
    expect(picks(new WeightedRoundRobinPolicy(new ServerSet(3), new Weights(3)), 6)).toEqual([0, 1, 2, 0, 1, 2]);
    const set = new ServerSet(4);
    const p = new WeightedRoundRobinPolicy(set, new Weights(4, [2, 0, 1, 1]));
    // current values 2 _ 1 1 → 0; 0 _ 2 2 → 2 (tie); 2 _ −1 3 → 3; 4 _ 0 0 → 0.
    expect(picks(p, 4)).toEqual([0, 2, 3, 0]);
    set.drain(0);
    expect(picks(p, 4)).toEqual([2, 3, 2, 3]);
    set.remove(2);
    set.remove(3);
    expect(p.choose(0, NO_LOAD, 0)).toBe(-1);
  });

  it('a weight change takes effect at the next pick', () => {
    const weights = new Weights(2, [1, 1]);
    const p = new WeightedRoundRobinPolicy(new ServerSet(2), weights);
    expect(picks(p, 2)).toEqual([0, 1]);
    weights.set(1, 3);
    expect(picks(p, 4)).toEqual([1, 0, 1, 1]);
  });

  it('property: over any Σw consecutive picks each server gets exactly its weight', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 8 }).filter((w) => w.some((x) => x > 0)), fc.integer({ min: 0, max: 50 }), (w, skip) => {
        const p = new WeightedRoundRobinPolicy(new ServerSet(w.length), new Weights(w.length, w));
        picks(p, skip);
        const total = w.reduce((a, b) => a + b);
        const counts = new Array<number>(w.length).fill(0);
        for (const s of picks(p, total)) counts[s]++;
        expect(counts).toEqual(w);
      }),
    );
  });
});

describe('weighted-random', () => {
  it('draws r = nextBelow(Σw) and takes the first server whose running sum exceeds r', () => {
    const rng = new Xoshiro128StarStar(7);
    const expected = Array.from({ length: 20 }, () => {
      const r = rng.nextBelow(6);
      return r < 3 ? 0 : r < 4 ? 1 : 2;
    });
    const p = new WeightedRandomPolicy(new ServerSet(3), new Weights(3, [3, 1, 2]), 7);
    expect(picks(p, 20)).toEqual(expected);
  });

  it('with all weights 1 it draws as random does (same seed, same servers)', () => {
    const rng = new Xoshiro128StarStar(1);
    const p = new WeightedRandomPolicy(new ServerSet(5), new Weights(5), 1);
    expect(picks(p, 50)).toEqual(Array.from({ length: 50 }, () => rng.nextBelow(5)));
  });

  it('property: weights honoured within 3% of all picks over 60 000 picks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 6 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (w, seed) => {
        const p = new WeightedRandomPolicy(new ServerSet(w.length), new Weights(w.length, w), seed);
        const total = w.reduce((a, b) => a + b);
        const n = 60_000;
        const counts = new Array<number>(w.length).fill(0);
        for (let i = 0; i < n; i++) counts[p.choose(0, NO_LOAD, 0)]++;
        // σ of a share is at most √(1/4n) ≈ 0.002: 0.03 is 15σ.
        counts.forEach((c, s) => expect(Math.abs(c / n - w[s] / total)).toBeLessThan(0.03));
      }),
      { numRuns: 10 },
    );
  });
});

describe('weighted-least-active', () => {
  it('fewest active per unit of weight, ties to the lower index', () => {
    const p = new WeightedLeastActivePolicy(new ServerSet(3), new Weights(3, [2, 1, 1]));
    expect(p.choose(0, Float64Array.of(0, 0, 0), 0)).toBe(0);
    expect(p.choose(0, Float64Array.of(2, 1, 1), 0)).toBe(0); // 2/2 = 1/1 = 1/1: lowest index
    expect(p.choose(0, Float64Array.of(3, 1, 1), 0)).toBe(1); // 1.5 > 1
    expect(p.choose(0, Float64Array.of(3, 2, 1), 0)).toBe(2);
    // base offsets into a shared array
    expect(p.choose(0, Float64Array.of(9, 9, 4, 1, 1), 2)).toBe(1);
  });

  it('all weights 1 is least-active; weight 0 and drained servers are skipped', () => {
    const set = new ServerSet(3);
    const p = new WeightedLeastActivePolicy(set, new Weights(3, [1, 0, 1]));
    expect(p.choose(0, Float64Array.of(5, 0, 6), 0)).toBe(0);
    set.drain(0);
    expect(p.choose(0, Float64Array.of(5, 0, 6), 0)).toBe(2);
  });

  // When server s was last chosen, (a_s − 1)/w_s was the smallest ratio, and the
  // smallest ratio never exceeds k/W: so a_s − w_s·k/W ≤ 1, and since the
  // deviations sum to 0, none is below −(n − 1).
  it('property: connections that never close are spread by weight: a_s − w_s·k/W within [−(n−1), 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 300 }), (w, k) => {
        const p = new WeightedLeastActivePolicy(new ServerSet(w.length), new Weights(w.length, w));
        const active = new Float64Array(w.length);
        for (let i = 0; i < k; i++) active[p.choose(0, active, 0)]++;
        const total = w.reduce((a, b) => a + b);
        active.forEach((a, s) => {
          expect(a - (w[s] * k) / total).toBeLessThanOrEqual(1);
          expect(a - (w[s] * k) / total).toBeGreaterThanOrEqual(-(w.length - 1));
        });
      }),
    );
  });
});

describe('p2c', () => {
  it('two distinct servers from i = nextBelow(n), j = nextBelow(n − 1) (+1 if ≥ i); the less loaded wins, ties to the lower index', () => {
    const rng = new Xoshiro128StarStar(3);
    const p = new PowerOfTwoPolicy(new ServerSet(4), 3);
    const active = Float64Array.of(4, 1, 1, 0);
    for (let round = 0; round < 30; round++) {
      const i = rng.nextBelow(4);
      let j = rng.nextBelow(3);
      if (j >= i) j++;
      const expected = active[i] < active[j] ? i : active[j] < active[i] ? j : Math.min(i, j);
      expect(p.choose(0, active, 0)).toBe(expected);
      expect([p.firstChoice, p.secondChoice]).toEqual([i, j]);
    }
  });

  it('one server in service: chosen without a draw; none: −1', () => {
    const set = new ServerSet(3);
    const p = new PowerOfTwoPolicy(set, 1);
    set.remove(0);
    set.drain(2);
    expect(p.choose(0, Float64Array.of(0, 7, 0), 0)).toBe(1);
    set.remove(1);
    expect(p.choose(0, NO_LOAD, 0)).toBe(-1);
  });

  it('property: never picks the more loaded of its two choices, which are distinct servers in service', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 10 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }),
        (loads, seed, drained) => {
          const set = new ServerSet(loads.length);
          for (const d of drained) if (d < loads.length - 1) set.drain(d);
          const p = new PowerOfTwoPolicy(set, seed);
          const active = Float64Array.from(loads);
          for (let i = 0; i < 50; i++) {
            const s = p.choose(0, active, 0);
            const a = p.firstChoice;
            const b = p.secondChoice;
            if (a >= 0) {
              expect(a).not.toBe(b);
              expect(set.accepts(a) && set.accepts(b)).toBe(true);
              expect(s === a || s === b).toBe(true);
              const other = s === a ? b : a;
              expect(active[s]).toBeLessThanOrEqual(active[other]);
              if (active[s] === active[other]) expect(s).toBeLessThan(other);
            }
            active[s]++;
          }
        },
      ),
    );
  });
});

describe('bounded-load (Mirrokni, Thorup & Zadimoghaddam; HAProxy hash-balance-factor)', () => {
  it('a server at cap = ⌈c·(A+1)/n⌉ passes the connection on along the ring', () => {
    const set = new ServerSet(3);
    const p = new BoundedLoadPolicy(set, 1, 1.25);
    const ring = new RingMapping(Int32Array.of(0, 1, 2), 1);
    const order = Array.from(ring.owners); // servers in ring order
    const hash = ring.points[0]; // lands on order[0]
    // A = 2 active, n = 3: cap = ⌈1.25·3/3⌉ = 2.
    const active = new Float64Array(3);
    active[order[0]] = 2;
    expect(p.choose(hash, active, 0)).toBe(order[1]);
    expect(p.lastCap).toBe(2);
    // A = 1: cap = ⌈1.25·2/3⌉ = 1; order[0] holds 1 and is full too.
    active[order[0]] = 1;
    expect(p.choose(hash, active, 0)).toBe(order[1]);
    expect(p.lastCap).toBe(1);
    // A = 0: cap 1, order[0] is free.
    active[order[0]] = 0;
    expect(p.choose(hash, active, 0)).toBe(order[0]);
    // Both order[0] and order[1] full: A = 4, cap = ⌈1.25·5/3⌉ = 3.
    active[order[0]] = 3;
    active[order[1]] = 1;
    expect(p.choose(hash, active, 0)).toBe(order[1]); // order[0] at 3 = cap is full
    expect(p.lastCap).toBe(3);
    active[order[1]] = 3;
    active[order[2]] = 0;
    // A = 6, cap = ⌈1.25·7/3⌉ = 3: order[0] and order[1] are at 3, order[2] takes it.
    expect(p.choose(hash, active, 0)).toBe(order[2]);
    expect(p.lastCap).toBe(3);
    // route ignores loads: the plain ring.
    expect(p.route(hash)).toBe(order[0]);
  });

  it('property: no server in service ever exceeds ⌈c·A/n⌉ when connections only arrive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.constantFrom(1, 1.1, 1.25, 2), fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 200 }), (n, c, hashes) => {
        const p = new BoundedLoadPolicy(new ServerSet(n), 10, c);
        const active = new Float64Array(n);
        hashes.forEach((h, i) => {
          active[p.choose(h, active, 0)]++;
          const { num, den } = balanceFactorFraction(c);
          const bound = Math.ceil((num * (i + 1)) / (den * n));
          expect(Math.max(...active)).toBeLessThanOrEqual(bound);
        });
      }),
    );
  });

  it('balance factor as an exact fraction; below 1 refused', () => {
    expect(balanceFactorFraction(1.25)).toEqual({ num: 125, den: 100 });
    expect(balanceFactorFraction(1)).toEqual({ num: 1, den: 1 });
    expect(balanceFactorFraction(1.1)).toEqual({ num: 11, den: 10 });
    expect(() => balanceFactorFraction(0.9)).toThrow(RangeError);
  });
});

describe('catalogue', () => {
  it('names every policy of issue 11 and builds each', () => {
    expect(CATALOGUE_POLICY_NAMES.length).toBe(11);
    for (const name of CATALOGUE_POLICY_NAMES) {
      expect(isCataloguePolicyName(name)).toBe(true);
      const policy = createCataloguePolicy({ policy: name, servers: 5, seed: 1, weights: [1, 1, 1, 1, 1] });
      const s = policy.choose(0x12345678, new Float64Array(5), 0);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(5);
      expect('route' in policy).toBe(usesHash(name));
    }
    expect(isCataloguePolicyName('hash')).toBe(false);
  });

  it('weights: one per server, whole numbers 0 … 1000000', () => {
    expect(() => new Weights(3, [1, 2])).toThrow('2 weights for 3 servers: give one per server');
    expect(() => new Weights(2, [1, 1.5])).toThrow(RangeError);
    expect(() => new Weights(2, [1, -1])).toThrow(RangeError);
    const w = new Weights(2, [0, 7]);
    expect([w.get(0), w.get(1), w.get(9)]).toEqual([0, 7, 1]);
  });
});
