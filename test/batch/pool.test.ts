/**
 * `batch --pool` (issue 10): the pooled histogram of several captures is their
 * counts summed, then turned into probabilities — not an average of their
 * densities. Checked by hand on two tiny scenario captures (N = 2,
 * round-robin, bin width 1, interval 0.5 s):
 *
 * - a.pcap: one connection from 0 to 2.0 s with 100 bytes in each interval:
 *   samples at 0.5, 1.0, 1.5, 2.0; one server has everything, so both metrics
 *   have imbalance (1 − 0)·2/1 = 2 four times: bin 2 holds 4.
 * - b.pcap: two connections from 0 to 3.0 s, 100 bytes each per interval;
 *   round-robin puts them on servers 0 and 1: imbalance 0 six times: bin 0
 *   holds 6.
 * - pooled: bins 0, 1, 2 hold 6, 0, 4 of 10 samples: 0.6, 0, 0.4 (the average
 *   of the two densities would give 0.5, 0, 0.5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { runCli, tempDir, writeScenario, type ScenarioPacket } from '../helpers/scenario.js';

let dir: string;

beforeAll(() => {
  dir = tempDir();
  const a: ScenarioPacket[] = [
    { t: '0', from: 'c1', to: 's1', flags: 'S' },
    { t: '0.1', from: 's1', to: 'c1', flags: 'SA' },
    ...['0.2', '0.7', '1.2', '1.7'].map((t): ScenarioPacket => ({ t, from: 'c1', to: 's1', flags: 'PA', payload: 100 })),
    { t: '2.0', from: 'c1', to: 's1', flags: 'FA' },
    { t: '2.0', from: 's1', to: 'c1', flags: 'FA' },
  ];
  const b: ScenarioPacket[] = [
    { t: '0', from: 'c1', to: 's1', flags: 'S' },
    { t: '0.01', from: 's1', to: 'c1', flags: 'SA' },
    { t: '0.02', from: 'c2', to: 's1', flags: 'S' },
    { t: '0.03', from: 's1', to: 'c2', flags: 'SA' },
    ...['0.2', '0.7', '1.2', '1.7', '2.2', '2.7'].flatMap((t): ScenarioPacket[] => [
      { t, from: 'c1', to: 's1', flags: 'PA', payload: 100 },
      { t, from: 'c2', to: 's1', flags: 'PA', payload: 100 },
    ]),
    { t: '3.0', from: 'c1', to: 's1', flags: 'FA' },
    { t: '3.0', from: 's1', to: 'c1', flags: 'FA' },
    { t: '3.0', from: 'c2', to: 's1', flags: 'FA' },
    { t: '3.0', from: 's1', to: 'c2', flags: 'FA' },
  ];
  writeScenario(dir, 'a.pcap', a);
  writeScenario(dir, 'b.pcap', b);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('batch --pool', () => {
  it('sums counts over captures, then divides', () => {
    const r = runCli(['batch', 'a.pcap', 'b.pcap', '-n', '2', '-p', 'round-robin', '--bin-width', '1', '--pool', '-q'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const block = (trace: string, metric: string, rows: string[]): string => rows.map((row) => `${trace},2,1,${metric},round-robin,${row}\n`).join('');
    const a = ['0,1,0,0,0,0', '1,2,0,0,0,0', '2,3,4,1,1,1'];
    const b = ['0,1,6,1,1,1'];
    const pooled = ['0,1,6,0.6,0.6,0.6', '1,2,0,0,0,0.6', '2,3,4,0.4,0.4,1'];
    expect(r.stdout).toBe(
      'trace,servers,seed,metric,policy,bin_start,bin_end,count,probability,density,cdf\n' +
        block('a.pcap', 'connections', a) +
        block('a.pcap', 'bytes', a) +
        block('b.pcap', 'connections', b) +
        block('b.pcap', 'bytes', b) +
        block('*', 'connections', pooled) +
        block('*', 'bytes', pooled),
    );
  }, 30_000);
});
