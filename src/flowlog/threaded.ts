/**
 * `readFlowLogsThreaded(files, options, onRecord)`: `readFlowLog` over the
 * files in order, on a second thread (./read-worker.ts), handing the records
 * to `onRecord` on this one through a ring of shared memory (./ring.ts). The
 * records and their order are exactly those of reading the files one by one
 * here; parsing and the reorder window then run beside the replay instead
 * of before it (docs/flow-logs.md "Performance"). Memory: the ring's 10 MiB
 * plus the reader's own, never the length of the logs.
 */
import { Worker } from 'node:worker_threads';
import { ReplayError, type ErrorCode } from '../errors.js';
import type { FlowLogOptions, FlowLogResult } from './read.js';
import { FlowRecord } from './record.js';
import type { ReadWorkerData, ReadWorkerMessage } from './read-worker.js';
import { C_READ, C_STATE, C_WRITTEN, PUBLISH_EVERY, STATE_RUNNING, createRingBuffer, ringViews, unpackRecord } from './ring.js';

/** `Atomics.waitAsync` (Node 16+; ES2024, newer than the project's `lib`). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeout: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** The worker's module: the compiled one (tests run the sources, which a worker cannot load). */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/flowlog/read-worker.js', here) : new URL('./read-worker.js', here);
}

/**
 * Reads `files` (flow logs, not standard input) in order on a worker thread;
 * calls `onRecord` here with one reused FlowRecord per record. Resolves with
 * each file's result; rejects with the reader's ReplayError (as
 * `readFlowLog` would), or with the error `onRecord` threw (the worker is
 * stopped).
 */
export async function readFlowLogsThreaded(
  files: readonly string[],
  options: FlowLogOptions,
  onRecord: (rec: FlowRecord) => void,
  /** The reading thread's module (tests replace it with one that fails). */
  workerModule: URL = workerUrl(),
): Promise<FlowLogResult[]> {
  const sab = createRingBuffer();
  const views = ringViews(sab);
  const control = views.control;
  const worker = new Worker(workerModule, { workerData: { files: [...files], options, sab } satisfies ReadWorkerData });
  const finished = new Promise<ReadWorkerMessage>((resolve, reject) => {
    worker.once('message', (m: ReadWorkerMessage) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`flow-log reader thread exited with code ${code}`)));
  });
  // A message or an early exit must not go unhandled while records are consumed;
  // once either came, no record will follow what is published (a thread that
  // died before its message never sets C_STATE: without this the loop below
  // would wait for it forever).
  let settled = false;
  finished.then(
    () => (settled = true),
    () => (settled = true),
  );
  const rec = new FlowRecord();
  let read = 0;
  try {
    for (;;) {
      const written = Atomics.load(control, C_WRITTEN);
      while (read !== written) {
        unpackRecord(views, read, rec);
        onRecord(rec);
        read = (read + 1) | 0;
        if ((read & (PUBLISH_EVERY - 1)) === 0) {
          Atomics.store(control, C_READ, read);
          Atomics.notify(control, C_READ);
        }
      }
      Atomics.store(control, C_READ, read);
      Atomics.notify(control, C_READ);
      if ((settled || Atomics.load(control, C_STATE) !== STATE_RUNNING) && Atomics.load(control, C_WRITTEN) === read) break;
      // Wait for more without blocking this thread's event loop (signals, progress).
      const wait = waitAsync(control, C_WRITTEN, written, 200);
      if (wait.async) await wait.value;
    }
    const message = await finished;
    if (message.kind === 'error') {
      if (message.code === 'INTERNAL') {
        // One line (the CLI prints the message); the thread's stack only as the stack.
        const internal = new Error(message.problem);
        internal.stack = message.message;
        throw internal;
      }
      throw new ReplayError(message.code as ErrorCode, message.problem, { file: message.file, offset: message.offset });
    }
    return message.results;
  } finally {
    await worker.terminate();
  }
}
