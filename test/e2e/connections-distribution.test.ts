/**
 * `connections --distribution` end to end (issue 4, the paper's Figure 3):
 * the lifetime and bytes histograms as long-form rows (metric, bin_start,
 * bin_end, count, probability, cdf), first on a capture whose four
 * connections give hand-computed bins, then on the synthetic web traffic,
 * whose shape must match the paper's description ("most of the connections
 * are short-lived and transfer small amounts of data").
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runConnections } from '../../src/connections.js';
import { runConnectionsCommand } from '../../src/cli/connections-action.js';
import { DISTRIBUTION_COLUMNS, distributionRows } from '../../src/output/distribution.js';
import { writeWebTrafficFile } from '../../src/synth/web-traffic.js';
import {
  C1,
  C2,
  C3,
  C4,
  HEADER,
  S1,
  makeTempDir,
  removeDir,
  runRows,
  tcp,
  writeCapture,
  type ScenarioRecord,
} from './connections-helpers.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  removeDir(dir);
});

/**
 * Four connections (all still open at the end, 25 s):
 *   C1: one packet, no payload          → 0 s,   0 bytes
 *   C2: SYN at 1, data at 1.5           → 0.5 s, 100 bytes
 *   C3: SYN at 2, data at 3 and 4       → 2 s,   400 + 600 = 1000 bytes
 *   C4: SYN at 5, 20 × 50 000 bytes from the server at 6 … 25 (header-only
 *       frames, the IP length carries the size) → 20 s, 10^6 bytes
 */
function fourConnections(): ScenarioRecord[] {
  const records: ScenarioRecord[] = [
    tcp('0', C1, S1, 'A'),
    tcp('1', C2, S1, 'S', { seq: 2000 }),
    tcp('1.1', S1, C2, 'SA', { seq: 6000, ack: 2001 }),
    tcp('1.5', C2, S1, 'PA', { seq: 2001, ack: 6001, payload: 100 }),
    tcp('2', C3, S1, 'S', { seq: 3000 }),
    tcp('3', C3, S1, 'PA', { seq: 3001, payload: 400 }),
    tcp('4', S1, C3, 'PA', { seq: 7001, payload: 600 }),
    tcp('5', C4, S1, 'S', { seq: 4000 }),
  ];
  for (let i = 1; i <= 20; i++) {
    records.push(tcp(String(5 + i), S1, C4, 'A', { seq: 8001 + 50_000 * (i - 1), payload: 50_000, frame: { snaplen: 68 } }));
  }
  return records;
}

// All four are still open at the capture's last packet (25 s): active_until
// is that instant for each, whatever its own last packet.
const FOUR_ROWS = [
  '0,1700000000.000000000,1700000000.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,0,0,end-of-trace,0,1700000025.000000000',
  '1,1700000001.000000000,1700000001.500000000,0.500000000,10.0.0.2,40002,192.0.2.1,80,tcp,2,1,100,0,end-of-trace,1,1700000025.000000000',
  '2,1700000002.000000000,1700000004.000000000,2.000000000,10.0.0.3,40003,192.0.2.1,80,tcp,2,1,400,600,end-of-trace,1,1700000025.000000000',
  '3,1700000005.000000000,1700000025.000000000,20.000000000,10.0.0.4,40004,192.0.2.1,80,tcp,1,20,0,1000000,end-of-trace,1,1700000025.000000000',
];

/**
 * Log bins, 10 per decade: [10^(k/10), 10^((k+1)/10)) printed with 6
 * significant digits (10^0.1 = 1.258925… → 1.25893), from the lowest to the
 * highest non-empty bin, after the zero bin [0, lowest edge).
 *   0.5 s: 10^-0.4 = 0.398107 ≤ 0.5 < 0.501187 = 10^-0.3
 *   2 s:   10^0.3 = 1.99526 ≤ 2 < 2.51189
 *   20 s:  10^1.3 = 19.9526 ≤ 20 < 25.1189
 * Each connection is 1/4 of the total.
 */
