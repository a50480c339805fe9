/**
 * `anycast-replay batch` (issue 10, docs/batch.md): the grid over every
 * capture of the list (or of this shard of it), on worker threads, with the
 * tidy CSV, the JSON lines and the pooled rows rendered from the records in
 * list order — so the bytes do not depend on `--jobs` or on sharding.
 */
import * as os from 'node:os';
import type cliProgressModule from 'cli-progress';
import type { ReplayOptions } from '../options.js';
import { ReplayError } from '../errors.js';
import { openSink, atomicFileSink, type TextSink } from '../output/atomic-file.js';
import { checkOutputTargets } from '../output/targets.js';
import { makeGrid } from '../batch/grid.js';
import { collectInputs } from '../batch/inputs.js';
import { makeSettings } from '../batch/settings.js';
import { parseShard, type Shard } from '../batch/shard.js';
import { runBatch, type CaptureEvent } from '../batch/batch.js';
import { renderBatch } from '../batch/render.js';
import { errorLine } from './error-line.js';
import { setBarShown } from './progress.js';

export interface BatchFlags {
  list?: string;
  servers: number[];
  seeds: number[];
  policy: string[];
  output?: string;
  summaries?: string;
  pool: boolean;
  /** Worker threads; default: the number of cores. */
  jobs?: number;
  outDir?: string;
  shard?: string;
  shardCount?: number;
  force: boolean;
  verbose: boolean;
  quiet: boolean;
}

/**
 * A bar for the whole batch: bytes over all inputs, captures done/total
 * (standard error, TTY only, not --quiet). Payload names avoid cli-progress's
 * own tokens (`total`, `value`, `eta`…), which would replace them.
 */
interface BatchProgress {
  update(bytes: number, totalBytes: number, finished: number, total: number): void;
  /** Writes a line above the bar. */
  line(text: string): void;
  stop(): void;
}

const REDRAW_MS = 200;

async function createBatchProgress(quiet: boolean): Promise<BatchProgress> {
  const plain: BatchProgress = { update() {}, line: (text) => process.stderr.write(text), stop() {} };
  if (quiet || !process.stderr.isTTY) return plain;
  const cliProgress: typeof cliProgressModule = (await import('cli-progress')).default;
  const started = Date.now();
  let bar: cliProgressModule.SingleBar | undefined;
  /** Between the bar's start and stop (main.ts's restoreTerminal puts the terminal back on an exit in between). */
  let barShown = false;
  let last = 0;
  let payload = { mb: '0.0', totalmb: '0.0', rate: '0.0', finished: 0, captures: 0 };
  return {
    update(bytes, totalBytes, finished, total) {
      const now = Date.now();
      if (now - last < REDRAW_MS && finished !== total) return;
      last = now;
      const secs = Math.max((now - started) / 1000, 0.001);
      payload = {
        mb: (bytes / 1e6).toFixed(1),
        totalmb: (totalBytes / 1e6).toFixed(1),
        rate: (bytes / 1e6 / secs).toFixed(1),
        finished,
        captures: total,
      };
      if (bar === undefined) {
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: '{bar} {percentage}% | {mb}/{totalmb} MB | {rate} MB/s | captures {finished}/{captures}',
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(totalBytes, 1), 0, payload);
        barShown = true;
        setBarShown(true);
      }
      bar.update(Math.min(bytes, Math.max(totalBytes, 1)), payload);
    },
    line(text) {
      // Clear the bar's line, print, and let the next update redraw the bar below.
      process.stderr.write(barShown ? `\r\x1b[K${text}` : text);
      if (bar !== undefined) bar.update(payload);
    },
    stop() {
      bar?.stop();
      barShown = false;
      setBarShown(false);
    },
  };
}

function captureLine(event: CaptureEvent): string {
  const where = `[${event.finished}/${event.total}]`;
  if (event.status === 'skipped') return `anycast-replay: ${where} ${event.trace}: done before, skipped\n`;
  if (event.status === 'failed') return `anycast-replay: ${where} ${event.trace}: failed\n`;
  const c = event.record!.capture;
  return `anycast-replay: ${where} ${event.trace}: replayed (${c.packets} packets, ${c.connections} connections)\n`;
}

export async function runBatchCommand(captures: string[], options: ReplayOptions, flags: BatchFlags): Promise<number> {
  // Everything that can be refused is refused before any capture is read.
  const settings = makeSettings(makeGrid(flags.servers, flags.seeds, flags.policy), options);
  let shard: Shard | undefined;
  if (flags.shard !== undefined) {
    if (flags.outDir === undefined) throw new ReplayError('OPTION_INVALID', 'option --shard needs --out-dir (merge the shards\u2019 directories with `anycast-replay merge`)');
    shard = parseShard(flags.shard, process.env, flags.shardCount);
  } else if (flags.shardCount !== undefined) {
    throw new ReplayError('OPTION_INVALID', 'option --shard-count goes with --shard env');
  }
  if (flags.force && flags.outDir === undefined) throw new ReplayError('OPTION_INVALID', 'option --force goes with --out-dir');
  const inputs = collectInputs(captures, flags.list);
  const files = inputs.flatMap((i) => [...i.files]);
  if (flags.list !== undefined) files.push(flags.list);
  checkOutputTargets(files, [
    ['--output', flags.output],
    ['--summaries', flags.summaries],
  ]);
  const jobs = flags.jobs ?? os.availableParallelism();

  const opened: TextSink[] = [];
  const progress = await createBatchProgress(flags.quiet);
  try {
    // Outputs are opened first, so an unwritable path fails before hours of work.
    const csv = openSink(flags.output);
    opened.push(csv);
    const summaries = flags.summaries !== undefined ? atomicFileSink(flags.summaries) : undefined;
    if (summaries !== undefined) opened.push(summaries);
    const result = await runBatch(
      { inputs, settings, jobs, outDir: flags.outDir, shard, force: flags.force },
      {
        onProgress: (bytes, totalBytes, finished, total) => progress.update(bytes, totalBytes, finished, total),
        onCapture(event) {
          if (event.status === 'failed') {
            progress.line(`${errorLine(event.error!).line}\n`);
          } else if (event.status === 'done') {
            // Warnings (a cut capture, a time jump) are shown even with --quiet, as by the main command.
            for (const w of event.record!.warning_lines) progress.line(`anycast-replay: warning: ${w}\n`);
          }
          if (flags.verbose) progress.line(captureLine(event));
        },
      },
    );
    progress.stop();
    if (result.failures.length > 0) {
      // A CSV without some captures would pass for the whole batch: none is written.
      for (const sink of opened) sink.abort();
      const recorded = flags.outDir !== undefined ? `; the others are recorded in '${flags.outDir}' and a rerun redoes only the failed ones` : '';
      process.stderr.write(
        `anycast-replay: ${result.failures.length} of ${result.members.length} captures failed; no output written${recorded}\n`,
      );
      return 1;
    }
    renderBatch(result.records, settings.canonical, flags.pool, (t) => csv.write(t), summaries ? (t) => summaries.write(t) : undefined);
    for (const sink of opened) sink.commit();
    return 0;
  } catch (err) {
    progress.stop();
    for (const sink of opened) sink.abort();
    throw err;
  }
}
