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
 * Times are (sec, nsec) pairs (events.ts). A timeout is an integer number of
 * ns (below 2^53), split once into a pair; a deadline is the last clock plus
 * that pair with a carry into the seconds, so it is exact however far the
 * capture runs from its base second.
 *
 * The lists are intrusive: their links are words of the table's `links`
 * array (re-read on every call, since the table replaces its arrays when it
 * grows).
 */
import { type ConnectionTable, FLAG_CLOSED, FLAG_SYN_ONLY, LINK_LRU, LINK_SYN } from './table.js';
import { CloseReason } from './events.js';
import { NS_PER_SEC } from '../time.js';

/** A doubly-linked list threaded through two of a slot's `links` words. */
export class SlotList {
  head = -1;
  tail = -1;
  length = 0;

  /** `base` is LINK_LRU or LINK_SYN: the slot's prev link is at slot·4 + base, next at + 1. */
  constructor(
    private readonly table: ConnectionTable,
    private readonly base: number,
  ) {}

  /** Appends a slot that is on no list. */
  pushTail(slot: number): void {
    const links = this.table.links;
    const p = slot * 4 + this.base;
    links[p] = this.tail;
    links[p + 1] = -1;
    if (this.tail >= 0) links[this.tail * 4 + this.base + 1] = slot;
    else this.head = slot;
    this.tail = slot;
    this.length++;
  }

  /** Unlinks a slot that is on this list. */
  remove(slot: number): void {
    const links = this.table.links;
    const p = slot * 4 + this.base;
    const prev = links[p];
    const next = links[p + 1];
    if (prev >= 0) links[prev * 4 + this.base + 1] = next;
    else this.head = next;
    if (next >= 0) links[next * 4 + this.base] = prev;
    else this.tail = prev;
    links[p] = -1;
    links[p + 1] = -1;
    this.length--;
  }

  /** Moves a slot that is on this list to the tail. */
  moveToTail(slot: number): void {
    if (this.tail === slot) return;
    this.remove(slot);
    this.pushTail(slot);
  }

  /** The slot after `slot`, or -1. */
  next(slot: number): number {
    return this.table.links[slot * 4 + this.base + 1];
  }
}

/**
 * The two expiry lists and the timeouts that turn a last-packet clock into a
 * deadline. A timeout of 0 switches it off (its connections have no deadline).
 */
export class ExpiryQueue {
  /** Every connection in the table, oldest last packet first. */
  readonly lru: SlotList;
  /** Connections in the SYN-only state (only kept when the SYN timeout is on). */
  readonly syn: SlotList;
  /** Slots collected by `collectDue` / `collectAll`, in `conn` order. */
  due: Int32Array = new Int32Array(64);
  dueCount = 0;
  /** The deadline found by the last `nextDeadline()` that returned true. */
  deadlineSec = 0;
  deadlineNsec = 0;
  /** The idle timeout split into whole seconds and nanoseconds (0 ≤ nsec < 1e9). */
  private readonly idleSec: number;
  private readonly idleNsec: number;
  /** The SYN timeout, split the same way. */
  private readonly synSec: number;
  private readonly synNsec: number;
  private readonly idleOn: boolean;
  private readonly synOn: boolean;
  /** The timeouts are equal (so both on when the SYN one is): a SYN deadline is then also an idle deadline. */
  private readonly sameTimeouts: boolean;
  private readonly byConn: (x: number, y: number) => number;

  /** `idleTimeoutNs`, `synTimeoutNs`: integer ns, 0 ≤ t < 2^53; 0 = off. */
  constructor(
    private readonly table: ConnectionTable,
    readonly idleTimeoutNs: number,
    readonly synTimeoutNs: number,
  ) {
    this.lru = new SlotList(table, LINK_LRU);
    this.syn = new SlotList(table, LINK_SYN);
    this.idleOn = idleTimeoutNs > 0;
    this.synOn = synTimeoutNs > 0;
    this.sameTimeouts = idleTimeoutNs === synTimeoutNs;
    this.idleSec = wholeSeconds(idleTimeoutNs);
    this.idleNsec = idleTimeoutNs - this.idleSec * NS_PER_SEC;
    this.synSec = wholeSeconds(synTimeoutNs);
    this.synNsec = synTimeoutNs - this.synSec * NS_PER_SEC;
    // Made once: sorting a batch must not create a closure per batch.
    this.byConn = (x, y) => table.connOf[x] - table.connOf[y];
  }

  /** The SYN timeout is on, so SYN-only connections are kept on the SYN list. */
  get tracksSyn(): boolean {
    return this.synOn;
  }

