/**
 * The flow-log replay's pending events (issue 12; src/engine/flow-replay.ts):
 * a calendar queue, in the manner of the reader's reorder window
 * (src/flowlog/reorder.ts), for events pushed at or after the last one
 * popped and delivered in non-decreasing key order (equal keys in any order).
 *
 * An event is a key (ns after some base, a double), a 32-bit code and a
 * double value carried with it. Time is cut into buckets of 2^widthLog2 ns
 * (bucket = floor(key · 2^-widthLog2), an exact division, so bucket numbers
 * never decrease as keys grow, even past 2^53); a ring of 2^ringLog2 buckets,
 * each an unordered list, covers the buckets after the *front bucket* F.
 * Events of buckets up to F wait in the *front*, a small heap exact on the
 * key; events past the ring (F + ring and beyond: a key minutes or years
 * ahead) wait in the *overflow*, a heap of the same kind. Every front event
 * comes before every ring event, and every ring event before every overflow
 * event, so the earliest event is the front's top. When the front empties,
 * the next non-empty bucket (found in a bitmap) moves into it and F with it;
 * overflow events the moved ring now covers move into the ring; when the ring
 * is empty, F jumps straight to the overflow's top, so a key years ahead
 * costs one overflow entry and no walk over the buckets between.
 *
 * Cost per event: a list push (one ring word, one pool node), and a push and
 * pop in a heap of one bucket's events, instead of ~log4(n) levels of a heap
 * of every pending event, most of them cache misses once n is ~50 000.
 *
 * Memory: the fixed ring (4 bytes a bucket, plus a bit), and per pending
 * event a 24-byte pool node, or a front or overflow entry (20 bytes); every
 * array grows by doubling to the most events pending at once, never beyond.
 */
import { grown } from '../typed-array.js';

/**
 * Default bucket width, 2^22 ns (4.19 ms), and ring, 2^17 buckets (549.8 s,
 * a 512 KiB ring). Measured on the replay of bench/data/conn-1m.log (2 000
 * records/s; the driver's pushes and pops recorded): 1.14 M events, up to
 * 53 000 pending, ~2 300 popped per second, so ~10 per bucket; 96 % pushed
 * less than 69 s ahead, 4 % about 300 s ahead (the idle timeout), 22 more
 * than 550 s ahead. On that sequence (bench/event-queue.mjs --trace), medians
 * of 5: the 4-ary heap 171 ms, this queue 86 ms; buckets of 1 ms (2^20 ns,
 * 2^19 of them, a 2 MiB ring) 89 ms, of 16 ms (2^24, 2^15) 105 ms.
 */
export const DEFAULT_WIDTH_LOG2 = 22;
export const DEFAULT_RING_LOG2 = 17;

const INITIAL_CAPACITY = 1024;
/** A pool node: key, value (doubles), then code, next (32-bit words): 24 bytes. */
const NODE_F64 = 3;
const N_KEY = 0;
const N_VALUE = 1;
/** Word offsets within the node (two words per double). */
const NODE_I32 = 6;
const N_CODE = 4;
const N_NEXT = 5;

/** A binary min-heap on the key, each entry with its code and value. */
class EntryHeap {
  keys = new Float64Array(64);
  values = new Float64Array(64);
  codes = new Int32Array(64);
  size = 0;

  push(key: number, code: number, value: number): void {
    if (this.size === this.keys.length) this.grow();
    const hk = this.keys;
    const hv = this.values;
    const hc = this.codes;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = hk[parent];
      if (pk <= key) break;
      hk[i] = pk;
      hv[i] = hv[parent];
      hc[i] = hc[parent];
      i = parent;
    }
    hk[i] = key;
    hv[i] = value;
    hc[i] = code;
  }

  /** Removes the top (the heap is not empty). */
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const hk = this.keys;
    const hv = this.values;
    const hc = this.codes;
    const lk = hk[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = hk[c];
      if (c + 1 < n) {
        const rk = hk[c + 1];
        if (rk < ck) {
          c++;
          ck = rk;
        }
      }
      if (ck >= lk) break;
      hk[i] = ck;
      hv[i] = hv[c];
      hc[i] = hc[c];
      i = c;
    }
    hk[i] = lk;
    hv[i] = hv[n];
    hc[i] = hc[n];
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    this.keys = grown(this.keys, cap);
    this.values = grown(this.values, cap);
    this.codes = grown(this.codes, cap);
  }
}

export class EventQueue {
  private readonly scale: number;
  private readonly ringBuckets: number;
  private readonly ringMask: number;
  /** Per ring bucket: the first node of its list (-1: empty), and a bit when non-empty. */
  private readonly head: Int32Array;
  private readonly nonEmpty: Uint32Array;
  private ringCount = 0;
  /** The pool of ring nodes (NODE_F64 doubles each), and the chain of free ones (-1: none). */
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private capacity = 0;
  private used = 0;
  private freeNode = -1;
  private readonly front = new EntryHeap();
  private readonly overflow = new EntryHeap();
  /** The front bucket F: buckets up to it are in the front, F + 1 … F + ringBuckets in the ring. */
  private frontBucket = 0;
  private count = 0;

  /**
   * @param widthLog2 bucket width, 2^widthLog2 ns (0 … 40)
   * @param ringLog2 buckets in the ring, 2^ringLog2 (5 … 24)
   */
  constructor(widthLog2 = DEFAULT_WIDTH_LOG2, ringLog2 = DEFAULT_RING_LOG2) {
    if (!Number.isInteger(widthLog2) || widthLog2 < 0 || widthLog2 > 40) throw new RangeError(`EventQueue: widthLog2 ${widthLog2} not in 0…40`);
    if (!Number.isInteger(ringLog2) || ringLog2 < 5 || ringLog2 > 24) throw new RangeError(`EventQueue: ringLog2 ${ringLog2} not in 5…24`);
    this.scale = 2 ** -widthLog2;
    this.ringBuckets = 2 ** ringLog2;
    this.ringMask = this.ringBuckets - 1;
    this.head = new Int32Array(this.ringBuckets).fill(-1);
    this.nonEmpty = new Uint32Array(this.ringBuckets >>> 5);
  }