const LOG_DURATION = [
  'duration,0,0.398107,1,0.25,0.25',
  'duration,0.398107,0.501187,1,0.25,0.5',
  'duration,0.501187,0.630957,0,0,0.5',
  'duration,0.630957,0.794328,0,0,0.5',
  'duration,0.794328,1,0,0,0.5',
  'duration,1,1.25893,0,0,0.5',
  'duration,1.25893,1.58489,0,0,0.5',
  'duration,1.58489,1.99526,0,0,0.5',
  'duration,1.99526,2.51189,1,0.25,0.75',
  'duration,2.51189,3.16228,0,0,0.75',
  'duration,3.16228,3.98107,0,0,0.75',
  'duration,3.98107,5.01187,0,0,0.75',
  'duration,5.01187,6.30957,0,0,0.75',
  'duration,6.30957,7.94328,0,0,0.75',
  'duration,7.94328,10,0,0,0.75',
  'duration,10,12.5893,0,0,0.75',
  'duration,12.5893,15.8489,0,0,0.75',
  'duration,15.8489,19.9526,0,0,0.75',
  'duration,19.9526,25.1189,1,0.25,1',
];

/** 100, 1000 and 10^6 bytes sit exactly on the lower edges of bins 20, 30 and 60. */
const LOG_BYTES = [
  'bytes,0,100,1,0.25,0.25',
  'bytes,100,125.893,1,0.25,0.5',
  'bytes,125.893,158.489,0,0,0.5',
  'bytes,158.489,199.526,0,0,0.5',
  'bytes,199.526,251.189,0,0,0.5',
  'bytes,251.189,316.228,0,0,0.5',
  'bytes,316.228,398.107,0,0,0.5',
  'bytes,398.107,501.187,0,0,0.5',
  'bytes,501.187,630.957,0,0,0.5',
  'bytes,630.957,794.328,0,0,0.5',
  'bytes,794.328,1000,0,0,0.5',
  'bytes,1000,1258.93,1,0.25,0.75',
  'bytes,1258.93,1584.89,0,0,0.75',
  'bytes,1584.89,1995.26,0,0,0.75',
  'bytes,1995.26,2511.89,0,0,0.75',
  'bytes,2511.89,3162.28,0,0,0.75',
  'bytes,3162.28,3981.07,0,0,0.75',
  'bytes,3981.07,5011.87,0,0,0.75',
  'bytes,5011.87,6309.57,0,0,0.75',
  'bytes,6309.57,7943.28,0,0,0.75',
  'bytes,7943.28,10000,0,0,0.75',
  'bytes,10000,12589.3,0,0,0.75',
  'bytes,12589.3,15848.9,0,0,0.75',
  'bytes,15848.9,19952.6,0,0,0.75',
  'bytes,19952.6,25118.9,0,0,0.75',
  'bytes,25118.9,31622.8,0,0,0.75',
  'bytes,31622.8,39810.7,0,0,0.75',
  'bytes,39810.7,50118.7,0,0,0.75',
  'bytes,50118.7,63095.7,0,0,0.75',
  'bytes,63095.7,79432.8,0,0,0.75',
  'bytes,79432.8,100000,0,0,0.75',
  'bytes,100000,125893,0,0,0.75',
  'bytes,125893,158489,0,0,0.75',
  'bytes,158489,199526,0,0,0.75',
  'bytes,199526,251189,0,0,0.75',
  'bytes,251189,316228,0,0,0.75',
  'bytes,316228,398107,0,0,0.75',
  'bytes,398107,501187,0,0,0.75',
  'bytes,501187,630957,0,0,0.75',
  'bytes,630957,794328,0,0,0.75',
  'bytes,794328,1000000,0,0,0.75',
  'bytes,1000000,1258930,1,0.25,1',
];

/**
 * Linear bins [k·w, (k+1)·w) up to the last non-empty one. Width 2 s: 0 and
 * 0.5 s in [0, 2), 2 s on the edge of [2, 4), 20 s on the edge of [20, 22).
 * Width 250 000 bytes: 0, 100, 1000 in the first bin, 10^6 on the edge of the fifth.
 */
