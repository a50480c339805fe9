/**
 * A worker thread of `batch --jobs N` (issue 10): takes one capture at a
 * time from the main thread, runs the grid over it (capture.ts) and posts the
 * record back, with progress at most every PROGRESS_MS. It writes nothing:
 * result files are written by the main thread, whose signal handlers remove
 * its temporary files (a worker's would be left behind).
 */
import { parentPort } from 'node:worker_threads';
import { ReplayError } from '../errors.js';
import { processCapture } from './capture.js';
import { makeSettings, type BatchSettings } from './settings.js';
import type { ToWorker, FromWorker } from './pool.js';

const PROGRESS_MS = 100;

const port = parentPort;
if (port === null) throw new Error('worker.ts runs in a worker thread');

let settings: BatchSettings | undefined;

function post(message: FromWorker): void {
  port!.postMessage(message);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'settings') {
    settings = makeSettings(message.grid, message.options);
    return;
  }
  const { index, input, stamps } = message;
  let last = 0;
  processCapture(input, index, settings!, stamps, (bytes) => {
    const now = Date.now();
    if (now - last < PROGRESS_MS) return;
    last = now;
    post({ type: 'progress', index, bytes });
  }).then(
    (record) => post({ type: 'done', index, record }),
    (err: unknown) => {
      if (err instanceof ReplayError) {
        post({ type: 'failed', index, error: { code: err.code, problem: err.problem, file: err.file, offset: err.offset } });
      } else {
        // The stack travels apart: the error line shows it only with ANYCAST_REPLAY_DEBUG (cli/error-line.ts).
        post({ type: 'internal', index, message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
      }
    },
  );
});
