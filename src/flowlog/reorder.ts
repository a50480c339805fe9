/**
 * The reorder window (docs/flow-logs.md "Reorder window"). A flow log is
 * written as connections end (Zeek writes a row when it removes the
 * connection), but the balancer must see connections in the order they
 * start. Records wait until the newest start read is more than the window
 * past theirs; then they are delivered, in start order, ties by `seq` (file
 * order for Zeek logs, `conn` for the connections CSV).
 *
 * Guarantee: a record whose start is at most `window` before the newest start
 * read so far is delivered in order. A record that arrives after a record
 * with a later start was delivered cannot be: it is *late*, counted (with the
 * largest lateness seen) and not delivered.
 *
 * How: a calendar queue. Time is cut into buckets of a fixed width (a 1-2-5
 * step of nanoseconds, about window / 16 000); a ring of RING_BUCKETS
 * buckets, each a list of records in no order, covers the buckets after the
 * *front bucket* F. Records of buckets up to F wait in the *front*, a small
 * heap ordered exactly on (start sec, start nsec, seq); records past the ring
 * (a start far ahead, such as a damaged `ts`) wait in the *overflow*, a heap
 * of the same kind. Bucket numbers grow with the start, so every front record
 * starts before every ring record, and every ring record before every
 * overflow record: the earliest record is the front's top. When the front is
 * empty, the next non-empty bucket (found in a bitmap) moves into it, and F
 * with it; overflow records that the moved ring now covers move into it. A
 * record costs a list append, one heap push and pop in a heap of one bucket's
 * records, and the copies in and out, instead of a heap of every record held.
 *
 * Memory: records live in one typed array of 128 bytes per record (IPv6
 * addresses in a side array once an IPv6 record comes), plus 16 bytes of
 * bookkeeping, grown by doubling up to `maxBuffered` records; the ring is a
 * fixed 16 384 buckets (200 KB). Only records with a start within the window
 * of the newest start are held, so memory follows the rate of connections
 * times the window, never the length of the log. Past `maxBuffered`, the
 * earliest record is delivered at once (counted as `forced`) rather than
 * letting memory grow.
 */
import { NS_PER_SEC, type Duration } from '../time.js';
import { FlowRecord } from './record.js';
import { grown } from '../typed-array.js';

/** Records held at most, by default: 2 097 152 (about 300 MB). */
export const DEFAULT_MAX_BUFFERED = 1 << 21;

const INITIAL_CAPACITY = 1024;

/** Buckets in the ring (a power of two). */
const RING_BITS = 14;
const RING_BUCKETS = 1 << RING_BITS;
const RING_MASK = RING_BUCKETS - 1;
/** Slots per block (a power of two): 8 records, 1 KiB. */
const BLOCK_BITS = 3;
const BLOCK_SLOTS = 1 << BLOCK_BITS;
/** `insert`'s destinations other than a ring bucket (whose index is ≥ 0). */
const TO_FRONT = -1;
const TO_OVERFLOW = -2;

export interface ReorderStats {
  /** Records handed to `push`. */
  pushed: number;
  /** Records delivered. */
  delivered: number;
  /** Records that came after a later-starting record was delivered: counted, not delivered. */
  late: number;
  /** Largest lateness of a late record (last delivered start − its start), ns (exact below 104 days). */
  maxLateNs: number;
  /** Line of the first late record, 0 when none. */
  firstLateLine: number;
  /** Records delivered early because `maxBuffered` records were held. */
  forced: number;
  /** Most records held at once. */
  peakBuffered: number;
}

/**
 * The bucket width for a window: the smallest of 1, 2, 5 × 10^k ns (1 µs to
 * 1 s) such that the ring spans the window and two buckets more. Each divides
 * a second, so a bucket number is whole seconds × buckets per second plus the
 * nanoseconds' share, in exact integer arithmetic.
 */
export function bucketWidthNs(window: Duration): number {
  const windowNs = window.sec * NS_PER_SEC + window.nsec;
  for (let w = 1000; w < NS_PER_SEC; w *= 10) {
    for (const m of [1, 2, 5]) if ((RING_BUCKETS - 2) * w * m >= windowNs) return w * m;
  }
  return NS_PER_SEC;
}

