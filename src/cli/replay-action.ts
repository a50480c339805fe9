/** The main command: the replay's CSV to a sink, further outputs to atomic files, the summary on stderr. */
import { runReplay } from '../replay.js';
import { normalizeOptions, type ReplayOptions } from '../options.js';
import type { ReplayOutputs } from './program.js';
import { openSink, atomicFileSink, type TextSink } from '../output/atomic-file.js';
import { checkOutputTargets } from '../output/targets.js';
import { writeHistogramCsv } from '../output/histogram-csv.js';
import { renderReplaySummary } from '../output/replay-summary.js';
import { createProgress } from './progress.js';

export async function runReplayCommand(files: string[], options: ReplayOptions, outputs: ReplayOutputs): Promise<number> {
  // Bad option values are usage errors before anything is opened or read.
  normalizeOptions(options);
  checkOutputTargets(files, [
    ['--output', outputs.output],
    ['--summary-json', outputs.summaryJson],
    ['--timeseries', outputs.timeseries],
    ['--assignments', outputs.assignments],
    ['--events-output', outputs.eventsOutput],
  ]);
  const opened: TextSink[] = [];
  const open = (make: () => TextSink): TextSink => {
    const sink = make();
    opened.push(sink);
    return sink;
  };
  const progress = await createProgress(outputs.quiet);
  try {
    // Every output is opened before the capture is read, so an unwritable path
    // fails at once rather than after a long run (its temporary file is removed
    // on failure or on a signal, SPEC §2a).
    const timeseries = outputs.timeseries !== undefined ? open(() => atomicFileSink(outputs.timeseries!)) : undefined;
    const assignments = outputs.assignments !== undefined ? open(() => atomicFileSink(outputs.assignments!)) : undefined;
    const eventsOutput = outputs.eventsOutput !== undefined ? open(() => atomicFileSink(outputs.eventsOutput!)) : undefined;
    const csv = open(() => openSink(outputs.output));
    const summaryJson = outputs.summaryJson !== undefined ? open(() => atomicFileSink(outputs.summaryJson!)) : undefined;
    const run = await runReplay(files, options, {
      timeseries: timeseries ? (chunk) => timeseries.write(chunk) : undefined,
      assignments: assignments ? (chunk) => assignments.write(chunk) : undefined,
      eventsOutput: eventsOutput ? (chunk) => eventsOutput.write(chunk) : undefined,
      onProgress: (b, t, p, c) => progress.update(b, t, p, c),
    });
    progress.stop();
    writeHistogramCsv(run.results, (chunk) => csv.write(chunk));
    summaryJson?.write(JSON.stringify(run.summary, null, 2) + '\n');
    for (const sink of opened) sink.commit();
    if (!outputs.quiet) process.stderr.write(renderReplaySummary(run.summary));
    // Warnings (a cut capture, a time jump) are shown even with --quiet: they say the result may be incomplete.
    for (const w of run.stats.warnings) process.stderr.write(`anycast-replay: warning: ${w}\n`);
    return 0;
  } catch (err) {
    progress.stop();
    for (const sink of opened) sink.abort();
    throw err;
  }
}
