/**
 * Expiry deadlines on the replay clock, without timers and without scanning
 * the table (SPEC §3 idle and SYN timeouts; STYLE: "due connections come from
 * a deadline queue"; gopacket `FlushCloseOlderThan`).
 *
 * Every connection is on the LRU list, ordered by the replay clock at its last
 * packet: a packet moves its connection to the tail, and the clock never goes
 * back, so the list stays sorted without comparisons. Its head therefore holds
 * both the earliest idle deadline (last clock + idle timeout) and the eviction
 * victim (the oldest last packet). Connections in the SYN-only state are also
 * on a second list, ordered the same way, whose head holds the earliest SYN
 * deadline. The next deadline is the smaller of the two heads': O(1).
 *
 * UDP flows (issue 12) have their own inactivity timeout, so they are not on
 * the LRU list but on a third list, the UDP list, ordered the same way, whose
 * head holds the earliest UDP deadline; its links are the `cold` words the
 * SYN list uses (a UDP flow is never in the SYN-only state). The oldest last
 * packet of the whole table (the eviction victim) is then the older of the
 * LRU and UDP heads. A capture replayed for TCP only leaves the UDP list
 * empty, and the per-packet path of TCP is unchanged.
 *
 * That deadline is cached and recomputed only after a list operation touched
 * a head (a head removed or moved, a push onto an empty list): a connection's
 * last clock changes only at its own packet, which moves it on its lists, so
 * the heads' deadlines cannot change otherwise. Most packets belong to a
 * connection that is not at a head, and the per-packet check is then two
 * comparisons (docs/connections.md, "Performance").
 *
 * Times are (sec, nsec) pairs (events.ts), and so are the timeouts (up to
 * MAX_SECONDS, src/time.ts); a deadline is the last clock plus the timeout
 * with a carry into the seconds, so it is exact however far the capture runs
 * from its base second and however long the timeout.
 *
 * The lists are intrusive: the LRU links are words of each slot's `rec`
 * record (next to the key and the clock the same packet touches), the SYN
 * links words of its `cold` record. `rec` is re-read from the table on every
 * call, since the table replaces it when it grows.
 */
import {
  type ConnectionTable,
  C_SYN_NEXT,
  C_SYN_PREV,
  COLD_STRIDE,
  FLAG_CLOSED,
  FLAG_SYN_ONLY,
  R_LRU_NEXT,
  R_LRU_PREV,
  REC_STRIDE,
} from './table.js';
import { CloseReason } from './events.js';
import { type Duration, isZeroDuration, NS_PER_SEC, timeBefore } from '../time.js';
import { IPPROTO_UDP } from '../decode/packet.js';
import { grown } from '../typed-array.js';

/**
 * The two expiry lists and the timeouts that turn a last-packet clock into a
 * deadline. A timeout of 0 switches it off (its connections have no deadline).
 */
export class ExpiryQueue {
  /** LRU list: every connection in the table, oldest last packet first (-1 = empty). */
  lruHead = -1;
  lruTail = -1;
  /** SYN list: connections in the SYN-only state (only kept when the SYN timeout is on). */
  synHead = -1;
  synTail = -1;
  /** UDP list: every UDP flow in the table, oldest last packet first. */
  udpHead = -1;
  udpTail = -1;
  /** Slots collected by `collectDue` / `collectAll`, in `conn` order. */
  due: Int32Array = new Int32Array(64);
  dueCount = 0;
  /**
   * The deadline found by the last `nextDeadline()` that returned true.
   * Seconds are doubles from the start (see `nextSec`).
   */
  deadlineSec = Number.NEGATIVE_INFINITY;
  deadlineNsec = 0;
  /**
   * The earliest deadline of any connection, when `stale` is false and
   * `hasNext` true. Each field keeps one representation for the whole run:
   * a field that held small integers and then a double changes the object's
   * hidden class, and V8 then deoptimizes every function compiled against
   * the old one (seen with --trace-deopt as "wrong map" on the per-packet
   * path). Seconds are computed from the table's Float64Array, which
   * unoptimized code reads as doubles, so they start as a double;
   * nanoseconds are always small integers.
   */
  private hasNext = false;
  private nextSec = Number.NEGATIVE_INFINITY;
  private nextNsec = 0;
  /** A head changed since (nextSec, nextNsec) was computed. */
  private stale = false;
  /** The idle timeout split into whole seconds and nanoseconds (0 ≤ nsec < 1e9). */
  private readonly idleSec: number;
  private readonly idleNsec: number;
  /** The SYN timeout, split the same way. */
  private readonly synSec: number;
  private readonly synNsec: number;
  /** The UDP timeout, split the same way. */
  private readonly udpSec: number;
  private readonly udpNsec: number;
  private readonly idleOn: boolean;
  private readonly synOn: boolean;
  private readonly udpOn: boolean;
  /** The timeouts are equal (so both on when the SYN one is): a SYN deadline is then also an idle deadline. */
  private readonly sameTimeouts: boolean;
  private readonly byConn: (x: number, y: number) => number;