/**
 * A binary min-heap of slots on the key sec + nsec·1e-9 (a double; rounding
 * keeps it non-decreasing in (sec, nsec), so a smaller key is an earlier
 * start), equal keys told apart exactly from the record (`tieLess`: starts
 * within a rounding step, ~0.24 µs at today's epoch, and equal starts).
 */
class SlotHeap {
  keys = new Float64Array(64);
  slots = new Int32Array(64);
  size = 0;

  constructor(private readonly owner: ReorderBuffer) {}

  push(key: number, slot: number): void {
    if (this.size === this.keys.length) {
      const keys = grown(this.keys, this.size * 2);
      const slots = grown(this.slots, this.size * 2);
      this.keys = keys;
      this.slots = slots;
    }
    const hk = this.keys;
    const hs = this.slots;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = hk[parent];
      if (pk < key || (pk === key && this.owner.tieLess(hs[parent], slot))) break;
      hk[i] = pk;
      hs[i] = hs[parent];
      i = parent;
    }
    hk[i] = key;
    hs[i] = slot;
  }

  /** Removes the top; returns its slot. */
  pop(): number {
    const hk = this.keys;
    const hs = this.slots;
    const top = hs[0];
    const n = --this.size;
    if (n > 0) {
      const lk = hk[n];
      const ls = hs[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        let ck = hk[c];
        if (c + 1 < n) {
          const rk = hk[c + 1];
          if (rk < ck || (rk === ck && this.owner.tieLess(hs[c + 1], hs[c]))) {
            c++;
            ck = rk;
          }
        }
        if (ck > lk || (ck === lk && this.owner.tieLess(ls, hs[c]))) break;
        hk[i] = ck;
        hs[i] = hs[c];
        i = c;
      }
      hk[i] = lk;
      hs[i] = ls;
    }
    return top;
  }
}

export class ReorderBuffer {
  private capacity = 0;
  // The records, 128 bytes each: doubles and 32-bit words over one buffer.
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  /** IPv6 addresses (8 words per slot), allocated when the first IPv6 record comes. */
  private addr6 = new Uint32Array(0);
  private hasV6 = false;
  /** Per slot: the next slot of its bucket's list (-1: the last). */
  private next = new Int32Array(0);
  // Slots are handed out by blocks of BLOCK_SLOTS, each block filled by one
  // bucket (or by the front, or the overflow), so that a bucket's records lie
  // side by side and are read in a sweep when it is delivered. Per block:
  // slots handed out (BLOCK_SLOTS once closed), and slots still held; a closed
  // block with none held is free.
  private blockFill = new Uint8Array(0);
  private blockLive = new Uint8Array(0);
  private freeBlocks = new Int32Array(0);
  private freeBlockCount = 0;
  private usedBlocks = 0;
  /** The block each ring bucket is filling (-1: none), and the front's and the overflow's. */
  private readonly openBlock = new Int32Array(RING_BUCKETS).fill(-1);
  private frontBlock = -1;
  private overflowBlock = -1;
  private size = 0;

  // The calendar: per ring bucket, its list's first and last slot (-1: empty), and a bit when non-empty.
  private readonly head = new Int32Array(RING_BUCKETS).fill(-1);
  private readonly tail = new Int32Array(RING_BUCKETS);
  private readonly nonEmpty = new Uint32Array(RING_BUCKETS >>> 5);
  private ringCount = 0;
  private readonly front: SlotHeap;
  private readonly overflow: SlotHeap;
  /** The front bucket F: buckets up to it are in the front, F + 1 … F + RING_BUCKETS in the ring. */
  private frontBucket = 0;
  /** Bucket numbers count from this second, so that they stay exact integers. */
  private baseSec = 0;
  private readonly bucketNs: number;
  private readonly bucketsPerSec: number;
  /** Seconds from baseSec within which bucket numbers are exact (|number| < 2^52). */
  private readonly farSec: number;

  private readonly out = new FlowRecord();
  private maxStartSec = Number.NEGATIVE_INFINITY;
  private maxStartNsec = 0;
  private lastSec = Number.NEGATIVE_INFINITY;
  private lastNsec = 0;
  private readonly windowSec: number;
  private readonly windowNsec: number;
  readonly stats: ReorderStats = { pushed: 0, delivered: 0, late: 0, maxLateNs: 0, firstLateLine: 0, forced: 0, peakBuffered: 0 };

