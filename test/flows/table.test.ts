import { describe, expect, it } from 'vitest';
import { CloseReason } from '../../src/flows/events.js';
import { FlowKey, hashFlowKey } from '../../src/flows/key.js';
import {
  BYTES_PER_SLOT,
  C_FIRST_NSEC,
  ConnectionTable,
  FLAG_CLIENT_IS_A,
  N_CONN,
  N_FIRST_SEC,
  N_LAST_CLOCK_SEC,
  N_LAST_SEC,
  R_LAST_CLOCK_NSEC,
  R_LAST_NSEC,
  R_META,
} from '../../src/flows/table.js';
import { rng } from '../reader/helpers.js';


/** Key number n → a canonical IPv4 or IPv6 key (A < B by construction). */
function keyFor(n: number, key: FlowKey): FlowKey {
  const v6 = n % 3 === 0;
  key.ipVersion = v6 ? 6 : 4;
  key.proto = 6;
  key.aAddr.fill(0);
  key.bAddr.fill(0);
  if (v6) {
    key.aAddr[0] = 0x20010db8;
    key.aAddr[3] = n;
    key.bAddr[0] = 0x20010db9;
  } else {
    key.aAddr[0] = 0x0a000000 + (n >>> 4);
    key.bAddr[0] = 0xc0000201;
  }
  key.aPort = 1024 + (n & 15);
  key.bPort = 443;
  key.srcIsA = true;
  key.hash = hashFlowKey(key);
  return key;
}