  /** `idleTimeout`, `synTimeout`, `udpTimeout`: valid Durations (src/time.ts); 0 = off. */
  constructor(
    private readonly table: ConnectionTable,
    idleTimeout: Duration,
    synTimeout: Duration,
    udpTimeout: Duration = { sec: 0, nsec: 0 },
  ) {
    this.idleOn = !isZeroDuration(idleTimeout);
    this.synOn = !isZeroDuration(synTimeout);
    this.udpOn = !isZeroDuration(udpTimeout);
    this.udpSec = udpTimeout.sec;
    this.udpNsec = udpTimeout.nsec | 0;
    this.sameTimeouts = idleTimeout.sec === synTimeout.sec && idleTimeout.nsec === synTimeout.nsec;
    this.idleSec = idleTimeout.sec;
    this.idleNsec = idleTimeout.nsec | 0;
    this.synSec = synTimeout.sec;
    this.synNsec = synTimeout.nsec | 0;
    // Made once: sorting a batch must not create a closure per batch.
    this.byConn = (x, y) => table.conn(x) - table.conn(y);
  }

  /** The SYN timeout is on, so SYN-only connections are kept on the SYN list. */
  get tracksSyn(): boolean {
    return this.synOn;
  }

  // --- the LRU list (links in `rec`) ---

  /** Appends a slot that is on no list (a new connection). */
  lruPush(slot: number): void {
    const rec = this.table.rec;
    const tail = this.lruTail;
    const o = slot * REC_STRIDE;
    rec[o + R_LRU_PREV] = tail;
    rec[o + R_LRU_NEXT] = -1;
    if (tail >= 0) rec[tail * REC_STRIDE + R_LRU_NEXT] = slot;
    else {
      this.lruHead = slot;
      this.stale = true;
    }
    this.lruTail = slot;
  }

  /** Unlinks a slot that is on the LRU list. */
  lruRemove(slot: number): void {
    const rec = this.table.rec;
    const o = slot * REC_STRIDE;
    const prev = rec[o + R_LRU_PREV];
    const next = rec[o + R_LRU_NEXT];
    if (prev >= 0) rec[prev * REC_STRIDE + R_LRU_NEXT] = next;
    else {
      this.lruHead = next;
      this.stale = true;
    }
    if (next >= 0) rec[next * REC_STRIDE + R_LRU_PREV] = prev;
    else this.lruTail = prev;
    rec[o + R_LRU_PREV] = -1;
    rec[o + R_LRU_NEXT] = -1;
  }

  /** Moves a slot that is on the LRU list to its tail (its last clock has just moved). */
  lruTouch(slot: number): void {
    const tail = this.lruTail;
    if (tail === slot) {
      // Already last; if also first, its clock (the head's deadline) moved.
      if (this.lruHead === slot) this.stale = true;
      return;
    }
    const rec = this.table.rec;
    const o = slot * REC_STRIDE;
    const prev = rec[o + R_LRU_PREV];
    const next = rec[o + R_LRU_NEXT]; // ≥ 0: the slot is not the tail
    if (prev >= 0) rec[prev * REC_STRIDE + R_LRU_NEXT] = next;
    else {
      this.lruHead = next;
      this.stale = true;
    }
    rec[next * REC_STRIDE + R_LRU_PREV] = prev;
    rec[o + R_LRU_PREV] = tail;
    rec[o + R_LRU_NEXT] = -1;
    rec[tail * REC_STRIDE + R_LRU_NEXT] = slot;
    this.lruTail = slot;
  }

  /** The slot after `slot` on the LRU list, or -1. */
  lruNext(slot: number): number {
    return this.table.rec[slot * REC_STRIDE + R_LRU_NEXT];
  }

  // --- the SYN list and the UDP list (links in `cold`, the same two words) ---
  //
  // A connection is on at most one of them: the SYN list holds TCP connections
  // that never got past their SYN, the UDP list every UDP flow, each in order
  // of last packet. One set of list operations serves both; `udp` says which.