  /**
   * `deliver` is called with one reused FlowRecord per record, in start order
   * (ties by `seq`); the record is valid until it returns.
   */
  constructor(
    window: Duration,
    private readonly deliver: (rec: FlowRecord) => void,
    private readonly maxBuffered: number = DEFAULT_MAX_BUFFERED,
  ) {
    this.windowSec = window.sec;
    this.windowNsec = window.nsec;
    if (!Number.isInteger(maxBuffered) || maxBuffered < 1) throw new RangeError(`maxBuffered must be a positive integer, got ${maxBuffered}`);
    this.bucketNs = bucketWidthNs(window);
    this.bucketsPerSec = NS_PER_SEC / this.bucketNs;
    this.farSec = Math.floor(2 ** 52 / this.bucketsPerSec) - 1;
    this.front = new SlotHeap(this);
    this.overflow = new SlotHeap(this);
  }

  /** Records held now. */
  get buffered(): number {
    return this.size;
  }

  /** Takes a copy of `rec` and delivers whatever the window lets go. */
  push(rec: FlowRecord): void {
    const st = this.stats;
    st.pushed++;
    const s = rec.startSec;
    const n = rec.startNsec;
    if (s < this.lastSec || (s === this.lastSec && n < this.lastNsec)) {
      st.late++;
      const late = (this.lastSec - s) * NS_PER_SEC + (this.lastNsec - n);
      if (late > st.maxLateNs) st.maxLateNs = late;
      if (st.firstLateLine === 0) st.firstLateLine = rec.line;
      return;
    }
    if (s > this.maxStartSec || (s === this.maxStartSec && n > this.maxStartNsec)) {
      this.maxStartSec = s;
      this.maxStartNsec = n;
    }
    this.insert(rec);
    if (this.size > st.peakBuffered) st.peakBuffered = this.size;
    if (this.size > this.maxBuffered) {
      st.forced++;
      this.deliverBefore(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0, 1);
    }
    // Horizon = newest start − window: deliver every record that starts before it.
    let hs = this.maxStartSec - this.windowSec;
    let hn = this.maxStartNsec - this.windowNsec;
    if (hn < 0) {
      hn += NS_PER_SEC;
      hs -= 1;
    }
    this.deliverBefore(hs + hn * 1e-9, hs, hn, -1);
  }

  /** The end of the log: delivers everything held, in order. */
  flush(): void {
    this.deliverBefore(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0, -1);
  }

  /**
   * Delivers, in order, the records that start before (hs, hn) (whose key is
   * hkey), at most `limit` of them (-1: no limit).
   */
  private deliverBefore(hkey: number, hs: number, hn: number, limit: number): void {
    const front = this.front;
    while (limit !== 0) {
      while (front.size === 0) if (!this.advance(hkey, hs, hn)) return;
      // Keys are non-decreasing in the exact time, so a key below the horizon's
      // key is an earlier start and one above it a later start; only an equal
      // key needs the record's exact time.
      const k = front.keys[0];
      if (k > hkey) return;
      if (k === hkey) {
        const top = front.slots[0];
        const ts = this.f64[top * F64_STRIDE + F_START_SEC];
        if (ts > hs || (ts === hs && this.i32[top * I32_STRIDE + I_START_NSEC] >= hn)) return;
      }
      this.emit(front.pop());
      limit--;
    }
  }

