/**
 * The replay (SPEC §4–§6): one pass over the capture feeds the connection
 * tracker, whose events drive every policy's dispatcher and the sampler at
 * once; the result is the histograms and the summary.
 */
import type { CaptureStats } from './pass.js';
import { trackConnections } from './track.js';
import { normalizeOptions, type ReplayOptions, type ResolvedOptions } from './options.js';
import type { ConnectionTracker } from './flows/tracker.js';
import { CLOSE_REASON_NAMES } from './flows/events.js';
import type { PolicyConfig } from './dispatch/policy.js';
import { policyConfigs } from './dispatch/dispatcher.js';
import { createReplayEngine, type ReplayResults } from './engine/replay-engine.js';
import { buildReplaySummary, type CaptureTotals, type ReplaySummary } from './output/replay-summary.js';
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
  sinks: ReplaySinks = {},
): Promise<ReplayPass> {
  const engine = createReplayEngine({
    configs: configs ?? policyConfigs(resolved.policies, resolved.servers, resolved.seed),
    interval: resolved.interval,
    binWidth: resolved.binWidth,
    direction: resolved.direction,
    services: resolved.services,
    timeseries: sinks.timeseries,
    assignments: sinks.assignments,
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

export async function runReplay(files: readonly string[], options: ReplayOptions, sinks: ReplaySinks = {}): Promise<ReplayRun> {
  const resolved = normalizeOptions(options);
  const pass = await replayPass(files, resolved, undefined, sinks);
  const { stats, results } = pass;
  const summary = buildReplaySummary({
    results,
    capture: pass.capture,
    direction: resolved.direction,
    seed: resolved.seed,
    services: resolved.services,
  });
  checkSomethingMeasured(pass, summary.capture.duration ?? '0', summary.replay.interval);
  summary.warnings = stats.warningLog.toJSON();
  return { options: resolved, stats, results, summary };
}
