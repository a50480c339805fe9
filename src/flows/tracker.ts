/**
 * The connection tracker: turns usable TCP packets into connections (SPEC §3),
 * and usable UDP packets into flows (issue 12, `udpPacket`), and tells a `FlowListener` what happens, in time order.
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
import { type DecodedPacket, IPPROTO_UDP, TCP_FLAG_ACK, TCP_FLAG_FIN, TCP_FLAG_RST, TCP_FLAG_SYN } from '../decode/packet.js';
import { CloseReason, CLOSE_REASON_NAMES, type FlowListener } from './events.js';
import { FlowKey, setFlowKeyFromPacket } from './key.js';
import {
  ConnectionTable,
  C_FIRST_NSEC,
  FLAG_ACTIVE,
  FLAG_CLIENT_IS_A,
  FLAG_CLOSED,
  FLAG_FIN_CLIENT,
  FLAG_FIN_SERVER,
  FLAG_ISN_KNOWN,
  FLAG_SYN_ONLY,
  FLAG_SYN_SEEN,
  N_BYTES_C2S,
  N_BYTES_S2C,
  N_CONN,
  N_FIRST_SEC,
  N_LAST_CLOCK_SEC,
  N_LAST_SEC,
  N_PACKETS_C2S,
  N_PACKETS_S2C,
  NUM_STRIDE,
  R_ISN,
  R_LAST_CLOCK_NSEC,
  R_LAST_NSEC,
  R_META,
  REC_STRIDE,
} from './table.js';
import { ExpiryQueue } from './expiry.js';
import { closeAtPacket } from './close-reason.js';
import { type Duration, isValidDuration, MAX_SECONDS, timeBefore } from '../time.js';

/** Default UDP inactivity timeout: 60 s, as Zeek's `udp_inactivity_timeout` (issue 12 `--udp-timeout`). */
export const DEFAULT_UDP_TIMEOUT_NS = 60_000_000_000;
/** Default bound on the connections held at once (SPEC §3 `--max-connections`); see docs/connections.md for memory. */
export const DEFAULT_MAX_CONNECTIONS = 4_000_000;

export interface ConnectionTrackerOptions {
  /** Idle timeout (up to MAX_SECONDS), counted from a connection's last packet on the replay clock; 0 = off. */
  idleTimeout: Duration;
  /** SYN timeout (up to MAX_SECONDS) for connections that only ever sent SYNs from the client; 0 = off. */
  synTimeout: Duration;
  /** Inactivity timeout of UDP flows (up to MAX_SECONDS); 0 = off; default DEFAULT_UDP_TIMEOUT_NS. */
  udpTimeout?: Duration;
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
  /** The SYN timeout is on (SYN-only connections are on the SYN list). */
  private readonly tracksSyn: boolean;

  constructor(options: ConnectionTrackerOptions, listener: FlowListener) {
    const { idleTimeout, synTimeout, maxConnections } = options;
    checkTimeout('idleTimeout', idleTimeout);
    checkTimeout('synTimeout', synTimeout);
    const udpTimeout = options.udpTimeout ?? { sec: DEFAULT_UDP_TIMEOUT_NS / 1e9, nsec: 0 };
    checkTimeout('udpTimeout', udpTimeout);
    if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) {
      throw new RangeError(`maxConnections must be an integer ≥ 1, got ${maxConnections}`);
    }
    this.maxConnections = maxConnections;
    this.listener = listener;
    this.table = new ConnectionTable({
      initialCapacity: options.initialCapacity,
      maxCapacity: maxConnections,
    });
    this.expiry = new ExpiryQueue(this.table, idleTimeout, synTimeout, udpTimeout);
    this.tracksSyn = this.expiry.tracksSyn;
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
   *
   * The common case (a packet of a known connection, no SYN, no close) stays
   * in this method and touches the connection's two records; the rare
   * transitions are separate methods, which keeps this one small enough for
   * V8 to inline its helpers (docs/connections.md, "Performance").
   */
  packet(p: DecodedPacket, clockSec: number, clockNsec: number, ownSec: number, ownNsec: number): void {
    const expiry = this.expiry;
    if (expiry.anyDueBy(clockSec, clockNsec)) this.expireUntil(clockSec, clockNsec);
    this.listener.advance(clockSec, clockNsec);
    const key = this.key;
    setFlowKeyFromPacket(key, p);
    const table = this.table;
    const tcpFlags = p.tcpFlags;
    let slot = table.find(key);
    if (slot < 0 || (tcpFlags & SYN_ACK_MASK) === TCP_FLAG_SYN) {
      slot = this.synOrNew(p, slot, clockSec, clockNsec, ownSec, ownNsec);
    }

    const rec = table.rec;
    const o = slot * REC_STRIDE;
    let f = rec[o + R_META];
    const c2s = key.srcIsA === ((f & FLAG_CLIENT_IS_A) !== 0);
    const payload = p.payloadLength;
    const num = table.numChunks[slot >> table.chunkShift];
    const d = (slot & table.chunkMask) * NUM_STRIDE;
    if (c2s) {
      num[d + N_PACKETS_C2S]++;
      num[d + N_BYTES_C2S] += payload;
    } else {
      num[d + N_PACKETS_S2C]++;
      num[d + N_BYTES_S2C] += payload;
    }
    // File order, not the latest (SPEC §3): a backwards packet moves it back.
    num[d + N_LAST_SEC] = ownSec;
    rec[o + R_LAST_NSEC] = ownNsec;
    num[d + N_LAST_CLOCK_SEC] = clockSec;
    rec[o + R_LAST_CLOCK_NSEC] = clockNsec;
    expiry.lruTouch(slot);
    if ((f & FLAG_SYN_ONLY) !== 0) f = this.synOnlyPacket(slot, f, tcpFlags, c2s);
    if ((tcpFlags & TCP_FLAG_FIN) !== 0) f |= c2s ? FLAG_FIN_CLIENT : FLAG_FIN_SERVER;
    rec[o + R_META] = f;
    this.listener.packet(slot, c2s, payload);
    if ((tcpFlags & (TCP_FLAG_FIN | TCP_FLAG_RST)) !== 0 && (f & FLAG_CLOSED) === 0) {
      this.closeAt(slot, f, tcpFlags, clockSec, clockNsec);
    }
  }

