/**
 * Properties of the replay over random small captures (fast-check; few runs,
 * each a capture of a handful of connections):
 * - the same input and options give a byte-identical CSV (SPEC §6);
 * - per (metric, policy) the counts add up to the non-idle samples, so the
 *   probabilities sum to exactly 1 as rationals; each printed probability,
 *   density and cdf is the exact ratio rounded half to even to 12 decimals;
 *   the cdf of the last bin is `1`;
 * - every policy of a metric has the same bins, from 0 up;
 * - a capture split into two files given in order gives the same CSV as the
 *   whole (SPEC §1: several files are one capture); so do pcapng, big-endian
 *   and microsecond-free writings of the same records;
 * - spawned: standard input (`-`) and a gzip of the file give exactly the same
 *   CSV bytes as the plain file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemorySink, PcapWriter } from '../../src/reader/writer.js';
import { gzipBytes } from '../../src/reader/damage.js';
import { runReplay } from '../../src/replay.js';
import { histogramCsvText } from '../../src/output/histogram-csv.js';
import type { ReplayOptions } from '../../src/options.js';
import { runCli, scenarioCapture, scenarioFrames, tempDir, type ScenarioPacket } from '../helpers/scenario.js';

const POLICIES = ['round-robin', 'random', 'hash', 'least-active'] as const;

interface ConnSpec {
  client: number;
  server: number;
  openMs: number;
  /** [gap ms after the previous packet, payload, from the server?] */
  data: [number, number, boolean][];
  close: 'fin' | 'rst' | 'none';
}

const connArb: fc.Arbitrary<ConnSpec> = fc.record({
  client: fc.integer({ min: 1, max: 12 }),
  server: fc.integer({ min: 1, max: 3 }),
  openMs: fc.integer({ min: 0, max: 4000 }),
  data: fc.array(fc.tuple(fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 3000 }), fc.boolean()), { maxLength: 6 }),
  close: fc.constantFrom('fin' as const, 'rst' as const, 'none' as const),
});

