/**
 * One pass over a capture through the replay engine (SPEC §3–§5): the
 * connection tracker (src/track.ts) feeds a ReplayEngine built for the given
 * policy instances; the result is the engine's distributions and totals and
 * the capture-level counts, before any summary. The main command
 * (src/replay.ts) and the engine of configurations (./configurations.ts)
 * both stand on it.
 */
import type { CaptureStats } from '../pass.js';
import { trackConnections } from '../track.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionTracker } from '../flows/tracker.js';
import { CLOSE_REASON_NAMES } from '../flows/events.js';
import type { PolicyConfig } from '../dispatch/policy.js';
import { policyConfigs } from '../dispatch/dispatcher.js';
import { createReplayEngine, type ReplayResults } from './replay-engine.js';
import type { CaptureTotals } from '../output/replay-summary.js';
import { nothingMeasuredReason } from '../warnings.js';
import { ReplayError } from '../errors.js';
import type { ServerEvent } from '../dispatch/server-events.js';

export interface PassSinks {
  /** Receives the `--timeseries` CSV text as it is produced. */
  timeseries?: (chunk: string) => void;
  /** Receives the `--assignments` CSV text as it is produced. */
  assignments?: (chunk: string) => void;
  /** Receives the `--events-output` CSV text as events are applied. */
  eventsOutput?: (chunk: string) => void;
  /** `--event`: server changes, checked and in time order (src/engine/server-events.ts). */
  events?: readonly ServerEvent[];
  onProgress?: (bytes: number, total: number | undefined, packets: number, connections: number) => void;
}

/** What one pass over a capture gives, before the summary. */
export interface ReplayPass {
  options: ResolvedOptions;
  stats: CaptureStats;
  tracker: ConnectionTracker;
  results: ReplayResults;
  capture: CaptureTotals;
}

/**
 * One pass over `files` feeding the policy instances `configs` (by default
 * the options' policies with its servers and seed).
 */
export async function replayPass(
  files: readonly string[],
  resolved: ResolvedOptions,
  configs: readonly PolicyConfig[] | undefined,
  sinks: PassSinks = {},
): Promise<ReplayPass> {
  const engine = createReplayEngine({
    configs: configs ?? policyConfigs(resolved.policies, resolved.servers, resolved.seed, resolved.policyParams),
    interval: resolved.interval,
    binWidth: resolved.binWidth,
    direction: resolved.direction,
    services: resolved.services,
    timeseries: sinks.timeseries,
    assignments: sinks.assignments,
    measures: resolved.imbalance,
    events: sinks.events ?? resolved.events,
    eventsOutput: sinks.eventsOutput,
    granularity: resolved.granularity,
  });
  const { tracker, stats } = await trackConnections(files, resolved, engine, {
    onBase: (sec) => engine.start(sec),
    onProgress: sinks.onProgress,
  });
  if (stats.started) engine.finish(stats.clockSec, stats.clockNsec);
  const results = engine.results();
  const connectionsByReason: Record<string, number> = {};
  for (let i = 1; i < CLOSE_REASON_NAMES.length; i++) {
    if (tracker.closedByReason[i] > 0) connectionsByReason[CLOSE_REASON_NAMES[i]] = tracker.closedByReason[i];
  }
  const capture: CaptureTotals = {
    packets: stats.packets,
    bytes: stats.tcpPayloadBytes + stats.udpPayloadBytes,
    connectionsByReason,
    skippedByReason: stats.skippedByName(),
    backwards: stats.backwards,
    tso: stats.tso,
    baseSec: stats.baseSec,
    firstSec: stats.firstSec,
    firstNsec: stats.firstNsec,
    clockSec: stats.clockSec,
    clockNsec: stats.clockNsec,
  };
  return { options: resolved, stats, tracker, results, capture };
}

/**
 * The "nothing measured" check (src/warnings.ts) after a pass: a failure
 * under --strict, else a warning in the pass's log. `span` and `interval`
 * are the summary's texts.
 */
export function checkSomethingMeasured(pass: ReplayPass, span: string, interval: string): void {
  const { stats, results, tracker, options } = pass;
  const first = results.policies[0];
  const reason = nothingMeasuredReason({
    packets: stats.packets,
    outsideWindow: stats.outsideWindow,
    tcpPackets: stats.tcpPackets,
    udpPackets: stats.udpPackets,
    proto: options.proto,
    connections: tracker.opened,
    dispatched: results.connectionsReplayed,
    samples: results.samples,
    measuredSamples: {
      connections: first.connections.samples - first.connections.idle,
      bytes: first.bytes.samples - first.bytes.idle,
    },
    services: options.services,
    span,
    interval,
  });
  if (reason !== undefined) {
    if (options.strict) throw new ReplayError('STRICT_WARNING', `${reason} (--strict)`);
    stats.warningLog.once('nothing-measured', undefined, reason);
  }
}