  /**
   * A usable UDP packet (`p.skip === 0 && p.isUdp`), with the times of
   * `packet` (issue 12). A UDP flow is its 5-tuple, either direction; it
   * opens at its first packet, whose sender is its client, and leaves only by
   * its inactivity timeout (`idle`), eviction or the end of the capture. It
   * shares the table with TCP connections (the key holds the protocol) and is
   * on the UDP expiry list instead of the LRU list.
   */
  udpPacket(p: DecodedPacket, clockSec: number, clockNsec: number, ownSec: number, ownNsec: number): void {
    const expiry = this.expiry;
    if (expiry.anyDueBy(clockSec, clockNsec)) this.expireUntil(clockSec, clockNsec);
    this.listener.advance(clockSec, clockNsec);
    const key = this.key;
    setFlowKeyFromPacket(key, p);
    const table = this.table;
    let slot = table.find(key);
    if (slot < 0) slot = this.openUdpFlow(clockSec, clockNsec, ownSec, ownNsec);
    const c2s = key.srcIsA === ((table.rec[slot * REC_STRIDE + R_META] & FLAG_CLIENT_IS_A) !== 0);
    const payload = p.payloadLength;
    const num = table.numChunks[slot >> table.chunkShift];
    const d = (slot & table.chunkMask) * NUM_STRIDE;
    if (c2s) {
      num[d + N_PACKETS_C2S]++;
      num[d + N_BYTES_C2S] += payload;
    } else {
      num[d + N_PACKETS_S2C]++;
      num[d + N_BYTES_S2C] += payload;
    }
    const rec = table.rec;
    const o = slot * REC_STRIDE;
    num[d + N_LAST_SEC] = ownSec;
    rec[o + R_LAST_NSEC] = ownNsec;
    num[d + N_LAST_CLOCK_SEC] = clockSec;
    rec[o + R_LAST_CLOCK_NSEC] = clockNsec;
    expiry.udpTouch(slot);
    this.listener.packet(slot, c2s, payload);
  }

  /** Opens a UDP flow on the tracker's key: its client is the sender of this first packet. */
  private openUdpFlow(clockSec: number, clockNsec: number, ownSec: number, ownNsec: number): number {
    const table = this.table;
    const slot = this.insertEntry(clockSec, clockNsec, ownSec, ownNsec);
    table.recOf(slot)[table.recOffset(slot) + R_META] |= this.key.srcIsA ? FLAG_ACTIVE | FLAG_CLIENT_IS_A : FLAG_ACTIVE;
    this.expiry.udpPush(slot);
    if (table.size > this.peakOccupancy) this.peakOccupancy = table.size;
    this.listener.open(slot, clockSec, clockNsec, table);
    return slot;
  }