  /**
   * Finds the earliest deadline of any connection in the table and leaves it
   * in (`deadlineSec`, `deadlineNsec`). Returns false when no connection has
   * one (empty lists, or the timeouts off).
   */
  nextDeadline(): boolean {
    const table = this.table;
    let have = false;
    let ds = 0;
    let dn = 0;
    if (this.idleOn && this.lru.head >= 0) {
      const h = this.lru.head;
      ds = table.lastClockSecOf[h] + this.idleSec;
      dn = table.lastClockNsecOf[h] + this.idleNsec;
      if (dn >= NS_PER_SEC) {
        dn -= NS_PER_SEC;
        ds++;
      }
      have = true;
    }
    if (this.synOn && this.syn.head >= 0) {
      const h = this.syn.head;
      let ss = table.lastClockSecOf[h] + this.synSec;
      let sn = table.lastClockNsecOf[h] + this.synNsec;
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
    this.deadlineSec = ds;
    this.deadlineNsec = dn;
    return have;
  }

  /**
   * The connection's deadline (the earlier of its idle deadline and, in the
   * SYN-only state, its SYN deadline) is at or before (sec, nsec).
   */
  dueBy(slot: number, sec: number, nsec: number): boolean {
    const table = this.table;
    const cs = table.lastClockSecOf[slot];
    const cn = table.lastClockNsecOf[slot];
    if (this.idleOn && deadlineNotAfter(cs, cn, this.idleSec, this.idleNsec, sec, nsec)) return true;
    return (
      this.synOn &&
      (table.flagsOf[slot] & FLAG_SYN_ONLY) !== 0 &&
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
    const clockSec = table.lastClockSecOf;
    const clockNsec = table.lastClockNsecOf;
    this.dueCount = 0;
    if (this.idleOn) {
      // The last clock a connection due now has: the deadline − the timeout.
      let atSec = sec - this.idleSec;
      let atNsec = nsec - this.idleNsec;
      if (atNsec < 0) {
        atNsec += NS_PER_SEC;
        atSec--;
      }
      for (let s = this.lru.head; s >= 0 && clockSec[s] === atSec && clockNsec[s] === atNsec; s = this.lru.next(s)) {
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
      for (let s = this.syn.head; s >= 0 && clockSec[s] === atSec && clockNsec[s] === atNsec; s = this.syn.next(s)) {
        this.pushDue(s);
      }
    }
    this.sortDue();
  }

  /** Collects every connection in the table into `due`, in `conn` order (end of the capture). */
  collectAll(): void {
    this.dueCount = 0;
    for (let s = this.lru.head; s >= 0; s = this.lru.next(s)) this.pushDue(s);
    this.sortDue();
  }

  /**
   * Why a connection collected at deadline (sec, nsec) leaves: its own reason
   * when it was already closed by FIN or RST, else `syn-timeout` when that is
   * the deadline that fell due (it wins a tie with the idle deadline), else `idle`.
   */
  expiryReason(slot: number, sec: number, nsec: number): CloseReason {
    const table = this.table;
    const flags = table.flagsOf[slot];
    if ((flags & FLAG_CLOSED) !== 0) return table.reasonOf[slot] as CloseReason;
    if (this.synOn && (flags & FLAG_SYN_ONLY) !== 0) {
      let ss = table.lastClockSecOf[slot] + this.synSec;
      let sn = table.lastClockNsecOf[slot] + this.synNsec;
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
      const bigger = new Int32Array(this.due.length * 2);
      bigger.set(this.due);
      this.due = bigger;
    }
    this.due[this.dueCount++] = slot;
  }

  private sortDue(): void {
    const n = this.dueCount;
    if (n < 2) return;
    const due = this.due;
    if (n <= 16) {
      const conn = this.table.connOf;
      for (let i = 1; i < n; i++) {
        const s = due[i];
        const c = conn[s];
        let j = i - 1;
        while (j >= 0 && conn[due[j]] > c) {
          due[j + 1] = due[j];
          j--;
        }
        due[j + 1] = s;
      }
      return;
    }
    due.subarray(0, n).sort(this.byConn);
  }
}

/**
 * Whole seconds of a non-negative integer ns count below 2^53. Exact: the
 * quotient is below 2^24, where the division rounds by at most 2^-30 < 1e-9,
 * less than the gap between (k·1e9 − 1) / 1e9 and k, so it never rounds up to k.
 */
function wholeSeconds(ns: number): number {
  return Math.floor(ns / NS_PER_SEC);
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
