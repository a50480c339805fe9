/**
 * Issue 11's policy catalogue wired into the replay: every catalogue policy
 * runs from `--policy` beside the paper's four, with its parameters, and
 * `--imbalance` adds exact rows and summary figures while a default run
 * stays as it was.
 *
 * Tiny scenario: clients c1…c4 (10.0.0.k, port 40000 + k) open to
 * 192.0.2.1:80 at 0.1, 0.2, 0.3, 0.35 s and never close; two servers. The
 * flow hash with the default key (`src-port`) and function (`crc32`) is
 * CRC-32 of 10.0.0.k ‖ port, computed here by an independent bitwise CRC.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tempDir, writeScenario, type ScenarioPacket } from '../helpers/scenario.js';
import { runReplay } from '../../src/replay.js';
import { histogramCsvText } from '../../src/output/histogram-csv.js';
import { createCataloguePolicy, CATALOGUE_POLICY_NAMES, type CataloguePolicyName } from '../../src/policies/catalogue.js';
import { MICROSOFT_RSS_KEY } from '../../src/policies/toeplitz.js';
import { ALL_POLICY_NAMES } from '../../src/options.js';

const CLIENTS = 4;
const PACKETS: ScenarioPacket[] = [
  { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
  { t: '0.2', from: 'c2', to: 's1', flags: 'S' },
  { t: '0.3', from: 'c3', to: 's1', flags: 'S' },
  { t: '0.35', from: 'c4', to: 's1', flags: 'S' },
  { t: '1.2', from: 'c1', to: 's1', flags: 'A' },
];

function crc32(bytes: readonly number[]): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Bitwise Toeplitz over `input` with Microsoft's key (bit by bit, as the RSS spec describes it). */
function toeplitz(input: readonly number[]): number {
  const key = MICROSOFT_RSS_KEY;
  let result = 0;
  for (let i = 0; i < input.length * 8; i++) {
    if ((input[i >> 3] >> (7 - (i & 7))) & 1) {
      // The 32 key bits starting at bit i.
      let window = 0;
      for (let j = 0; j < 32; j++) {
        const bit = i + j;
        window = (window << 1) | ((key[bit >> 3] >> (7 - (bit & 7))) & 1);
      }
      result ^= window >>> 0;
    }
  }
  return result >>> 0;
}

function srcPortBytes(k: number): number[] {
  const port = 40_000 + k;
  return [10, 0, 0, k, port >>> 8, port & 0xff];
}

function fourTupleBytes(k: number): number[] {
  const port = 40_000 + k;
  return [10, 0, 0, k, 192, 0, 2, 1, port >>> 8, port & 0xff, 0, 80];
}

const HASHES = Array.from({ length: CLIENTS }, (_, i) => crc32(srcPortBytes(i + 1)));

/** Assignments file → per policy, the servers of conn 0, 1, 2, 3. */
function parseAssignments(text: string): Map<string, number[]> {
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('conn,policy,server');
  const out = new Map<string, number[]>();
  for (const line of lines.slice(1)) {
    const [conn, policy, server] = line.split(',');
    const list = out.get(policy) ?? [];
    list[Number(conn)] = Number(server);
    out.set(policy, list);
  }
  return out;
}

async function assignmentsOf(file: string, options: Parameters<typeof runReplay>[1]): Promise<Map<string, number[]>> {
  let text = '';
  await runReplay([file], options, { assignments: (chunk) => (text += chunk) });
  return parseAssignments(text);
}

/** What the catalogue policy gives for these hashes, everything active and nothing closing. */
function libraryAssignment(policy: CataloguePolicyName, servers: number, hashes: readonly number[], extra: { weights?: number[] } = {}): number[] {
  const p = createCataloguePolicy({ policy, servers, seed: 1, ...extra });
  const active = new Float64Array(servers);
  return hashes.map((h) => {
    const s = p.choose(h, active, 0);
    active[s]++;
    return s;
  });
}