function msText(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** The packets of the connections, sorted by time (ties in generation order). */
function packetsOf(conns: readonly ConnSpec[]): ScenarioPacket[] {
  const timed: { ms: number; i: number; p: ScenarioPacket }[] = [];
  for (const c of conns) {
    const client = `c${c.client}`;
    const server = `s${c.server}`;
    const push = (ms: number, p: Omit<ScenarioPacket, 't'>): void => {
      timed.push({ ms, i: timed.length, p: { ...p, t: msText(ms) } });
    };
    let t = c.openMs;
    push(t, { from: client, to: server, flags: 'S' });
    t += 1;
    push(t, { from: server, to: client, flags: 'SA' });
    for (const [gap, payload, fromServer] of c.data) {
      t += gap;
      push(t, fromServer ? { from: server, to: client, flags: 'PA', payload } : { from: client, to: server, flags: 'PA', payload });
    }
    if (c.close === 'fin') {
      push(t + 5, { from: client, to: server, flags: 'FA' });
      push(t + 10, { from: server, to: client, flags: 'FA' });
    } else if (c.close === 'rst') {
      push(t + 5, { from: server, to: client, flags: 'R' });
    }
  }
  timed.sort((a, b) => a.ms - b.ms || a.i - b.i);
  return timed.map((x) => x.p);
}

const optionsArb: fc.Arbitrary<ReplayOptions> = fc.record({
  servers: fc.integer({ min: 1, max: 6 }),
  policy: fc.shuffledSubarray([...POLICIES], { minLength: 1 }),
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  interval: fc.constantFrom('0.1', '0.25', '0.5', '1', '0.333333333'),
  binWidth: fc.constantFrom('0.01', '0.1', '0.25', '0.3', '1'),
  direction: fc.constantFrom('both' as const, 's2c' as const, 'c2s' as const),
  idleTimeout: fc.constantFrom('0', '1', '300'),
});

const scenarioArb = fc.array(connArb, { minLength: 1, maxLength: 8 });

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeFile(bytes: Uint8Array, name = 'cap'): string {
  const file = path.join(dir, `${name}-${counter++}.pcap`);
  fs.writeFileSync(file, bytes);
  return file;
}

async function csvOf(files: string[], options: ReplayOptions): Promise<{ csv: string; samples: number; idle: Record<string, number> }> {
  const run = await runReplay(files, options);
  return {
    csv: histogramCsvText(run.results),
    samples: run.results.samples,
    idle: { connections: run.results.policies[0].connections.idle, bytes: run.results.policies[0].bytes.idle },
  };
}

/** count/total rounded half to even to 12 decimals, trailing zeros and point dropped (SPEC §6), from integers. */
function ratioText(num: bigint, den: bigint): string {
  const scale = 10n ** 12n;
  let q = (num * scale) / den;
  const r2 = ((num * scale) % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const whole = q / scale;
  const frac = (q % scale).toString().padStart(12, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

interface Row {
  metric: string;
  policy: string;
  binStart: string;
  binEnd: string;
  count: number;
  probability: string;
  density: string;
  cdf: string;
}

function parseCsv(csv: string): Row[] {
  const lines = csv.split('\n');
  expect(lines[0]).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf');
  expect(lines.at(-1)).toBe('');
  return lines.slice(1, -1).map((l) => {
    const f = l.split(',');
    expect(f).toHaveLength(8);
    return { metric: f[0], policy: f[1], binStart: f[2], binEnd: f[3], count: Number(f[4]), probability: f[5], density: f[6], cdf: f[7] };
  });
}

/** The decimal text as a fraction [numerator, 10^decimals]. */
function decimalFraction(text: string): [bigint, bigint] {
  const [w, f = ''] = text.split('.');
  return [BigInt(w + f), 10n ** BigInt(f.length)];
}

function checkCsvInvariants(csv: string, options: ReplayOptions, samples: number, idle: Record<string, number>): void {
  const rows = parseCsv(csv);
  const policies = (options.policy as readonly string[]).filter((p, i, a) => a.indexOf(p) === i);
  const [wNum, wDen] = decimalFraction(String(options.binWidth));
  const metricsPresent = [...new Set(rows.map((r) => r.metric))];
  // Connections first, then bytes; a metric is absent only when every sample is idle for it.
  expect(metricsPresent).toEqual(['connections', 'bytes'].filter((m) => samples - idle[m] > 0));
  for (const metric of metricsPresent) {
    const ofMetric = rows.filter((r) => r.metric === metric);
    // Policies in command-line order, each with the same bins 0 … last.
    const order = ofMetric.map((r) => r.policy).filter((p, i, a) => a.indexOf(p) === i);
    expect(order).toEqual(policies);
    const bins = (p: string): string[] => ofMetric.filter((r) => r.policy === p).map((r) => `${r.binStart}-${r.binEnd}`);
    for (const p of policies) expect(bins(p)).toEqual(bins(policies[0]));
    const first = ofMetric.filter((r) => r.policy === policies[0]);
    first.forEach((r, k) => {
      // bin edges k·w and (k+1)·w, exactly.
      const [s, sd] = decimalFraction(r.binStart);
      const [e, ed] = decimalFraction(r.binEnd);
      expect(s * wDen).toBe(BigInt(k) * wNum * sd);
      expect(e * wDen).toBe(BigInt(k + 1) * wNum * ed);
    });
    for (const p of policies) {
      const mine = ofMetric.filter((r) => r.policy === p);
      const total = BigInt(mine.reduce((n, r) => n + r.count, 0));
      // Σ count = non-idle samples, so Σ count/total = 1 exactly.
      expect(Number(total)).toBe(samples - idle[metric]);
      let cumulative = 0n;
      for (const r of mine) {
        const count = BigInt(r.count);
        cumulative += count;
        expect(r.probability).toBe(ratioText(count, total));
        expect(r.density).toBe(ratioText(count * wDen, total * wNum));
        expect(r.cdf).toBe(ratioText(cumulative, total));
      }
      expect(mine.at(-1)!.cdf).toBe('1');
    }
    // The last bin is not empty for some policy.
    const lastStart = first.at(-1)!.binStart;
    expect(ofMetric.some((r) => r.binStart === lastStart && r.count > 0)).toBe(true);
  }
}

describe('replay properties (in-process)', () => {
  it('same input and seed → byte-identical CSV; counts, probabilities, cdf and bins consistent', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, optionsArb, async (conns, options) => {
        const file = writeFile(scenarioCapture(packetsOf(conns)));
        const a = await csvOf([file], options);
        const b = await csvOf([file], { ...options });
        expect(b.csv).toBe(a.csv);
        checkCsvInvariants(a.csv, options, a.samples, a.idle);
      }),
      { numRuns: 40, seed: 20240601 },
    );
  });

  it('a capture split in two files gives the same CSV as the whole file', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, optionsArb, fc.double({ min: 0, max: 1, noNaN: true }), async (conns, options, where) => {
        const packets = packetsOf(conns);
        const frames = scenarioFrames(packets);
        const split = Math.min(frames.length - 1, Math.max(1, Math.round(where * frames.length)));
        const part = (from: number, to: number): Buffer => {
          const sink = new MemorySink();
          const w = new PcapWriter(sink, { nanosecond: true });
          for (const f of frames.slice(from, to)) w.writePacket(f.sec, f.nsec, f.data, f.originalLength);
          return sink.toBuffer();
        };
        const whole = writeFile(part(0, frames.length));
        const first = writeFile(part(0, split));
        const second = writeFile(part(split, frames.length));
        expect((await csvOf([first, second], options)).csv).toBe((await csvOf([whole], options)).csv);
      }),
      { numRuns: 25, seed: 7 },
    );
  });

  it('--from/--to give the CSV of a capture holding only the records in [first + from, first + to)', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        optionsArb,
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        async (conns, options, fromMs, lengthMs) => {
          const frames = scenarioFrames(packetsOf(conns));
          const first = frames[0];
          const inWindow = frames.filter((f) => {
            // Relative first: epoch ns do not fit a double exactly.
            const sinceMs = ((f.sec - first.sec) * 1e9 + (f.nsec - first.nsec)) / 1e6;
            return sinceMs >= fromMs && sinceMs < fromMs + lengthMs;
          });
          const write = (list: typeof frames): string => {
            const sink = new MemorySink();
            const w = new PcapWriter(sink, { nanosecond: true });
            for (const f of list) w.writePacket(f.sec, f.nsec, f.data, f.originalLength);
            return writeFile(sink.toBuffer());
          };
          const windowed = await runReplay([write(frames)], { ...options, from: msText(fromMs), to: msText(fromMs + lengthMs) });
          const only = await runReplay([write(inWindow)], options);
          expect(histogramCsvText(windowed.results)).toBe(histogramCsvText(only.results));
          expect(windowed.stats.packets).toBe(inWindow.length);
        },
      ),
      { numRuns: 25, seed: 13 },
    );
  });

  it('pcapng, big-endian pcap and microsecond pcap of the same records give the same CSV', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, optionsArb, async (conns, options) => {
        // Whole milliseconds survive a microsecond file unchanged.
        const packets = packetsOf(conns);
        const reference = (await csvOf([writeFile(scenarioCapture(packets))], options)).csv;
        for (const variant of [{ format: 'pcapng' as const }, { bigEndian: true }, { format: 'pcap' as const }, { format: 'pcapng' as const, bigEndian: true }]) {
          expect((await csvOf([writeFile(scenarioCapture(packets, variant))], options)).csv).toBe(reference);
        }
      }),
      { numRuns: 15, seed: 11 },
    );
  });

  it('another seed changes only the random policy’s rows', async () => {
    const conns = fc.sample(fc.array(connArb, { minLength: 8, maxLength: 8 }), { numRuns: 1, seed: 3 })[0];
    const file = writeFile(scenarioCapture(packetsOf(conns)));
    const options: ReplayOptions = { servers: 3, policy: ['all'], binWidth: '0.1', interval: '0.1' };
    const a = parseCsv((await csvOf([file], { ...options, seed: 1 })).csv);
    const b = parseCsv((await csvOf([file], { ...options, seed: 2 })).csv);
    const without = (rows: Row[]): Row[] => rows.filter((r) => r.policy !== 'random');
    // Bins run to the last non-empty bin of any policy: compare the non-random rows bin by bin.
    const key = (r: Row): string => `${r.metric},${r.policy},${r.binStart}`;
    const bMap = new Map(without(b).map((r) => [key(r), r]));
    for (const r of without(a)) {
      const other = bMap.get(key(r));
      if (other !== undefined) expect(other).toEqual(r);
      else expect(r.count).toBe(0);
    }
  });
});

describe('replay properties (spawned)', () => {
  it('standard input and a gzip of the file give exactly the CSV of the plain file', () => {
    fc.assert(
      fc.property(scenarioArb, (conns) => {
        const bytes = scenarioCapture(packetsOf(conns));
        const plain = writeFile(bytes);
        const gz = writeFile(gzipBytes(bytes), 'gz');
        const args = ['--servers', '3', '--bin-width', '0.1', '--interval', '0.25', '-q'];
        const fromFile = runCli([plain, ...args]);
        expect(fromFile.status).toBe(0);
        expect(fromFile.stdout).toMatch(/^metric,policy,/);
        const fromStdin = runCli(['-', ...args], { input: bytes });
        expect(fromStdin.status).toBe(0);
        expect(fromStdin.stdout).toBe(fromFile.stdout);
        const fromGzip = runCli([gz, ...args]);
        expect(fromGzip.status).toBe(0);
        expect(fromGzip.stdout).toBe(fromFile.stdout);
        const gzipStdin = runCli(['-', ...args], { input: gzipBytes(bytes) });
        expect(gzipStdin.stdout).toBe(fromFile.stdout);
      }),
      { numRuns: 3, seed: 5 },
    );
  });
});
