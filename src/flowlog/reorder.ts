/**
 * The reorder window (docs/flow-logs.md "Reorder window"). A flow log is
 * written as connections end (Zeek writes a row when it removes the
 * connection), but the balancer must see connections in the order they
 * start. Records wait in a min-heap on (start, line) until the newest start
 * read is more than the window past theirs; then they are delivered, in start
 * order, ties by `seq` (file order for Zeek logs, `conn` for the connections
 * CSV).
 *
 * Guarantee: a record whose start is at most `window` before the newest start
 * read so far is delivered in order. A record that arrives after a record
 * with a later start was delivered cannot be: it is *late*, counted (with the
 * largest lateness seen) and not delivered.
 *
 * Memory: records live in typed arrays (struct of arrays, about 170 bytes per
 * record) that grow by doubling up to `maxBuffered` records; only records
 * with a start within the window of the newest start are held, so memory
 * follows the rate of connections times the window, never the length of the
 * log. Past `maxBuffered`, the earliest record is delivered at once (counted
 * as `forced`) rather than letting memory grow.
 */
import { NS_PER_SEC, type Duration } from '../time.js';
import { FlowRecord } from './record.js';

/** Records held at most, by default: 2 097 152 (about 360 MB). */
export const DEFAULT_MAX_BUFFERED = 1 << 21;

const INITIAL_CAPACITY = 1024;

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

