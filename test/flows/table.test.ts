import { describe, expect, it } from 'vitest';
import { CloseReason } from '../../src/flows/events.js';
import { FlowKey, hashFlowKey } from '../../src/flows/key.js';
import { BYTES_PER_SLOT, ConnectionTable, FLAG_CLIENT_IS_A } from '../../src/flows/table.js';

/** Deterministic PRNG (mulberry32) so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    t.flagsOf[s] |= FLAG_CLIENT_IS_A;
    expect(t.clientPort(s)).toBe(1024 + 7);
    const out = new Uint32Array(4);
    t.serverAddr(s, out);
    expect([...out]).toEqual([0xc0000201, 0, 0, 0]);
    t.clientAddr(s, out);
    expect([...out]).toEqual([0x0a000000, 0, 0, 0]);
  });

  it('keeps lookups right through growth, backward-shift deletes and slot reuse (randomized, against a Map)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = rng(seed);
      const table = new ConnectionTable({ initialCapacity: 2 });
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
            table.connOf[s] = n;
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
      // The slab follows the peak, never the number of inserts.
      expect(table.capacity).toBeLessThan(2 * peak + 2);
      expect(peak).toBeGreaterThan(400);
    }
  });

  it('reuses freed slots before growing', () => {
    const t = new ConnectionTable({ initialCapacity: 8 });
    const key = new FlowKey();
    const slots: number[] = [];
    for (let n = 0; n < 8; n++) slots.push(t.insert(keyFor(n, key)));
    for (let n = 0; n < 8; n++) t.free(t.find(keyFor(n, key)));
    expect(t.size).toBe(0);
    for (let n = 100; n < 108; n++) t.insert(keyFor(n, key));
    expect(t.capacity).toBe(8);
    t.insert(keyFor(200, key));
    expect(t.capacity).toBe(16);
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
    t.firstSecOf[s] = -1_420_070_400;
    t.firstNsecOf[s] = 1;
    t.lastSecOf[s] = 0xffffffff - 1_420_070_400;
    t.lastNsecOf[s] = 999_999_999;
    t.lastClockSecOf[s] = 0xffffffff - 1_420_070_400;
    t.lastClockNsecOf[s] = 999_999_999;
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
    const t = new ConnectionTable({ initialCapacity: 100 });
    let bytes = 0;
    for (const v of Object.values(t)) {
      if (ArrayBuffer.isView(v) && v.byteLength !== t.indexSize * 4) bytes += v.byteLength;
    }
    expect(bytes / t.capacity).toBe(BYTES_PER_SLOT);
  });
});
