/**
 * The engine of configurations (issue 10): a grid of (policy, servers, seed)
 * in one pass gives, per configuration, exactly what a separate run of the
 * main replay with that servers and seed gives — the CSV rows byte for byte
 * (rendered from the counts by the shared row renderer) and the summary
 * object field for field.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupSummary, runConfigurations, type Configuration, type ConfigurationResult } from '../../src/engine/configurations.js';
import { runReplay } from '../../src/replay.js';
import { HISTOGRAM_CSV_HEADER, METRICS, histogramCsvText } from '../../src/output/histogram-csv.js';
import { histogramRowsCsv } from '../../src/output/histogram-rows.js';
import { POLICY_NAMES } from '../../src/dispatch/policy.js';
import { writeWebTrafficFile } from '../../src/synth/web-traffic.js';
import { ReplayError } from '../../src/errors.js';

let dir: string;
let capture: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-configs-'));
  capture = path.join(dir, 'web.pcap');
  writeWebTrafficFile(capture, { seed: 3, durationSec: 40, connectionRate: 6, snaplen: 68 });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The main command's CSV rows (no header) for one (servers, seed) group, from the engine's counts. */
function groupCsv(binWidth: string, group: readonly ConfigurationResult[]): string {
  let text = '';
  for (const metric of METRICS) {
    let lastBin = -1;
    for (const r of group) lastBin = Math.max(lastBin, r[metric].counts.length - 1);
    if (lastBin < 0) continue;
    for (const r of group) {
      const m = r[metric];
      text += histogramRowsCsv(metric, r.label, m.counts, m.samples - m.idle, lastBin, binWidth);
    }
  }
  return text;
}

const OPTIONS = { interval: '0.25', binWidth: '0.05' };

describe('runConfigurations', () => {
  it('a grid in one pass equals separate single runs of each configuration', async () => {
    const serversList = [2, 5, 7];
    const seeds = [1, 2, 9];
    const configs: Configuration[] = [];
    for (const servers of serversList) {
      for (const seed of seeds) for (const policy of POLICY_NAMES) configs.push({ policy, servers, seed });
    }
    const run = await runConfigurations([capture], { ...OPTIONS, servers: 3, seed: 77, policy: ['hash'] }, configs);
    expect(run.results).toHaveLength(36);
    expect(run.binWidth).toBe('0.05');
    expect(run.results.map((r) => r.config)).toEqual(configs);
    let k = 0;
    for (const servers of serversList) {
      for (const seed of seeds) {
        const group = run.results.slice(k, k + 4);
        k += 4;
        const single = await runReplay([capture], { ...OPTIONS, servers, seed, policy: ['all'] });
        const expected = histogramCsvText(single.results);
        expect(expected.length).toBeGreaterThan(HISTOGRAM_CSV_HEADER.length + 100);
        expect(HISTOGRAM_CSV_HEADER + groupCsv(run.binWidth, group)).toBe(expected);
        expect(JSON.stringify(groupSummary(run, group), null, 2)).toBe(JSON.stringify(single.summary, null, 2));
        for (const r of group) {
          expect(r.connections.samples).toBe(single.results.samples);
          expect(r.connections.counts.reduce((a, b) => a + b, 0)).toBe(r.connections.samples - r.connections.idle);
        }
      }
    }
    // random depends on the seed: its rows differ between seeds 1 and 2 (N = 5).
    const random = (seed: number) => run.results.find((r) => r.config.policy === 'random' && r.config.servers === 5 && r.config.seed === seed)!;
    expect(random(1).connections.counts).not.toEqual(random(2).connections.counts);
  });

  it('gives the same results in any order and with duplicates', async () => {
    const a: Configuration = { policy: 'random', servers: 4, seed: 5 };
    const b: Configuration = { policy: 'least-active', servers: 3, seed: 1 };
    const one = await runConfigurations([capture], OPTIONS, [a, b]);
    const two = await runConfigurations([capture], OPTIONS, [b, a, b]);
    expect(two.results[1]).toEqual(one.results[0]);
    expect(two.results[0]).toEqual(one.results[1]);
    expect(two.results[2]).toEqual(one.results[1]);
    expect(one.capture).toEqual(two.capture);
    expect(one.capture.packets).toBeGreaterThan(1000);
  });

  it('refuses a bad configuration before reading anything', async () => {
    const bad = (c: Configuration) => runConfigurations(['/nonexistent.pcap'], OPTIONS, [c]);
    await expect(bad({ policy: 'hash', servers: 0, seed: 1 })).rejects.toThrow(ReplayError);
    await expect(bad({ policy: 'hash', servers: 2, seed: -1 })).rejects.toThrow(/--seed/);
    await expect(bad({ policy: 'nope' as 'hash', servers: 2, seed: 1 })).rejects.toThrow(/unknown policy 'nope'/);
    await expect(runConfigurations([capture], OPTIONS, [])).rejects.toThrow(/no configuration/);
  });
});

describe('histogramRowsCsv', () => {
  it('renders exact rows, with zero counts past the end of the array', () => {
    expect(histogramRowsCsv('bytes', 'hash', [1, 0, 3], 4, 3, '0.1')).toBe(
      'bytes,hash,0,0.1,1,0.25,2.5,0.25\n' +
        'bytes,hash,0.1,0.2,0,0,0,0.25\n' +
        'bytes,hash,0.2,0.3,3,0.75,7.5,1\n' +
        'bytes,hash,0.3,0.4,0,0,0,1\n',
    );
    expect(histogramRowsCsv('bytes', 'a,b', [3], 3, 0, '1')).toBe('bytes,"a,b",0,1,3,1,1,1\n');
    expect(histogramRowsCsv('bytes', 'x', [], 0, -1, '1')).toBe('');
  });
});
