/**
 * The replay summary (SPEC §6): per policy instance and metric the sample
 * counts and the imbalance's mean, max and percentiles; per instance and
 * server the connections and bytes dispatched; and the capture-level counts
 * the caller passes in. `buildReplaySummary` gives a plain object for
 * `--summary-json`; `renderReplaySummary` the human-readable text for
 * standard error. Every field is described in docs/replay.md.
 *
 * JSON field names are snake_case, like `info --json`. Numbers that are not
 * whole counts are decimal strings, never doubles:
 * imbalances with SUMMARY_DECIMALS decimals (rounded half to even), bin edges
 * as exact decimals, times and durations with 9 decimals.
 */
import { MEAN_DECIMALS, type BinWidth, type ImbalanceStats } from '../sampler/imbalance.js';
import type { Histogram } from '../sampler/histogram.js';
import type { PolicyResult, ReplayResults } from '../engine/replay-engine.js';
import { formatMeasureValue, type MeasureStats } from '../sampler/measure-stats.js';
import { formatPair, formatPairDifference, formatSeconds } from '../time.js';
import { formatRatioFixed, formatScaled } from './decimal.js';
import { METRICS, type Metric } from './histogram-csv.js';
import type { WarningJson } from '../warnings.js';

/** Decimals of the mean and max imbalance in the summary. */
export const SUMMARY_DECIMALS = 6;

/** Percentiles reported, by nearest rank. */
export const PERCENTILES = [50, 90, 99] as const;

/** Capture-level counts, as the pass and the tracker know them. */
export interface CaptureTotals {
  /** Packet records kept (inside --from/--to), whatever they carry. */
  readonly packets: number;
  /** TCP payload bytes of the usable TCP packets, both ways. */
  readonly bytes: number;
  /** Connections by close reason name (`fin`, `rst`, …); zero counts may be left out. */
  readonly connectionsByReason: Readonly<Record<string, number>>;
  /** Skipped packets by skip reason name; zero counts may be left out. */
  readonly skippedByReason: Readonly<Record<string, number>>;
  /** Packets earlier than the clock (SPEC §1). */
  readonly backwards: number;
  /** IPv4 packets with total length 0 taken from the frame (SPEC §2). */
  readonly tso: number;
  /** Whole epoch second relative times count from. */
  readonly baseSec: number;
  /**
   * First kept record's time and the final clock, as (sec, nsec) pairs
   * relative to baseSec (the pass's CaptureStats fields); ignored when
   * `packets` is 0.
   */
  readonly firstSec: number;
  readonly firstNsec: number;
  readonly clockSec: number;
  readonly clockNsec: number;
  /** Flow-log input only (docs/flow-logs.md): what was read, the summary's `capture.flow_log`. */
  readonly flowLog?: FlowLogSummary;
}

/** The summary's `capture.flow_log`: present when the input was a flow log. */
export interface FlowLogSummary {
  /** `zeek-conn` or `connections-csv`. */
  format: string;
  gzip: boolean;
  /** Records read, every protocol. */
  records: number;
  /** Records replayed (the asked protocols, in order). */
  replayed: number;
  /** Records of a protocol not asked for (--proto), or neither TCP nor UDP. */
  other_protocol: number;
  /** Records later than --reorder-window: left out. */
  late: number;
  /** Records replayed early because the reorder window was full. */
  forced: number;
}

export interface SummaryInput {
  readonly results: ReplayResults;
  readonly capture: CaptureTotals;
  readonly direction: string;
  readonly seed: number;
  /** `--service` values as given. */
  readonly services: readonly string[];
}

export interface MetricSummary {
  /** Samples taken (idle ones included). */
  samples: number;
  /** Samples whose sum was 0. */
  idle_samples: number;
  /** Mean of the non-idle samples' imbalance; null when there is none. */
  mean_imbalance: string | null;
  max_imbalance: string | null;
  /** Upper edge of the bin holding the nearest-rank sample. */
  p50: string | null;
  p90: string | null;
  p99: string | null;
}

export interface ServerSummary {
  server: number;
  connections: number;
  bytes: number;
}

