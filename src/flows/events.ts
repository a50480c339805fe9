/**
 * How the connection tracker tells the rest of the pipeline what happens
 * (SPEC §3–§5). One listener object, its methods called in time order; no
 * closures or objects per packet. A time is a pair of integers (`sec`,
 * `nsec`): whole seconds relative to the capture's base second (the first
 * record's, see src/time.ts) and nanoseconds 0 ≤ nsec < 1e9. The pair is
 * exact over any span (merged captures jump years; a double of nanoseconds is
 * exact for only 104 days), and both halves stay small integers, so passing
 * them allocates nothing. Times are on the replay clock (the largest
 * timestamp seen so far, SPEC §1).
 *
 * `slot` identifies a connection while it is in the table; a slot is reused
 * after `remove`. Listeners read the connection's fields from the table
 * (`ConnectionTable`, given with `open`) by slot.
 */
import type { ConnectionTable } from './table.js';

export interface FlowListener {
  /**
   * Called before anything happens at instant (sec, nsec) (a packet, an expiry,
   * the end of the capture): everything strictly before it has been
   * reported. Sample instants ≤ it are taken here, before the events at that
   * instant (SPEC §5: events at a sample instant come after the sample).
   * Never decreases.
   */
  advance(sec: number, nsec: number): void;
  /**
   * A connection opened at (sec, nsec) (its first packet): dispatch it now.
   * `table` holds it in `slot` (read its endpoints there).
   */
  open(slot: number, sec: number, nsec: number, table: ConnectionTable): void;
  /**
   * A packet of an open or closed-but-present connection, at the current
   * clock, `c2s` when sent by the client, with its TCP payload bytes.
   */
  packet(slot: number, c2s: boolean, payloadBytes: number): void;
  /**
   * The connection stops being active for the balancer and the sampler at
   * (sec, nsec) (FIN/RST at their packet, an expiry at its instant, port reuse at
   * the new SYN, eviction, end of trace). Called once per connection, before
   * `remove` when both happen at the same time.
   */
  deactivate(slot: number, sec: number, nsec: number): void;
  /** The connection leaves the table: its row is final. The slot is freed after this returns. */
  remove(slot: number): void;
}

/** Why a connection closed (SPEC §3), a closed list. */
export const CloseReason = {
  /** Still open (never reported in a row). */
  OPEN: 0,
  /** The packet carrying the second side's FIN. */
  FIN: 1,
  /** Any RST. */
  RST: 2,
  /** A SYN from the client with a new initial sequence number on the same endpoints. */
  PORT_REUSE: 3,
  /** No packet for --idle-timeout. */
  IDLE: 4,
  /** Only SYNs from the client, none for --syn-timeout. */
  SYN_TIMEOUT: 5,
  /** Pushed out of a full table (--max-connections). */
  EVICTED: 6,
  /** Still open at the capture's last packet. */
  END_OF_TRACE: 7,
} as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

export const CLOSE_REASON_NAMES: readonly string[] = [
  'open',
  'fin',
  'rst',
  'port-reuse',
  'idle',
  'syn-timeout',
  'evicted',
  'end-of-trace',
];