  /**
   * The part of opening a TCP connection or a UDP flow they share: makes room
   * in a full table, inserts the tracker's key, numbers the entry and sets its
   * first and last packet times. The caller sets its flags, puts it on its
   * expiry list and tells the listener.
   */
  private insertEntry(clockSec: number, clockNsec: number, ownSec: number, ownNsec: number): number {
    const table = this.table;
    if (table.size >= this.maxConnections) this.evictOldest(clockSec, clockNsec);
    const slot = table.insert(this.key);
    const rec = table.recOf(slot);
    const o = table.recOffset(slot);
    const num = table.numOf(slot);
    const d = table.numOffset(slot);
    num[d + N_CONN] = this.opened++;
    num[d + N_FIRST_SEC] = ownSec;
    table.coldOf(slot)[table.coldOffset(slot) + C_FIRST_NSEC] = ownNsec;
    num[d + N_LAST_SEC] = ownSec;
    rec[o + R_LAST_NSEC] = ownNsec;
    num[d + N_LAST_CLOCK_SEC] = clockSec;
    rec[o + R_LAST_CLOCK_NSEC] = clockNsec;
    return slot;
  }

  /**
   * A packet of a connection in the SYN-only state (whose clock was just
   * moved): a SYN from the client keeps it there, anything else ends it.
   * Returns the new flags.
   */
  private synOnlyPacket(slot: number, f: number, tcpFlags: number, c2s: boolean): number {
    if ((tcpFlags & SYN_ACK_MASK) === TCP_FLAG_SYN && c2s) {
      if (this.tracksSyn) this.expiry.synTouch(slot);
      return f;
    }
    if (this.tracksSyn) this.expiry.synRemove(slot);
    return f & ~FLAG_SYN_ONLY;
  }

  /** A FIN or RST on a connection not yet closed: closes it when `closeAtPacket` says so. */
  private closeAt(slot: number, f: number, tcpFlags: number, clockSec: number, clockNsec: number): void {
    const reason = closeAtPacket(tcpFlags, f);
    if (reason === CloseReason.OPEN) return;
    // Closed connections leave only by idle expiry, a new SYN, eviction or the end.
    if ((f & FLAG_SYN_ONLY) !== 0 && this.tracksSyn) this.expiry.synRemove(slot);
    const table = this.table;
    table.recOf(slot)[table.recOffset(slot) + R_META] = (f & ~FLAG_SYN_ONLY) | FLAG_CLOSED;
    table.setCloseReason(slot, reason);
    this.deactivateSlot(slot, clockSec, clockNsec);
  }

  /**
   * The slot of a packet that is a SYN without ACK or that matched no
   * connection (`slot` = -1), opening a connection when it starts one.
   */
  private synOrNew(
    p: DecodedPacket,
    slot: number,
    clockSec: number,
    clockNsec: number,
    ownSec: number,
    ownNsec: number,
  ): number {
    const synNoAck = (p.tcpFlags & SYN_ACK_MASK) === TCP_FLAG_SYN;
    if (slot >= 0) {
      // SPEC §3: a SYN without ACK on a known connection, checked in this order.
      const table = this.table;
      const rec = table.recOf(slot);
      const o = table.recOffset(slot);
      const f = rec[o + R_META];
      if ((f & FLAG_CLOSED) !== 0) {
        // Closed by FIN or RST: the old connection leaves, a new one opens.
        this.removeSlot(slot);
        slot = -1;
      } else if (this.key.srcIsA === ((f & FLAG_CLIENT_IS_A) !== 0)) {
        // From the client: a retransmission when it carries the client's ISN, else port reuse.
        if ((f & FLAG_ISN_KNOWN) === 0 || rec[o + R_ISN] !== (p.seq | 0)) {
          table.setCloseReason(slot, CloseReason.PORT_REUSE);
          this.deactivateSlot(slot, clockSec, clockNsec);
          this.removeSlot(slot);
          slot = -1;
        }
      }
      // From the server: simultaneous open, same connection.
      if (slot >= 0) return slot;
    }
    return this.openConnection(p, synNoAck, clockSec, clockNsec, ownSec, ownNsec);
  }