  /**
   * The front is empty: moves the next non-empty ring bucket into it, or
   * when the ring is empty too, the overflow's earliest records into the ring.
   * False when there are none, or when the overflow's earliest starts at or
   * after the horizon.
   */
  private advance(hkey: number, hs: number, hn: number): boolean {
    if (this.ringCount > 0) {
      // The next non-empty bucket after F: at most RING_BUCKETS on, found word by word in the bitmap.
      const from = (this.frontBucket + 1) & RING_MASK;
      const bits = this.nonEmpty;
      let w = from >>> 5;
      let word = bits[w] & (-1 << (from & 31));
      while (word === 0) {
        w = (w + 1) & (RING_MASK >>> 5);
        word = bits[w];
      }
      const idx = (w << 5) + (31 - Math.clz32(word & -word));
      this.frontBucket += 1 + ((idx - from) & RING_MASK);
      // Its list into the front.
      // The key is made again from the record (not read from `key`): reading
      // both of its cache lines now, a bucket's records at a time, lets their
      // loads overlap, where `emit` would wait for each in turn.
      const front = this.front;
      const f = this.f64;
      const w32 = this.i32;
      const next = this.next;
      let s = this.head[idx];
      let moved = 0;
      while (s !== -1) {
        front.push(f[s * F64_STRIDE + F_START_SEC] + w32[s * I32_STRIDE + I_START_NSEC] * 1e-9, s);
        s = next[s];
        moved++;
      }
      this.head[idx] = -1;
      bits[w] &= ~(1 << (idx & 31));
      // Later records of this bucket go to the front: the bucket's block is closed.
      const blk = this.openBlock[idx];
      if (blk >= 0) {
        this.openBlock[idx] = -1;
        this.closeBlock(blk);
      }
      this.ringCount -= moved;
      if (this.overflow.size > 0) this.fromOverflow();
      return true;
    }
    const over = this.overflow;
    if (over.size === 0) return false;
    const top = over.slots[0];
    const k = over.keys[0];
    const f = this.f64;
    const sec = f[top * F64_STRIDE + F_START_SEC];
    if (k > hkey || (k === hkey && (sec > hs || (sec === hs && this.i32[top * I32_STRIDE + I_START_NSEC] >= hn)))) return false;
    // Front and ring are empty: number the buckets from the earliest record's second.
    this.baseSec = sec;
    this.frontBucket = this.bucketOf(sec, this.i32[top * I32_STRIDE + I_START_NSEC]) - 1;
    this.fromOverflow();
    return true;
  }

  /** Moves the overflow's records that the ring now covers into it (or into the front). */
  private fromOverflow(): void {
    const over = this.overflow;
    const last = this.frontBucket + RING_BUCKETS;
    while (over.size > 0) {
      const s = over.slots[0];
      const b = this.bucketOf(this.f64[s * F64_STRIDE + F_START_SEC], this.i32[s * I32_STRIDE + I_START_NSEC]);
      if (b > last) return;
      over.pop();
      this.place(s, b);
    }
  }

  /**
   * The bucket of a start: exact while within farSec seconds of baseSec;
   * ±Infinity beyond (earlier than every exact number, or later).
   */
  private bucketOf(sec: number, nsec: number): number {
    const d = sec - this.baseSec;
    if (d > this.farSec) return Number.POSITIVE_INFINITY;
    if (d < -this.farSec) return Number.NEGATIVE_INFINITY;
    return d * this.bucketsPerSec + Math.floor(nsec / this.bucketNs);
  }

  /** Puts a record from the overflow in the front or the ring, by its bucket. */
  private place(slot: number, b: number): void {
    const key = this.f64[slot * F64_STRIDE + F_START_SEC] + this.i32[slot * I32_STRIDE + I_START_NSEC] * 1e-9;
    if (b <= this.frontBucket) {
      this.front.push(key, slot);
    } else {
      this.link(b & RING_MASK, slot);
    }
  }

  /** Appends a slot to ring bucket `idx`'s list. */
  private link(idx: number, slot: number): void {
    if (this.head[idx] === -1) {
      this.head[idx] = slot;
      this.nonEmpty[idx >>> 5] |= 1 << (idx & 31);
    } else {
      this.next[this.tail[idx]] = slot;
    }
    this.tail[idx] = slot;
    this.next[slot] = -1;
    this.ringCount++;
  }

  /** A new empty block. */
  private newBlock(): number {
    let blk: number;
    if (this.freeBlockCount > 0) {
      blk = this.freeBlocks[--this.freeBlockCount];
    } else {
      if (this.usedBlocks === this.capacity >>> BLOCK_BITS) this.grow();
      blk = this.usedBlocks++;
    }
    this.blockFill[blk] = 0;
    this.blockLive[blk] = 0;
    return blk;
  }

  /** No more slots from this block; free once its records are delivered. */
  private closeBlock(blk: number): void {
    this.blockFill[blk] = BLOCK_SLOTS;
    if (this.blockLive[blk] === 0) this.freeBlocks[this.freeBlockCount++] = blk;
  }

