/**
 * The connection tracker: turns usable TCP packets into connections (SPEC §3)
 * and tells a `FlowListener` what happens, in time order.
 *
 * Every time is a (sec, nsec) pair relative to the capture's base second
 * (events.ts): exact over any span, and two small integers (Smis while |sec|
 * < 2^30, some 34 years) that V8 passes without allocating. Per packet at
 * replay clock t (own timestamp o ≤ t):
 *   1. every connection whose deadline is ≤ t leaves, in deadline order, each
 *      at its own instant d: `advance(d)`, then per connection in `conn`
 *      order `deactivate(slot, d)` (if still active) and `remove(slot)`;
 *   2. `advance(t)`;
 *   3. when the packet starts a new connection: the old entry on its
 *      endpoints leaves first if there is one (port reuse: `deactivate(old, t)`
 *      then `remove(old)`; closed by FIN/RST: `remove(old)`), or, with the
 *      table full, the entry with the oldest last packet is evicted; then
 *      `open(slot, t)`;
 *   4. `packet(slot, c2s, payloadBytes)`;
 *   5. `deactivate(slot, t)` when this packet closed the connection (FIN/RST).
 *
 * The connection's first and last times are the own timestamps o of its first
 * and last packets in file order (SPEC §3, as tshark's streams), not the
 * earliest and latest; its deadlines count from the clock t.
 *
 * Nothing is allocated per packet: the key is one reused `FlowKey`, the state
 * lives in the table's typed arrays, deadlines come from the heads of two
 * intrusive lists (`expiry.ts`).
 */
import { type DecodedPacket, TCP_FLAG_ACK, TCP_FLAG_FIN, TCP_FLAG_SYN } from '../decode/packet.js';
import { CloseReason, CLOSE_REASON_NAMES, type FlowListener } from './events.js';
import { FlowKey, setFlowKeyFromPacket } from './key.js';
import {
  ConnectionTable,
  FLAG_ACTIVE,
  FLAG_CLIENT_IS_A,
  FLAG_CLOSED,
  FLAG_FIN_CLIENT,
  FLAG_FIN_SERVER,
  FLAG_ISN_KNOWN,
  FLAG_SYN_ONLY,
  FLAG_SYN_SEEN,
} from './table.js';
import { ExpiryQueue } from './expiry.js';
import { closeAtPacket } from './close-reason.js';
import { timeBefore } from '../time.js';

/** Default idle timeout: 300 s, as Zeek's `tcp_inactivity_timeout` (SPEC §3 `--idle-timeout`). */
export const DEFAULT_IDLE_TIMEOUT_NS = 300_000_000_000;
/** Default SYN timeout: 60 s after the last SYN of a connection that never got past it (SPEC §3 `--syn-timeout`). */
export const DEFAULT_SYN_TIMEOUT_NS = 60_000_000_000;
/** Default bound on the connections held at once (SPEC §3 `--max-connections`); see docs/connections.md for memory. */
export const DEFAULT_MAX_CONNECTIONS = 4_000_000;

export interface ConnectionTrackerOptions {
  /** Idle timeout in integer ns (< 2^53), counted from a connection's last packet on the replay clock; 0 = off. */
  idleTimeoutNs: number;
  /** SYN timeout in integer ns (< 2^53) for connections that only ever sent SYNs from the client; 0 = off. */
  synTimeoutNs: number;
  /** Most connections held at once (closed ones still absorbing late packets count); ≥ 1. */
  maxConnections: number;
  /** Table slots allocated up front (default 1024); the table doubles as needed. */
  initialCapacity?: number;
}

const SYN_ACK_MASK = TCP_FLAG_SYN | TCP_FLAG_ACK;

