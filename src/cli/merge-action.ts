/**
 * `anycast-replay merge DIR...` (issue 10, docs/batch.md): the outputs of one
 * unsharded batch, byte for byte, from the `--out-dir` directories of its shards.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSink, atomicFileSink, type TextSink } from '../output/atomic-file.js';
import { checkOutputTargets } from '../output/targets.js';
import { mergeDirectories } from '../batch/merge.js';
import { manifestPath, RESULTS_DIR } from '../batch/out-dir.js';
import { renderBatch } from '../batch/render.js';

export interface MergeFlags {
  output?: string;
  summaries?: string;
  pool: boolean;
}

function resultFiles(dir: string): string[] {
  try {
    return fs.readdirSync(path.join(dir, RESULTS_DIR)).map((name) => path.join(dir, RESULTS_DIR, name));
  } catch {
    return [];
  }
}

export async function runMergeCommand(dirs: string[], flags: MergeFlags): Promise<number> {
  // Neither output may replace a manifest or a result it is made from.
  checkOutputTargets(
    dirs.flatMap((d) => [manifestPath(d), ...resultFiles(d)]),
    [
      ['--output', flags.output],
      ['--summaries', flags.summaries],
    ],
  );
  const merged = mergeDirectories(dirs);
  const opened: TextSink[] = [];
  try {
    const csv = openSink(flags.output);
    opened.push(csv);
    const summaries = flags.summaries !== undefined ? atomicFileSink(flags.summaries) : undefined;
    if (summaries !== undefined) opened.push(summaries);
    renderBatch(merged.records, merged.options, flags.pool, (t) => csv.write(t), summaries ? (t) => summaries.write(t) : undefined);
    for (const sink of opened) sink.commit();
    return 0;
  } catch (err) {
    for (const sink of opened) sink.abort();
    throw err;
  }
}