describe('catalogue policies in the replay (hand-computed, N = 2)', () => {
  const dir = tempDir();
  const file = writeScenario(dir, 'tiny.pcap', PACKETS);

  it('hash and modulo both give CRC-32(address ‖ port) mod N; hash-threshold gives ⌊hash·N / 2^32⌋', async () => {
    const got = await assignmentsOf(file, { servers: 2, policy: ['hash', 'modulo', 'hash-threshold'] });
    const expectedModulo = HASHES.map((h) => h % 2);
    expect(got.get('hash')).toEqual(expectedModulo);
    expect(got.get('modulo')).toEqual(expectedModulo);
    expect(got.get('hash-threshold')).toEqual(HASHES.map((h) => Math.floor((h * 2) / 2 ** 32)));
  });

  it('--hash-key 4-tuple --hash-fn toeplitz changes the modulo input to the RSS Toeplitz hash of the 4-tuple', async () => {
    const got = await assignmentsOf(file, { servers: 3, policy: ['modulo', 'hash'], hashKey: '4-tuple', hashFn: 'toeplitz' });
    const hashes = Array.from({ length: CLIENTS }, (_, i) => toeplitz(fourTupleBytes(i + 1)));
    expect(got.get('modulo')).toEqual(hashes.map((h) => h % 3));
    // `hash` is the paper's policy: its input does not move with --hash-key.
    expect(got.get('hash')).toEqual(HASHES.map((h) => h % 3));
  });

  it('smooth weighted round-robin and weighted least-active with weights 2,1', async () => {
    const got = await assignmentsOf(file, { servers: 2, policy: ['weighted-round-robin', 'weighted-least-active'], weights: '2,1' });
    // WRR current values: [2,1]→0 [−1,1]; [1,2]→1 [1,−1]; [3,0]→0 [0,0]; [2,1]→0.
    expect(got.get('weighted-round-robin')).toEqual([0, 1, 0, 0]);
    // active/weight: [0,0] tie→0; 1/2 vs 0→1; 1/2 vs 1→0; 2/2 vs 1 tie→0.
    expect(got.get('weighted-least-active')).toEqual([0, 1, 0, 0]);
  });

  it('every hash scheme, p2c and weighted-random give what the catalogue module gives for the same hashes', async () => {
    const names = ['hrw', 'ring', 'maglev', 'jump', 'bounded-load', 'p2c', 'weighted-random'] as const;
    const got = await assignmentsOf(file, { servers: 2, policy: [...names] });
    for (const name of names) expect(got.get(name), name).toEqual(libraryAssignment(name, 2, HASHES));
    // bounded-load with c = 1.25 and two servers: the server taking the connection placed with A active
    // holds at most cap = ⌈1.25·(A+1)/2⌉ = ⌈5(A+1)/8⌉ = 1, 2, 2, 3 for A = 0…3 after taking it.
    const bl = got.get('bounded-load') ?? [];
    const load = [0, 0];
    bl.forEach((s, a) => {
      load[s]++;
      expect(load[s]).toBeLessThanOrEqual(Math.ceil((5 * (a + 1)) / 8));
    });
  });
});

