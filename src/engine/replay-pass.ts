/**
 * One pass over a capture through the replay engine (SPEC §3–§5): the
 * connection tracker (src/track.ts) feeds a ReplayEngine built for the given
 * policy instances; the result is the engine's distributions and totals and
 * the capture-level counts, before any summary. The main command
 * (src/replay.ts) and the engine of configurations (./configurations.ts)
 * both stand on it.
 */
import fs from 'node:fs';
import { CaptureStats } from '../pass.js';
import { trackConnections } from '../track.js';
import type { ResolvedOptions } from '../options.js';
import { CLOSE_REASON_NAMES } from '../flows/events.js';
import type { PolicyConfig } from '../dispatch/policy.js';
import { policyConfigs } from '../dispatch/dispatcher.js';
import { createReplayEngine, type ReplayEngine, type ReplayResults } from './replay-engine.js';
import type { CaptureTotals } from '../output/replay-summary.js';
import { nothingMeasuredReason } from '../warnings.js';
import { ReplayError } from '../errors.js';
import type { ServerEvent } from '../dispatch/server-events.js';
import { sniffInputFormat, type InputFormat } from '../flowlog/detect.js';
import { FLOWLOG_DEFAULTS, type FlowLogFormat } from '../flowlog/read.js';
import { MAX_SPREAD_SAMPLES, MAX_SPREAD_SAMPLES_PER_GAP, replayFlowLogs, type FlowReplayTotals } from './flow-replay.js';
import { formatSeconds } from '../time.js';

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
  /** Connections (or flow-log records) the pass opened, dispatched or not. */
  connectionsOpened: number;
  results: ReplayResults;
  capture: CaptureTotals;
}

/**
 * The format of the inputs: `--input-format` when given, else detected from
 * the content of each regular file. Standard input, FIFOs and other streams
 * cannot be read twice, so they are taken for captures (the reader then
 * checks their magic). Captures and flow logs cannot be mixed.
 */
export async function resolveInputFormat(files: readonly string[], given: InputFormat | undefined): Promise<InputFormat> {
  if (given !== undefined) return given;
  let found: InputFormat | undefined;
  for (const file of files) {
    // An unreadable or unknown file is the capture reader's to report, with its own message.
    const format = regularFileSize(file) < 0 ? 'pcap' : ((await sniffInputFormat(file).catch(() => undefined))?.format ?? 'pcap');
    if (found !== undefined && format !== found) {
      throw new ReplayError('OPTION_INVALID', `${file} is a ${format === 'pcap' ? 'packet capture' : format} while the files before it are ${found === 'pcap' ? 'packet captures' : found}: one replay reads one kind of input`);
    }
    found = format;
  }
  return found ?? 'pcap';
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
  const format = await resolveInputFormat(files, resolved.inputFormat);
  if (format !== 'pcap') checkFlowLogOptions(resolved, sinks);
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
  return format === 'pcap' ? capturePass(files, resolved, engine, sinks) : flowLogPass(files, format, resolved, engine);
}

/** One pass over a capture: the connection tracker feeds the engine. */
async function capturePass(files: readonly string[], resolved: ResolvedOptions, engine: ReplayEngine, sinks: PassSinks): Promise<ReplayPass> {
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
  return { options: resolved, stats, connectionsOpened: tracker.opened, results, capture };
}

/**
 * Flow logs of this many bytes or more (on disk, all files) are parsed on a
 * second thread, beside the replay: below it, starting the thread (about
 * 40 ms) costs more than it saves.
 */
export const THREADED_MIN_BYTES = 32 * 1024 * 1024;

function worthAThread(files: readonly string[]): boolean {
  let bytes = 0;
  for (const file of files) {
    const size = regularFileSize(file);
    if (size < 0) return false;
    bytes += size;
  }
  return bytes >= THREADED_MIN_BYTES;
}

/** The size of a regular file (after links: one that can be read twice); -1 for anything else. */
function regularFileSize(file: string): number {
  if (file === '-') return -1;
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st.size : -1;
  } catch {
    return -1;
  }
}

/** Options that need packets; refused for a flow log, before anything is read. */
function checkFlowLogOptions(resolved: ResolvedOptions, sinks: PassSinks): void {
  const refuse = (what: string): never => {
    throw new ReplayError('OPTION_INVALID', `${what} needs packet captures, not flow logs (docs/flow-logs.md)`);
  };
  if ((sinks.events ?? resolved.events) !== undefined && (sinks.events ?? resolved.events)!.length > 0) refuse('--event');
  if (resolved.granularity === 'packet') refuse('--granularity packet');
  if (resolved.from !== undefined || resolved.to !== undefined) refuse('--from/--to');
}

