/**
 * A tiny capture replayed through the CLI with every expectation worked out by
 * hand (SPEC §3–§6): which server each connection goes to under each policy,
 * every sample's per-server connections and bytes (`--timeseries`), the
 * `--assignments` file and the exact CSV.
 *
 * Seven connections from clients c1…c7 (10.0.0.k, port 40000 + k) to
 * 192.0.2.1:80, three servers, interval 0.5 s, bin width 0.5,
 * `--idle-timeout 2`. Times are seconds after 1 700 000 000; t0 = 0.1, so the
 * sample instants are 0.6, 1.1, … 4.1 (the last packet is at 4.1: that sample
 * is taken, SPEC §5 "not after the last packet").
 *
 *   conn client  opens  active until            payload (time: bytes direction)
 *   C0   c1      0.1    1.1  FIN from the server  0.2: 100 c2s   0.6: 1000 s2c
 *   C1   c2      0.3    2.7  idle expiry (0.7+2)  0.4: 200 c2s   0.7: 2000 s2c
 *   C2   c3      0.5    1.3  RST                  0.8: 300 c2s   1.2: 3000 s2c
 *   C3   c4      1.05   1.75 FIN                  1.4: 4000 s2c
 *   C4   c5      1.1    2.45 FIN                  1.5: 500 c2s   2.1: 5000 s2c
 *   C5   c6      1.6    3.65 FIN                  1.9: 600 c2s   2.2: 6000 s2c   3.5: 60 s2c
 *   C6   c7      3.3    4.1  RST (last packet)    3.4: 700 c2s   3.8: 7000 s2c
 *
 * The edges it pins (a sample at s sees the state after every event < s):
 * - C0's 1000 B at 0.6 = a sample instant: counted in [0.6, 1.1), not in [0.1, 0.6).
 * - C0 closes at 1.1 = a sample instant: still active in sample 1.1.
 * - C4 opens at 1.1, in file order after C0's closing FIN at the same instant:
 *   least-active sees C0 gone (servers [1,1,1] → server 0, not 1).
 * - C5 opens at 1.6 = a sample instant: not active in sample 1.6.
 * - C1 expires at 2.7, between the packets at 2.45 and 3.3: sample 2.6 still
 *   counts it, sample 3.1 does not (an expiry applied only at the next packet,
 *   3.3, would still count it at 3.1).
 * - C4's 5000 B at 2.1 = a sample instant: in [2.1, 2.6).
 * - Nothing is sent in [2.6, 3.1): that sample is idle for bytes.
 * - C6's RST at 4.1 = the last sample instant: C6 is active in it.
 *
 * Active connections per sample (open < s ≤ close):
 *   0.6: C0 C1 C2 | 1.1: C0 C1 C2 C3 | 1.6: C1 C3 C4 | 2.1: C1 C4 C5
 *   2.6: C1 C5    | 3.1: C5          | 3.6: C5 C6    | 4.1: C6
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import zlib from 'node:zlib';
import { runCli, tempDir, writeScenario, type ScenarioPacket } from '../helpers/scenario.js';
import { runReplay } from '../../src/replay.js';
import { histogramCsvText } from '../../src/output/histogram-csv.js';

const PACKETS: ScenarioPacket[] = [
  { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
  { t: '0.15', from: 's1', to: 'c1', flags: 'SA' },
  { t: '0.2', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
  { t: '0.3', from: 'c2', to: 's1', flags: 'S' },
  { t: '0.32', from: 's1', to: 'c2', flags: 'SA' },
  { t: '0.4', from: 'c2', to: 's1', flags: 'PA', payload: 200 },
  { t: '0.5', from: 'c3', to: 's1', flags: 'S' },
  { t: '0.52', from: 's1', to: 'c3', flags: 'SA' },
  { t: '0.6', from: 's1', to: 'c1', flags: 'PA', payload: 1000 },
  { t: '0.7', from: 's1', to: 'c2', flags: 'PA', payload: 2000 },
  { t: '0.8', from: 'c3', to: 's1', flags: 'PA', payload: 300 },
  { t: '1.0', from: 'c1', to: 's1', flags: 'FA' },
  { t: '1.05', from: 'c4', to: 's1', flags: 'S' },
  { t: '1.06', from: 's1', to: 'c4', flags: 'SA' },
  { t: '1.1', from: 's1', to: 'c1', flags: 'FA' },
  { t: '1.1', from: 'c5', to: 's1', flags: 'S' },
  { t: '1.11', from: 's1', to: 'c5', flags: 'SA' },
  { t: '1.15', from: 'c1', to: 's1', flags: 'A' },
  { t: '1.2', from: 's1', to: 'c3', flags: 'PA', payload: 3000 },
  { t: '1.3', from: 'c3', to: 's1', flags: 'R' },
  { t: '1.4', from: 's1', to: 'c4', flags: 'PA', payload: 4000 },
  { t: '1.5', from: 'c5', to: 's1', flags: 'PA', payload: 500 },
  { t: '1.6', from: 'c6', to: 's1', flags: 'S' },
  { t: '1.61', from: 's1', to: 'c6', flags: 'SA' },
  { t: '1.7', from: 'c4', to: 's1', flags: 'FA' },
  { t: '1.75', from: 's1', to: 'c4', flags: 'FA' },
  { t: '1.8', from: 'c4', to: 's1', flags: 'A' },
  { t: '1.9', from: 'c6', to: 's1', flags: 'PA', payload: 600 },
  { t: '2.1', from: 's1', to: 'c5', flags: 'PA', payload: 5000 },
  { t: '2.2', from: 's1', to: 'c6', flags: 'PA', payload: 6000 },
  { t: '2.4', from: 'c5', to: 's1', flags: 'FA' },
  { t: '2.45', from: 's1', to: 'c5', flags: 'FA' },
  { t: '3.3', from: 'c7', to: 's1', flags: 'S' },
  { t: '3.31', from: 's1', to: 'c7', flags: 'SA' },
  { t: '3.4', from: 'c7', to: 's1', flags: 'PA', payload: 700 },
  { t: '3.5', from: 's1', to: 'c6', flags: 'PA', payload: 60 },
  { t: '3.6', from: 'c6', to: 's1', flags: 'FA' },
  { t: '3.65', from: 's1', to: 'c6', flags: 'FA' },
  { t: '3.7', from: 'c6', to: 's1', flags: 'A' },
  { t: '3.8', from: 's1', to: 'c7', flags: 'PA', payload: 7000 },
  { t: '4.1', from: 'c7', to: 's1', flags: 'R' },
];

const POLICIES = ['round-robin', 'random', 'hash', 'least-active'] as const;
type Policy = (typeof POLICIES)[number];

/** A tiny bitwise CRC-32 (reflected 0xEDB88320, init and final XOR 0xFFFFFFFF), independent of src/dispatch/crc32.ts. */
function crc32(bytes: readonly number[]): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** The bytes the hash policy hashes for client c<k>: 10.0.0.k then port 40000 + k big-endian. */
function clientBytes(k: number): number[] {
  const port = 40_000 + k;
  return [10, 0, 0, k, port >>> 8, port & 0xff];
}