  /** Appends a slot that is on neither list to the tail of one. */
  private linkPush(slot: number, udp: boolean): void {
    const table = this.table;
    const chunks = table.coldChunks;
    const shift = table.chunkShift;
    const cm = table.chunkMask;
    const tail = udp ? this.udpTail : this.synTail;
    const cold = chunks[slot >> shift];
    const c = (slot & cm) * COLD_STRIDE;
    cold[c + C_SYN_PREV] = tail;
    cold[c + C_SYN_NEXT] = -1;
    if (tail >= 0) chunks[tail >> shift][(tail & cm) * COLD_STRIDE + C_SYN_NEXT] = slot;
    else {
      if (udp) this.udpHead = slot;
      else this.synHead = slot;
      this.stale = true;
    }
    if (udp) this.udpTail = slot;
    else this.synTail = slot;
  }

  /** Unlinks a slot from the list it is on. */
  private linkRemove(slot: number, udp: boolean): void {
    const table = this.table;
    const chunks = table.coldChunks;
    const shift = table.chunkShift;
    const cm = table.chunkMask;
    const cold = chunks[slot >> shift];
    const c = (slot & cm) * COLD_STRIDE;
    const prev = cold[c + C_SYN_PREV];
    const next = cold[c + C_SYN_NEXT];
    if (prev >= 0) chunks[prev >> shift][(prev & cm) * COLD_STRIDE + C_SYN_NEXT] = next;
    else {
      if (udp) this.udpHead = next;
      else this.synHead = next;
      this.stale = true;
    }
    if (next >= 0) chunks[next >> shift][(next & cm) * COLD_STRIDE + C_SYN_PREV] = prev;
    else if (udp) this.udpTail = prev;
    else this.synTail = prev;
    cold[c + C_SYN_PREV] = -1;
    cold[c + C_SYN_NEXT] = -1;
  }

  /** Moves a slot to the tail of the list it is on. */
  private linkTouch(slot: number, udp: boolean): void {
    if ((udp ? this.udpTail : this.synTail) === slot) {
      if ((udp ? this.udpHead : this.synHead) === slot) this.stale = true;
      return;
    }
    this.linkRemove(slot, udp);
    this.linkPush(slot, udp);
  }

  /** Appends a slot that is not on the SYN list. */
  synPush(slot: number): void {
    this.linkPush(slot, false);
  }

  /** Unlinks a slot that is on the SYN list. */
  synRemove(slot: number): void {
    this.linkRemove(slot, false);
  }

  /** Moves a slot that is on the SYN list to its tail. */
  synTouch(slot: number): void {
    this.linkTouch(slot, false);
  }

  /** The slot after `slot` on its list (SYN or UDP), or -1. */
  synNext(slot: number): number {
    return this.table.coldOf(slot)[this.table.coldOffset(slot) + C_SYN_NEXT];
  }

  /** Appends a UDP flow that is on no list (a new flow). */
  udpPush(slot: number): void {
    this.linkPush(slot, true);
  }

  /** Unlinks a UDP flow. */
  udpRemove(slot: number): void {
    this.linkRemove(slot, true);
  }

  /** Moves a UDP flow to the tail of the UDP list (its last clock has just moved). */
  udpTouch(slot: number): void {
    this.linkTouch(slot, true);
  }

  /** The slot after `slot` on the UDP list, or -1. */
  udpNext(slot: number): number {
    return this.synNext(slot);
  }

  /**
   * The entry with the oldest last packet in the whole table (the eviction
   * victim): the older of the LRU and UDP heads, the LRU head on a tie; -1
   * when the table is empty.
   */
  oldest(): number {
    const l = this.lruHead;
    const u = this.udpHead;
    if (u < 0) return l;
    if (l < 0) return u;
    const table = this.table;
    return timeBefore(table.lastClockSec(u), table.lastClockNsec(u), table.lastClockSec(l), table.lastClockNsec(l)) ? u : l;
  }

  /** Empties the lists (the table is being emptied at once). */
  clear(): void {
    this.lruHead = -1;
    this.lruTail = -1;
    this.synHead = -1;
    this.synTail = -1;
    this.udpHead = -1;
    this.udpTail = -1;
    this.stale = true;
  }

  // --- deadlines ---

