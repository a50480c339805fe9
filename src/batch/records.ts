/**
 * What a batch keeps of one capture (issue 10): per configuration the integer
 * histogram counts and the summary, plus the capture-level summary — enough to
 * render the tidy CSV, the JSON lines and the pooled histograms without the
 * capture, so `merge` prints what the run itself would have. The same record
 * travels from a worker thread, into `--out-dir DIR/results/NNNNNN.json`, and
 * back; every field is JSON (numbers are whole counts below 2^53).
 */
import type { MetricCounts } from '../engine/configurations.js';
import type { PolicySummary, ReplaySummary } from '../output/replay-summary.js';
import type { WarningJson } from '../warnings.js';
import type { PolicyName } from '../options.js';
import type { FileStamp } from './fingerprint.js';
import type { CanonicalOptions } from './settings.js';

/** Format tag of result files; a file with another tag is not a result of this version. */
export const RESULT_FORMAT = 'anycast-replay-batch-result/1';

export type { MetricCounts };

export interface ConfigurationRecord {
  readonly policy: PolicyName;
  readonly servers: number;
  readonly seed: number;
  /** The `policy` column. */
  readonly label: string;
  readonly connections: MetricCounts;
  readonly bytes: MetricCounts;
  readonly summary: PolicySummary;
}

export interface CaptureRecord {
  readonly format: typeof RESULT_FORMAT;
  readonly tool_version: string;
  /** The options the record was made with (settings.ts); a record is reused only under equal options. */
  readonly options: CanonicalOptions;
  /** Position in the full input list. */
  readonly index: number;
  readonly trace: string;
  /** The input's files as they were when it was read (empty without --out-dir). */
  readonly files: readonly FileStamp[];
  /** Canonical bin width text. */
  readonly bin_width: string;
  readonly capture: ReplaySummary['capture'];
  /** The `replay` part of the summary that every configuration shares (its `seed` is set per group). */
  readonly replay: Omit<ReplaySummary['replay'], 'seed'>;
  readonly warnings: readonly WarningJson[];
  /** One line per warning, as printed on standard error. */
  readonly warning_lines: readonly string[];
  /** In grid order (servers → seeds → policies). */
  readonly configurations: readonly ConfigurationRecord[];
}
