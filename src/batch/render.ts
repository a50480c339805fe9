/**
 * The batch outputs rendered from capture records (issue 10):
 *
 * - the tidy CSV: `trace,servers,seed` then the main command's columns (SPEC
 *   §6); per capture, per (servers, seed) group in grid order, exactly the rows
 *   the main command prints for `--servers N --seed S --policy LIST` (the
 *   group's policies share bins from 0 to the last non-empty bin of any of
 *   them, per metric), each prefixed with the three leading fields;
 * - with `pool`, then the pooled rows (trace `*`): per configuration the
 *   counts summed over every capture, then probabilities — the distribution
 *   of all samples together, not an average of densities;
 * - JSON lines: one `{"trace","servers","seed","summary"}` object per
 *   capture and group, in the CSV's order, `summary` being what
 *   `--summary-json` writes for that run.
 *
 * The rows are written by the main command's row writer
 * (output/histogram-rows.ts), so they are byte-identical to its rows.
 */
import { csvField } from '../output/csv.js';
import { METRICS } from '../output/histogram-csv.js';
import { writeHistogramRows } from '../output/histogram-rows.js';
import type { ReplaySummary } from '../output/replay-summary.js';
import { assembleSummary } from '../engine/configurations.js';
import type { CaptureRecord, MetricCounts } from './records.js';
import { gridGroups, type Group } from './grid.js';
import type { CanonicalOptions } from './settings.js';
import type { PolicyName } from '../options.js';

export const TIDY_CSV_HEADER = 'trace,servers,seed,metric,policy,bin_start,bin_end,count,probability,density,cdf\n';

/** The trace of pooled rows. */
export const POOLED_TRACE = '*';

interface RowConfig {
  readonly label: string;
  readonly connections: MetricCounts;
  readonly bytes: MetricCounts;
}

function total(counts: readonly number[]): number {
  let sum = 0;
  for (const c of counts) sum += c;
  return sum;
}

/** One group's rows (the main command's rows for its policies), each with `prefix` in front. */
function writeGroupRows(prefix: string, configs: readonly RowConfig[], binWidth: string, write: (text: string) => void): void {
  const prefixed = (row: string): void => write(prefix + row);
  for (const metric of METRICS) {
    let lastBin = -1;
    for (const c of configs) lastBin = Math.max(lastBin, c[metric].counts.length - 1);
    if (lastBin < 0) continue;
    for (const c of configs) {
      const counts = c[metric].counts;
      writeHistogramRows(metric, c.label, counts, total(counts), lastBin, binWidth, prefixed);
    }
  }
}

function groupPrefix(trace: string, group: Group): string {
  return `${csvField(trace)},${group.servers},${group.seed},`;
}

/** The rows of one capture (no header). */
export function writeCaptureRows(record: CaptureRecord, groups: readonly Group[], policyCount: number, write: (text: string) => void): void {
  for (const group of groups) {
    const configs = record.configurations.slice(group.first, group.first + policyCount);
    writeGroupRows(groupPrefix(record.trace, group), configs, record.bin_width, write);
  }
}

/** Element-wise sums of count arrays (a missing bin counts 0). */
function sumCounts(arrays: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) out[i] = (out[i] ?? 0) + a[i];
  }
  return out;
}

/** The pooled rows (trace `*`) over `records`, all made with the same options. */
export function writePooledRows(records: readonly CaptureRecord[], groups: readonly Group[], policyCount: number, binWidth: string, write: (text: string) => void): void {
  if (records.length === 0) return;
  for (const group of groups) {
    const configs: RowConfig[] = [];
    for (let j = group.first; j < group.first + policyCount; j++) {
      const pooled = (metric: 'connections' | 'bytes'): MetricCounts => ({
        samples: records.reduce((s, r) => s + r.configurations[j][metric].samples, 0),
        idle: records.reduce((s, r) => s + r.configurations[j][metric].idle, 0),
        counts: sumCounts(records.map((r) => r.configurations[j][metric].counts)),
      });
      configs.push({ label: records[0].configurations[j].label, connections: pooled('connections'), bytes: pooled('bytes') });
    }
    writeGroupRows(groupPrefix(POOLED_TRACE, group), configs, binWidth, write);
  }
}

/** The `--summary-json` object of one (capture, group) run. */
export function groupSummary(record: CaptureRecord, group: Group, policyCount: number): ReplaySummary {
  const r = record.replay;
  const policies = record.configurations.slice(group.first, group.first + policyCount).map((c) => c.summary);
  return assembleSummary(record.capture, { ...r, services: [...r.services] }, group.seed, policies, [...record.warnings]);
}

/** The JSON lines of one capture. */
export function writeCaptureSummaries(record: CaptureRecord, groups: readonly Group[], policyCount: number, write: (text: string) => void): void {
  for (const group of groups) {
    const line = { trace: record.trace, servers: group.servers, seed: group.seed, summary: groupSummary(record, group, policyCount) };
    write(JSON.stringify(line) + '\n');
  }
}

/**
 * Every output of a batch from its records (in list order): the tidy CSV
 * (header, each capture's rows, then the pooled rows with `pool`) and, when
 * `writeSummary` is given, the JSON lines.
 */
export function renderBatch(
  records: readonly CaptureRecord[],
  options: CanonicalOptions,
  pool: boolean,
  writeCsv: (text: string) => void,
  writeSummary?: (text: string) => void,
): void {
  const groups = gridGroups({ servers: options.servers, seeds: options.seeds, policies: options.policies as PolicyName[] });
  const policyCount = options.policies.length;
  writeCsv(TIDY_CSV_HEADER);
  for (const record of records) writeCaptureRows(record, groups, policyCount, writeCsv);
  if (pool) writePooledRows(records, groups, policyCount, options.bin_width, writeCsv);
  if (writeSummary !== undefined) {
    for (const record of records) writeCaptureSummaries(record, groups, policyCount, writeSummary);
  }
}