  /**
   * Some connection's deadline is at or before (sec, nsec). The per-packet
   * check: two comparisons against the cached earliest deadline.
   */
  anyDueBy(sec: number, nsec: number): boolean {
    if (this.stale) this.refresh();
    // Both comparisons are evaluated every time: a comparison that V8 has
    // never seen run before it optimizes the caller (`sec` equal to the
    // deadline's second is rare) deoptimizes the whole per-packet path the
    // first time it runs.
    const ds = this.nextSec;
    const nsecReached = nsec >= this.nextNsec;
    return this.hasNext && (sec > ds || (sec === ds && nsecReached));
  }

  /**
   * Finds the earliest deadline of any connection in the table and leaves it
   * in (`deadlineSec`, `deadlineNsec`). Returns false when no connection has
   * one (empty lists, or the timeouts off).
   */
  nextDeadline(): boolean {
    if (this.stale) this.refresh();
    if (!this.hasNext) return false;
    this.deadlineSec = this.nextSec;
    this.deadlineNsec = this.nextNsec;
    return true;
  }

  /** Recomputes the cached earliest deadline from the heads of the two lists. */
  private refresh(): void {
    const table = this.table;
    let have = false;
    let ds = 0;
    let dn = 0;
    if (this.idleOn && this.lruHead >= 0) {
      const h = this.lruHead;
      ds = table.lastClockSec(h) + this.idleSec;
      dn = table.lastClockNsec(h) + this.idleNsec;
      if (dn >= NS_PER_SEC) {
        dn -= NS_PER_SEC;
        ds++;
      }
      have = true;
    }
    if (this.synOn && this.synHead >= 0) {
      const h = this.synHead;
      let ss = table.lastClockSec(h) + this.synSec;
      let sn = table.lastClockNsec(h) + this.synNsec;
      if (sn >= NS_PER_SEC) {
        sn -= NS_PER_SEC;
        ss++;
      }
      if (!have || ss < ds || (ss === ds && sn < dn)) {
        ds = ss;
        dn = sn;
        have = true;
      }
    }
    if (this.udpOn && this.udpHead >= 0) {
      const h = this.udpHead;
      let us = table.lastClockSec(h) + this.udpSec;
      let un = table.lastClockNsec(h) + this.udpNsec;
      if (un >= NS_PER_SEC) {
        un -= NS_PER_SEC;
        us++;
      }
      if (!have || us < ds || (us === ds && un < dn)) {
        ds = us;
        dn = un;
        have = true;
      }
    }
    this.hasNext = have;
    this.nextSec = ds;
    this.nextNsec = dn;
    this.stale = false;
  }

  /**
   * The connection's deadline (the earlier of its idle deadline and, in the
   * SYN-only state, its SYN deadline) is at or before (sec, nsec).
   */
  dueBy(slot: number, sec: number, nsec: number): boolean {
    const table = this.table;
    const cs = table.lastClockSec(slot);
    const cn = table.lastClockNsec(slot);
    if (table.proto(slot) === IPPROTO_UDP) return this.udpOn && deadlineNotAfter(cs, cn, this.udpSec, this.udpNsec, sec, nsec);
    if (this.idleOn && deadlineNotAfter(cs, cn, this.idleSec, this.idleNsec, sec, nsec)) return true;
    return (
      this.synOn &&
      (table.flags(slot) & FLAG_SYN_ONLY) !== 0 &&
      deadlineNotAfter(cs, cn, this.synSec, this.synNsec, sec, nsec)
    );
  }

  /**
   * Collects into `due[0..dueCount)` every connection whose deadline is
   * exactly (sec, nsec) (which must be the one `nextDeadline()` found), in
   * `conn` order. They are the heads of the two lists with that deadline:
   * nothing on either list is due earlier.
   */
  collectDue(sec: number, nsec: number): void {
    const table = this.table;
    this.dueCount = 0;
    if (this.idleOn) {
      // The last clock a connection due now has: the deadline − the timeout.
      let atSec = sec - this.idleSec;
      let atNsec = nsec - this.idleNsec;
      if (atNsec < 0) {
        atNsec += NS_PER_SEC;
        atSec--;
      }
      for (
        let s = this.lruHead;
        s >= 0 && table.lastClockSec(s) === atSec && table.lastClockNsec(s) === atNsec;
        s = this.lruNext(s)
      ) {
        this.pushDue(s);
      }
    }
    // With equal timeouts every SYN-list slot due now is also an LRU slot due
    // now, collected above; a slot has one last clock, so otherwise the two
    // collections cannot overlap.
    if (this.synOn && !this.sameTimeouts) {
      let atSec = sec - this.synSec;
      let atNsec = nsec - this.synNsec;
      if (atNsec < 0) {
        atNsec += NS_PER_SEC;
        atSec--;
      }
      for (
        let s = this.synHead;
        s >= 0 && table.lastClockSec(s) === atSec && table.lastClockNsec(s) === atNsec;
        s = this.synNext(s)
      ) {
        this.pushDue(s);
      }
    }
    // UDP flows are on the UDP list only, so they are collected once.
    if (this.udpOn && this.udpHead >= 0) {
      let atSec = sec - this.udpSec;
      let atNsec = nsec - this.udpNsec;
      if (atNsec < 0) {
        atNsec += NS_PER_SEC;
        atSec--;
      }
      for (
        let s = this.udpHead;
        s >= 0 && table.lastClockSec(s) === atSec && table.lastClockNsec(s) === atNsec;
        s = this.udpNext(s)
      ) {
        this.pushDue(s);
      }
    }
    this.sortDue();
  }

