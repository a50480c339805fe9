/**
 * The replay (SPEC §4–§6), the main command's library entry: one pass over
 * the capture (src/engine/replay-pass.ts) feeds the connection tracker, whose
 * events drive every policy's dispatcher and the sampler at once; the result
 * is the histograms and the summary.
 */
import type { CaptureStats } from './pass.js';
import { normalizeOptions, type ReplayOptions, type ResolvedOptions } from './options.js';
import type { ReplayResults } from './engine/replay-engine.js';
import { checkSomethingMeasured, replayPass, type PassSinks } from './engine/replay-pass.js';
import { buildReplaySummary, type ReplaySummary } from './output/replay-summary.js';

export type ReplaySinks = PassSinks;

export interface ReplayRun {
  options: ResolvedOptions;
  stats: CaptureStats;
  results: ReplayResults;
  summary: ReplaySummary;
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
