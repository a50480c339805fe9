/**
 * The ground truth of a synthetic capture as `anycast-replay connections`
 * prints it (SPEC §3, docs/connections.md): the same columns, the same number
 * formats, the same close reasons and the same row order, so that
 * `connections` on the capture reproduces the file byte for byte with the
 * default timeouts.
 *
 * What the generator knows (ConnectionTruth: first and last written packet,
 * packets and bytes each way, which FINs and RSTs were written, whether every
 * packet was a bare SYN) decides the tracker's verdict:
 * - a connection leaves the table `idleTimeoutNs` after its last packet
 *   (`synTimeoutNs` if it never got past its SYN): its removal instant R;
 * - closed by both FINs → `fin`, by a RST → `rst`, else the timeout's reason
 *   (`idle`, `syn-timeout`);
 * - `active_until` is the closing packet for `fin` and `rst`, R for the
 *   timeouts, and the capture's last packet for `end-of-trace`;
 * - rows leave in order of R, ties by `conn`, when R is before the capture's
 *   last packet; the others leave at the end of the capture, in `conn` order,
 *   with `end-of-trace` unless closed or due exactly at the last packet.
 *
 * The generator writes no two connections on one 4-tuple within a timeout of
 * each other (port reuse and a SYN on a closed connection's endpoints would
 * change the order), and no backwards timestamps.
 *
 * Streaming: rows wait in a heap keyed by (R, conn) only until no connection
 * still to come can leave before them, so memory holds the connections of
 * about one idle timeout (plus the lifetime cap), never the capture's.
 */
import { CONNECTION_COLUMNS } from '../flows/connection-row.js';
import { csvLine } from '../output/csv.js';
import { formatRelative } from '../time.js';
import { sharedColumns, type ConnectionTruth } from './truth.js';

const NS_PER_SEC = 1_000_000_000;
/** The default `--idle-timeout` and `--syn-timeout` of `connections` (SPEC §3), in ns. */
export const DEFAULT_IDLE_TIMEOUT_NS = 300 * NS_PER_SEC;
export const DEFAULT_SYN_TIMEOUT_NS = 60 * NS_PER_SEC;

interface Pending {
  removeNs: number;
  conn: number;
  truth: ConnectionTruth;
}

export interface ConnectionsTruthOptions {
  /** Epoch second of the capture's time 0 (the generator's startSec). */
  startSec: number;
  /** Longest time between a connection's last written packet and its report (the generator's lifetime cap; 0 without one). */
  reportDelayNs?: number;
  idleTimeoutNs?: number;
  synTimeoutNs?: number;
}

/** Builds the `connections` CSV of a generated capture from its ConnectionTruth stream. */
export class ConnectionsTruthWriter {
  private readonly heap: Pending[] = [];
  private readonly startSec: number;
  private readonly reportDelayNs: number;
  private readonly idleNs: number;
  private readonly synNs: number;
  /** Latest last packet reported so far: the capture's last packet is at or after it. */
  private maxLastNs = -Infinity;
  rows = 0;

  constructor(
    options: ConnectionsTruthOptions,
    private readonly write: (text: string) => void,
  ) {
    this.startSec = options.startSec;
    this.reportDelayNs = options.reportDelayNs ?? 0;
    this.idleNs = options.idleTimeoutNs ?? DEFAULT_IDLE_TIMEOUT_NS;
    this.synNs = options.synTimeoutNs ?? DEFAULT_SYN_TIMEOUT_NS;
    write(csvLine(CONNECTION_COLUMNS));
  }

  /**
   * One connection, reported by the generator at `nowNs` (its clock then).
   * Connections still to come end after `nowNs − reportDelayNs`, hence leave
   * the table after that plus the shorter timeout: every row due before that
   * is final and is written.
   */
  add(t: ConnectionTruth, nowNs: number): void {
    const removeNs = t.lastNs + (t.synOnly ? this.synNs : this.idleNs);
    this.push({ removeNs, conn: t.conn, truth: t });
    if (t.lastNs > this.maxLastNs) this.maxLastNs = t.lastNs;
    let mark = nowNs - this.reportDelayNs + Math.min(this.synNs, this.idleNs) - 1_000;
    if (mark > this.maxLastNs) mark = this.maxLastNs;
    this.flushBefore(mark);
  }

  /** The capture ended with its last packet at `lastNs` (ns after startSec): writes every row left. */
  finish(lastNs: number): void {
    this.flushBefore(lastNs);
    const rest = this.heap.splice(0).sort((a, b) => a.conn - b.conn);
    for (const p of rest) {
      const closed = this.closeOf(p.truth);
      if (closed !== undefined) this.emit(p.truth, closed, p.truth.closeNs);
      else if (p.removeNs === lastNs) this.emit(p.truth, p.truth.synOnly ? 'syn-timeout' : 'idle', lastNs);
      else this.emit(p.truth, 'end-of-trace', lastNs);
    }
  }

  private closeOf(t: ConnectionTruth): string | undefined {
    if (t.end === 'fin') return 'fin';
    if (t.end === 'rst') return 'rst';
    return undefined;
  }

  /** Writes, in (R, conn) order, the rows whose removal instant is before `ns`. */
  private flushBefore(ns: number): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0].removeNs < ns) {
      const p = this.pop();
      const closed = this.closeOf(p.truth);
      if (closed !== undefined) this.emit(p.truth, closed, p.truth.closeNs);
      else this.emit(p.truth, p.truth.synOnly ? 'syn-timeout' : 'idle', p.removeNs);
    }
  }

  /** Writes the row of `t`, closed as `close`, active for the balancer until `activeUntilNs` (the `active_until` column). */
  private emit(t: ConnectionTruth, close: string, activeUntilNs: number): void {
    this.rows++;
    this.write(
      csvLine([...sharedColumns(t, t.conn, this.startSec), close, t.synSeen ? '1' : '0', formatRelative(this.startSec, activeUntilNs)]),
    );
  }

  private less(a: Pending, b: Pending): boolean {
    return a.removeNs < b.removeNs || (a.removeNs === b.removeNs && a.conn < b.conn);
  }

  private push(p: Pending): void {
    const heap = this.heap;
    let k = heap.length;
    heap.push(p);
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.less(p, heap[parent])) break;
      heap[k] = heap[parent];
      k = parent;
    }
    heap[k] = p;
  }

  private pop(): Pending {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let k = 0;
      const n = heap.length;
      for (;;) {
        let c = 2 * k + 1;
        if (c >= n) break;
        if (c + 1 < n && this.less(heap[c + 1], heap[c])) c++;
        if (!this.less(heap[c], last)) break;
        heap[k] = heap[c];
        k = c;
      }
      heap[k] = last;
    }
    return top;
  }
}
