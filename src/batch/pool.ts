/**
 * Runs captures one per worker (issue 10 item 3): `jobs` worker threads, each
 * given the next capture in list order when it is free. Records come back in
 * completion order; the caller renders them in list order, so the output bytes
 * do not depend on `jobs`. With one job (or one capture) everything runs on
 * the main thread, with the same code.
 *
 * Workers load the compiled module (dist/batch/worker.js): the tests run the
 * TypeScript sources, and `npm test` builds dist/ first.
 */
import { Worker } from 'node:worker_threads';
import { ReplayError, type ErrorCode } from '../errors.js';
import type { FileStamp } from './fingerprint.js';
import type { Grid } from './grid.js';
import type { BatchInput } from './inputs.js';
import type { ReplayOptions } from '../options.js';
import type { CaptureRecord } from './records.js';
import { processCapture } from './capture.js';
import type { BatchSettings } from './settings.js';

export interface Task {
  readonly index: number;
  readonly input: BatchInput;
  readonly stamps: readonly FileStamp[];
}

export type ToWorker =
  | { type: 'settings'; grid: Grid; options: ReplayOptions }
  | { type: 'run'; index: number; input: BatchInput; stamps: readonly FileStamp[] };

export type FromWorker =
  | { type: 'progress'; index: number; bytes: number }
  | { type: 'done'; index: number; record: CaptureRecord }
  | { type: 'failed'; index: number; error: { code: ErrorCode; problem: string; file: string | undefined; offset: number | undefined } }
  | { type: 'internal'; index: number; message: string; stack: string | undefined };

export interface PoolHooks {
  /** Bytes of the capture read so far (compressed bytes for gzip). */
  onProgress?(index: number, bytes: number): void;
  /** A capture finished; called on the main thread, in completion order. */
  onDone(index: number, record: CaptureRecord): void;
  /** A capture failed (a damaged capture, an unreadable file); the others go on. */
  onFailed(index: number, error: ReplayError): void;
}

/** The compiled worker module, also when this module runs from the TypeScript sources (tests). */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/batch/worker.js', here) : new URL('./worker.js', here);
}

async function runInProcess(tasks: readonly Task[], settings: BatchSettings, hooks: PoolHooks): Promise<void> {
  for (const task of tasks) {
    let record: CaptureRecord;
    try {
      record = await processCapture(task.input, task.index, settings, task.stamps, (bytes) => hooks.onProgress?.(task.index, bytes));
    } catch (err) {
      if (!(err instanceof ReplayError)) throw err;
      hooks.onFailed(task.index, err);
      continue;
    }
    // Structured like a worker's record, so both paths render the same bytes.
    hooks.onDone(task.index, structuredClone(record));
  }
}

/**
 * Runs every task; resolves when all are done or failed, rejects on an
 * internal error (after stopping the workers).
 */
export async function runTasks(tasks: readonly Task[], settings: BatchSettings, jobs: number, hooks: PoolHooks): Promise<void> {
  const workers = Math.min(jobs, tasks.length);
  if (workers <= 1) return runInProcess(tasks, settings, hooks);
  const url = workerUrl();
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let running = 0;
    let stopped = false;
    const pool: Worker[] = [];
    const finished = new Set<Worker>();
    const stop = (err: Error): void => {
      if (stopped) return;
      stopped = true;
      for (const w of pool) void w.terminate();
      reject(err);
    };
    const feed = (worker: Worker): void => {
      if (stopped) return;
      if (next >= tasks.length) {
        finished.add(worker);
        void worker.terminate();
        if (running === 0) {
          stopped = true;
          resolve();
        }
        return;
      }
      const task = tasks[next++];
      running++;
      worker.postMessage({ type: 'run', index: task.index, input: task.input, stamps: task.stamps } satisfies ToWorker);
    };
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(url);
      pool.push(worker);
      worker.on('message', (message: FromWorker) => {
        if (stopped) return;
        try {
          if (message.type === 'progress') {
            hooks.onProgress?.(message.index, message.bytes);
            return;
          }
          if (message.type === 'internal') {
            const err = new Error(message.message);
            if (message.stack !== undefined) err.stack = message.stack;
            stop(err);
            return;
          }
          running--;
          if (message.type === 'done') hooks.onDone(message.index, message.record);
          else {
            const e = message.error;
            hooks.onFailed(message.index, new ReplayError(e.code, e.problem, { file: e.file, offset: e.offset }));
          }
        } catch (err) {
          stop(err as Error);
          return;
        }
        feed(worker);
      });
      worker.on('error', (err) => stop(err));
      worker.on('exit', (code) => {
        if (!stopped && !finished.has(worker) && code !== 0) stop(new Error(`a batch worker exited with code ${code}`));
      });
      worker.postMessage({ type: 'settings', grid: settings.grid, options: settings.options } satisfies ToWorker);
      feed(worker);
    }
  });
}
