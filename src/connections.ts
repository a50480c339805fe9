/**
 * `connections`: the capture's TCP connections, one row each when it leaves
 * the table (SPEC §3), or the distributions of lifetime and bytes (Figure 3).
 */
import type { CaptureStats } from './pass.js';
import { trackConnections } from './track.js';
import { normalizeOptions, type ReplayOptions } from './options.js';
import { nothingMeasuredReason } from './warnings.js';
import { ReplayError } from './errors.js';
import type { ConnectionTracker } from './flows/tracker.js';
import type { FlowListener } from './flows/events.js';
import { connectionRow } from './flows/connection-row.js';
import { DistributionHistogram, type BinKind } from './output/distribution.js';
import { NS_PER_SEC } from './time.js';

export { CONNECTION_COLUMNS } from './flows/connection-row.js';

export interface ConnectionsHandlers {
  /** Called with each finished connection's row (a reused array: copy what you keep). */
  row?: (fields: string[]) => void;
  /** Collect the lifetime and bytes distributions with these bins. */
  distribution?: { bins: BinKind; durationWidth?: string; bytesWidth?: string };
  onProgress?: (bytes: number, total: number | undefined, packets: number, connections: number) => void;
}

export interface ConnectionsResult {
  stats: CaptureStats;
  /** Connections opened. */
  connections: number;
  /** Connections by close reason (index = CloseReason). */
  closedByReason: Float64Array;
  evictions: number;
  peakOccupancy: number;
  duration?: DistributionHistogram;
  bytes?: DistributionHistogram;
}

export async function runConnections(
  files: readonly string[],
  options: ReplayOptions,
  handlers: ConnectionsHandlers = {},
): Promise<ConnectionsResult> {
  const resolved = normalizeOptions(options);
  const fields: string[] = [];
  let baseSec = 0;
  let duration: DistributionHistogram | undefined;
  let bytes: DistributionHistogram | undefined;
  if (handlers.distribution) {
    const d = handlers.distribution;
    duration = new DistributionHistogram('duration', d.bins, 9, d.durationWidth ?? '1');
    bytes = new DistributionHistogram('bytes', d.bins, 0, d.bytesWidth ?? '1000');
  }
  const rowHandler = handlers.row;
  let tracker!: ConnectionTracker;
  // Per slot: the instant of its `deactivate` (the `active_until` column), kept until `remove`.
  let untilSec = new Float64Array(1024);
  let untilNsec = new Int32Array(1024);
  const listener: FlowListener = {
    advance() {},
    open() {},
    packet() {},
    deactivate(slot, sec, nsec) {
      if (slot >= untilSec.length) {
        const size = Math.max(slot + 1, untilSec.length * 2);
        const s = new Float64Array(size);
        s.set(untilSec);
        untilSec = s;
        const n = new Int32Array(size);
        n.set(untilNsec);
        untilNsec = n;
      }
      untilSec[slot] = sec;
      untilNsec[slot] = nsec;
    },
    remove(slot) {
      const table = tracker.table;
      if (duration !== undefined && bytes !== undefined) {
        // Integer ns, exact below 2^53 ns (104 days). A negative duration (the
        // capture's timestamps go backwards within the connection) counts as 0:
        // the histogram's bins start at 0 (docs/connections.md).
        const ns = (table.lastSec(slot) - table.firstSec(slot)) * NS_PER_SEC + (table.lastNsec(slot) - table.firstNsec(slot));
        duration.add(ns > 0 ? ns : 0);
        bytes.add(table.bytesC2s(slot) + table.bytesS2c(slot));
      }
      if (rowHandler !== undefined) rowHandler(connectionRow(table, slot, baseSec, untilSec[slot], untilNsec[slot], fields));
    },
  };
  const run = await trackConnections(files, resolved, listener, {
    onTracker: (t) => {
      tracker = t;
    },
    onBase: (sec) => {
      baseSec = sec;
    },
    onProgress: handlers.onProgress,
  });
  const reason = nothingMeasuredReason({
    packets: run.stats.packets,
    outsideWindow: run.stats.outsideWindow,
    tcpPackets: run.stats.tcpPackets,
    udpPackets: run.stats.udpPackets,
    proto: resolved.proto,
    connections: tracker.opened,
  });
  if (reason !== undefined) {
    if (resolved.strict) throw new ReplayError('STRICT_WARNING', `${reason} (--strict)`);
    run.stats.warningLog.once('nothing-measured', undefined, reason);
  }
  return {
    stats: run.stats,
    connections: tracker.opened,
    closedByReason: tracker.closedByReason,
    evictions: tracker.evictions,
    peakOccupancy: tracker.peakOccupancy,
    duration,
    bytes,
  };
}