  /**
   * Any record that is not a usable TCP packet still moves the replay clock
   * (SPEC §1): expiries due at or before (clockSec, clockNsec) happen, then
   * `advance(clockSec, clockNsec)`.
   */
  advanceClock(clockSec: number, clockNsec: number): void {
    if (this.expiry.anyDueBy(clockSec, clockNsec)) this.expireUntil(clockSec, clockNsec);
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
    // Every deadline before the last clock has passed, so a deadline not
    // after it is exactly it; there is none unless the earliest one is it.
    const someDueAtLast = expiry.nextDeadline() && expiry.deadlineSec === lastSec && expiry.deadlineNsec === lastNsec;
    this.listener.advance(lastSec, lastNsec);
    expiry.collectAll();
    const table = this.table;
    const due = expiry.due;
    const n = expiry.dueCount;
    for (let k = 0; k < n; k++) {
      const slot = due[k];
      if (table.isActive(slot)) {
        table.setCloseReason(
          slot,
          someDueAtLast && expiry.dueBy(slot, lastSec, lastNsec)
            ? expiry.expiryReason(slot, lastSec, lastNsec)
            : CloseReason.END_OF_TRACE,
        );
        this.deactivateSlot(slot, lastSec, lastNsec);
      }
      // Everything leaves: no unlinking or index deletion one by one, the
      // table and the lists are emptied at once below.
      this.listener.remove(slot);
      this.closedByReason[table.closeReason(slot)]++;
    }
    expiry.dueCount = 0;
    expiry.clear();
    table.clear();
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
    // The deadline came from the heads of the lists, so a head is due at it;
    // none would mean a stale cached deadline, and this loop would not end.
    if (expiry.dueCount === 0) throw new Error(`internal: no connection due at deadline ${sec}.${nsec}`);
    this.listener.advance(sec, nsec);
    for (let k = 0; k < expiry.dueCount; k++) {
      const slot = expiry.due[k];
      if (table.isActive(slot)) {
        table.setCloseReason(slot, expiry.expiryReason(slot, sec, nsec));
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
    const key = this.key;
    const slot = this.insertEntry(clockSec, clockNsec, ownSec, ownNsec);
    const rec = table.recOf(slot);
    const o = table.recOffset(slot);
    // SPEC §3: the client is decided from the first packet and never revised.
    let clientIsSender: boolean;
    let f = FLAG_ACTIVE;
    if (synNoAck) {
      clientIsSender = true;
      f |= FLAG_SYN_SEEN | FLAG_SYN_ONLY | FLAG_ISN_KNOWN;
      rec[o + R_ISN] = p.seq;
    } else if ((p.tcpFlags & SYN_ACK_MASK) === SYN_ACK_MASK) {
      // A SYN-ACK acknowledges the client's ISN + 1.
      clientIsSender = false;
      f |= FLAG_ISN_KNOWN;
      rec[o + R_ISN] = p.ack - 1;
    } else {
      // Seen mid-stream: the higher port is the client (ephemeral); on a tie, the sender.
      clientIsSender = p.srcPort >= p.dstPort;
    }
    if (clientIsSender === key.srcIsA) f |= FLAG_CLIENT_IS_A;
    rec[o + R_META] |= f;
    const expiry = this.expiry;
    expiry.lruPush(slot);
    if ((f & FLAG_SYN_ONLY) !== 0 && this.tracksSyn) expiry.synPush(slot);
    if (table.size > this.peakOccupancy) this.peakOccupancy = table.size;
    this.listener.open(slot, clockSec, clockNsec, table);
    return slot;
  }

  /** Makes room in a full table: the entry with the oldest last packet leaves. */
  private evictOldest(clockSec: number, clockNsec: number): void {
    const slot = this.expiry.oldest();
    this.evictions++;
    if (this.table.isActive(slot)) {
      this.table.setCloseReason(slot, CloseReason.EVICTED);
      this.deactivateSlot(slot, clockSec, clockNsec);
    }
    this.removeSlot(slot);
  }

  private deactivateSlot(slot: number, sec: number, nsec: number): void {
    const table = this.table;
    table.recOf(slot)[table.recOffset(slot) + R_META] &= ~FLAG_ACTIVE;
    this.listener.deactivate(slot, sec, nsec);
  }

  /** Unlinks, reports (`remove`: the row is final), counts and frees. */
  private removeSlot(slot: number): void {
    const table = this.table;
    const expiry = this.expiry;
    if (table.proto(slot) === IPPROTO_UDP) expiry.udpRemove(slot);
    else {
      expiry.lruRemove(slot);
      if ((table.flags(slot) & FLAG_SYN_ONLY) !== 0 && this.tracksSyn) expiry.synRemove(slot);
    }
    this.listener.remove(slot);
    this.closedByReason[table.closeReason(slot)]++;
    table.free(slot);
  }
}

function checkTimeout(name: string, d: Duration): void {
  if (!isValidDuration(d)) {
    throw new RangeError(`${name} must be whole seconds from 0 to ${MAX_SECONDS} and nanoseconds below 1e9, got ${d.sec} s ${d.nsec} ns`);
  }
}