export class ReorderBuffer {
  private capacity = 0;
  // Per slot: numbers that need 53 bits in doubles, the others in 32-bit words.
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private addr = new Uint32Array(0);
  // The heap, in heap order: a sort key beside the slot, so that sifting
  // reads the heap's own small arrays and not the records (a cache miss each:
  // a record is ten times larger). The key is sec + nsec·1e-9 as a double:
  // rounding keeps it non-decreasing in (sec, nsec), so a smaller key means an
  // earlier start; equal keys (starts within a rounding step, ~0.24 µs at
  // today's epoch) are told apart exactly from the record (`tieLess`).
  private heapKey = new Float64Array(0);
  private heapSlot = new Int32Array(0);
  private free: number[] = [];
  private size = 0;
  private used = 0;
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
   * (ties in file order); the record is valid until it returns.
   */
  constructor(
    window: Duration,
    private readonly deliver: (rec: FlowRecord) => void,
    private readonly maxBuffered: number = DEFAULT_MAX_BUFFERED,
  ) {
    this.windowSec = window.sec;
    this.windowNsec = window.nsec;
    if (!Number.isInteger(maxBuffered) || maxBuffered < 1) throw new RangeError(`maxBuffered must be a positive integer, got ${maxBuffered}`);
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
      this.popMin();
    }
    // Horizon = newest start − window: deliver every record that starts before it.
    let hs = this.maxStartSec - this.windowSec;
    let hn = this.maxStartNsec - this.windowNsec;
    if (hn < 0) {
      hn += NS_PER_SEC;
      hs -= 1;
    }
    // Keys are non-decreasing in the exact time, so a key below the horizon's
    // key is an earlier start and one above it a later start; only an equal
    // key needs the record's exact time.
    const hkey = hs + hn * 1e-9;
    const hk = this.heapKey;
    while (this.size > 0) {
      const k = hk[0];
      if (k > hkey) break;
      if (k === hkey) {
        const top = this.heapSlot[0];
        const ts = this.f64[top * F64_STRIDE + F_START_SEC];
        if (ts > hs || (ts === hs && this.i32[top * I32_STRIDE + I_START_NSEC] >= hn)) break;
      }
      this.popMin();
    }
  }

  /** The end of the log: delivers everything held, in order. */
  flush(): void {
    while (this.size > 0) this.popMin();
  }

  private grow(): void {
    const cap = this.capacity === 0 ? INITIAL_CAPACITY : this.capacity * 2;
    const f64 = new Float64Array(cap * F64_STRIDE);
    f64.set(this.f64);
    const i32 = new Int32Array(cap * I32_STRIDE);
    i32.set(this.i32);
    const addr = new Uint32Array(cap * 8);
    addr.set(this.addr);
    const heapKey = new Float64Array(cap + 1);
    heapKey.set(this.heapKey);
    const heapSlot = new Int32Array(cap + 1);
    heapSlot.set(this.heapSlot);
    this.f64 = f64;
    this.i32 = i32;
    this.addr = addr;
    this.heapKey = heapKey;
    this.heapSlot = heapSlot;
    this.capacity = cap;
  }

  private insert(rec: FlowRecord): void {
    let slot: number;
    if (this.free.length > 0) {
      slot = this.free.pop() as number;
    } else {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
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
    const a = this.addr;
    const ao = slot * 8;
    const ca = rec.clientAddr;
    const sa = rec.serverAddr;
    a[ao] = ca[0];
    a[ao + 1] = ca[1];
    a[ao + 2] = ca[2];
    a[ao + 3] = ca[3];
    a[ao + 4] = sa[0];
    a[ao + 5] = sa[1];
    a[ao + 6] = sa[2];
    a[ao + 7] = sa[3];
    // Sift up.
    const hk = this.heapKey;
    const hslot = this.heapSlot;
    const key = rec.startSec + rec.startNsec * 1e-9;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pk = hk[parent];
      if (pk < key || (pk === key && this.tieLess(hslot[parent], slot))) break;
      hk[i] = pk;
      hslot[i] = hslot[parent];
      i = parent;
    }
    hk[i] = key;
    hslot[i] = slot;
  }

  /** Record in slot a starts before the one in slot b, exactly: (sec, nsec, seq). */
  private tieLess(a: number, b: number): boolean {
    const f = this.f64;
    const sa = f[a * F64_STRIDE + F_START_SEC];
    const sb = f[b * F64_STRIDE + F_START_SEC];
    if (sa !== sb) return sa < sb;
    const na = this.i32[a * I32_STRIDE + I_START_NSEC];
    const nb = this.i32[b * I32_STRIDE + I_START_NSEC];
    if (na !== nb) return na < nb;
    return f[a * F64_STRIDE + F_SEQ] < f[b * F64_STRIDE + F_SEQ];
  }

  private popMin(): void {
    const hk = this.heapKey;
    const hslot = this.heapSlot;
    const top = hslot[0];
    const n = --this.size;
    if (n > 0) {
      // Sift the last entry down from the root. A 4-ary heap: half the levels
      // of a binary one, the four children side by side.
      const lk = hk[n];
      const lslot = hslot[n];
      let i = 0;
      for (;;) {
        const first = 4 * i + 1;
        if (first >= n) break;
        let c = first;
        let ck = hk[first];
        const lastChild = first + 3 < n ? first + 3 : n - 1;
        for (let k = first + 1; k <= lastChild; k++) {
          const kk = hk[k];
          if (kk < ck || (kk === ck && this.tieLess(hslot[k], hslot[c]))) {
            c = k;
            ck = kk;
          }
        }
        if (ck > lk || (ck === lk && this.tieLess(lslot, hslot[c]))) break;
        hk[i] = ck;
        hslot[i] = hslot[c];
        i = c;
      }
      hk[i] = lk;
      hslot[i] = lslot;
    }
    const out = this.out;
    const f = this.f64;
    const fo = top * F64_STRIDE;
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
    const io = top * I32_STRIDE;
    out.startNsec = w[io + I_START_NSEC];
    out.lastNsec = w[io + I_LAST_NSEC];
    out.endNsec = w[io + I_END_NSEC];
    const ports = w[io + I_PORTS];
    out.clientPort = ports >>> 16;
    out.serverPort = ports & 0xffff;
    const meta = w[io + I_META];
    out.proto = meta & 0xff;
    out.ipVersion = (meta >> 8) & 0xf;
    out.state = (meta >> 12) & 0xff;
    out.expiry = (meta >> 20) & 0xf;
    const a = this.addr;
    const ao = top * 8;
    out.clientAddr[0] = a[ao];
    out.clientAddr[1] = a[ao + 1];
    out.clientAddr[2] = a[ao + 2];
    out.clientAddr[3] = a[ao + 3];
    out.serverAddr[0] = a[ao + 4];
    out.serverAddr[1] = a[ao + 5];
    out.serverAddr[2] = a[ao + 6];
    out.serverAddr[3] = a[ao + 7];
    this.free.push(top);
    this.lastSec = out.startSec;
    this.lastNsec = out.startNsec;
    this.stats.delivered++;
    this.deliver(out);
  }
}

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
const F64_STRIDE = 11;
const I_START_NSEC = 0;
const I_LAST_NSEC = 1;
const I_END_NSEC = 2;
const I_PORTS = 3;
const I_META = 4;
const I32_STRIDE = 5;