export class ConnectionTracker {
  /** The connections held now; listeners read fields by slot. */
  readonly table: ConnectionTable;
  /** Connections opened so far (the next `conn` number). */
  opened = 0;
  /** Connections that left the table, by final CloseReason (index = reason). */
  readonly closedByReason = new Float64Array(CLOSE_REASON_NAMES.length);
  /** Entries pushed out of a full table (active ones close `evicted`; closed ones keep their reason). */
  evictions = 0;
  /** Largest number of connections held at once. */
  peakOccupancy = 0;

  private readonly listener: FlowListener;
  private readonly expiry: ExpiryQueue;
  private readonly key = new FlowKey();
  private readonly maxConnections: number;

  constructor(options: ConnectionTrackerOptions, listener: FlowListener) {
    const { idleTimeoutNs, synTimeoutNs, maxConnections } = options;
    checkTimeout('idleTimeoutNs', idleTimeoutNs);
    checkTimeout('synTimeoutNs', synTimeoutNs);
    if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) {
      throw new RangeError(`maxConnections must be an integer ≥ 1, got ${maxConnections}`);
    }
    this.maxConnections = maxConnections;
    this.listener = listener;
    this.table = new ConnectionTable({
      initialCapacity: options.initialCapacity,
      maxCapacity: maxConnections,
    });
    this.expiry = new ExpiryQueue(this.table, idleTimeoutNs, synTimeoutNs);
  }

  /** Connections in the table now. */
  get occupancy(): number {
    return this.table.size;
  }

  /**
   * A usable TCP packet (`p.skip === 0 && p.isTcp`). (clockSec, clockNsec) is
   * the replay clock including this packet; (ownSec, ownNsec) its own
   * timestamp (earlier for a backwards packet). Both are pairs relative to the
   * base second, 0 ≤ nsec < 1e9; the clock never goes back between calls.
   */
  packet(p: DecodedPacket, clockSec: number, clockNsec: number, ownSec: number, ownNsec: number): void {
    this.expireUntil(clockSec, clockNsec);
    const listener = this.listener;
    listener.advance(clockSec, clockNsec);
    const key = this.key;
    setFlowKeyFromPacket(key, p);
    const table = this.table;
    const tcpFlags = p.tcpFlags;
    const synNoAck = (tcpFlags & SYN_ACK_MASK) === TCP_FLAG_SYN;
    let slot = table.find(key);
    if (slot >= 0 && synNoAck) {
      // SPEC §3: a SYN without ACK on a known connection, checked in this order.
      const f = table.flagsOf[slot];
      if ((f & FLAG_CLOSED) !== 0) {
        // Closed by FIN or RST: the old connection leaves, a new one opens.
        this.removeSlot(slot);
        slot = -1;
      } else if (key.srcIsA === ((f & FLAG_CLIENT_IS_A) !== 0)) {
        // From the client: a retransmission when it carries the client's ISN, else port reuse.
        if ((f & FLAG_ISN_KNOWN) === 0 || table.isnOf[slot] !== p.seq) {
          table.reasonOf[slot] = CloseReason.PORT_REUSE;
          this.deactivateSlot(slot, clockSec, clockNsec);
          this.removeSlot(slot);
          slot = -1;
        }
      }
      // From the server: simultaneous open, same connection.
    }
    if (slot < 0) slot = this.openConnection(p, synNoAck, clockSec, clockNsec, ownSec, ownNsec);

    let f = table.flagsOf[slot];
    const c2s = key.srcIsA === ((f & FLAG_CLIENT_IS_A) !== 0);
    const payload = p.payloadLength;
    if (c2s) {
      table.packetsC2sOf[slot]++;
      table.bytesC2sOf[slot] += payload;
    } else {
      table.packetsS2cOf[slot]++;
      table.bytesS2cOf[slot] += payload;
    }
    // File order, not the latest (SPEC §3): a backwards packet moves it back.
    table.lastSecOf[slot] = ownSec;
    table.lastNsecOf[slot] = ownNsec;
    table.lastClockSecOf[slot] = clockSec;
    table.lastClockNsecOf[slot] = clockNsec;
    const expiry = this.expiry;
    expiry.lru.moveToTail(slot);
    if ((f & FLAG_SYN_ONLY) !== 0) {
      if (synNoAck && c2s) {
        if (expiry.tracksSyn) expiry.syn.moveToTail(slot);
      } else {
        f &= ~FLAG_SYN_ONLY;
        if (expiry.tracksSyn) expiry.syn.remove(slot);
      }
    }
    if ((tcpFlags & TCP_FLAG_FIN) !== 0) f |= c2s ? FLAG_FIN_CLIENT : FLAG_FIN_SERVER;
    table.flagsOf[slot] = f;
    listener.packet(slot, c2s, payload);
    if ((f & FLAG_CLOSED) === 0) {
      const reason = closeAtPacket(tcpFlags, f);
      if (reason !== CloseReason.OPEN) {
        // Closed connections leave only by idle expiry, a new SYN, eviction or the end.
        if ((f & FLAG_SYN_ONLY) !== 0 && expiry.tracksSyn) expiry.syn.remove(slot);
        table.flagsOf[slot] = (f & ~FLAG_SYN_ONLY) | FLAG_CLOSED;
        table.reasonOf[slot] = reason;
        this.deactivateSlot(slot, clockSec, clockNsec);
      }
    }
  }

  /**
   * Any record that is not a usable TCP packet still moves the replay clock
   * (SPEC §1): expiries due at or before (clockSec, clockNsec) happen, then
   * `advance(clockSec, clockNsec)`.
   */
  advanceClock(clockSec: number, clockNsec: number): void {
    this.expireUntil(clockSec, clockNsec);
    this.listener.advance(clockSec, clockNsec);
  }

  /**
   * The end of the capture, (lastSec, lastNsec) being the replay clock after
   * its last record. Expiries due before it happen at their instants; then, at
   * that instant, every connection still held leaves in `conn` order: those
   * whose deadline is exactly the last clock expire (`idle`/`syn-timeout`), the
   * other active ones close `end-of-trace`, and the ones already closed by FIN or
   * RST keep their reason. The table is empty afterwards.
   */
  finish(lastSec: number, lastNsec: number): void {
    const expiry = this.expiry;
    while (expiry.nextDeadline()) {
      const ds = expiry.deadlineSec;
      const dn = expiry.deadlineNsec;
      if (!timeBefore(ds, dn, lastSec, lastNsec)) break;
      this.expireAt(ds, dn);
    }
    this.listener.advance(lastSec, lastNsec);
    expiry.collectAll();
    const table = this.table;
    for (let k = 0; k < expiry.dueCount; k++) {
      const slot = expiry.due[k];
      if ((table.flagsOf[slot] & FLAG_ACTIVE) !== 0) {
        // Every deadline before the last clock has passed, so one not after it is exactly it.
        table.reasonOf[slot] = expiry.dueBy(slot, lastSec, lastNsec)
          ? expiry.expiryReason(slot, lastSec, lastNsec)
          : CloseReason.END_OF_TRACE;
        this.deactivateSlot(slot, lastSec, lastNsec);
      }
      this.removeSlot(slot);
    }
    expiry.dueCount = 0;
  }

  /** Expires, each at its own instant, every connection whose deadline is ≤ (clockSec, clockNsec). */
  private expireUntil(clockSec: number, clockNsec: number): void {
    const expiry = this.expiry;
    while (expiry.nextDeadline()) {
      const ds = expiry.deadlineSec;
      const dn = expiry.deadlineNsec;
      if (timeBefore(clockSec, clockNsec, ds, dn)) return;
      this.expireAt(ds, dn);
    }
  }

  /** The connections due at deadline (sec, nsec) (the earliest deadline) leave, in `conn` order. */
  private expireAt(sec: number, nsec: number): void {
    const expiry = this.expiry;
    const table = this.table;
    expiry.collectDue(sec, nsec);
    this.listener.advance(sec, nsec);
    for (let k = 0; k < expiry.dueCount; k++) {
      const slot = expiry.due[k];
      if ((table.flagsOf[slot] & FLAG_ACTIVE) !== 0) {
        table.reasonOf[slot] = expiry.expiryReason(slot, sec, nsec);
        this.deactivateSlot(slot, sec, nsec);
      }
      this.removeSlot(slot);
    }
    expiry.dueCount = 0;
  }

  private openConnection(
    p: DecodedPacket,
    synNoAck: boolean,
    clockSec: number,
    clockNsec: number,
    ownSec: number,
    ownNsec: number,
  ): number {
    const table = this.table;
    if (table.size >= this.maxConnections) this.evictOldest(clockSec, clockNsec);
    const key = this.key;
    const slot = table.insert(key);
    // SPEC §3: the client is decided from the first packet and never revised.
    let clientIsSender: boolean;
    let f = FLAG_ACTIVE;
    if (synNoAck) {
      clientIsSender = true;
      f |= FLAG_SYN_SEEN | FLAG_SYN_ONLY | FLAG_ISN_KNOWN;
      table.isnOf[slot] = p.seq;
    } else if ((p.tcpFlags & SYN_ACK_MASK) === SYN_ACK_MASK) {
      // A SYN-ACK acknowledges the client's ISN + 1.
      clientIsSender = false;
      f |= FLAG_ISN_KNOWN;
      table.isnOf[slot] = (p.ack - 1) >>> 0;
    } else {
      // Seen mid-stream: the higher port is the client (ephemeral); on a tie, the sender.
      clientIsSender = p.srcPort >= p.dstPort;
    }
    if (clientIsSender === key.srcIsA) f |= FLAG_CLIENT_IS_A;
    table.flagsOf[slot] = f;
    table.connOf[slot] = this.opened++;
    table.firstSecOf[slot] = ownSec;
    table.firstNsecOf[slot] = ownNsec;
    table.lastSecOf[slot] = ownSec;
    table.lastNsecOf[slot] = ownNsec;
    table.lastClockSecOf[slot] = clockSec;
    table.lastClockNsecOf[slot] = clockNsec;
    const expiry = this.expiry;
    expiry.lru.pushTail(slot);
    if ((f & FLAG_SYN_ONLY) !== 0 && expiry.tracksSyn) expiry.syn.pushTail(slot);
    if (table.size > this.peakOccupancy) this.peakOccupancy = table.size;
    this.listener.open(slot, clockSec, clockNsec);
    return slot;
  }

  /** Makes room in a full table: the entry with the oldest last packet leaves. */
  private evictOldest(clockSec: number, clockNsec: number): void {
    const slot = this.expiry.lru.head;
    this.evictions++;
    if ((this.table.flagsOf[slot] & FLAG_ACTIVE) !== 0) {
      this.table.reasonOf[slot] = CloseReason.EVICTED;
      this.deactivateSlot(slot, clockSec, clockNsec);
    }
    this.removeSlot(slot);
  }

  private deactivateSlot(slot: number, sec: number, nsec: number): void {
    this.table.flagsOf[slot] &= ~FLAG_ACTIVE;
    this.listener.deactivate(slot, sec, nsec);
  }

  /** Unlinks, reports (`remove`: the row is final), counts and frees. */
  private removeSlot(slot: number): void {
    const table = this.table;
    const expiry = this.expiry;
    expiry.lru.remove(slot);
    if ((table.flagsOf[slot] & FLAG_SYN_ONLY) !== 0 && expiry.tracksSyn) expiry.syn.remove(slot);
    this.listener.remove(slot);
    this.closedByReason[table.reasonOf[slot]]++;
    table.free(slot);
  }
}

function checkTimeout(name: string, ns: number): void {
  if (!Number.isSafeInteger(ns) || ns < 0) {
    throw new RangeError(`${name} must be an integer number of ns ≥ 0, got ${ns}`);
  }
}
