/**
 * The long hostile-capture run (issue 8 item 7): `npm run fuzz -- --cases N
 * [--seed S] [--path P]`. Runs N cases of scripts/fuzz-cases.mjs in-process
 * over the built library (dist/), in a worker thread watched by the main
 * thread: a case that does not finish within --timeout-ms (default 30000) is
 * a hang, the worker is stopped and the case printed. A failing case is
 * shrunk by fast-check, then printed with its seed and path (to replay it:
 * `--seed S --path P`), its description, and its bytes (hex, and the whole
 * file written to the temporary directory). Exit 0 when every case passed.
 * docs/fuzzing.md describes the cases and the invariants.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

if (isMainThread) await main();
else await work(workerData);

async function main() {
  const cases = Number(option('--cases', '10000'));
  const seed = Number(option('--seed', String(Date.now() % 2_147_483_647)));
  const replayPath = option('--path', undefined);
  const timeoutMs = Number(option('--timeout-ms', '30000'));
  if (!Number.isSafeInteger(cases) || cases < 1 || !Number.isSafeInteger(seed) || !(timeoutMs > 0)) {
    console.error('usage: node scripts/fuzz.mjs [--cases N] [--seed S] [--path P] [--timeout-ms MS]');
    process.exit(2);
  }
  console.log(`fuzz: ${cases} cases, seed ${seed}${replayPath ? `, path ${replayPath}` : ''}`);
  const started = Date.now();
  const worker = new Worker(new URL(import.meta.url), { workerData: { cases, seed, replayPath } });
  let current;
  let lastBeat = Date.now();
  let done = 0;
  let peakRss = 0;
  const watchdog = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (Date.now() - lastBeat <= timeoutMs) return;
    clearInterval(watchdog);
    void worker.terminate();
    console.log(`\nHANG: case ${done + 1} did not finish within ${timeoutMs} ms (seed ${seed})`);
    if (current !== undefined) report(current.c, Buffer.from(current.bytes), seed, `hang-${done + 1}`);
    process.exitCode = 1;
  }, 500);
  worker.on('message', (m) => {
    lastBeat = Date.now();
    if (m.type === 'case') current = m;
    else if (m.type === 'beat') done = m.done;
    else if (m.type === 'progress') {
      done = m.done;
      const s = (Date.now() - started) / 1000;
      console.log(`  ${m.done} cases  ${(m.done / s).toFixed(0)}/s  rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB  ${JSON.stringify(m.outcomes)}`);
    } else if (m.type === 'result') {
      clearInterval(watchdog);
      const seconds = (Date.now() - started) / 1000;
      const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
      if (m.failed) {
        console.log(`\nFAILED after ${m.numRuns} cases (${m.numShrinks} shrinks): seed ${m.seed}, path ${m.counterexamplePath}`);
        console.log(`replay: npm run fuzz -- --seed ${m.seed} --path ${m.counterexamplePath} --cases ${cases}`);
        console.log(m.error);
        report(m.counterexample, Buffer.from(m.bytes), m.seed, 'failure');
        process.exitCode = 1;
      } else {
        console.log(`passed: ${m.numRuns} cases in ${seconds.toFixed(1)} s (${(m.numRuns / seconds).toFixed(0)} cases/s), peak RSS ${(maxRss / 1048576).toFixed(1)} MB`);
        console.log(`outcomes of the replay: ${JSON.stringify(m.outcomes)}`);
      }
    }
  });
  worker.on('error', (err) => {
    clearInterval(watchdog);
    console.log(`worker died: ${err?.stack ?? err}`);
    if (current !== undefined) report(current.c, Buffer.from(current.bytes), seed, `crash-${done + 1}`);
    process.exitCode = 1;
  });
  worker.on('exit', () => clearInterval(watchdog));
}

function report(c, bytes, seed, tag) {
  const file = path.join(os.tmpdir(), `anycast-fuzz-${seed}-${tag}.bin`);
  fs.writeFileSync(file, bytes);
  console.log(`case: ${JSON.stringify(c)}`);
  console.log(`bytes (${bytes.length}, whole file at ${file}):`);
  const hex = bytes.toString('hex');
  for (let i = 0; i < Math.min(hex.length, 2048); i += 64) console.log(`  ${hex.slice(i, i + 64).replace(/(..)(?!$)/g, '$1 ')}`);
  if (hex.length > 2048) console.log('  …');
}

async function work({ cases, seed, replayPath }) {
  const { fc, caseArb, materialize, runCase } = await import('./fuzz-cases.mjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-fuzz-'));
  const outcomes = {};
  let n = 0;
  try {
    const property = fc.asyncProperty(caseArb, async (c) => {
      parentPort.postMessage({ type: 'case', c, bytes: materialize(c).bytes });
      const r = await runCase(c, dir);
      const key = r.results.replay.ok ? 'ok' : r.results.replay.code;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (++n % 1000 === 0) parentPort.postMessage({ type: 'progress', done: n, outcomes });
      else parentPort.postMessage({ type: 'beat', done: n });
      if (r.problems.length > 0) throw new Error(r.problems.join('\n'));
    });
    const params = { seed, numRuns: cases };
    if (replayPath !== undefined) params.path = replayPath;
    const details = await fc.check(property, params);
    const message = { type: 'result', failed: details.failed, numRuns: details.numRuns, numShrinks: details.numShrinks, seed: details.seed, outcomes };
    if (details.failed) {
      const c = details.counterexample[0];
      Object.assign(message, {
        counterexamplePath: details.counterexamplePath,
        counterexample: c,
        error: String(details.errorInstance?.message ?? details.error),
        bytes: materialize(c).bytes,
      });
    }
    parentPort.postMessage(message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