  private grow(): void {
    const cap = this.capacity === 0 ? INITIAL_CAPACITY : this.capacity * 2;
    this.f64 = grown(this.f64, cap * F64_STRIDE);
    this.i32 = new Int32Array(this.f64.buffer);
    if (this.hasV6) {
      this.addr6 = grown(this.addr6, cap * 8);
    }
    this.next = grown(this.next, cap);
    const blocks = cap >>> BLOCK_BITS;
    this.blockFill = grown(this.blockFill, blocks);
    this.blockLive = grown(this.blockLive, blocks);
    this.freeBlocks = grown(this.freeBlocks, blocks);
    this.capacity = cap;
  }

  private insert(rec: FlowRecord): void {
    const s = rec.startSec;
    const n = rec.startNsec;
    if (this.size++ === 0) {
      // Nothing held: number the buckets from this second, this record's bucket first in the ring.
      this.baseSec = s;
      this.frontBucket = this.bucketOf(s, n) - 1;
    }
    // Where it goes (front, ring bucket, overflow), and a slot in that one's block.
    const b = this.bucketOf(s, n);
    const F = this.frontBucket;
    const where = b <= F ? TO_FRONT : b <= F + RING_BUCKETS ? b & RING_MASK : TO_OVERFLOW;
    let blk = where === TO_FRONT ? this.frontBlock : where === TO_OVERFLOW ? this.overflowBlock : this.openBlock[where];
    if (blk < 0) blk = this.newBlock();
    const fill = this.blockFill[blk] + 1;
    const slot = (blk << BLOCK_BITS) + fill - 1;
    this.blockFill[blk] = fill;
    this.blockLive[blk]++;
    const keep = fill === BLOCK_SLOTS ? -1 : blk;
    if (where === TO_FRONT) this.frontBlock = keep;
    else if (where === TO_OVERFLOW) this.overflowBlock = keep;
    else this.openBlock[where] = keep;
    const f = this.f64;
    const fo = slot * F64_STRIDE;
    f[fo + F_START_SEC] = rec.startSec;
    f[fo + F_LAST_SEC] = rec.lastSec;
    f[fo + F_END_SEC] = rec.endSec;
    f[fo + F_BYTES_C2S] = rec.bytesC2s;
    f[fo + F_BYTES_S2C] = rec.bytesS2c;
    f[fo + F_PACKETS_C2S] = rec.packetsC2s;
    f[fo + F_PACKETS_S2C] = rec.packetsS2c;
    f[fo + F_IP_BYTES_C2S] = rec.ipBytesC2s;
    f[fo + F_IP_BYTES_S2C] = rec.ipBytesS2c;
    f[fo + F_LINE] = rec.line;
    f[fo + F_SEQ] = rec.seq;
    const w = this.i32;
    const io = slot * I32_STRIDE;
    w[io + I_START_NSEC] = rec.startNsec;
    w[io + I_LAST_NSEC] = rec.lastNsec;
    w[io + I_END_NSEC] = rec.endNsec;
    w[io + I_PORTS] = (rec.clientPort << 16) | rec.serverPort;
    w[io + I_META] = rec.proto | (rec.ipVersion << 8) | (rec.state << 12) | (rec.expiry << 20);
    const ca = rec.clientAddr;
    const sa = rec.serverAddr;
    if (rec.ipVersion === 4) {
      w[io + I_CLIENT_V4] = ca[0];
      w[io + I_SERVER_V4] = sa[0];
    } else {
      if (!this.hasV6) {
        this.hasV6 = true;
        this.addr6 = new Uint32Array(this.capacity * 8);
      }
      const a = this.addr6;
      const ao = slot * 8;
      a[ao] = ca[0];
      a[ao + 1] = ca[1];
      a[ao + 2] = ca[2];
      a[ao + 3] = ca[3];
      a[ao + 4] = sa[0];
      a[ao + 5] = sa[1];
      a[ao + 6] = sa[2];
      a[ao + 7] = sa[3];
    }
    if (where === TO_FRONT) this.front.push(s + n * 1e-9, slot);
    else if (where === TO_OVERFLOW) this.overflow.push(s + n * 1e-9, slot);
    else this.link(where, slot);
  }

