/**
 * The flow replay's pending events (issue 12, performance): the calendar
 * queue delivers what a plain sorted list would, for any interleaving of
 * pushes at or after the last popped key and pops, with the ring's edges
 * (bucket boundaries, the ring's span, far keys, keys past 2^53) exercised
 * on small rings; a key years ahead costs an overflow entry, not memory or
 * a walk over the buckets between.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RING_LOG2, DEFAULT_WIDTH_LOG2, EventQueue } from '../../src/engine/event-queue.js';

/** One year in ns. */
const YEAR_NS = 365 * 86_400 * 1e9;

type Delta =
  | { t: 'same' }
  | { t: 'small'; n: number }
  | { t: 'frac'; x: number }
  | { t: 'boundary'; k: number }
  | { t: 'ringEdge'; j: number; off: number }
  | { t: 'far'; m: number }
  | { t: 'years'; y: number }
  | { t: 'huge'; x: number };

type Cmd = { t: 'push'; d: Delta } | { t: 'burst'; n: number; d: Delta } | { t: 'pop'; n: number };

const delta: fc.Arbitrary<Delta> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Delta>({ t: 'same' }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 200 }).map((n): Delta => ({ t: 'small', n })) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 3, noNaN: true }).map((x): Delta => ({ t: 'frac', x })) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 70 }).map((k): Delta => ({ t: 'boundary', k })) },
  { weight: 3, arbitrary: fc.record({ j: fc.integer({ min: -2, max: 2 }), off: fc.constantFrom(-1, 0, 1) }).map(({ j, off }): Delta => ({ t: 'ringEdge', j, off })) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 9 }).map((m): Delta => ({ t: 'far', m })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map((y): Delta => ({ t: 'years', y })) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 53, 2 ** 53 + 2, 2 ** 53 + 4096, 2 ** 60, 2 ** 60 + 2 ** 8, 1.5 * 2 ** 70).map((x): Delta => ({ t: 'huge', x })) },
);

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: delta.map((d): Cmd => ({ t: 'push', d })) },
  { weight: 1, arbitrary: fc.record({ n: fc.integer({ min: 2, max: 40 }), d: delta }).map(({ n, d }): Cmd => ({ t: 'burst', n, d })) },
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 4 }).map((n): Cmd => ({ t: 'pop', n })) },
);

/** The key a delta names, at or after `last`, for buckets of `w` ns and a ring spanning `span` ns. */
function keyOf(d: Delta, last: number, w: number, span: number): number {
  const bucketStart = Math.floor(last / w) * w;
  let k: number;
  switch (d.t) {
    case 'same':
      k = last;
      break;
    case 'small':
      k = last + d.n;
      break;
    case 'frac':
      k = last + d.x * w;
      break;
    case 'boundary':
      k = bucketStart + d.k * w;
      break;
    case 'ringEdge':
      k = bucketStart + span + d.j * w + d.off;
      break;
    case 'far':
      k = last + d.m * span + 1;
      break;
    case 'years':
      k = last + d.y * YEAR_NS;
      break;
    case 'huge':
      k = d.x;
      break;
  }
  return k >= last ? k : last;
}

/**
 * Runs the commands on a queue and on a plain list, comparing every pop
 * (key, and an event of that key: code and value as pushed) and every peek.
 */
function check(q: EventQueue, w: number, span: number, base: number, cmds: readonly Cmd[]): void {
  const model: { key: number; code: number; value: number }[] = [];
  let last = base;
  let next = 0;
  const push = (key: number): void => {
    const code = next++;
    const value = code * 0.5 - 7;
    q.push(key, code, value);
    model.push({ key, code, value });
  };
  const pop = (): void => {
    if (model.length === 0) {
      expect(q.size).toBe(0);
      expect(q.peekKey()).toBe(Number.POSITIVE_INFINITY);
      return;
    }
    let min = Number.POSITIVE_INFINITY;
    for (const e of model) if (e.key < min) min = e.key;
    expect(q.peekKey()).toBe(min);
    const code = q.peekCode();
    const i = model.findIndex((e) => e.code === code);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(model[i].key).toBe(min);
    expect(q.peekValue()).toBe(model[i].value);
    model.splice(i, 1);
    q.pop();
    last = min;
    expect(q.size).toBe(model.length);
  };
  for (const c of cmds) {
    if (c.t === 'push') push(keyOf(c.d, last, w, span));
    else if (c.t === 'burst') {
      const key = keyOf(c.d, last, w, span);
      for (let i = 0; i < c.n; i++) push(key);
    } else for (let i = 0; i < c.n; i++) pop();
    expect(q.size).toBe(model.length);
  }
  while (model.length > 0) pop();
  expect(q.size).toBe(0);
  expect(q.peekKey()).toBe(Number.POSITIVE_INFINITY);
}

const bases = fc.constantFrom(0, 0.25, 17, -1_000_000, 2 ** 53 - 8, 1.7e18);