  /** Events pending. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the typed arrays held: the fixed ring, and arrays grown to the most events pending at once. */
  memoryBytes(): number {
    const h = (e: EntryHeap): number => e.keys.byteLength + e.values.byteLength + e.codes.byteLength;
    return this.head.byteLength + this.nonEmpty.byteLength + this.f64.byteLength + h(this.front) + h(this.overflow);
  }

  /** The earliest pending key; +Infinity when empty. */
  peekKey(): number {
    return this.count > 0 ? this.front.keys[0] : Number.POSITIVE_INFINITY;
  }

  /** The earliest pending event's code (the queue is not empty). */
  peekCode(): number {
    return this.front.codes[0];
  }

  /** The earliest pending event's value (the queue is not empty). */
  peekValue(): number {
    return this.front.values[0];
  }

  /**
   * Adds an event. Its key must be at or after the last popped key (not NaN);
   * keys in the past of the delivered order are not detected and come out
   * first among those pending.
   */
  push(key: number, code: number, value: number): void {
    const b = Math.floor(key * this.scale);
    if (this.count++ === 0) {
      // Nothing pending: this key's bucket becomes the front.
      this.frontBucket = b;
      this.front.push(key, code, value);
      return;
    }
    const f = this.frontBucket;
    if (b <= f) this.front.push(key, code, value);
    else if (b - f <= this.ringBuckets) this.link(b & this.ringMask, key, code, value);
    else this.overflow.push(key, code, value);
  }

  /** Removes the earliest event (the queue is not empty). */
  pop(): void {
    if (this.count === 0) return;
    this.count--;
    const front = this.front;
    front.pop();
    if (front.size === 0 && this.count > 0) this.advance();
  }

  /** The front is empty, events are pending: the next bucket moves into the front. */
  private advance(): void {
    const front = this.front;
    const over = this.overflow;
    if (this.ringCount === 0) {
      // Only far events: jump to the earliest one's bucket (the loop below moves them in).
      this.frontBucket = Math.floor(over.keys[0] * this.scale);
    } else {
      // The next non-empty bucket after F: there is one within the ring.
      const mask = this.ringMask;
      const bits = this.nonEmpty;
      // Index arithmetic, not F + 1: past 2^53 bucket numbers are not consecutive doubles.
      const start = ((this.frontBucket & mask) + 1) & mask;
      let w = start >>> 5;
      let word = bits[w] & (-1 << (start & 31));
      while (word === 0) {
        w = w + 1 === bits.length ? 0 : w + 1;
        word = bits[w];
      }
      const idx = (w << 5) + (31 - Math.clz32(word & -word));
      // F becomes that bucket's number, as its first key gives it.
      this.frontBucket = Math.floor(this.f64[this.head[idx] * NODE_F64 + N_KEY] * this.scale);
      this.drain(idx);
    }
    // Overflow events the ring now covers move into it.
    const f = this.frontBucket;
    const ring = this.ringBuckets;
    while (over.size > 0) {
      const key = over.keys[0];
      const b = Math.floor(key * this.scale);
      if (b - f > ring) break;
      if (b <= f) front.push(key, over.codes[0], over.values[0]);
      else this.link(b & this.ringMask, key, over.codes[0], over.values[0]);
      over.pop();
    }
  }

  /** Moves ring bucket idx's list into the front, freeing its nodes. */
  private drain(idx: number): void {
    const f = this.f64;
    const w = this.i32;
    const front = this.front;
    let node = this.head[idx];
    let moved = 0;
    let lastNode = node;
    while (node !== -1) {
      const o = node * NODE_F64;
      front.push(f[o + N_KEY], w[node * NODE_I32 + N_CODE], f[o + N_VALUE]);
      lastNode = node;
      node = w[node * NODE_I32 + N_NEXT];
      moved++;
    }
    // The whole list joins the free chain at once.
    w[lastNode * NODE_I32 + N_NEXT] = this.freeNode;
    this.freeNode = this.head[idx];
    this.head[idx] = -1;
    this.nonEmpty[idx >>> 5] &= ~(1 << (idx & 31));
    this.ringCount -= moved;
  }

  /** Pushes an event on ring bucket idx's list. */
  private link(idx: number, key: number, code: number, value: number): void {
    let node = this.freeNode;
    if (node === -1) {
      if (this.used === this.capacity) this.grow();
      node = this.used++;
    } else {
      this.freeNode = this.i32[node * NODE_I32 + N_NEXT];
    }
    const o = node * NODE_F64;
    this.f64[o + N_KEY] = key;
    this.f64[o + N_VALUE] = value;
    const wo = node * NODE_I32;
    this.i32[wo + N_CODE] = code;
    const h = this.head[idx];
    this.i32[wo + N_NEXT] = h;
    if (h === -1) this.nonEmpty[idx >>> 5] |= 1 << (idx & 31);
    this.head[idx] = node;
    this.ringCount++;
  }

  private grow(): void {
    const cap = this.capacity === 0 ? INITIAL_CAPACITY : this.capacity * 2;
    this.f64 = grown(this.f64, cap * NODE_F64);
    this.i32 = new Int32Array(this.f64.buffer);
    this.capacity = cap;
  }
}