export interface PolicySummary {
  policy: string;
  servers: number;
  connections: MetricSummary;
  bytes: MetricSummary;
  per_server: ServerSummary[];
  /**
   * Per-packet routing (`--granularity packet`, docs/policies.md): connections
   * whose packets reached more than one server, and their share of the
   * connections replayed; packets that reached a server other than their
   * connection's first packet's, and their share of the packets routed. 0 and
   * "0.000000" with the default connection granularity (by construction).
   */
  split_connections: number;
  split_share: string;
  misrouted_packets: number;
  misrouted_share: string;
  /**
   * Only when `--imbalance` asks for more than the default: per measure
   * (range included when asked), the same figures for both loads.
   */
  imbalance?: Record<string, { connections: MetricSummary; bytes: MetricSummary }>;
}

export interface ReplaySummary {
  capture: {
    packets: number;
    bytes: number;
    connections: number;
    connections_by_reason: Record<string, number>;
    skipped: number;
    skipped_by_reason: Record<string, number>;
    backwards: number;
    tso: number;
    /** Epoch seconds with 9 decimals; null without records. */
    first_time: string | null;
    last_time: string | null;
    /** Seconds with 9 decimals; null without records. */
    duration: string | null;
    /**
     * Flow-log input only: `packets` are the ones the log gives, `bytes` the
     * payload of the replayed records, connections by the log's end state
     * (Zeek `conn_state` or the CSV's `close`), `first_time`/`last_time` the
     * first start and the log's last instant.
     */
    flow_log?: FlowLogSummary;
  };
  replay: {
    interval: string;
    bin_width: string;
    direction: string;
    seed: number;
    services: string[];
    /** `connection` (the default) or `packet`: then the `connections` figures are about packets per interval. */
    granularity: string;
    connections_replayed: number;
    connections_not_replayed: number;
    samples: number;
    idle_samples: { connections: number; bytes: number };
  };
  policies: PolicySummary[];
  /** Every warning of the run with its full counts (src/warnings.ts); filled by the replay. */
  warnings: WarningJson[];
}

function sumValues(record: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const key of Object.keys(record)) total += record[key];
  return total;
}

/** Nearest rank of percentile `p` among `count` samples: ⌈p·count/100⌉, at least 1. */
export function nearestRank(p: number, count: number): number {
  return Math.max(1, Math.ceil((p * count) / 100));
}

/** The upper edge of the bin holding percentile `p` (nearest rank), or null when nothing was sampled. */
function percentileEdge(histogram: Histogram, width: BinWidth, p: number): string | null {
  const count = histogram.total;
  if (count === 0) return null;
  const bin = histogram.binOfRank(nearestRank(p, count));
  return formatScaled(BigInt(bin + 1) * width.units, width.scale);
}

function metricSummary(stats: ImbalanceStats, servers: number, results: ReplayResults): MetricSummary {
  const histogram = stats.histogram;
  const count = histogram.total;
  const percentile = (p: number): string | null => percentileEdge(histogram, results.binWidth, p);
  return {
    samples: stats.samples,
    idle_samples: stats.idle,
    mean_imbalance:
      count === 0 ? null : formatRatioFixed(stats.mean.scaledSum(), BigInt(count) * 10n ** BigInt(MEAN_DECIMALS), SUMMARY_DECIMALS),
    max_imbalance:
      count === 0 ? null : formatRatioFixed(BigInt(stats.maxDiff) * BigInt(servers), BigInt(stats.maxSum), SUMMARY_DECIMALS),
    p50: percentile(50),
    p90: percentile(90),
    p99: percentile(99),
  };
}

function measureSummary(stats: MeasureStats, results: ReplayResults): MetricSummary {
  const histogram = stats.histogram;
  const count = histogram.total;
  const percentile = (p: number): string | null => percentileEdge(histogram, results.binWidth, p);
  return {
    samples: stats.samples,
    idle_samples: stats.idle,
    mean_imbalance: count === 0 ? null : formatRatioFixed(stats.meanScaled, BigInt(count) * 10n ** BigInt(MEAN_DECIMALS), SUMMARY_DECIMALS),
    max_imbalance: count === 0 ? null : formatMeasureValue(stats.max, SUMMARY_DECIMALS),
    p50: percentile(50),
    p90: percentile(90),
    p99: percentile(99),
  };
}