const LINEAR_DURATION = [
  'duration,0,2,2,0.5,0.5',
  'duration,2,4,1,0.25,0.75',
  'duration,4,6,0,0,0.75',
  'duration,6,8,0,0,0.75',
  'duration,8,10,0,0,0.75',
  'duration,10,12,0,0,0.75',
  'duration,12,14,0,0,0.75',
  'duration,14,16,0,0,0.75',
  'duration,16,18,0,0,0.75',
  'duration,18,20,0,0,0.75',
  'duration,20,22,1,0.25,1',
];
const LINEAR_BYTES = [
  'bytes,0,250000,3,0.75,0.75',
  'bytes,250000,500000,0,0,0.75',
  'bytes,500000,750000,0,0,0.75',
  'bytes,750000,1000000,0,0,0.75',
  'bytes,1000000,1250000,1,0.25,1',
];

const joined = (rows: string[][]): string[] => rows.map((r) => r.join(','));

describe('hand-computed distribution', () => {
  it('the four connections are what the bins are computed from', async () => {
    const file = writeCapture(dir, 'four-connections.pcap', fourConnections());
    const { rows } = await runRows([file]);
    expect(rows).toEqual(FOUR_ROWS);
  });

  it('log bins: 10 per decade, 6 significant digits, the zero bin first', async () => {
    const file = writeCapture(dir, 'four-connections.pcap', fourConnections());
    const result = await runConnections([file], {}, { distribution: { bins: 'log' } });
    expect(DISTRIBUTION_COLUMNS).toEqual(['metric', 'bin_start', 'bin_end', 'count', 'probability', 'cdf']);
    expect(joined(distributionRows(result.duration!))).toEqual(LOG_DURATION);
    expect(joined(distributionRows(result.bytes!))).toEqual(LOG_BYTES);
    expect(result.duration!.total).toBe(4);
    expect(result.bytes!.sum).toBe(1_001_100);
  });

  it('linear bins with the given widths', async () => {
    const file = writeCapture(dir, 'four-connections.pcap', fourConnections());
    const result = await runConnections([file], {}, {
      distribution: { bins: 'linear', durationWidth: '2', bytesWidth: '250000' },
    });
    expect(joined(distributionRows(result.duration!))).toEqual(LINEAR_DURATION);
    expect(joined(distributionRows(result.bytes!))).toEqual(LINEAR_BYTES);
  });

  it('the connections command writes the same rows as CSV to --output (header, LF line ends)', async () => {
    const file = writeCapture(dir, 'four-connections.pcap', fourConnections());
    const distribution = path.join(dir, 'distribution.csv');
    const linear = path.join(dir, 'linear.csv');
    const connections = path.join(dir, 'connections.csv');
    const quiet = { quiet: true, bins: 'log' as const };
    expect(await runConnectionsCommand([file], {}, { ...quiet, distribution: true, output: distribution })).toBe(0);
    expect(
      await runConnectionsCommand([file], {}, {
        quiet: true,
        distribution: true,
        bins: 'linear',
        durationWidth: '2',
        bytesWidth: '250000',
        output: linear,
      }),
    ).toBe(0);
    expect(await runConnectionsCommand([file], {}, { ...quiet, distribution: false, output: connections })).toBe(0);
    const header = 'metric,bin_start,bin_end,count,probability,cdf';
    expect(fs.readFileSync(distribution, 'utf8')).toBe([header, ...LOG_DURATION, ...LOG_BYTES].join('\n') + '\n');
    expect(fs.readFileSync(linear, 'utf8')).toBe([header, ...LINEAR_DURATION, ...LINEAR_BYTES].join('\n') + '\n');
    expect(fs.readFileSync(connections, 'utf8')).toBe([HEADER, ...FOUR_ROWS].join('\n') + '\n');
    // Nothing but the three outputs and the capture is left in the directory (no temporary files).
    expect(fs.readdirSync(dir).sort()).toEqual(['connections.csv', 'distribution.csv', 'four-connections.pcap', 'linear.csv']);
  });
});

