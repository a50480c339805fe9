/**
 * The threaded reader (src/flowlog/threaded.ts): the same records, in the
 * same order, with the same per-file results and the same errors as reading
 * the files one by one on this thread; enough records to wrap the shared
 * ring (64 Ki slots) several times. The worker runs the compiled module:
 * `npm test` builds dist/ first.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFlowLog } from '../../src/flowlog/read.js';
import { readFlowLogsThreaded } from '../../src/flowlog/threaded.js';
import { RING_RECORDS } from '../../src/flowlog/ring.js';
import { ReplayError } from '../../src/errors.js';
import { createReplayEngine } from '../../src/engine/replay-engine.js';
import { replayFlowLogs, type FlowReplayOptions } from '../../src/engine/flow-replay.js';
import { policyConfigs } from '../../src/dispatch/dispatcher.js';
import { histogramCsvText } from '../../src/output/histogram-csv.js';
import { plain, writeTemp, zeekLog, type PlainRecord } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A generated conn.log of `n` records (bench/flowlog.mjs's model: rows in Zeek's write order). */
function generated(name: string, n: number): string {
  const file = writeTemp(name, '');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'flowlog.mjs'), 'generate', file, String(n)], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return file;
}

const WINDOW = { reorderWindow: { sec: 400, nsec: 0 } };

describe('readFlowLogsThreaded', () => {
  it('delivers what readFlowLog delivers, file by file, across several laps of the ring', async () => {
    const a = generated('a.log', 150_000);
    const b = generated('b.log', 60_000);
    const here: PlainRecord[] = [];
    const hereResults = [await readFlowLog(a, WINDOW, (r) => here.push(plain(r))), await readFlowLog(b, WINDOW, (r) => here.push(plain(r)))];
    const there: PlainRecord[] = [];
    const thereResults = await readFlowLogsThreaded([a, b], WINDOW, (r) => there.push(plain(r)));
    expect(here.length).toBeGreaterThan(3 * RING_RECORDS);
    expect(there.length).toBe(here.length);
    expect(there).toEqual(here);
    expect(thereResults).toEqual(hereResults);
  }, 120_000);

  it('a replay through the thread gives the same histograms and totals', async () => {
    const file = generated('r.log', 80_000);
    const run = async (threaded: boolean): Promise<[string, unknown]> => {
      const engine = createReplayEngine({
        configs: policyConfigs(['round-robin', 'random', 'hash', 'least-active'], 5, 1, undefined),
        interval: { sec: 0, nsec: 500_000_000 },
        binWidth: '0.01',
        direction: 'both',
        services: [],
      });
      const options: FlowReplayOptions = {
        format: 'zeek-conn',
        proto: 'both',
        countC2s: true,
        countS2c: true,
        reorderWindow: { sec: 400, nsec: 0 },
        idleTimeout: { sec: 300, nsec: 0 },
        synTimeout: { sec: 60, nsec: 0 },
        udpTimeout: { sec: 60, nsec: 0 },
        threaded,
      };
      const totals = await replayFlowLogs([file], engine, options);
      return [histogramCsvText(engine.results()), totals];
    };
    const [csv1, totals1] = await run(false);
    const [csv2, totals2] = await run(true);
    expect(csv1.split('\n').length).toBeGreaterThan(100);
    expect(csv2).toBe(csv1);
    expect(totals2).toEqual(totals1);
  }, 120_000);

  it('rejects with the reader\'s own error, naming the file and line', async () => {
    const good = writeTemp('good.log', zeekLog(['1700000000.000000\tC1\t10.0.0.1\t1000\t10.0.0.2\t80\ttcp\t-\t1.0\t10\t20\tSF\t0\tShADadFf\t5\t100\t5\t200\t-']));
    const bad = writeTemp('bad.log', zeekLog(['soon\tC1\t10.0.0.1\t1000\t10.0.0.2\t80\ttcp\t-\t1.0\t10\t20\tSF\t0\tShADadFf\t5\t100\t5\t200\t-']));
    const expected = await readFlowLog(bad, {}, () => {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(expected).toBeInstanceOf(ReplayError);
    const got = await readFlowLogsThreaded([good, bad], {}, () => {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(got).toBeInstanceOf(ReplayError);
    expect((got as ReplayError).code).toBe((expected as ReplayError).code);
    expect((got as ReplayError).message).toBe((expected as ReplayError).message);
    expect((got as ReplayError).message).toMatch(/bad\.log: line 9: field ts: 'soon' is not a time$/);
  });

  it('stops the reading thread when the consumer throws, and rejects with that error', async () => {
    const file = generated('s.log', 100_000);
    let seen = 0;
    const err = await readFlowLogsThreaded([file], WINDOW, () => {
      if (++seen === 70_000) throw new Error('consumer gave up');
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe('consumer gave up');
    expect(seen).toBe(70_000);
  }, 60_000);

  it('a missing file is FILE_READ, as on this thread', async () => {
    const missing = path.join(path.dirname(writeTemp('x', '')), 'nope.log');
    expect(fs.existsSync(missing)).toBe(false);
    const err = await readFlowLogsThreaded([missing], {}, () => {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'FILE_READ' });
  });

  // A thread that dies before its one message (a module that fails to load,
  // an exit) never sets the ring's state: the reader must still settle.
  const js = (code: string): URL => new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  const outcome = (p: Promise<unknown>): Promise<unknown> =>
    p.then(
      () => 'resolved',
      (e: unknown) => e,
    );

  it('rejects, instead of waiting forever, when the thread fails before its message', async () => {
    const file = writeTemp('ok.log', '');
    const err = await outcome(readFlowLogsThreaded([file], {}, () => {}, js('throw new Error("reader module failed")')));
    expect((err as Error).message).toBe('reader module failed');
  }, 10_000);

  it('rejects, instead of waiting forever, when the thread exits before its message', async () => {
    const file = writeTemp('ok2.log', '');
    const err = await outcome(readFlowLogsThreaded([file], {}, () => {}, js('process.exit(3)')));
    expect((err as Error).message).toBe('flow-log reader thread exited with code 3');
  }, 10_000);

  it("an internal error of the thread is one line (its stack kept as the error's stack)", async () => {
    const file = writeTemp('ok3.log', '');
    const message = { kind: 'error', code: 'INTERNAL', problem: 'boom', message: 'Error: boom\n    at reader (x.js:1:1)' };
    const post = `import { parentPort } from 'node:worker_threads'; parentPort.postMessage(${JSON.stringify(message)});`;
    const err = await outcome(readFlowLogsThreaded([file], {}, () => {}, js(post)));
    expect(err).not.toBeInstanceOf(ReplayError);
    expect((err as Error).message).toBe('boom');
    expect((err as Error).stack).toBe('Error: boom\n    at reader (x.js:1:1)');
  }, 10_000);
});