  /** Collects every connection in the table into `due`, in `conn` order (end of the capture). */
  collectAll(): void {
    this.dueCount = 0;
    for (let s = this.lruHead; s >= 0; s = this.lruNext(s)) this.pushDue(s);
    for (let s = this.udpHead; s >= 0; s = this.udpNext(s)) this.pushDue(s);
    this.sortDue();
  }

  /**
   * Why a connection collected at deadline (sec, nsec) leaves: its own reason
   * when it was already closed by FIN or RST, else `syn-timeout` when that is
   * the deadline that fell due (it wins a tie with the idle deadline), else `idle`.
   */
  expiryReason(slot: number, sec: number, nsec: number): CloseReason {
    const table = this.table;
    const flags = table.flags(slot);
    if ((flags & FLAG_CLOSED) !== 0) return table.closeReason(slot);
    if (this.synOn && (flags & FLAG_SYN_ONLY) !== 0) {
      let ss = table.lastClockSec(slot) + this.synSec;
      let sn = table.lastClockNsec(slot) + this.synNsec;
      if (sn >= NS_PER_SEC) {
        sn -= NS_PER_SEC;
        ss++;
      }
      if (ss === sec && sn === nsec) return CloseReason.SYN_TIMEOUT;
    }
    return CloseReason.IDLE;
  }

  private pushDue(slot: number): void {
    if (this.dueCount === this.due.length) {
      this.due = grown(this.due, this.due.length * 2);
    }
    this.due[this.dueCount++] = slot;
  }

  /**
   * Sorts `due[0..dueCount)` by `conn`. Small batches (the usual expiry
   * instant) by insertion; large ones (the end of the capture) by placing
   * each slot at its `conn` offset in a scratch array when the `conn` numbers
   * are dense enough, which is linear, else with a comparison sort.
   */
  private sortDue(): void {
    const n = this.dueCount;
    if (n < 2) return;
    const due = this.due;
    const table = this.table;
    if (n <= 16) {
      for (let i = 1; i < n; i++) {
        const s = due[i];
        const c = table.conn(s);
        let j = i - 1;
        while (j >= 0 && table.conn(due[j]) > c) {
          due[j + 1] = due[j];
          j--;
        }
        due[j + 1] = s;
      }
      return;
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const c = table.conn(due[i]);
      if (c < min) min = c;
      if (c > max) max = c;
    }
    const range = max - min + 1;
    if (range > 8 * n) {
      due.subarray(0, n).sort(this.byConn);
      return;
    }
    // `conn` numbers are distinct, so each lands in its own entry.
    const byOffset = new Int32Array(range).fill(-1);
    for (let i = 0; i < n; i++) {
      const s = due[i];
      byOffset[table.conn(s) - min] = s;
    }
    let j = 0;
    for (let i = 0; i < range; i++) {
      const s = byOffset[i];
      if (s >= 0) due[j++] = s;
    }
  }
}

/** (clock + timeout) ≤ (sec, nsec), the timeout as a pair; with the carry. */
function deadlineNotAfter(
  clockSec: number,
  clockNsec: number,
  timeoutSec: number,
  timeoutNsec: number,
  sec: number,
  nsec: number,
): boolean {
  let ds = clockSec + timeoutSec;
  let dn = clockNsec + timeoutNsec;
  if (dn >= NS_PER_SEC) {
    dn -= NS_PER_SEC;
    ds++;
  }
  return ds < sec || (ds === sec && dn <= nsec);
}
