/**
 * `batch` as a library call (issue 10): the shard's members of the input
 * list, each read once for every configuration of the grid, on `jobs`
 * workers; with an output directory, finished captures are recorded as they
 * finish and reused by a rerun with the same options and unchanged inputs.
 * Rendering the outputs is the caller's (render.ts), from the records in list
 * order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReplayError } from '../errors.js';
import { stampFile, type FileStamp } from './fingerprint.js';
import type { BatchInput } from './inputs.js';
import { prepareOutDir, reusableRecord, writeRecord, manifestPath, RESULTS_DIR } from './out-dir.js';
import { runTasks, type Task } from './pool.js';
import type { CaptureRecord } from './records.js';
import type { BatchSettings } from './settings.js';
import { shardMembers, type Shard } from './shard.js';

export interface BatchParams {
  readonly inputs: readonly BatchInput[];
  readonly settings: BatchSettings;
  /** Worker threads (one capture each at a time). */
  readonly jobs: number;
  readonly outDir?: string | undefined;
  readonly shard?: Shard | undefined;
  /** Start over in an output directory made with other options. */
  readonly force?: boolean;
}

export interface CaptureEvent {
  readonly index: number;
  readonly trace: string;
  /** `done`: replayed now; `skipped`: recorded by an earlier run; `failed`: see `error`. */
  readonly status: 'done' | 'skipped' | 'failed';
  readonly record?: CaptureRecord;
  readonly error?: ReplayError;
  /** Captures finished so far (any status) and the shard's total. */
  readonly finished: number;
  readonly total: number;
}

export interface BatchHooks {
  /** Bytes read over the whole batch (finished and skipped captures count in full), captures finished. */
  onProgress?(bytes: number, totalBytes: number, finished: number, total: number): void;
  onCapture?(event: CaptureEvent): void;
}

export interface BatchResult {
  /** Indices of the shard's inputs, in list order. */
  readonly members: readonly number[];
  /** The members' records in list order (failed captures have none). */
  readonly records: readonly CaptureRecord[];
  readonly failures: readonly { index: number; trace: string; error: ReplayError }[];
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** An input inside the output directory's results, or its manifest, would be written over. */
function checkInputsOutsideOutDir(inputs: readonly BatchInput[], outDir: string): void {
  const results = realOrResolved(path.join(outDir, RESULTS_DIR)) + path.sep;
  const manifest = realOrResolved(manifestPath(outDir));
  for (const input of inputs) {
    for (const file of input.files) {
      const real = realOrResolved(file);
      if (real === manifest || real.startsWith(results)) {
        throw new ReplayError('OPTION_INVALID', `option --out-dir: the input '${file}' is inside the output directory's ${RESULTS_DIR}/ or is its manifest`);
      }
    }
  }
}

export async function runBatch(params: BatchParams, hooks: BatchHooks = {}): Promise<BatchResult> {
  const { inputs, settings, outDir } = params;
  const members = shardMembers(
    inputs.map((i) => i.trace),
    params.shard,
  );
  const total = members.length;
  const records = new Map<number, CaptureRecord>();
  const failures: { index: number; trace: string; error: ReplayError }[] = [];
  const sizes = new Map<number, number>();
  let totalBytes = 0;
  for (const index of members) {
    const size = inputs[index].files.reduce((s, f) => s + sizeOf(f), 0);
    sizes.set(index, size);
    totalBytes += size;
  }
  let finished = 0;
  let finishedBytes = 0;
  const reading = new Map<number, number>();
  const report = (): void => {
    let bytes = finishedBytes;
    for (const b of reading.values()) bytes += b;
    hooks.onProgress?.(bytes, totalBytes, finished, total);
  };
  const finish = (index: number, status: CaptureEvent['status'], record?: CaptureRecord, error?: ReplayError): void => {
    finished++;
    reading.delete(index);
    finishedBytes += sizes.get(index) ?? 0;
    if (record !== undefined) records.set(index, record);
    if (error !== undefined) failures.push({ index, trace: inputs[index].trace, error });
    hooks.onCapture?.({ index, trace: inputs[index].trace, status, record, error, finished, total });
    report();
  };

  // Stamps (size, mtime, fingerprint) are taken before the run and recorded
  // with the result: a file changed while it is read is redone next time.
  const stamps = new Map<number, readonly FileStamp[]>();
  const tasks: Task[] = [];
  const unreadable = new Map<number, ReplayError>();
  if (outDir !== undefined) {
    checkInputsOutsideOutDir(inputs, outDir);
    for (const index of members) {
      try {
        stamps.set(index, inputs[index].files.map(stampFile));
      } catch (err) {
        if (!(err instanceof ReplayError)) throw err;
        unreadable.set(index, err);
      }
    }
    prepareOutDir(outDir, settings.canonical, inputs, stamps, params.shard, members, params.force ?? false);
  }
  for (const index of members) {
    const failure = unreadable.get(index);
    if (failure !== undefined) {
      finish(index, 'failed', undefined, failure);
      continue;
    }
    const own = stamps.get(index) ?? [];
    const reused = outDir !== undefined ? reusableRecord(outDir, index, inputs[index].trace, settings.canonical, own) : undefined;
    if (reused !== undefined) finish(index, 'skipped', reused);
    else tasks.push({ index, input: inputs[index], stamps: own });
  }
  report();
  await runTasks(tasks, settings, params.jobs, {
    onProgress(index, bytes) {
      reading.set(index, bytes);
      report();
    },
    onDone(index, record) {
      if (outDir !== undefined) writeRecord(outDir, record);
      finish(index, 'done', record);
    },
    onFailed(index, error) {
      finish(index, 'failed', undefined, error);
    },
  });
  const ordered: CaptureRecord[] = [];
  for (const index of members) {
    const r = records.get(index);
    if (r !== undefined) ordered.push(r);
  }
  failures.sort((a, b) => a.index - b.index);
  return { members, records: ordered, failures };
}
