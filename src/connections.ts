/**
 * `connections`: the capture's TCP connections, one row each when it leaves
 * the table (SPEC §3), or the distributions of lifetime and bytes (Figure 3).
 */
import { runPass, type CaptureStats } from './pass.js';
import { normalizeOptions, type ReplayOptions } from './options.js';
import { ConnectionTracker } from './flows/tracker.js';
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
  let tracker: ConnectionTracker;
  const listener: FlowListener = {
    advance() {},
    open() {},
    packet() {},
    deactivate() {},
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
      if (rowHandler !== undefined) rowHandler(connectionRow(table, slot, baseSec, fields));
    },
  };
  tracker = new ConnectionTracker(
    { idleTimeoutNs: resolved.idleTimeoutNs, synTimeoutNs: resolved.synTimeoutNs, maxConnections: resolved.maxConnections },
    listener,
  );
  let statsRef: CaptureStats | undefined;
  const progress = handlers.onProgress;
  const stats = await runPass(
    files,
    {
      tcpPacket(decoded, clockSec, clockNsec, ownSec, ownNsec) {
        tracker.packet(decoded, clockSec, clockNsec, ownSec, ownNsec);
      },
      otherRecord(clockSec, clockNsec) {
        tracker.advanceClock(clockSec, clockNsec);
      },
    },
    {
      fromNs: resolved.fromNs,
      toNs: resolved.toNs,
      strict: resolved.strict,
      onStart: (s) => {
        statsRef = s;
      },
      onBase: (sec) => {
        baseSec = sec;
      },
      onProgress: progress
        ? (b, t) => progress(b, t, statsRef?.packets ?? 0, tracker.opened)
        : undefined,
    },
  );
  if (stats.started) tracker.finish(stats.clockSec, stats.clockNsec);
  return {
    stats,
    connections: tracker.opened,
    closedByReason: tracker.closedByReason,
    evictions: tracker.evictions,
    peakOccupancy: tracker.peakOccupancy,
    duration,
    bytes,
  };
}
