/**
 * The reorder window (issue 12): records at most a window behind the newest
 * start are delivered in start order (ties in file order); later ones are
 * counted, never delivered; memory is bounded by the window (and by
 * maxBuffered), never by the number of records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowRecord } from '../../src/flowlog/record.js';
import { ReorderBuffer } from '../../src/flowlog/reorder.js';
import { NS_PER_SEC } from '../../src/time.js';

/** Pushes records with these start times (ns) in this order; returns the lines delivered and the stats. */
function run(startsNs: readonly number[], windowNs: number, maxBuffered?: number): { lines: number[]; starts: number[]; buffer: ReorderBuffer } {
  const lines: number[] = [];
  const starts: number[] = [];
  const buffer = new ReorderBuffer(
    { sec: Math.floor(windowNs / NS_PER_SEC), nsec: windowNs % NS_PER_SEC },
    (r) => {
      lines.push(r.line);
      starts.push(r.startSec * NS_PER_SEC + r.startNsec);
    },
    maxBuffered,
  );
  const rec = new FlowRecord();
  startsNs.forEach((ns, i) => {
    rec.startSec = Math.floor(ns / NS_PER_SEC);
    rec.startNsec = ns % NS_PER_SEC;
    rec.line = i + 1;
    rec.seq = i + 1;
    buffer.push(rec);
  });
  buffer.flush();
  return { lines, starts, buffer };
}

