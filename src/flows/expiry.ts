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
 * The lists are intrusive: their links are words of the table's `links`
 * array (re-read on every call, since the table replaces its arrays when it
 * grows).
 */
import { type ConnectionTable, FLAG_CLOSED, FLAG_SYN_ONLY, LINK_LRU, LINK_SYN } from './table.js';
import { CloseReason } from './events.js';

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
 * deadline. A timeout of 0 switches it off (its deadlines are +Infinity).
 */
export class ExpiryQueue {
  /** Every connection in the table, oldest last packet first. */
  readonly lru: SlotList;
  /** Connections in the SYN-only state (only kept when the SYN timeout is on). */
  readonly syn: SlotList;
  /** Slots collected by `collectDue` / `collectAll`, in `conn` order. */
  due: Int32Array = new Int32Array(64);
  dueCount = 0;
  private readonly byConn: (x: number, y: number) => number;

  constructor(
    private readonly table: ConnectionTable,
    readonly idleTimeoutNs: number,
    readonly synTimeoutNs: number,
  ) {
    this.lru = new SlotList(table, LINK_LRU);
    this.syn = new SlotList(table, LINK_SYN);
    // Made once: sorting a batch must not create a closure per batch.
    this.byConn = (x, y) => table.connOf[x] - table.connOf[y];
  }

  /** The SYN timeout is on, so SYN-only connections are kept on the SYN list. */
  get tracksSyn(): boolean {
    return this.synTimeoutNs > 0;
  }

  /** The earliest deadline of any connection in the table, +Infinity when none. */
  nextDeadline(): number {
    let d = Number.POSITIVE_INFINITY;
    if (this.idleTimeoutNs > 0 && this.lru.head >= 0) {
      d = this.table.lastClockNsOf[this.lru.head] + this.idleTimeoutNs;
    }
    if (this.synTimeoutNs > 0 && this.syn.head >= 0) {
      const s = this.table.lastClockNsOf[this.syn.head] + this.synTimeoutNs;
      if (s < d) d = s;
    }
    return d;
  }

  /** The deadline of one connection: the earlier of its idle and (SYN-only) SYN deadlines; +Infinity when none applies. */
  deadlineOf(slot: number): number {
    const table = this.table;
    const last = table.lastClockNsOf[slot];
    let d = this.idleTimeoutNs > 0 ? last + this.idleTimeoutNs : Number.POSITIVE_INFINITY;
    if (this.synTimeoutNs > 0 && (table.flagsOf[slot] & FLAG_SYN_ONLY) !== 0) {
      const s = last + this.synTimeoutNs;
      if (s < d) d = s;
    }
    return d;
  }

  /**
   * Collects into `due[0..dueCount)` every connection whose deadline is
   * exactly `deadlineNs` (which must be `nextDeadline()`), in `conn` order.
   * They are the heads of the two lists with that deadline: nothing on either
   * list is due earlier.
   */
  collectDue(deadlineNs: number): void {
    const table = this.table;
    const clock = table.lastClockNsOf;
    this.dueCount = 0;
    if (this.idleTimeoutNs > 0) {
      const at = deadlineNs - this.idleTimeoutNs;
      for (let s = this.lru.head; s >= 0 && clock[s] === at; s = this.lru.next(s)) this.pushDue(s);
    }
    // With equal timeouts every SYN-list slot due now is also an LRU slot due
    // now, collected above; a slot has one last clock, so otherwise the two
    // collections cannot overlap.
    if (this.synTimeoutNs > 0 && this.synTimeoutNs !== this.idleTimeoutNs) {
      const at = deadlineNs - this.synTimeoutNs;
      for (let s = this.syn.head; s >= 0 && clock[s] === at; s = this.syn.next(s)) this.pushDue(s);
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
   * Why a connection collected at `deadlineNs` leaves: its own reason when it
   * was already closed by FIN or RST, else `syn-timeout` when that is the
   * deadline that fell due (it wins a tie with the idle deadline), else `idle`.
   */
  expiryReason(slot: number, deadlineNs: number): CloseReason {
    const table = this.table;
    const flags = table.flagsOf[slot];
    if ((flags & FLAG_CLOSED) !== 0) return table.reasonOf[slot] as CloseReason;
    if (
      this.synTimeoutNs > 0 &&
      (flags & FLAG_SYN_ONLY) !== 0 &&
      table.lastClockNsOf[slot] + this.synTimeoutNs === deadlineNs
    ) {
      return CloseReason.SYN_TIMEOUT;
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