describe('EventQueue', () => {
  // Rings of 32 buckets (16 ns wide, or 1 ns) so that the commands cross bucket
  // boundaries, the ring's span, wraps and the overflow all the time.
  for (const [widthLog2, ringLog2] of [
    [4, 5],
    [0, 5],
    [1, 6],
  ]) {
    it(`matches a sorted list: buckets of 2^${widthLog2} ns, ring of 2^${ringLog2}`, () => {
      const w = 2 ** widthLog2;
      const span = w * 2 ** ringLog2;
      fc.assert(
        fc.property(bases, fc.array(cmd, { maxLength: 150 }), (base, cmds) => {
          check(new EventQueue(widthLog2, ringLog2), w, span, base, cmds);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('matches a sorted list with the default ring (deltas scaled to its buckets)', () => {
    const w = 2 ** DEFAULT_WIDTH_LOG2;
    const span = w * 2 ** DEFAULT_RING_LOG2;
    fc.assert(
      fc.property(bases, fc.array(cmd, { maxLength: 150 }), (base, cmds) => {
        check(new EventQueue(), w, span, base, cmds);
      }),
      { numRuns: 100 },
    );
  });

  it('delivers a burst of 5 000 events at one key, and pushes into the bucket being drained, in order', () => {
    const q = new EventQueue(4, 5);
    for (let i = 0; i < 5000; i++) q.push(100, i, i);
    q.push(131, 9001, 0); // two 16-ns buckets later (128 … 143), in the ring
    q.push(101, 9000, 0); // the burst's bucket (96 … 111), after its key
    const codes: number[] = [];
    const keys: number[] = [];
    // Pops interleaved with pushes at the last popped key, as the replay does.
    for (let i = 0; i < 10; i++) {
      keys.push(q.peekKey());
      codes.push(q.peekCode());
      q.pop();
      q.push(100, 10_000 + i, 0);
    }
    while (q.size > 0) {
      keys.push(q.peekKey());
      codes.push(q.peekCode());
      q.pop();
    }
    expect(keys.length).toBe(5012);
    expect(keys.filter((k) => k === 100).length).toBe(5010);
    expect(keys.slice(-2)).toEqual([101, 131]);
    expect(codes.slice(-2)).toEqual([9000, 9001]);
    expect(new Set(codes.slice(0, 5010)).size).toBe(5010);
  });

  it('keeps a key years ahead as one overflow entry: no memory, no walk over the buckets between', () => {
    const q = new EventQueue();
    q.push(0, 1, 0.5);
    q.push(1e9, 2, 0.25);
    const before = q.memoryBytes();
    // 30 years of 4-ms buckets: 2.3e11 buckets, far too many to walk.
    q.push(30 * YEAR_NS, 3, 3);
    expect(q.memoryBytes()).toBe(before);
    expect(q.size).toBe(3);
    q.pop();
    q.pop();
    expect(q.peekKey()).toBe(30 * YEAR_NS);
    expect(q.peekCode()).toBe(3);
    expect(q.peekValue()).toBe(3);
    // From there on the ring is numbered around the far key.
    q.push(30 * YEAR_NS + 5e9, 4, 0);
    q.push(30 * YEAR_NS, 5, 0);
    const got: number[] = [];
    while (q.size > 0) {
      got.push(q.peekCode());
      q.pop();
    }
    expect(got.slice(-1)).toEqual([4]);
    expect(got.slice(0, 2).sort()).toEqual([3, 5]);
    expect(q.memoryBytes()).toBe(before);
  }, 2000);

  it('holds 100 000 keys a year apart in memory that follows their number', () => {
    const q = new EventQueue();
    const ring = new EventQueue().memoryBytes();
    for (let i = 0; i < 100_000; i++) q.push((100_000 - i) * YEAR_NS, i, i);
    // The overflow heap doubled to 131 072 entries of 20 bytes.
    expect(q.memoryBytes()).toBe(ring + (131_072 - 64) * 20);
    let prev = 0;
    let n = 0;
    while (q.size > 0) {
      const k = q.peekKey();
      expect(k).toBeGreaterThan(prev);
      prev = k;
      q.pop();
      n++;
    }
    expect(n).toBe(100_000);
  }, 10_000);

  it('pops nothing from an empty queue', () => {
    const q = new EventQueue();
    q.pop();
    expect(q.size).toBe(0);
    expect(q.peekKey()).toBe(Number.POSITIVE_INFINITY);
    q.push(5, 1, 2);
    expect(q.peekKey()).toBe(5);
  });

  it('rejects a width or a ring out of range', () => {
    expect(() => new EventQueue(41, 17)).toThrow('EventQueue: widthLog2 41 not in 0…40');
    expect(() => new EventQueue(22, 4)).toThrow('EventQueue: ringLog2 4 not in 5…24');
  });
});
