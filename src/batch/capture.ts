/**
 * One capture of a batch: one pass feeding every configuration of the grid
 * (engine/configurations.ts), turned into the record that the outputs and
 * `--out-dir` keep (records.ts).
 */
import { runConfigurations } from '../engine/configurations.js';
import { VERSION } from '../version.js';
import type { BatchInput } from './inputs.js';
import type { FileStamp } from './fingerprint.js';
import { RESULT_FORMAT, type CaptureRecord } from './records.js';
import type { BatchSettings } from './settings.js';

export type ProgressHook = (bytes: number, total: number | undefined, packets: number, connections: number) => void;

/** Runs the grid over one capture. Errors (a damaged capture) propagate as ReplayError. */
export async function processCapture(
  input: BatchInput,
  index: number,
  settings: BatchSettings,
  stamps: readonly FileStamp[],
  onProgress?: ProgressHook,
): Promise<CaptureRecord> {
  const run = await runConfigurations(input.files, settings.options, settings.configurations, { onProgress });
  return {
    format: RESULT_FORMAT,
    tool_version: VERSION,
    options: settings.canonical,
    index,
    trace: input.trace,
    files: stamps,
    bin_width: run.binWidth,
    capture: run.capture,
    replay: run.replay,
    warnings: run.warningsJson,
    warning_lines: run.warnings,
    configurations: run.results.map((r) => ({
      policy: r.config.policy,
      servers: r.config.servers,
      seed: r.config.seed,
      label: r.label,
      connections: r.connections,
      bytes: r.bytes,
      summary: r.summary,
    })),
  };
}