describe('ConnectionTable', () => {
  it('finds what it holds, from both the stored fields and the accessors', () => {
    const t = new ConnectionTable({ initialCapacity: 4 });
    const k = keyFor(7, new FlowKey());
    expect(t.find(k)).toBe(-1);
    const s = t.insert(k);
    expect(t.find(k)).toBe(s);
    expect(t.size).toBe(1);
    expect(t.closeReason(s)).toBe(CloseReason.OPEN);
    // Client = B: the accessors swap the canonical endpoints.
    expect(t.clientPort(s)).toBe(443);
    expect(t.serverPort(s)).toBe(1024 + 7);
    expect(t.clientAddrWord(s, 0)).toBe(0xc0000201);
    t.recOf(s)[t.recOffset(s) + R_META] |= FLAG_CLIENT_IS_A;
    expect(t.clientPort(s)).toBe(1024 + 7);
    const out = new Uint32Array(4);
    t.serverAddr(s, out);
    expect([...out]).toEqual([0xc0000201, 0, 0, 0]);
    t.clientAddr(s, out);
    expect([...out]).toEqual([0x0a000000, 0, 0, 0]);
  });

  // maxCapacity 2048: 11 slot bits, so index entries carry a 20-bit hash tag;
  // no bound: 31 slot bits and no tag (every probe reads the record).
  it.each([undefined, 2048])('keeps lookups right through growth, backward-shift deletes and slot reuse (randomized, against a Map; maxCapacity %s)', (maxCapacity) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = rng(seed);
      const table = new ConnectionTable({ initialCapacity: 2, maxCapacity });
      const model = new Map<number, number>(); // key number → slot
      const key = new FlowKey();
      let peak = 0;
      for (let step = 0; step < 20_000; step++) {
        // Grow to ~600 then shrink toward 0 and back: the key space is 1200.
        const phase = Math.floor(step / 5000) % 2;
        const n = Math.floor(rand() * 1200);
        keyFor(n, key);
        const found = table.find(key);
        // Plain comparisons in the loop (expect() per step is slow); failures name the step.
        if (model.has(n)) {
          if (found !== model.get(n)) throw new Error(`seed ${seed} step ${step}: key ${n} at ${found}, expected ${model.get(n)}`);
          const del = phase === 0 ? rand() < 0.3 : rand() < 0.8;
          if (del) {
            table.free(found);
            model.delete(n);
            if (table.find(key) !== -1) throw new Error(`seed ${seed} step ${step}: deleted key ${n} still found`);
          }
        } else {
          if (found !== -1) throw new Error(`seed ${seed} step ${step}: absent key ${n} found at ${found}`);
          const ins = phase === 0 ? rand() < 0.7 : rand() < 0.2;
          if (ins) {
            const s = table.insert(key);
            table.numOf(s)[table.numOffset(s) + N_CONN] = n;
            model.set(n, s);
          }
        }
        if (table.size !== model.size) throw new Error(`seed ${seed} step ${step}: size ${table.size} vs ${model.size}`);
        peak = Math.max(peak, model.size);
        if (step % 1000 === 999) {
          // Every held key is found at its slot, and the slot holds that key.
          for (const [m, s] of model) {
            const at = table.find(keyFor(m, key));
            if (at !== s || table.conn(s) !== m) throw new Error(`seed ${seed} step ${step}: key ${m} at ${at}, expected ${s}`);
          }
          expect(table.indexSize).toBeGreaterThanOrEqual(2 * table.size);
        }
      }
      // The slab follows the peak, never the number of inserts (chunks of 2 slots here).
      expect(table.capacity).toBeLessThanOrEqual(peak + 2);
      expect(peak).toBeGreaterThan(400);
    }
  });

  it('reuses freed slots before growing, and grows by whole chunks', () => {
    const t = new ConnectionTable({ initialCapacity: 8 });
    const key = new FlowKey();
    for (let n = 0; n < 8; n++) t.insert(keyFor(n, key));
    for (let n = 0; n < 8; n++) t.free(t.find(keyFor(n, key)));
    expect(t.size).toBe(0);
    for (let n = 100; n < 108; n++) t.insert(keyFor(n, key));
    expect(t.capacity).toBe(8);
    t.insert(keyFor(200, key));
    expect(t.capacity).toBe(16);
    // The chunk size is the initial capacity's power of two, at most 1024.
    expect(new ConnectionTable({ initialCapacity: 3 }).chunkMask).toBe(3);
    expect(new ConnectionTable({ initialCapacity: 5000 }).chunkMask).toBe(1023);
    expect(new ConnectionTable({ initialCapacity: 5000 }).capacity).toBe(5120);
  });

  it('keeps what it holds when it grows (records are never copied or moved)', () => {
    const t = new ConnectionTable({ initialCapacity: 4 });
    const key = new FlowKey();
    const slots: number[] = [];
    for (let n = 0; n < 100; n++) {
      const s = t.insert(keyFor(n, key));
      t.numOf(s)[t.numOffset(s) + N_CONN] = n;
      slots.push(s);
    }
    expect(t.capacity).toBe(100);
    for (let n = 0; n < 100; n++) {
      expect(t.find(keyFor(n, key))).toBe(slots[n]);
      expect(t.conn(slots[n])).toBe(n);
    }
  });

  it('clear() empties the table at once and hands slots out from 0 again', () => {
    const t = new ConnectionTable({ initialCapacity: 4 });
    const key = new FlowKey();
    for (let n = 0; n < 10; n++) t.insert(keyFor(n, key));
    t.clear();
    expect(t.size).toBe(0);
    expect(t.find(keyFor(3, key))).toBe(-1);
    expect(t.insert(keyFor(3, key))).toBe(0);
    expect(t.find(keyFor(3, key))).toBe(0);
    expect(t.capacity).toBe(12);
  });

  it('never grows past maxCapacity', () => {
    const t = new ConnectionTable({ initialCapacity: 2, maxCapacity: 5 });
    const key = new FlowKey();
    for (let n = 0; n < 5; n++) t.insert(keyFor(n, key));
    expect(t.capacity).toBe(5);
    expect(() => t.insert(keyFor(99, key))).toThrow(/table full/);
  });

  it('keeps (sec, nsec) times through growth, seconds beyond 2^31 included, and resets them on insert', () => {
    const t = new ConnectionTable({ initialCapacity: 2 });
    const key = new FlowKey();
    const s = t.insert(keyFor(1, key));
    // A damaged pcap timestamp 0xffffffff s against a 2015 base: 2.87e9 s after it.
    t.numOf(s)[t.numOffset(s) + N_FIRST_SEC] = -1_420_070_400;
    t.coldOf(s)[t.coldOffset(s) + C_FIRST_NSEC] = 1;
    t.numOf(s)[t.numOffset(s) + N_LAST_SEC] = 0xffffffff - 1_420_070_400;
    t.recOf(s)[t.recOffset(s) + R_LAST_NSEC] = 999_999_999;
    t.numOf(s)[t.numOffset(s) + N_LAST_CLOCK_SEC] = 0xffffffff - 1_420_070_400;
    t.recOf(s)[t.recOffset(s) + R_LAST_CLOCK_NSEC] = 999_999_999;
    for (let n = 2; n < 40; n++) t.insert(keyFor(n, key));
    expect(t.capacity).toBeGreaterThan(2);
    expect([t.firstSec(s), t.firstNsec(s), t.lastSec(s), t.lastNsec(s)]).toEqual([-1_420_070_400, 1, 2_874_896_895, 999_999_999]);
    expect([t.lastClockSec(s), t.lastClockNsec(s)]).toEqual([2_874_896_895, 999_999_999]);
    t.free(s);
    const again = t.insert(keyFor(1, key));
    expect(again).toBe(s);
    expect([t.firstSec(s), t.firstNsec(s), t.lastSec(s), t.lastNsec(s), t.lastClockSec(s), t.lastClockNsec(s)]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it(`stores ${BYTES_PER_SLOT} bytes per slot (the figure docs/connections.md gives)`, () => {
    // 4096 slots: four chunks of `num` and `cold`, and `rec` doubled to exactly 4096.
    const t = new ConnectionTable({ initialCapacity: 4096 });
    let bytes = 0;
    bytes += t.rec.byteLength;
    for (const chunks of [t.numChunks, t.coldChunks]) for (const c of chunks) bytes += c.byteLength;
    expect(t.capacity).toBe(4096);
    expect(bytes / t.capacity).toBe(BYTES_PER_SLOT);
  });
});
