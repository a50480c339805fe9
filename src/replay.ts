/**
 * The replay (SPEC §4–§6): one pass over the capture feeds the connection
 * tracker, whose events drive every policy's dispatcher and the sampler at
 * once; the result is the histograms and the summary.
 */
import type { CaptureStats } from './pass.js';
import { trackConnections } from './track.js';
import { normalizeOptions, type ReplayOptions, type ResolvedOptions } from './options.js';
import type { ConnectionTable } from './flows/table.js';
import { CLOSE_REASON_NAMES } from './flows/events.js';
import type { EndpointSource, Endpoints } from './dispatch/policy.js';
import { createReplayEngine, type ReplayResults } from './sampler/sampler.js';
import { buildReplaySummary, type ReplaySummary } from './output/replay-summary.js';
import { nothingMeasuredReason } from './warnings.js';
import { ReplayError } from './errors.js';

export interface ReplaySinks {
  /** Receives the `--timeseries` CSV text as it is produced. */
  timeseries?: (chunk: string) => void;
  /** Receives the `--assignments` CSV text as it is produced. */
  assignments?: (chunk: string) => void;
  onProgress?: (bytes: number, total: number | undefined, packets: number, connections: number) => void;
}

export interface ReplayRun {
  options: ResolvedOptions;
  stats: CaptureStats;
  results: ReplayResults;
  summary: ReplaySummary;
}

/** Reads a connection's endpoints from the tracker's table for the dispatcher. */
class TableEndpoints implements EndpointSource {
  table: ConnectionTable | undefined;
  readEndpoints(slot: number, out: Endpoints): void {
    const t = this.table!;
    out.conn = t.conn(slot);
    out.ipVersion = t.ipVersion(slot);
    t.clientAddr(slot, out.clientAddr);
    out.clientPort = t.clientPort(slot);
    t.serverAddr(slot, out.serverAddr);
    out.serverPort = t.serverPort(slot);
  }
}

export async function runReplay(files: readonly string[], options: ReplayOptions, sinks: ReplaySinks = {}): Promise<ReplayRun> {
  const resolved = normalizeOptions(options);
  const endpoints = new TableEndpoints();
  const timeBase = { baseSec: 0 };
  const engine = createReplayEngine({
    policies: resolved.policies,
    servers: resolved.servers,
    seed: resolved.seed,
    interval: resolved.interval,
    binWidth: resolved.binWidth,
    direction: resolved.direction,
    services: resolved.services,
    endpoints,
    timeBase,
    timeseries: sinks.timeseries,
    assignments: sinks.assignments,
  });
  const { tracker, stats } = await trackConnections(files, resolved, engine, {
    onTracker: (t) => {
      endpoints.table = t.table;
    },
    onBase: (sec) => {
      timeBase.baseSec = sec;
    },
    onProgress: sinks.onProgress,
  });
  if (stats.started) engine.finish(stats.clockSec, stats.clockNsec);
  const results = engine.results();
  const connectionsByReason: Record<string, number> = {};
  for (let i = 1; i < CLOSE_REASON_NAMES.length; i++) {
    if (tracker.closedByReason[i] > 0) connectionsByReason[CLOSE_REASON_NAMES[i]] = tracker.closedByReason[i];
  }
  const summary = buildReplaySummary({
    results,
    capture: {
      packets: stats.packets,
      bytes: stats.tcpPayloadBytes,
      connectionsByReason,
      skippedByReason: stats.skippedByName(),
      backwards: stats.backwards,
      tso: stats.tso,
      baseSec: stats.baseSec,
      firstSec: stats.firstSec,
      firstNsec: stats.firstNsec,
      clockSec: stats.clockSec,
      clockNsec: stats.clockNsec,
    },
    direction: resolved.direction,
    seed: resolved.seed,
    services: resolved.services,
  });
  const first = results.policies[0];
  const reason = nothingMeasuredReason({
    packets: stats.packets,
    outsideWindow: stats.outsideWindow,
    tcpPackets: stats.tcpPackets,
    connections: tracker.opened,
    dispatched: results.connectionsReplayed,
    samples: results.samples,
    measuredSamples: {
      connections: first.connections.samples - first.connections.idle,
      bytes: first.bytes.samples - first.bytes.idle,
    },
    services: resolved.services,
    span: summary.capture.duration ?? '0',
    interval: summary.replay.interval,
  });
  if (reason !== undefined) {
    if (resolved.strict) throw new ReplayError('STRICT_WARNING', `${reason} (--strict)`);
    stats.warningLog.once('nothing-measured', undefined, reason);
  }
  summary.warnings = stats.warningLog.toJSON();
  return { options: resolved, stats, results, summary };
}
