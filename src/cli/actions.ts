/**
 * What each command does with its parsed options: opens sinks, runs the
 * library, prints summaries. Errors propagate to the boundary in main.ts.
 */
import { errorLine } from './error-line.js';
import { inspectCapture, renderInfoText } from '../info.js';
import { ReplayError } from '../errors.js';
import type { Actions } from './program.js';

async function info(files: string[], flags: { json: boolean; strict: boolean }): Promise<number> {
  let failed = false;
  for (const file of files) {
    try {
      const report = await inspectCapture(file, { strict: flags.strict });
      // Each warning is printed once: in the report itself (text or JSON).
      process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : renderInfoText(report) + (files.length > 1 ? '\n' : ''));
    } catch (err) {
      // Each file is reported on its own: a damaged one does not stop the others.
      if (!(err instanceof ReplayError)) throw err;
      process.stderr.write(errorLine(err).line + '\n');
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/**
 * Each command's module is loaded when it runs: start-up is a measurable share
 * of a short run (docs/performance.md), and `info` needs neither the tracker
 * nor the sampler.
 */
export const defaultActions: Actions = {
  info,
  connections: async (files, options, flags) =>
    (await import('./connections-action.js')).runConnectionsCommand(files, options, flags),
  replay: async (files, options, outputs) => (await import('./replay-action.js')).runReplayCommand(files, options, outputs),
  plot: async (file, flags) => (await import('./plot-action.js')).runPlotCommand(file, flags),
  synth: async (flags) => (await import('./synth-action.js')).runSynthCommand(flags),
  batch: async (captures, options, flags) => (await import('./batch-action.js')).runBatchCommand(captures, options, flags),
  merge: async (dirs, flags) => (await import('./merge-action.js')).runMergeCommand(dirs, flags),
};