/** Server of every connection C0…C6 under each policy with N = 3. */
const ASSIGNMENT: Record<Policy, number[]> = {
  // k mod 3.
  'round-robin': [0, 1, 2, 0, 1, 2, 0],
  // Pinned: what xoshiro128** seeded with 1 gives (first outputs 393288148,
  // 2174103013, 3814759091, … mod 3, docs/replay.md); not derived here.
  random: [1, 1, 2, 0, 0, 0, 1],
  // CRC-32 of clientBytes(k) mod 3; checked against crc32() and zlib below.
  hash: [1, 1, 1, 1, 2, 1, 2],
  // Active counts per server just before each open, after the closes at or before it:
  //   C0 [0,0,0]→0; C1 [1,0,0]→1; C2 [1,1,0]→2; C3 [1,1,1]→0 (tie: lowest);
  //   C4 at 1.1: C0's FIN at 1.1 came first, [1,1,1]→0; C2 RST 1.3 → [2,1,0];
  //   C5 at 1.6: [2,1,0]→2; C3 FIN 1.75, C4 FIN 2.45, C1 expiry 2.7 → [0,0,1];
  //   C6 at 3.3: → 0.
  'least-active': [0, 1, 2, 0, 0, 2, 0],
};

/** Per sample instant: [connections per server], [bytes per server] (direction both). */
const SAMPLES_BOTH: Record<Policy, [string, number[], number[]][]> = {
  'round-robin': [
    ['0.6', [1, 1, 1], [100, 200, 0]],
    ['1.1', [2, 1, 1], [1000, 2000, 300]],
    ['1.6', [1, 2, 0], [4000, 500, 3000]],
    ['2.1', [0, 2, 1], [0, 0, 600]],
    ['2.6', [0, 1, 1], [0, 5000, 6000]],
    ['3.1', [0, 0, 1], [0, 0, 0]],
    ['3.6', [1, 0, 1], [700, 0, 60]],
    ['4.1', [1, 0, 0], [7000, 0, 0]],
  ],
  random: [
    ['0.6', [0, 2, 1], [0, 300, 0]],
    ['1.1', [1, 2, 1], [0, 3000, 300]],
    ['1.6', [2, 1, 0], [4500, 0, 3000]],
    ['2.1', [2, 1, 0], [600, 0, 0]],
    ['2.6', [1, 1, 0], [11000, 0, 0]],
    ['3.1', [1, 0, 0], [0, 0, 0]],
    ['3.6', [1, 1, 0], [60, 700, 0]],
    ['4.1', [0, 1, 0], [0, 7000, 0]],
  ],
  hash: [
    ['0.6', [0, 3, 0], [0, 300, 0]],
    ['1.1', [0, 4, 0], [0, 3300, 0]],
    ['1.6', [0, 2, 1], [0, 7000, 500]],
    ['2.1', [0, 2, 1], [0, 600, 0]],
    ['2.6', [0, 2, 0], [0, 6000, 5000]],
    ['3.1', [0, 1, 0], [0, 0, 0]],
    ['3.6', [0, 1, 1], [0, 60, 700]],
    ['4.1', [0, 0, 1], [0, 0, 7000]],
  ],
  'least-active': [
    ['0.6', [1, 1, 1], [100, 200, 0]],
    ['1.1', [2, 1, 1], [1000, 2000, 300]],
    ['1.6', [2, 1, 0], [4500, 0, 3000]],
    ['2.1', [1, 1, 1], [0, 0, 600]],
    ['2.6', [0, 1, 1], [5000, 0, 6000]],
    ['3.1', [0, 0, 1], [0, 0, 0]],
    ['3.6', [1, 0, 1], [700, 0, 60]],
    ['4.1', [1, 0, 0], [7000, 0, 0]],
  ],
};