/** The per-measure figures of one instance, or undefined for a default (range only) run. */
function imbalanceSummaries(p: PolicyResult, results: ReplayResults): PolicySummary['imbalance'] {
  const list = results.imbalance ?? ['range'];
  if (list.length === 1 && list[0] === 'range') return undefined;
  const out: NonNullable<PolicySummary['imbalance']> = {};
  for (const measure of list) {
    if (measure === 'range') {
      out[measure] = {
        connections: metricSummary(p.connections, p.info.servers, results),
        bytes: metricSummary(p.bytes, p.info.servers, results),
      };
    } else {
      const m = p.measures.find((x) => x.measure === measure);
      if (m === undefined) throw new Error(`measure ${measure} was not sampled`);
      out[measure] = { connections: measureSummary(m.connections, results), bytes: measureSummary(m.bytes, results) };
    }
  }
  return out;
}

/** The summary as a plain object (JSON-ready: numbers are whole counts, the rest strings). */
export function buildReplaySummary(input: SummaryInput): ReplaySummary {
  const { results, capture } = input;
  // A flow log's records of any protocol move the clock (docs/flow-logs.md): the span is theirs.
  const haveTime = capture.flowLog !== undefined ? capture.flowLog.records - capture.flowLog.late > 0 : capture.packets > 0;
  const first = results.policies[0];
  return {
    capture: {
      packets: capture.packets,
      bytes: capture.bytes,
      connections: sumValues(capture.connectionsByReason),
      connections_by_reason: { ...capture.connectionsByReason },
      skipped: sumValues(capture.skippedByReason),
      skipped_by_reason: { ...capture.skippedByReason },
      backwards: capture.backwards,
      tso: capture.tso,
      first_time: haveTime ? formatPair(capture.baseSec, capture.firstSec, capture.firstNsec) : null,
      last_time: haveTime ? formatPair(capture.baseSec, capture.clockSec, capture.clockNsec) : null,
      duration: haveTime
        ? formatPairDifference(capture.firstSec, capture.firstNsec, capture.clockSec, capture.clockNsec)
        : null,
      ...(capture.flowLog !== undefined ? { flow_log: { ...capture.flowLog } } : {}),
    },
    replay: {
      interval: formatSeconds(results.interval),
      bin_width: results.binWidth.text,
      direction: input.direction,
      seed: input.seed,
      services: [...input.services],
      granularity: results.granularity ?? 'connection',
      connections_replayed: results.connectionsReplayed,
      connections_not_replayed: results.connectionsNotReplayed,
      samples: results.samples,
      idle_samples: {
        connections: first === undefined ? 0 : first.connections.idle,
        bytes: first === undefined ? 0 : first.bytes.idle,
      },
    },
    policies: results.policies.map((p) => {
      const summary: PolicySummary = {
        policy: p.info.label,
        servers: p.info.servers,
        connections: metricSummary(p.connections, p.info.servers, results),
        bytes: metricSummary(p.bytes, p.info.servers, results),
        per_server: p.serverConnections.map((connections, server) => ({ server, connections, bytes: p.serverBytes[server] })),
        split_connections: p.splitConnections,
        split_share: share(p.splitConnections, results.connectionsReplayed),
        misrouted_packets: p.misroutedPackets,
        misrouted_share: share(p.misroutedPackets, results.packetsReplayed ?? 0),
      };
      const imbalance = imbalanceSummaries(p, results);
      if (imbalance !== undefined) summary.imbalance = imbalance;
      return summary;
    }),
    warnings: [],
  };
}

/** part / whole with SUMMARY_DECIMALS decimals; 0 when there is no whole. */
function share(part: number, whole: number): string {
  return formatRatioFixed(BigInt(part), BigInt(whole === 0 ? 1 : whole), SUMMARY_DECIMALS);
}