describe('ReorderBuffer', () => {
  it('copies every field through the heap', () => {
    const got: FlowRecord[] = [];
    const buffer = new ReorderBuffer({ sec: 60, nsec: 0 }, (r) => got.push(Object.assign(new FlowRecord(), r, { clientAddr: r.clientAddr.slice(), serverAddr: r.serverAddr.slice() })));
    const rec = new FlowRecord();
    Object.assign(rec, {
      ipVersion: 6,
      clientPort: 65535,
      serverPort: 443,
      proto: 17,
      startSec: 1_700_000_000,
      startNsec: 999_999_999,
      lastSec: 1_700_000_001,
      lastNsec: 1,
      endSec: Number.POSITIVE_INFINITY,
      endNsec: 0,
      expiry: 3,
      bytesC2s: 2 ** 52,
      bytesS2c: 7,
      packetsC2s: -1,
      packetsS2c: 12,
      ipBytesC2s: -1,
      ipBytesS2c: 99,
      state: 20,
      line: 123456789012,
    });
    rec.clientAddr.set([0x20010db8, 1, 2, 0xffffffff]);
    rec.serverAddr.set([0xfe800000, 0, 0, 0x80000000]);
    buffer.push(rec);
    buffer.flush();
    expect(got).toEqual([rec]);
  });

  it('delivers in start order, ties in file order, whatever the order within the window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 1000 }), fc.nat({ max: 60 })), { maxLength: 200 }),
        (items) => {
          // Each record is written `delay` ≤ 60 s after it starts (the window): arrival
          // order = (start + delay). Then its start is never more than 60 s behind the
          // newest start read, and nothing is late.
          const arrivals = items.map(([s, d], i) => ({ start: s * NS_PER_SEC, key: s + d, i })).sort((a, b) => a.key - b.key || a.i - b.i);
          const { lines, starts, buffer } = run(arrivals.map((a) => a.start), 60 * NS_PER_SEC);
          expect(buffer.stats.late).toBe(0);
          expect(lines.length).toBe(items.length);
          const expected = arrivals.map((a, k) => ({ start: a.start, line: k + 1 })).sort((a, b) => a.start - b.start || a.line - b.line);
          expect(lines).toEqual(expected.map((e) => e.line));
          expect(starts).toEqual(expected.map((e) => e.start));
        },
      ),
    );
  });

  it('any input: delivered in order, late ones counted, delivered + late = pushed', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000 }), { maxLength: 300 }), fc.nat({ max: 3000 }), (startsMs, windowMs) => {
        const { starts, buffer } = run(startsMs.map((ms) => ms * 1_000_000), windowMs * 1_000_000);
        for (let k = 1; k < starts.length; k++) expect(starts[k]).toBeGreaterThanOrEqual(starts[k - 1]);
        expect(buffer.stats.delivered + buffer.stats.late).toBe(startsMs.length);
        expect(buffer.stats.delivered).toBe(starts.length);
        if (buffer.stats.late === 0) expect(buffer.stats.firstLateLine).toBe(0);
      }),
    );
  });

  it('orders starts nanoseconds apart at today’s epoch exactly (equal heap keys)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2000 }), { maxLength: 200 }), (offsets) => {
        // 1.7e9 s + a few hundred ns: many starts share one double key.
        const lines: number[] = [];
        const buffer = new ReorderBuffer({ sec: 1, nsec: 0 }, (r) => lines.push(r.line));
        const rec = new FlowRecord();
        offsets.forEach((o, i) => {
          // The last microsecond of one second, or the first of the next.
          rec.startSec = o < 1000 ? 1_700_000_000 : 1_700_000_001;
          rec.startNsec = o < 1000 ? 999_999_000 + o : o - 1000;
          rec.line = i + 1;
          rec.seq = i + 1;
          buffer.push(rec);
        });
        buffer.flush();
        const key = (o: number): number => (o >= 1000 ? 1_000_000_000 + (o - 1000) : 999_999_000 + o);
        const expected = offsets.map((o, i) => ({ t: key(o), line: i + 1 })).sort((a, b) => a.t - b.t || a.line - b.line);
        expect(lines).toEqual(expected.map((e) => e.line));
        expect(buffer.stats.late).toBe(0);
      }),
    );
  });

  it('holds only the window: 1 000 000 records in order at 1000/s, window 60 s, hold at most 60 002', () => {
    const n = 1_000_000;
    const buffer = new ReorderBuffer({ sec: 60, nsec: 0 }, () => {});
    const rec = new FlowRecord();
    for (let i = 0; i < n; i++) {
      rec.startSec = 1_700_000_000 + Math.floor(i / 1000);
      rec.startNsec = (i % 1000) * 1_000_000;
      rec.line = i + 1;
      rec.seq = i + 1;
      buffer.push(rec);
    }
    // Held after each push: the starts within [newest − 60 s, newest] (60 001 records), and
    // for a moment the one that the newest record pushes out of the window.
    expect(buffer.stats.peakBuffered).toBe(60_002);
    buffer.flush();
    expect(buffer.stats).toMatchObject({ pushed: n, delivered: n, late: 0, forced: 0 });
  });

  it('past maxBuffered, delivers the earliest at once (forced) rather than grow', () => {
    // Ten records all at the same start: the window never lets them go.
    const { lines, buffer } = run(new Array(10).fill(5 * NS_PER_SEC), 60 * NS_PER_SEC, 4);
    expect(buffer.stats.peakBuffered).toBe(5);
    expect(buffer.stats.forced).toBe(6);
    expect(lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('measures lateness exactly', () => {
    // Window 1 s: 10 goes when 12 arrives; 9.25 is then 0.75 s behind 10: late.
    const { lines, buffer } = run([10 * NS_PER_SEC, 12 * NS_PER_SEC, 9_250_000_000], NS_PER_SEC);
    expect(lines).toEqual([1, 2]);
    expect(buffer.stats).toMatchObject({ late: 1, maxLateNs: 750_000_000, firstLateLine: 3 });
  });
});

/** Start (sec, nsec) and seq of a record in the model and property below. */
interface Item {
  sec: number;
  nsec: number;
  seq: number;
}

const before = (a: Item, b: Item): boolean => a.sec < b.sec || (a.sec === b.sec && (a.nsec < b.nsec || (a.nsec === b.nsec && a.seq < b.seq)));

/**
 * The reorder window's contract written plainly: everything held in one list,
 * the earliest found by a scan. Returns the lines delivered, in order, and the stats.
 */
function plainReorder(items: readonly Item[], windowSec: number, windowNsec: number, maxBuffered: number): { lines: number[]; stats: Record<string, number> } {
  const held: { item: Item; line: number }[] = [];
  const lines: number[] = [];
  const stats = { pushed: 0, delivered: 0, late: 0, maxLateNs: 0, firstLateLine: 0, forced: 0, peakBuffered: 0 };
  let last: Item | undefined;
  let newest: Item | undefined;
  const deliverEarliest = (): void => {
    let k = 0;
    for (let j = 1; j < held.length; j++) if (before(held[j].item, held[k].item)) k = j;
    const [h] = held.splice(k, 1);
    lines.push(h.line);
    last = h.item;
    stats.delivered++;
  };
  items.forEach((item, i) => {
    stats.pushed++;
    if (last !== undefined && (item.sec < last.sec || (item.sec === last.sec && item.nsec < last.nsec))) {
      stats.late++;
      stats.maxLateNs = Math.max(stats.maxLateNs, (last.sec - item.sec) * NS_PER_SEC + (last.nsec - item.nsec));
      if (stats.firstLateLine === 0) stats.firstLateLine = i + 1;
      return;
    }
    if (newest === undefined || item.sec > newest.sec || (item.sec === newest.sec && item.nsec > newest.nsec)) newest = item;
    held.push({ item, line: i + 1 });
    stats.peakBuffered = Math.max(stats.peakBuffered, held.length);
    if (held.length > maxBuffered) {
      stats.forced++;
      deliverEarliest();
    }
    let hs = newest.sec - windowSec;
    let hn = newest.nsec - windowNsec;
    if (hn < 0) {
      hn += NS_PER_SEC;
      hs--;
    }
    for (;;) {
      if (held.length === 0) break;
      let k = 0;
      for (let j = 1; j < held.length; j++) if (before(held[j].item, held[k].item)) k = j;
      const e = held[k].item;
      if (e.sec > hs || (e.sec === hs && e.nsec >= hn)) break;
      deliverEarliest();
    }
  });
  while (held.length > 0) deliverEarliest();
  return { lines, stats };
}

describe('ReorderBuffer against the plain model', () => {
  // Starts: mostly a few minutes around today's epoch, on a coarse or a fine grid
  // (equal starts, starts a rounding step apart); some far ahead (a damaged ts, up
  // to 15 digits), some far behind.
  const start = fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.integer({ min: 1_700_000_000, max: 1_700_000_300 }), fc.constantFrom(0, 1, 999_999_999, 500_000_000)) },
    { weight: 12, arbitrary: fc.tuple(fc.integer({ min: 1_700_000_000, max: 1_700_000_003 }), fc.nat({ max: NS_PER_SEC - 1 })) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1_700_000_000, max: 999_999_999_999_999 }), fc.nat({ max: NS_PER_SEC - 1 })) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 1_700_000_000 }), fc.nat({ max: NS_PER_SEC - 1 })) },
    // Around the edges of the calendar ring for a 60 s window (16 384 buckets of 5 ms).
    {
      weight: 12,
      arbitrary: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 12 }), fc.nat({ max: 5_999_999 })).map(([turns, bucket, ns]): [number, number] => {
        const t = (turns * 16_384 + bucket) * 5_000_000 + ns;
        return [1_700_000_000 + Math.floor(t / NS_PER_SEC), t % NS_PER_SEC];
      }),
    },
  );
  const windows = fc.constantFrom<[number, number]>([0, 0], [0, 1], [0, 1_000_000], [1, 0], [2, 500_000_000], [60, 0], [3600, 0], [1_000_000, 0]);

  it('delivers the same records in the same order, with the same stats, far-off starts and seq ties included', () => {
    fc.assert(
      fc.property(fc.array(start, { maxLength: 300 }), windows, fc.constantFrom(1, 2, 7, 64, 1 << 21), fc.boolean(), (starts, [ws, wn], maxBuffered, seqReversed) => {
        // seq unique, in file order or against it (the connections CSV's `conn` need not follow its lines).
        const items = starts.map(([sec, nsec], i) => ({ sec, nsec, seq: seqReversed ? starts.length - i : i + 1 }));
        const expected = plainReorder(items, ws, wn, maxBuffered);
        const lines: number[] = [];
        const buffer = new ReorderBuffer({ sec: ws, nsec: wn }, (r) => lines.push(r.line), maxBuffered);
        const rec = new FlowRecord();
        items.forEach((item, i) => {
          rec.startSec = item.sec;
          rec.startNsec = item.nsec;
          rec.seq = item.seq;
          rec.line = i + 1;
          buffer.push(rec);
        });
        buffer.flush();
        expect(lines).toEqual(expected.lines);
        expect({ ...buffer.stats }).toEqual(expected.stats);
        expect(buffer.buffered).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('a start decades ahead does not grow the buffer: the records before it go, it waits alone', () => {
    const lines: number[] = [];
    const buffer = new ReorderBuffer({ sec: 60, nsec: 0 }, (r) => lines.push(r.line));
    const rec = new FlowRecord();
    const push = (sec: number, line: number): void => {
      rec.startSec = sec;
      rec.startNsec = 0;
      rec.line = line;
      rec.seq = line;
      buffer.push(rec);
    };
    for (let i = 0; i < 1000; i++) push(1_700_000_000 + (i % 50), i + 1);
    expect(buffer.buffered).toBe(1000);
    push(999_999_999_999_999, 1001);
    expect(lines.length).toBe(1000);
    expect(buffer.buffered).toBe(1);
    // After it: a start near it waits in order; one after the last delivered (…049)
    // goes at once; one before that is late.
    push(999_999_999_999_990, 1002);
    push(1_700_000_100, 1003);
    push(1_700_000_010, 1004);
    expect(buffer.buffered).toBe(2);
    buffer.flush();
    expect(lines.slice(1000)).toEqual([1003, 1002, 1001]);
    expect(buffer.stats).toMatchObject({ pushed: 1004, delivered: 1003, late: 1, firstLateLine: 1004, maxLateNs: 90 * NS_PER_SEC });
  });
});