/** The same with `--direction s2c`: connection counts unchanged, only server-sent bytes. */
const SAMPLES_S2C: Record<Policy, [string, number[], number[]][]> = {
  'round-robin': [
    ['0.6', [1, 1, 1], [0, 0, 0]],
    ['1.1', [2, 1, 1], [1000, 2000, 0]],
    ['1.6', [1, 2, 0], [4000, 0, 3000]],
    ['2.1', [0, 2, 1], [0, 0, 0]],
    ['2.6', [0, 1, 1], [0, 5000, 6000]],
    ['3.1', [0, 0, 1], [0, 0, 0]],
    ['3.6', [1, 0, 1], [0, 0, 60]],
    ['4.1', [1, 0, 0], [7000, 0, 0]],
  ],
  random: [
    ['0.6', [0, 2, 1], [0, 0, 0]],
    ['1.1', [1, 2, 1], [0, 3000, 0]],
    ['1.6', [2, 1, 0], [4000, 0, 3000]],
    ['2.1', [2, 1, 0], [0, 0, 0]],
    ['2.6', [1, 1, 0], [11000, 0, 0]],
    ['3.1', [1, 0, 0], [0, 0, 0]],
    ['3.6', [1, 1, 0], [60, 0, 0]],
    ['4.1', [0, 1, 0], [0, 7000, 0]],
  ],
  hash: [
    ['0.6', [0, 3, 0], [0, 0, 0]],
    ['1.1', [0, 4, 0], [0, 3000, 0]],
    ['1.6', [0, 2, 1], [0, 7000, 0]],
    ['2.1', [0, 2, 1], [0, 0, 0]],
    ['2.6', [0, 2, 0], [0, 6000, 5000]],
    ['3.1', [0, 1, 0], [0, 0, 0]],
    ['3.6', [0, 1, 1], [0, 60, 0]],
    ['4.1', [0, 0, 1], [0, 0, 7000]],
  ],
  'least-active': [
    ['0.6', [1, 1, 1], [0, 0, 0]],
    ['1.1', [2, 1, 1], [1000, 2000, 0]],
    ['1.6', [2, 1, 0], [4000, 0, 3000]],
    ['2.1', [1, 1, 1], [0, 0, 0]],
    ['2.6', [0, 1, 1], [5000, 0, 6000]],
    ['3.1', [0, 0, 1], [0, 0, 0]],
    ['3.6', [1, 0, 1], [0, 0, 60]],
    ['4.1', [1, 0, 0], [7000, 0, 0]],
  ],
};

/** Active connections per sample and payload per connection per interval, the hand table above. */
const ACTIVE: Record<string, number[]> = {
  '0.6': [0, 1, 2],
  '1.1': [0, 1, 2, 3],
  '1.6': [1, 3, 4],
  '2.1': [1, 4, 5],
  '2.6': [1, 5],
  '3.1': [5],
  '3.6': [5, 6],
  '4.1': [6],
};
/** [conn, c2s bytes, s2c bytes] of the packets in [previous sample, this sample). */
const INTERVAL_BYTES: Record<string, [number, number, number][]> = {
  '0.6': [[0, 100, 0], [1, 200, 0]],
  '1.1': [[0, 0, 1000], [1, 0, 2000], [2, 300, 0]],
  '1.6': [[2, 0, 3000], [3, 0, 4000], [4, 500, 0]],
  '2.1': [[5, 600, 0]],
  '2.6': [[4, 0, 5000], [5, 0, 6000]],
  '3.1': [],
  '3.6': [[5, 0, 60], [6, 700, 0]],
  '4.1': [[6, 0, 7000]],
};