/** One pass over flow logs (src/engine/flow-replay.ts), shaped as a capture's pass. */
async function flowLogPass(files: readonly string[], format: FlowLogFormat, resolved: ResolvedOptions, engine: ReplayEngine): Promise<ReplayPass> {
  const totals = await replayFlowLogs(files, engine, {
    format,
    proto: resolved.proto,
    countC2s: resolved.direction !== 's2c',
    countS2c: resolved.direction !== 'c2s',
    reorderWindow: resolved.reorderWindow ?? FLOWLOG_DEFAULTS.reorderWindow,
    idleTimeout: resolved.idleTimeout,
    synTimeout: resolved.synTimeout,
    udpTimeout: resolved.udpTimeout,
    threaded: worthAThread(files),
  });
  const results = engine.results();
  // No packet counts: the pass's stats carry the warnings; the log's totals are in `capture`.
  const stats = new CaptureStats();
  stats.backwards = totals.backwards;
  flowLogWarnings(totals, resolved, stats);
  const capture: CaptureTotals = {
    packets: totals.packets,
    bytes: totals.bytes,
    connectionsByReason: totals.byState,
    skippedByReason: {},
    backwards: totals.backwards,
    tso: 0,
    baseSec: totals.baseSec,
    firstSec: totals.firstSec,
    firstNsec: totals.firstNsec,
    clockSec: totals.lastSec,
    clockNsec: totals.lastNsec,
    flowLog: {
      format: totals.format,
      gzip: totals.gzip,
      records: totals.records,
      replayed: totals.replayed,
      other_protocol: totals.otherProtocol,
      late: totals.late,
      forced: totals.forced,
    },
  };
  return { options: resolved, stats, connectionsOpened: totals.replayed, results, capture };
}

/** "1 record", "2 records". */
function records(n: number): string {
  return n === 1 ? '1 record' : `${n} records`;
}

/** Late and forced records are warnings (failures under --strict); records of other protocols only a count. */
function flowLogWarnings(totals: FlowReplayTotals, resolved: ResolvedOptions, stats: CaptureStats): void {
  const window = formatSeconds(resolved.reorderWindow ?? FLOWLOG_DEFAULTS.reorderWindow);
  if (totals.late > 0) {
    const late = formatSeconds({ sec: Math.floor(totals.maxLateNs / 1e9), nsec: totals.maxLateNs % 1e9 });
    const text = `${records(totals.late)} started more than --reorder-window ${window} s before a record already replayed (the first at line ${totals.firstLateLine}, at most ${late} s late): left out`;
    if (resolved.strict) throw new ReplayError('STRICT_WARNING', `${text} (--strict)`, { file: totals.firstLateFile });
    stats.warningLog.once('late-records', totals.firstLateFile, text);
  }
  if (totals.unspreadSamples > 0) {
    const text = `${totals.unspreadSamples} samples were taken without spreading bytes over them (more than ${MAX_SPREAD_SAMPLES_PER_GAP} between two records or ${MAX_SPREAD_SAMPLES} in all: a record claims a duration of years?); their bytes went to the interval of the next record or end`;
    if (resolved.strict) throw new ReplayError('STRICT_WARNING', `${text} (--strict)`);
    stats.warningLog.once('unspread-samples', undefined, text);
  }
  if (totals.forced > 0) {
    const text = `${records(totals.forced)} replayed before the end of their --reorder-window: the window held its most records; a smaller --reorder-window bounds memory`;
    if (resolved.strict) throw new ReplayError('STRICT_WARNING', `${text} (--strict)`);
    stats.warningLog.once('forced-records', undefined, text);
  }
}

/**
 * The "nothing measured" check (src/warnings.ts) after a pass: a failure
 * under --strict, else a warning in the pass's log. `span` and `interval`
 * are the summary's texts.
 */
export function checkSomethingMeasured(pass: ReplayPass, span: string, interval: string): void {
  const { stats, results, options } = pass;
  const first = results.policies[0];
  const flowLog = pass.capture.flowLog;
  const reason =
    flowLog !== undefined && flowLog.replayed === 0
      ? `nothing measured: none of the ${flowLog.records} records of the flow log is a ${options.proto === 'both' ? 'TCP or UDP' : options.proto.toUpperCase()} connection in start order (--proto ${options.proto}; ${flowLog.late} late)`
      : nothingMeasuredReason({
        // A flow log that replayed something holds what the packet checks ask for.
        packets: flowLog?.replayed ?? stats.packets,
        outsideWindow: stats.outsideWindow,
        tcpPackets: flowLog?.replayed ?? stats.tcpPackets,
        udpPackets: flowLog?.replayed ?? stats.udpPackets,
        proto: options.proto,
        connections: pass.connectionsOpened,
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

