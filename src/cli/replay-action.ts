/** The main command: the replay's CSV to a sink, further outputs to atomic files, the summary on stderr. */
import { runReplay } from '../replay.js';
import type { ReplayOptions } from '../options.js';
import type { ReplayOutputs } from './program.js';
import { openSink, atomicFileSink, type TextSink } from '../output/atomic-file.js';
import { writeHistogramCsv } from '../output/histogram-csv.js';
import { renderReplaySummary } from '../output/replay-summary.js';
import { createProgress } from './progress.js';

export async function runReplayCommand(files: string[], options: ReplayOptions, outputs: ReplayOutputs): Promise<number> {
  const opened: TextSink[] = [];
  const open = (make: () => TextSink): TextSink => {
    const sink = make();
    opened.push(sink);
    return sink;
  };
  const progress = createProgress(outputs.quiet);
  try {
    const timeseries = outputs.timeseries !== undefined ? open(() => atomicFileSink(outputs.timeseries!)) : undefined;
    const assignments = outputs.assignments !== undefined ? open(() => atomicFileSink(outputs.assignments!)) : undefined;
    const run = await runReplay(files, options, {
      timeseries: timeseries ? (chunk) => timeseries.write(chunk) : undefined,
      assignments: assignments ? (chunk) => assignments.write(chunk) : undefined,
      onProgress: (b, t, p, c) => progress.update(b, t, p, c),
    });
    progress.stop();
    const csv = open(() => openSink(outputs.output));
    writeHistogramCsv(run.results, (chunk) => csv.write(chunk));
    const summaryJson = outputs.summaryJson !== undefined ? open(() => atomicFileSink(outputs.summaryJson!)) : undefined;
    summaryJson?.write(JSON.stringify(run.summary, null, 2) + '\n');
    for (const sink of opened) sink.commit();
    if (!outputs.quiet) {
      process.stderr.write(renderReplaySummary(run.summary));
      for (const w of run.stats.warnings) process.stderr.write(`anycast-replay: warning: ${w}\n`);
    }
    return 0;
  } catch (err) {
    progress.stop();
    for (const sink of opened) sink.abort();
    throw err;
  }
}