/**
 * The CSV with bin width 0.5 and N = 3: imbalance (max − min)·3 / sum, so
 * values such as 1.5 (= (1 − 0)·3/2) and 3 sit exactly on bin edges.
 * connections, round-robin: 0, 0.75, 2, 2, 1.5, 3, 1.5, 3 → bins 0, 1, 4, 4, 3, 6, 3, 6.
 * bytes, round-robin: 2, 1.5454…, 1.4, 3, 1.6363…, idle, 2.7631…, 3 → 4, 3, 2, 6, 3, –, 5, 6 (7 non-idle).
 */
const CSV_BOTH = `metric,policy,bin_start,bin_end,count,probability,density,cdf
connections,round-robin,0,0.5,1,0.125,0.25,0.125
connections,round-robin,0.5,1,1,0.125,0.25,0.25
connections,round-robin,1,1.5,0,0,0,0.25
connections,round-robin,1.5,2,2,0.25,0.5,0.5
connections,round-robin,2,2.5,2,0.25,0.5,0.75
connections,round-robin,2.5,3,0,0,0,0.75
connections,round-robin,3,3.5,2,0.25,0.5,1
connections,random,0,0.5,0,0,0,0
connections,random,0.5,1,1,0.125,0.25,0.125
connections,random,1,1.5,0,0,0,0.125
connections,random,1.5,2,2,0.25,0.5,0.375
connections,random,2,2.5,3,0.375,0.75,0.75
connections,random,2.5,3,0,0,0,0.75
connections,random,3,3.5,2,0.25,0.5,1
connections,hash,0,0.5,0,0,0,0
connections,hash,0.5,1,0,0,0,0
connections,hash,1,1.5,0,0,0,0
connections,hash,1.5,2,1,0.125,0.25,0.125
connections,hash,2,2.5,2,0.25,0.5,0.375
connections,hash,2.5,3,0,0,0,0.375
connections,hash,3,3.5,5,0.625,1.25,1
connections,least-active,0,0.5,2,0.25,0.5,0.25
connections,least-active,0.5,1,1,0.125,0.25,0.375
connections,least-active,1,1.5,0,0,0,0.375
connections,least-active,1.5,2,2,0.25,0.5,0.625
connections,least-active,2,2.5,1,0.125,0.25,0.75
connections,least-active,2.5,3,0,0,0,0.75
connections,least-active,3,3.5,2,0.25,0.5,1
bytes,round-robin,0,0.5,0,0,0,0
bytes,round-robin,0.5,1,0,0,0,0
bytes,round-robin,1,1.5,1,0.142857142857,0.285714285714,0.142857142857
bytes,round-robin,1.5,2,2,0.285714285714,0.571428571429,0.428571428571
bytes,round-robin,2,2.5,1,0.142857142857,0.285714285714,0.571428571429
bytes,round-robin,2.5,3,1,0.142857142857,0.285714285714,0.714285714286
bytes,round-robin,3,3.5,2,0.285714285714,0.571428571429,1
bytes,random,0,0.5,0,0,0,0
bytes,random,0.5,1,0,0,0,0
bytes,random,1,1.5,0,0,0,0
bytes,random,1.5,2,1,0.142857142857,0.285714285714,0.142857142857
bytes,random,2,2.5,0,0,0,0.142857142857
bytes,random,2.5,3,2,0.285714285714,0.571428571429,0.428571428571
bytes,random,3,3.5,4,0.571428571429,1.142857142857,1
bytes,hash,0,0.5,0,0,0,0
bytes,hash,0.5,1,0,0,0,0
bytes,hash,1,1.5,0,0,0,0
bytes,hash,1.5,2,1,0.142857142857,0.285714285714,0.142857142857
bytes,hash,2,2.5,0,0,0,0.142857142857
bytes,hash,2.5,3,2,0.285714285714,0.571428571429,0.428571428571
bytes,hash,3,3.5,4,0.571428571429,1.142857142857,1
bytes,least-active,0,0.5,0,0,0,0
bytes,least-active,0.5,1,0,0,0,0
bytes,least-active,1,1.5,0,0,0,0
bytes,least-active,1.5,2,3,0.428571428571,0.857142857143,0.428571428571
bytes,least-active,2,2.5,1,0.142857142857,0.285714285714,0.571428571429
bytes,least-active,2.5,3,1,0.142857142857,0.285714285714,0.714285714286
bytes,least-active,3,3.5,2,0.285714285714,0.571428571429,1
`;