describe('--imbalance (hand-computed)', () => {
  // round-robin, N = 2: c1→0, c2→1, c3→0. One sample at 1.1: active [2, 1]; bytes [100, 300].
  const dir = tempDir();
  const file = writeScenario(dir, 'three.pcap', [
    { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
    { t: '0.2', from: 'c2', to: 's1', flags: 'S' },
    { t: '0.3', from: 'c3', to: 's1', flags: 'S' },
    { t: '0.4', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
    { t: '0.5', from: 'c2', to: 's1', flags: 'PA', payload: 300 },
    { t: '1.2', from: 'c3', to: 's1', flags: 'A' },
  ]);
  const options = { servers: 2, policy: ['round-robin'] as const, interval: '1', imbalance: 'range,max-over-mean,cv,jain' };

  it('each measure gets its own metric values and its exact bin', async () => {
    const run = await runReplay([file], { ...options, policy: [...options.policy] });
    const csv = histogramCsvText({ ...run.results, imbalance: run.results.imbalance });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf');
    const metrics = [...new Set(lines.slice(1).map((l) => l.split(',')[0]))];
    expect(metrics).toEqual([
      'connections',
      'bytes',
      'connections:max-over-mean',
      'bytes:max-over-mean',
      'connections:cv',
      'bytes:cv',
      'connections:jain',
      'bytes:jain',
    ]);
    const filled = (metric: string): string[] => lines.filter((l) => l.startsWith(`${metric},`) && l.split(',')[4] === '1');
    // range: conns 1·2/3 = 0.666…; bytes 200·2/400 = 1.
    expect(filled('connections')).toEqual(['connections,round-robin,0.66,0.67,1,1,100,1']);
    expect(filled('bytes')).toEqual(['bytes,round-robin,1,1.01,1,1,100,1']);
    // max/mean: conns 2·2/3 = 1.333…; bytes 300·2/400 = 1.5.
    expect(filled('connections:max-over-mean')[0]).toMatch(/^connections:max-over-mean,round-robin,1\.33,1\.34,1,/);
    expect(filled('bytes:max-over-mean')[0]).toMatch(/^bytes:max-over-mean,round-robin,1\.5,1\.51,1,/);
    // cv: conns √(2·5 − 9)/3 = 1/3; bytes √(2·100000 − 400²)/400 = 200/400 = 0.5 exactly.
    expect(filled('connections:cv')[0]).toMatch(/^connections:cv,round-robin,0\.33,0\.34,1,/);
    expect(filled('bytes:cv')[0]).toMatch(/^bytes:cv,round-robin,0\.5,0\.51,1,/);
    // jain: conns 9/(2·5) = 0.9 exactly; bytes 400²/(2·100000) = 0.8 exactly.
    expect(filled('connections:jain')[0]).toMatch(/^connections:jain,round-robin,0\.9,0\.91,1,/);
    expect(filled('bytes:jain')[0]).toMatch(/^bytes:jain,round-robin,0\.8,0\.81,1,/);
    // Bins run from 0: the jain block of connections has bins 0 … 90.
    expect(lines.filter((l) => l.startsWith('connections:jain,')).length).toBe(91);

    const figures = run.summary.policies[0].imbalance;
    expect(Object.keys(figures ?? {})).toEqual(['range', 'max-over-mean', 'cv', 'jain']);
    expect(figures?.cv.connections.max_imbalance).toBe('0.333333');
    expect(figures?.cv.bytes.mean_imbalance).toBe('0.500000');
    expect(figures?.jain.connections.max_imbalance).toBe('0.900000');
    expect(figures?.jain.bytes.p50).toBe('0.81');
    expect(figures?.['max-over-mean'].connections.max_imbalance).toBe('1.333333');
    expect(figures?.range.connections.max_imbalance).toBe(run.summary.policies[0].connections.max_imbalance);
  });

  it('a default run has no extra rows and no `imbalance` field; --imbalance range gives the same bytes', async () => {
    const a = await runReplay([file], { servers: 2, policy: ['round-robin'], interval: '1' });
    const b = await runReplay([file], { servers: 2, policy: ['round-robin'], interval: '1', imbalance: 'range' });
    expect(histogramCsvText(a.results)).toBe(histogramCsvText(b.results));
    expect(JSON.stringify(a.summary)).toBe(JSON.stringify(b.summary));
    expect(a.summary.policies[0].imbalance).toBeUndefined();
    expect(histogramCsvText(a.results).split('\n').filter((l) => l.includes(':')).length).toBe(0);
  });
});

describe('the CLI with the catalogue', () => {
  const dir = tempDir();
  const capture = path.join(dir, 'web.pcap');
  const synth = runCli(['synth', '--duration', '4', '--rate', '60', '--seed', '7', '-q', '-o', capture]);

  it('runs all 15 policies at once; each block equals a run of that policy alone; defaults unchanged', () => {
    expect(synth.status).toBe(0);
    const every = ALL_POLICY_NAMES.join(',');
    expect(ALL_POLICY_NAMES.length).toBe(4 + CATALOGUE_POLICY_NAMES.length);
    const json = path.join(dir, 's.json');
    const all = runCli([capture, '-q', '-p', every, '--weights', '3,1,1,1,1', '--summary-json', json]);
    expect(all.stderr).toBe('');
    expect(all.status).toBe(0);
    const summary = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      replay: { connections_replayed: number };
      policies: { policy: string; per_server: { connections: number }[] }[];
    };
    expect(summary.policies.map((p) => p.policy)).toEqual([...ALL_POLICY_NAMES]);
    for (const p of summary.policies) {
      expect(p.per_server.reduce((s, x) => s + x.connections, 0)).toBe(summary.replay.connections_replayed);
    }
    // hash = modulo, row for row (same input, same scheme).
    const rows = all.stdout.split('\n');
    const block = (name: string): string[] => rows.filter((l) => l.split(',')[1] === name).map((l) => l.replace(`,${name},`, ',X,'));
    expect(block('modulo')).toEqual(block('hash'));
    // The paper's four: byte-identical to the default run's rows.
    const def = runCli([capture, '-q']);
    expect(def.status).toBe(0);
    const paper = new Set(['round-robin', 'random', 'hash', 'least-active']);
    const defaultRowsFromAll = rows.filter((l, i) => i === 0 || paper.has(l.split(',')[1]));
    // Shared bins run to the last non-empty bin of any policy, so compare bin by bin where both have it.
    const defRows = def.stdout.trim().split('\n');
    for (const line of defRows) if (!defaultRowsFromAll.includes(line)) expect(line.split(',')[4]).toBe('0');
    // One catalogue policy alone gives the same non-empty bins as in the run of all.
    const maglev = runCli([capture, '-q', '-p', 'maglev']);
    const nonEmpty = (text: string[], name: string): string[] =>
      text.filter((l) => l.split(',')[1] === name && l.split(',')[4] !== '0').map((l) => l.split(',').slice(0, 5).join(','));
    expect(nonEmpty(maglev.stdout.split('\n'), 'maglev')).toEqual(nonEmpty(rows, 'maglev'));
  });

  it('validates the catalogue options before reading (exit 2, one line)', () => {
    const missing = path.join(dir, 'no-such.pcap');
    const weights = runCli([missing, '-p', 'weighted-random', '--weights', '1,2']);
    expect(weights.status).toBe(2);
    expect(weights.stderr).toContain('2 weights for 5 servers');
    expect(weights.stderr.trim().split('\n').length).toBe(1);
    const maglev = runCli([missing, '-p', 'maglev', '--maglev-size', '600']);
    expect(maglev.status).toBe(2);
    expect(maglev.stderr).toContain('prime');
    const measure = runCli([missing, '--imbalance', 'gini']);
    expect(measure.status).toBe(2);
    expect(measure.stderr).toContain("unknown measure 'gini'");
    const policy = runCli([missing, '-p', 'consistent']);
    expect(policy.status).toBe(2);
    expect(policy.stderr).toContain('maglev');
  });
});