  /** Record in slot a starts before the one in slot b, exactly: (sec, nsec, seq). */
  tieLess(a: number, b: number): boolean {
    const f = this.f64;
    const sa = f[a * F64_STRIDE + F_START_SEC];
    const sb = f[b * F64_STRIDE + F_START_SEC];
    if (sa !== sb) return sa < sb;
    const na = this.i32[a * I32_STRIDE + I_START_NSEC];
    const nb = this.i32[b * I32_STRIDE + I_START_NSEC];
    if (na !== nb) return na < nb;
    return f[a * F64_STRIDE + F_SEQ] < f[b * F64_STRIDE + F_SEQ];
  }

  /** Delivers the record in `slot` and frees the slot. */
  private emit(slot: number): void {
    const out = this.out;
    const f = this.f64;
    const fo = slot * F64_STRIDE;
    out.startSec = f[fo + F_START_SEC];
    out.lastSec = f[fo + F_LAST_SEC];
    out.endSec = f[fo + F_END_SEC];
    out.bytesC2s = f[fo + F_BYTES_C2S];
    out.bytesS2c = f[fo + F_BYTES_S2C];
    out.packetsC2s = f[fo + F_PACKETS_C2S];
    out.packetsS2c = f[fo + F_PACKETS_S2C];
    out.ipBytesC2s = f[fo + F_IP_BYTES_C2S];
    out.ipBytesS2c = f[fo + F_IP_BYTES_S2C];
    out.line = f[fo + F_LINE];
    out.seq = f[fo + F_SEQ];
    const w = this.i32;
    const io = slot * I32_STRIDE;
    out.startNsec = w[io + I_START_NSEC];
    out.lastNsec = w[io + I_LAST_NSEC];
    out.endNsec = w[io + I_END_NSEC];
    const ports = w[io + I_PORTS];
    out.clientPort = ports >>> 16;
    out.serverPort = ports & 0xffff;
    const meta = w[io + I_META];
    out.proto = meta & 0xff;
    const version = (meta >> 8) & 0xf;
    out.ipVersion = version;
    out.state = (meta >> 12) & 0xff;
    out.expiry = (meta >> 20) & 0xf;
    const ca = out.clientAddr;
    const sa = out.serverAddr;
    if (version === 4) {
      ca[0] = w[io + I_CLIENT_V4];
      ca[1] = 0;
      ca[2] = 0;
      ca[3] = 0;
      sa[0] = w[io + I_SERVER_V4];
      sa[1] = 0;
      sa[2] = 0;
      sa[3] = 0;
    } else {
      const a = this.addr6;
      const ao = slot * 8;
      ca[0] = a[ao];
      ca[1] = a[ao + 1];
      ca[2] = a[ao + 2];
      ca[3] = a[ao + 3];
      sa[0] = a[ao + 4];
      sa[1] = a[ao + 5];
      sa[2] = a[ao + 6];
      sa[3] = a[ao + 7];
    }
    const blk = slot >>> BLOCK_BITS;
    if (--this.blockLive[blk] === 0 && this.blockFill[blk] === BLOCK_SLOTS) this.freeBlocks[this.freeBlockCount++] = blk;
    this.size--;
    this.lastSec = out.startSec;
    this.lastNsec = out.startNsec;
    this.stats.delivered++;
    this.deliver(out);
  }
}

// A record's slot: 16 doubles = 32 words = 128 bytes (two cache lines).
const F_START_SEC = 0;
const F_LAST_SEC = 1;
const F_END_SEC = 2;
const F_BYTES_C2S = 3;
const F_BYTES_S2C = 4;
const F_PACKETS_C2S = 5;
const F_PACKETS_S2C = 6;
const F_IP_BYTES_C2S = 7;
const F_IP_BYTES_S2C = 8;
const F_LINE = 9;
const F_SEQ = 10;
const F64_STRIDE = 16;
// Words 22… (after the 11 doubles).
const I_START_NSEC = 22;
const I_LAST_NSEC = 23;
const I_END_NSEC = 24;
const I_PORTS = 25;
const I_META = 26;
/** IPv4 addresses in the slot itself; IPv6 ones in `addr6`. */
const I_CLIENT_V4 = 27;
const I_SERVER_V4 = 28;
const I32_STRIDE = 32;