/** With --direction s2c the connections rows are unchanged; bytes has 5 non-idle samples (0.6, 2.1, 3.1 idle). */
const CSV_S2C_BYTES = `bytes,round-robin,0,0.5,0,0,0,0
bytes,round-robin,0.5,1,0,0,0,0
bytes,round-robin,1,1.5,0,0,0,0
bytes,round-robin,1.5,2,2,0.4,0.8,0.4
bytes,round-robin,2,2.5,1,0.2,0.4,0.6
bytes,round-robin,2.5,3,0,0,0,0.6
bytes,round-robin,3,3.5,2,0.4,0.8,1
bytes,random,0,0.5,0,0,0,0
bytes,random,0.5,1,0,0,0,0
bytes,random,1,1.5,0,0,0,0
bytes,random,1.5,2,1,0.2,0.4,0.2
bytes,random,2,2.5,0,0,0,0.2
bytes,random,2.5,3,0,0,0,0.2
bytes,random,3,3.5,4,0.8,1.6,1
bytes,hash,0,0.5,0,0,0,0
bytes,hash,0.5,1,0,0,0,0
bytes,hash,1,1.5,0,0,0,0
bytes,hash,1.5,2,1,0.2,0.4,0.2
bytes,hash,2,2.5,0,0,0,0.2
bytes,hash,2.5,3,0,0,0,0.2
bytes,hash,3,3.5,4,0.8,1.6,1
bytes,least-active,0,0.5,0,0,0,0
bytes,least-active,0.5,1,0,0,0,0
bytes,least-active,1,1.5,0,0,0,0
bytes,least-active,1.5,2,2,0.4,0.8,0.4
bytes,least-active,2,2.5,1,0.2,0.4,0.6
bytes,least-active,2.5,3,0,0,0,0.6
bytes,least-active,3,3.5,2,0.4,0.8,1
`;

/** The --timeseries text for a table: per sample, per policy in order, per server. */
function timeseriesText(table: Record<Policy, [string, number[], number[]][]>): string {
  let text = 'time,policy,server,connections,bytes\n';
  for (let i = 0; i < 8; i++) {
    for (const p of POLICIES) {
      const [t, conns, bytes] = table[p][i];
      const [whole, frac] = t.split('.');
      const time = `${1_700_000_000 + Number(whole)}.${frac.padEnd(9, '0')}`;
      for (let s = 0; s < 3; s++) text += `${time},${p},${s},${conns[s]},${bytes[s]}\n`;
    }
  }
  return text;
}

let dir: string;
let capture: string;

