/**
 * Ground truth of a synthetic capture: what the generator knows about every
 * connection it wrote, so that tests can hold the project's connection
 * reconstruction (SPEC §3) against it. One object per connection, made when
 * the connection's last packet is written (or when the capture ends), never
 * per packet.
 */
import { CONNECTION_COLUMNS } from '../flows/connection-row.js';
import { formatDuration, formatRelative } from '../time.js';

/**
 * How a generated connection ended, by what its written packets say. A closed list:
 * - `fin`: both sides sent a FIN (the tracker's close reason `fin`), even
 *   when the capture ended before the last ACK;
 * - `rst`: one side sent a RST (`rst`);
 * - `unfinished`: the connection simply stopped sending, with no FIN or RST
 *   (the tracker closes it as `idle`, or `end-of-trace` when the capture ends
 *   before its idle timeout);
 * - `syn-only`: a SYN and its retransmissions were never answered
 *   (`syn-timeout`, or `end-of-trace`);
 * - `cut`: the capture ended (duration or budget reached) before both FINs
 *   or a RST were written (`end-of-trace`).
 */
export type ConnectionEnd = 'fin' | 'rst' | 'unfinished' | 'syn-only' | 'cut';

export const CONNECTION_ENDS: readonly ConnectionEnd[] = ['fin', 'rst', 'unfinished', 'syn-only', 'cut'];

/** One generated connection as written to the capture. */
export interface ConnectionTruth {
  /** Order of the connection's SYN in the capture, from 0 (the tracker's `conn` for a capture that starts empty). */
  id: number;
  ipVersion: 4 | 6;
  /** Dotted IPv4 or RFC 5952 IPv6 text, as `connections` prints them. */
  clientAddr: string;
  clientPort: number;
  serverAddr: string;
  serverPort: number;
  /**
   * Time of the first and the last packet, integer nanoseconds after the
   * capture's `startSec`, at the file's resolution (whole microseconds in a
   * microsecond pcap): exactly what a reader gets back.
   */
  firstNs: number;
  lastNs: number;
  /** Time of the packet that closed it (the second side's FIN, or a RST), same scale; NaN when none was written. */
  closeNs: number;
  /** Packets written, each way. */
  packetsC2s: number;
  packetsS2c: number;
  /** TCP payload bytes of those packets (from the headers, SPEC §2), each way. */
  bytesC2s: number;
  bytesS2c: number;
  end: ConnectionEnd;
  /** Who sent the first FIN or the RST; `none` when no FIN or RST was written. */
  closedBy: 'client' | 'server' | 'none';
  /** Request/response exchanges started (TLS handshake exchanges included). */
  exchanges: number;
  /** The connection's round-trip time as seen from the server, nanoseconds. */
  rttNs: number;
  /**
   * Order of the connection's first written packet among all connections,
   * from 0, ties in file order: the `conn` that `connections` gives it. Equal
   * to `id` for a capture that starts empty; differs after a pre-roll, where
   * connections already open appear first by their first packet in the file.
   */
  conn: number;
  /** The first written packet was the client's SYN without ACK (`syn_seen`). */
  synSeen: boolean;
  /** Every written packet was a SYN without ACK from the client (the tracker's syn timeout applies). */
  synOnly: boolean;
}

/** Columns of the ground-truth CSV; the shared ones are named as in `connections` (CONNECTION_COLUMNS). */
export const TRUTH_COLUMNS = [
  // conn … bytes_s2c: the same columns as `connections` rows.
  ...CONNECTION_COLUMNS.slice(0, CONNECTION_COLUMNS.indexOf('bytes_s2c') + 1),
  'end',
  'closed_by',
  'exchanges',
  'rtt',
] as const;

/**
 * The columns `conn` … `bytes_s2c` shared with `connections` rows, the first
 * one being `first` (the truth CSV's `id`, the `connections` row's `conn`);
 * times as epoch seconds with 9 decimals, `startSec` being the capture's start.
 */
export function sharedColumns(t: ConnectionTruth, first: number, startSec: number): string[] {
  return [
    String(first),
    formatRelative(startSec, t.firstNs),
    formatRelative(startSec, t.lastNs),
    formatDuration(t.lastNs - t.firstNs),
    t.clientAddr,
    String(t.clientPort),
    t.serverAddr,
    String(t.serverPort),
    'tcp',
    String(t.packetsC2s),
    String(t.packetsS2c),
    String(t.bytesC2s),
    String(t.bytesS2c),
  ];
}

/** The CSV row of `t` (times as epoch seconds with 9 decimals, `startSec` being the capture's start). */
export function truthRow(t: ConnectionTruth, startSec: number): string[] {
  return [
    ...sharedColumns(t, t.id, startSec),
    t.end,
    t.closedBy,
    String(t.exchanges),
    formatDuration(t.rttNs),
  ];
}
