/**
 * The reading thread of `readFlowLogsThreaded` (./threaded.ts): reads the
 * flow logs in order with `readFlowLog` and packs every delivered record
 * into the shared ring (./ring.ts), waiting while the ring is full. Ends with
 * one message: the per-file results, or the error that stopped the read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReplayError } from '../errors.js';
import { readFlowLog, type FlowLogOptions, type FlowLogResult } from './read.js';
import type { FlowRecord } from './record.js';
import { C_READ, C_STATE, C_WRITTEN, PUBLISH_EVERY, RING_RECORDS, STATE_DONE, STATE_FAILED, packRecord, ringViews } from './ring.js';

export interface ReadWorkerData {
  files: string[];
  options: FlowLogOptions;
  sab: SharedArrayBuffer;
}

/** The worker's one message. */
export type ReadWorkerMessage =
  | { kind: 'done'; results: FlowLogResult[] }
  | { kind: 'error'; code: string; problem: string; file?: string; offset?: number; message: string };

const data = workerData as ReadWorkerData;
const views = ringViews(data.sab);
const control = views.control;
let written = 0;

function publish(): void {
  Atomics.store(control, C_WRITTEN, written);
  Atomics.notify(control, C_WRITTEN);
}

function onRecord(rec: FlowRecord): void {
  // Full: publish what is there and wait for the reader to make room.
  while (((written - Atomics.load(control, C_READ)) | 0) >= RING_RECORDS) {
    publish();
    Atomics.wait(control, C_READ, Atomics.load(control, C_READ), 50);
  }
  packRecord(views, written, rec);
  written = (written + 1) | 0;
  if ((written & (PUBLISH_EVERY - 1)) === 0) publish();
}

async function main(): Promise<void> {
  const results: FlowLogResult[] = [];
  try {
    for (const file of data.files) {
      results.push(await readFlowLog(file, data.options, onRecord));
      publish();
    }
    publish();
    parentPort!.postMessage({ kind: 'done', results } satisfies ReadWorkerMessage);
    Atomics.store(control, C_STATE, STATE_DONE);
  } catch (err) {
    const e = err instanceof ReplayError ? err : undefined;
    parentPort!.postMessage({
      kind: 'error',
      code: e?.code ?? 'INTERNAL',
      problem: e?.problem ?? String((err as Error)?.message ?? err),
      file: e?.file,
      offset: e?.offset,
      message: String((err as Error)?.stack ?? err),
    } satisfies ReadWorkerMessage);
    Atomics.store(control, C_STATE, STATE_FAILED);
  }
  publish();
}

void main();