beforeAll(() => {
  dir = tempDir();
  capture = writeScenario(dir, 'seven.pcap', PACKETS);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function replayArgs(extra: string[]): string[] {
  return [capture, '--servers', '3', '--policy', 'all', '--bin-width', '0.5', '--idle-timeout', '2', '-q', ...extra];
}

describe('hand-computed replay: seven connections, three servers', () => {
  it('the stated assignments follow from the policies’ definitions', () => {
    for (let k = 0; k < 7; k++) expect(ASSIGNMENT['round-robin'][k]).toBe(k % 3);
    for (let k = 1; k <= 7; k++) {
      const crc = crc32(clientBytes(k));
      expect(crc).toBe(zlib.crc32(Buffer.from(clientBytes(k))));
      expect(ASSIGNMENT.hash[k - 1]).toBe(crc % 3);
    }
    // The CRC's own check value, so the bitwise CRC above is the right one.
    expect(crc32([...Buffer.from('123456789')])).toBe(0xcbf43926);
  });

  it('the stated per-server samples follow from the active/bytes table and the assignments', () => {
    for (const [table, dirn] of [
      [SAMPLES_BOTH, 'both'],
      [SAMPLES_S2C, 's2c'],
    ] as const) {
      for (const p of POLICIES) {
        const derived = Object.keys(ACTIVE).map((t): [string, number[], number[]] => {
          const conns = [0, 0, 0];
          const bytes = [0, 0, 0];
          for (const c of ACTIVE[t]) conns[ASSIGNMENT[p][c]]++;
          for (const [c, c2s, s2c] of INTERVAL_BYTES[t]) bytes[ASSIGNMENT[p][c]] += (dirn === 'both' ? c2s : 0) + s2c;
          return [t, conns, bytes];
        });
        expect(derived, `${p} ${dirn}`).toEqual(table[p]);
      }
    }
  });

  it('the CLI writes exactly the expected assignments, timeseries and CSV', () => {
    const out = path.join(dir, 'imb.csv');
    const ts = path.join(dir, 'ts.csv');
    const asg = path.join(dir, 'asg.csv');
    const summary = path.join(dir, 'summary.json');
    const r = runCli(replayArgs(['-o', out, '--timeseries', ts, '--assignments', asg, '--summary-json', summary]));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');

    let assignments = 'conn,policy,server\n';
    for (let c = 0; c < 7; c++) for (const p of POLICIES) assignments += `${c},${p},${ASSIGNMENT[p][c]}\n`;
    expect(fs.readFileSync(asg, 'utf8')).toBe(assignments);
    expect(fs.readFileSync(ts, 'utf8')).toBe(timeseriesText(SAMPLES_BOTH));
    expect(fs.readFileSync(out, 'utf8')).toBe(CSV_BOTH);

    const json = JSON.parse(fs.readFileSync(summary, 'utf8'));
    expect(json.replay.samples).toBe(8);
    expect(json.replay.idle_samples).toEqual({ connections: 0, bytes: 1 });
    expect(json.capture.connections_by_reason).toEqual({ fin: 4, rst: 2, idle: 1 });
    expect(json.capture.bytes).toBe(100 + 1000 + 200 + 2000 + 300 + 3000 + 4000 + 500 + 5000 + 600 + 6000 + 60 + 700 + 7000);
    // Summary statistics, from the imbalances listed with CSV_BOTH:
    // round-robin connections 0, 0.75, 2, 2, 1.5, 3, 1.5, 3: mean 13.75/8; sorted
    // 0, 0.75, 1.5, 1.5, 2, 2, 3, 3: rank ⌈0.5·8⌉ = 4 → 1.5, bin [1.5, 2) → p50 "2";
    // rank 8 → 3 → "3.5". Bytes 2, 17/11, 1.4, 3, 18/11, 105/38, 3: mean
    // 32071/14630 = 2.19213943…; sorted rank ⌈3.5⌉ = 4 → 2 → "2.5"; rank 7 → 3 → "3.5".
    // least-active connections 0, 0.75, 2, 0, 1.5, 3, 1.5, 3: mean 11.75/8; rank 4 → 1.5 → "2".
    const stats = (policy: string): unknown => json.policies.find((p: { policy: string }) => p.policy === policy);
    expect(stats('round-robin')).toMatchObject({
      servers: 3,
      connections: { samples: 8, idle_samples: 0, mean_imbalance: '1.718750', max_imbalance: '3.000000', p50: '2', p90: '3.5', p99: '3.5' },
      bytes: { samples: 8, idle_samples: 1, mean_imbalance: '2.192139', max_imbalance: '3.000000', p50: '2.5', p90: '3.5', p99: '3.5' },
    });
    expect(stats('least-active')).toMatchObject({
      connections: { samples: 8, idle_samples: 0, mean_imbalance: '1.468750', max_imbalance: '3.000000', p50: '2', p90: '3.5', p99: '3.5' },
    });
    for (const p of json.policies) {
      const assigned: number[] = ASSIGNMENT[p.policy as Policy];
      const perConn = [1100, 2200, 3300, 4000, 5500, 6660, 7700];
      const expected = [0, 1, 2].map((s) => ({
        server: s,
        connections: assigned.filter((a) => a === s).length,
        bytes: perConn.reduce((sum, b, c) => sum + (assigned[c] === s ? b : 0), 0),
      }));
      expect(p.per_server, p.policy).toEqual(expected);
    }
  });

  it('prints the same CSV on standard output', () => {
    const r = runCli(replayArgs([]));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(CSV_BOTH);
  });

  it('--direction s2c counts only the server’s bytes; connection counts are unchanged', () => {
    const ts = path.join(dir, 'ts-s2c.csv');
    const r = runCli(replayArgs(['--direction', 's2c', '--timeseries', ts]));
    expect(r.status).toBe(0);
    const connectionRows = CSV_BOTH.split('\n').filter((l) => !l.startsWith('bytes,')).join('\n');
    expect(r.stdout).toBe(connectionRows + CSV_S2C_BYTES);
    expect(fs.readFileSync(ts, 'utf8')).toBe(timeseriesText(SAMPLES_S2C));
  });

  it('runReplay gives the same results in-process', async () => {
    let timeseries = '';
    let assignments = '';
    const run = await runReplay(
      [capture],
      { servers: 3, policy: ['all'], binWidth: '0.5', idleTimeout: 2 },
      { timeseries: (s) => (timeseries += s), assignments: (s) => (assignments += s) },
    );
    expect(histogramCsvText(run.results)).toBe(CSV_BOTH);
    expect(timeseries).toBe(timeseriesText(SAMPLES_BOTH));
    expect(run.results.samples).toBe(8);
    expect(run.results.policies.map((p) => p.connections.idle)).toEqual([0, 0, 0, 0]);
    expect(run.results.policies.map((p) => p.bytes.idle)).toEqual([1, 1, 1, 1]);
    expect(assignments.split('\n').length).toBe(1 + 7 * 4 + 1);
  });

  it('an idle timeout of 0 (off) keeps C1 active to the end of the capture', () => {
    const ts = path.join(dir, 'ts-noidle.csv');
    const r = runCli([capture, '--servers', '3', '--policy', 'round-robin', '--bin-width', '0.5', '--idle-timeout', '0', '-q', '--timeseries', ts]);
    expect(r.status).toBe(0);
    // C1 is on server 1 under round-robin: from sample 3.1 on it adds 1 there.
    const rows = fs.readFileSync(ts, 'utf8').trim().split('\n').slice(1);
    const server1 = rows.filter((l) => l.split(',')[2] === '1').map((l) => Number(l.split(',')[3]));
    expect(server1).toEqual([1, 1, 2, 2, 1, 1, 1, 1]);
  });
});

describe('hand-computed replay: clock edges', () => {
  it('a backwards packet counts at the clock: its bytes go to the interval the clock is in', () => {
    // 0.1 SYN, 0.15 SYN-ACK, 0.7 100 B c2s, then 50 B s2c stamped 0.4 (merged
    // captures), 1.2 RST. The clock is 0.7 when the 0.4 packet comes, so its
    // 50 B are in [0.6, 1.1) with the 100 B, not in [0.1, 0.6).
    const file = writeScenario(dir, 'backwards.pcap', [
      { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
      { t: '0.15', from: 's1', to: 'c1', flags: 'SA' },
      { t: '0.7', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
      { t: '0.4', from: 's1', to: 'c1', flags: 'PA', payload: 50 },
      { t: '1.2', from: 'c1', to: 's1', flags: 'R' },
    ]);
    const ts = path.join(dir, 'ts-backwards.csv');
    const summary = path.join(dir, 'summary-backwards.json');
    const r = runCli([file, '--servers', '2', '--policy', 'round-robin', '-q', '--timeseries', ts, '--summary-json', summary]);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(ts, 'utf8')).toBe(
      'time,policy,server,connections,bytes\n' +
        '1700000000.600000000,round-robin,0,1,0\n' +
        '1700000000.600000000,round-robin,1,0,0\n' +
        '1700000001.100000000,round-robin,0,1,150\n' +
        '1700000001.100000000,round-robin,1,0,0\n',
    );
    const json = JSON.parse(fs.readFileSync(summary, 'utf8'));
    expect(json.capture.backwards).toBe(1);
    expect(json.replay.samples).toBe(2);
    expect(json.replay.idle_samples).toEqual({ connections: 0, bytes: 1 });
  });

  it('a capture shorter than one interval has no sample: the CSV is the header row only', () => {
    const file = writeScenario(dir, 'short.pcap', PACKETS.filter((p) => Number(p.t) < 0.55));
    const r = runCli([file, '-q']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf\n');
  });

  it('a connection that never got past its SYN is active until --syn-timeout after it', async () => {
    // SYN at 0 and a retransmitted SYN (same ISN) at 3: syn-timeout 5 → expiry at 8.
    // A lone RST of another connection at 20 ends the capture. Interval 1:
    // samples at 1 … 20; the connection is active in 1 … 8 (8 samples).
    const file = writeScenario(dir, 'syn-only.pcap', [
      { t: '0', from: 'c1', to: 's1', flags: 'S', seq: 5000 },
      { t: '3', from: 'c1', to: 's1', flags: 'S', seq: 5000 },
      { t: '20', from: 'c2', to: 's1', flags: 'R' },
    ]);
    const run = await runReplay([file], { servers: 2, policy: ['round-robin'], interval: '1', synTimeout: '5', binWidth: '1' });
    expect(run.results.samples).toBe(20);
    expect(run.results.policies[0].connections.idle).toBe(12);
    expect(run.summary.capture.connections_by_reason).toEqual({ 'syn-timeout': 1, rst: 1 });
  });

  it('a timestamp ten years ahead: every sample counted, at no cost per sample', async () => {
    // One connection: SYN at 0, SYN-ACK at 0.1, its idle expiry at 300.1 s
    // (default timeout 300 s); a lone SYN of another connection 10 years
    // (315 360 000 s) later. Samples at 0.5, 1, … 315 360 000: 630 720 000 of
    // them. The connection is active in the 600 at 0.5 … 300, alone on one of
    // 3 servers: imbalance (1 − 0)·3/1 = 3. No payload: every sample is idle
    // for bytes. The second connection opens at the last packet, after the
    // last sample, and ends there (end-of-trace).
    const file = writeScenario(dir, 'ten-years.pcap', [
      { t: '0', from: 'c1', to: 's1', flags: 'S' },
      { t: '0.1', from: 's1', to: 'c1', flags: 'SA' },
      { t: '315360000', from: 'c2', to: 's1', flags: 'S' },
    ]);
    const started = Date.now();
    const run = await runReplay([file], { servers: 3, policy: ['round-robin'], binWidth: '1' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.results.samples).toBe(630_720_000);
    expect(run.results.policies[0].connections.idle).toBe(630_720_000 - 600);
    expect(run.results.policies[0].bytes.idle).toBe(630_720_000);
    expect(histogramCsvText(run.results)).toBe(
      'metric,policy,bin_start,bin_end,count,probability,density,cdf\n' +
        'connections,round-robin,0,1,0,0,0,0\n' +
        'connections,round-robin,1,2,0,0,0,0\n' +
        'connections,round-robin,2,3,0,0,0,0\n' +
        'connections,round-robin,3,4,600,1,1,1\n',
    );
    expect(run.summary.capture.connections_by_reason).toEqual({ idle: 1, 'end-of-trace': 1 });
  });
});

describe('hand-computed dispatch: hash over IPv6, --service', () => {
  it('hash hashes the 16 address bytes and the port of an IPv6 client', async () => {
    const clients = ['2001:db8::1', '2001:db8:0:1::abcd', 'fe80::1:2:3:4', '2001:db8:ffff:ffff:ffff:ffff:ffff:fffe'];
    const endpoints: Record<string, { addr: string; port: number }> = { srv: { addr: '2001:db8::80', port: 443 } };
    const packets: ScenarioPacket[] = [];
    clients.forEach((addr, i) => {
      endpoints[`v${i}`] = { addr, port: 50_000 + 7 * i };
      packets.push({ t: `${i}.5`, from: `v${i}`, to: 'srv', flags: 'S' });
    });
    const file = writeScenario(dir, 'ipv6.pcap', packets, { endpoints });
    let assignments = '';
    await runReplay([file], { servers: 7, policy: ['hash'] }, { assignments: (s) => (assignments += s) });
    const expected = clients.map((addr, i) => {
      const port = 50_000 + 7 * i;
      const bytes = [...ipv6Bytes(addr), port >>> 8, port & 0xff];
      expect(bytes).toHaveLength(18);
      return `${i},hash,${crc32(bytes) % 7}\n`;
    });
    expect(assignments).toBe('conn,policy,server\n' + expected.join(''));
  });

  it('--service replays only the connections to matching servers; round-robin counts only those', async () => {
    // c1 → s1, c2 → s2, c3 → s1, c4 → s2 (port 80 each), c5 → s1: with --service 192.0.2.1:80
    // the connections to s1 (conn 0, 2, 4) go to servers 0, 1, 0 under round-robin (N = 2).
    const file = writeScenario(dir, 'service.pcap', [
      { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
      { t: '0.2', from: 'c2', to: 's2', flags: 'S' },
      { t: '0.3', from: 'c3', to: 's1', flags: 'S' },
      { t: '0.4', from: 'c4', to: 's2', flags: 'S' },
      { t: '0.5', from: 'c5', to: 's1', flags: 'S' },
      { t: '1.3', from: 's2', to: 'c2', flags: 'PA', payload: 999 },
      { t: '1.4', from: 's1', to: 'c5', flags: 'PA', payload: 10 },
    ]);
    let assignments = '';
    const run = await runReplay(
      [file],
      { servers: 2, policy: ['round-robin'], service: ['192.0.2.1:80'] },
      { assignments: (s) => (assignments += s) },
    );
    expect(assignments).toBe('conn,policy,server\n0,round-robin,0\n2,round-robin,1\n4,round-robin,0\n');
    expect(run.results.connectionsReplayed).toBe(3);
    expect(run.results.connectionsNotReplayed).toBe(2);
    expect(run.results.policies[0].serverConnections).toEqual([2, 1]);
    // Only the replayed connections' bytes count: c5's 10 B on server 0, not c2's 999 B.
    expect(run.results.policies[0].serverBytes).toEqual([10, 0]);
    expect(run.summary.capture.bytes).toBe(1009);
    // A /24 with the port matches both servers.
    const all = await runReplay([file], { servers: 2, policy: ['round-robin'], service: ['192.0.2.0/24:80'] });
    expect(all.results.connectionsReplayed).toBe(5);
    // The wrong port matches none.
    const none = await runReplay([file], { servers: 2, policy: ['round-robin'], service: ['192.0.2.1:443'] });
    expect(none.results.connectionsReplayed).toBe(0);
    expect(histogramCsvText(none.results)).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf\n');
  });
});

/** The 16 bytes of an IPv6 address in text form (`::` expanded), independent of src/. */
function ipv6Bytes(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >>> 8, v & 0xff];
  });
}