function byName(record: Readonly<Record<string, number>>): string {
  const parts = Object.keys(record)
    .filter((key) => record[key] !== 0)
    .map((key) => `${key} ${record[key]}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** The summary as text for standard error (LF line ends). */
export function renderReplaySummary(summary: ReplaySummary): string {
  const c = summary.capture;
  const r = summary.replay;
  let text = '';
  const f = c.flow_log;
  if (f !== undefined) {
    text += `flow log: ${f.format}${f.gzip ? ' (gzip)' : ''}, ${f.records} ${f.records === 1 ? 'record' : 'records'}, ${f.replayed} replayed, ${f.other_protocol} of other protocols, ${f.late} late, ${f.forced} forced\n`;
  }
  text += `capture: ${c.packets} packets, ${c.bytes} payload bytes\n`;
  text +=
    c.first_time === null ? '  time span: no records\n' : `  time span: ${c.first_time} to ${c.last_time} (${c.duration} s)\n`;
  text += `  connections: ${c.connections}${byName(c.connections_by_reason)}\n`;
  text += `  skipped packets: ${c.skipped}${byName(c.skipped_by_reason)}\n`;
  text += `  backwards: ${c.backwards}, tso: ${c.tso}\n`;
  text += `replay: interval ${r.interval} s, bin width ${r.bin_width}, direction ${r.direction}, seed ${r.seed}\n`;
  if (r.services.length > 0) text += `  services: ${r.services.join(' ')}\n`;
  text += `  connections replayed: ${r.connections_replayed}, not replayed (outside --service): ${r.connections_not_replayed}\n`;
  text += `  samples: ${r.samples} (idle: connections ${r.idle_samples.connections}, bytes ${r.idle_samples.bytes})\n`;
  if (r.granularity === 'packet') {
    text += '  granularity: packet (every packet routed on its own; the connections metric is packets per interval)\n';
    const rows: string[][] = [['policy', 'split connections', 'split share', 'misrouted packets', 'misrouted share']];
    for (const p of summary.policies) rows.push([p.policy, String(p.split_connections), p.split_share, String(p.misrouted_packets), p.misrouted_share]);
    text += '\nper-packet routing (split: packets on more than one server; misrouted: not on the first packet\'s server):\n';
    text += table(rows);
  }
  const dash = (v: string | null): string => v ?? '-';
  const imbalanceRows: string[][] = [['policy', 'metric', 'samples', 'idle', 'mean', 'max', 'p50', 'p90', 'p99']];
  for (const p of summary.policies) {
    for (const metric of METRICS) {
      const m = p[metric as Metric];
      imbalanceRows.push([
        p.policy,
        metric,
        String(m.samples),
        String(m.idle_samples),
        dash(m.mean_imbalance),
        dash(m.max_imbalance),
        dash(m.p50),
        dash(m.p90),
        dash(m.p99),
      ]);
    }
  }
  text += '\nimbalance ((max - min) / mean; p50/p90/p99: upper edge of the bin):\n';
  text += table(imbalanceRows);
  if (summary.policies.some((p) => p.imbalance !== undefined)) {
    const rows: string[][] = [['policy', 'measure', 'metric', 'samples', 'idle', 'mean', 'max', 'p50', 'p90', 'p99']];
    for (const p of summary.policies) {
      for (const [measure, figures] of Object.entries(p.imbalance ?? {})) {
        for (const metric of METRICS) {
          const m = figures[metric as Metric];
          rows.push([p.policy, measure, metric, String(m.samples), String(m.idle_samples), dash(m.mean_imbalance), dash(m.max_imbalance), dash(m.p50), dash(m.p90), dash(m.p99)]);
        }
      }
    }
    text += '\nimbalance measures (--imbalance; jain: higher is fairer):\n';
    text += table(rows);
  }
  const serverRows: string[][] = [['policy', 'server', 'connections', 'bytes']];
  for (const p of summary.policies) {
    for (const s of p.per_server) serverRows.push([p.policy, String(s.server), String(s.connections), String(s.bytes)]);
  }
  text += '\nper server:\n';
  text += table(serverRows);
  return text;
}