describe('values near a printed log edge', () => {
  // The edges are printed with 6 significant digits, so a value may lie
  // between an edge and its printed rounding: 10^0.1 = 1.2589254… prints
  // 1.25893, 10^0.2 = 1.5848931… prints 1.58489, 10^6.1 = 1258925.4… prints
  // 1258930. A row's [bin_start, bin_end) must hold its values as printed.
  it('each value lands in the bin whose printed [bin_start, bin_end) holds it', async () => {
    const records: ScenarioRecord[] = [
      // 1.258926 s: above 10^0.1 but below the printed 1.25893 → [1, 1.25893).
      tcp('0', C1, S1, 'A'),
      tcp('1.258926', C1, S1, 'A'),
      // 1.584891 s: below 10^0.2 but not below the printed 1.58489 → [1.58489, 1.99526).
      tcp('2', C2, S1, 'A'),
      tcp('3.584891', C2, S1, 'A'),
    ];
    // 1 258 926 bytes (25 × 50 000 + 8926): above 10^6.1, below the printed 1258930 → [1000000, 1258930).
    for (let i = 0; i < 25; i++) records.push(tcp(String(4 + i / 100), S1, C3, 'A', { payload: 50_000, frame: { snaplen: 68 } }));
    records.push(tcp('4.25', S1, C3, 'A', { payload: 8926 }));
    const file = writeCapture(dir, 'near-printed-edges.pcap', records);
    const result = await runConnections([file], {}, { distribution: { bins: 'log' } });
    expect(joined(distributionRows(result.duration!))).toEqual([
      'duration,0,0.199526,0,0,0',
      'duration,0.199526,0.251189,1,0.333333333333,0.333333333333', // C3: 0.25 s
      'duration,0.251189,0.316228,0,0,0.333333333333',
      'duration,0.316228,0.398107,0,0,0.333333333333',
      'duration,0.398107,0.501187,0,0,0.333333333333',
      'duration,0.501187,0.630957,0,0,0.333333333333',
      'duration,0.630957,0.794328,0,0,0.333333333333',
      'duration,0.794328,1,0,0,0.333333333333',
      'duration,1,1.25893,1,0.333333333333,0.666666666667',
      'duration,1.25893,1.58489,0,0,0.666666666667',
      'duration,1.58489,1.99526,1,0.333333333333,1',
    ]);
    expect(joined(distributionRows(result.bytes!))).toEqual([
      'bytes,0,1000000,2,0.666666666667,0.666666666667',
      'bytes,1000000,1258930,1,0.333333333333,1',
    ]);
  });
});

describe('synthetic web traffic (Figure 3)', () => {
  it('most connections are short and small: heavy-tailed bytes, half the lifetimes within a few seconds', async () => {
    // A few hundred connections: 5 per second for a minute, header-only frames.
    const file = path.join(dir, 'web.pcap');
    const stats = writeWebTrafficFile(file, { seed: 7, durationSec: 60, connectionRate: 5, snaplen: 68 });
    const totals: number[] = [];
    const result = await runConnections([file], {}, {
      distribution: { bins: 'log' },
      row: (f) => totals.push(Number(f[11]) + Number(f[12])),
    });
    expect(result.connections).toBeGreaterThanOrEqual(200);
    expect(result.connections).toBeLessThanOrEqual(500);
    expect(result.connections).toBe(stats.connections);
    const bytes = result.bytes!;
    const duration = result.duration!;
    expect(bytes.total).toBe(result.connections);
    expect(duration.total).toBe(result.connections);

    // Heavy tail: the median connection carries well under the mean.
    totals.sort((a, b) => a - b);
    const mean = bytes.sum / bytes.total;
    expect(totals.reduce((a, b) => a + b, 0)).toBe(bytes.sum);
    const median = totals[Math.ceil(totals.length / 2) - 1];
    expect(median).toBeLessThan(0.7 * mean);
    // Also as the summary reports it: p50 is the upper edge of its bin, still below the mean.
    expect(Number(bytes.percentile(0.5))).toBeLessThan(mean);
    expect(bytes.max).toBeGreaterThan(10 * mean);

    // Lifetimes: the CDF reaches 0.5 within the first few seconds.
    const durationRows = distributionRows(duration);
    const half = durationRows.find((r) => Number(r[5]) >= 0.5);
    expect(half).toBeDefined();
    expect(Number(half![2])).toBeLessThanOrEqual(5);
    expect(Number(durationRows[durationRows.length - 1][5])).toBe(1);
    // Probabilities sum to the whole (exact counts).
    expect(durationRows.reduce((n, r) => n + Number(r[3]), 0)).toBe(result.connections);
  });
});
