/**
 * scripts/load-sweep.mjs (issue 9 item 4), spawned over the built CLI
 * (`npm run build` first, as `npm test` does) on two short Olympic captures:
 * the CSV's header and row order, each figure equal to the summary JSON's,
 * mean_active_per_server worked out again from the kept timeseries with the
 * samples it leaves out counted as 0, the same bytes on a second run, the CSV
 * drawn as a sweep plot, and usage errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, tempDir } from '../helpers/scenario.js';
import { plotCsv } from '../../src/plot/plot.js';

const SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'load-sweep.mjs');
const ARGS = ['--rates', '0.5,20', '--duration', '30', '--servers', '3', '--seed', '2'];
const POLICIES = ['round-robin', 'random', 'hash', 'least-active'];

function sweep(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let work: string;
let csv: string;
let stderr: string;

beforeAll(() => {
  const dir = tempDir('anycast-replay-sweep-test-');
  work = path.join(dir, 'work');
  const out = path.join(dir, 'sweep.csv');
  const r = sweep([...ARGS, '--work', work, '-o', out]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toBe('');
  csv = fs.readFileSync(out, 'utf8');
  stderr = r.stderr;
}, 180_000);

describe('scripts/load-sweep.mjs', () => {
  it('one row per (metric, policy, rate), metric then policy then rate, progress on stderr', () => {
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('metric,policy,rate,mean_active_per_server,mean,p50,p90,p99,max');
    const keys = lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','));
    const expected: string[] = [];
    for (const metric of ['connections', 'bytes']) for (const policy of POLICIES) for (const rate of ['0.5', '20']) expected.push(`${metric},${policy},${rate}`);
    expect(keys).toEqual(expected);
    expect(stderr).toContain('load-sweep: rate 0.5/s: synth 30 s (seed 2)\n');
    expect(stderr).toContain('load-sweep: rate 20/s: replay over 3 servers\n');
    expect(stderr).toMatch(/load-sweep: wrote .*sweep\.csv \(16 rows\)\n$/);
  });

  it('figures as the summary JSON gives them; mean active per server over every sample, the omitted ones as 0', () => {
    const rows = csv.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    for (const rate of ['0.5', '20']) {
      const summary = JSON.parse(fs.readFileSync(path.join(work, `summary-${rate}.json`), 'utf8'));
      const samples: number = summary.replay.samples;
      const ts = fs.readFileSync(path.join(work, `timeseries-${rate}.csv`), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(','));
      const times = new Set(ts.map((f) => f[0])).size;
      for (const p of summary.policies) {
        let sum = 0;
        for (const f of ts) if (f[1] === p.policy) sum += Number(f[3]);
        const mean = (sum / (samples * 3)).toFixed(3);
        // 19 connections in 30 s leave samples idle for both metrics, which the timeseries omits:
        // averaging over its rows alone would be higher.
        if (rate === '0.5') expect((sum / (times * 3)).toFixed(3)).not.toBe(mean);
        for (const metric of ['connections', 'bytes']) {
          const row = rows.find((r) => r[0] === metric && r[1] === p.policy && r[2] === rate)!;
          const m = p[metric];
          expect(row.slice(3)).toEqual([mean, m.mean_imbalance, m.p50, m.p90, m.p99, m.max_imbalance]);
        }
      }
      if (rate === '0.5') expect(times).toBeLessThan(samples);
    }
    // The total active load does not depend on the policy: one mean per rate, higher at the higher rate.
    const means = (rate: string) => new Set(rows.filter((r) => r[2] === rate).map((r) => r[3]));
    expect(means('0.5').size).toBe(1);
    expect(means('20').size).toBe(1);
    expect(Number([...means('20')][0])).toBeGreaterThan(10 * Number([...means('0.5')][0]));
  });

  it('deterministic: the same arguments give the same bytes (to standard output, without --work)', () => {
    const r = sweep(ARGS);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(csv);
  }, 180_000);

  it('plots as kind sweep', () => {
    const { kind, svg } = plotCsv(Buffer.from(csv), 'sweep.csv');
    expect(kind).toBe('sweep');
    expect(svg.match(/class="curve"/g)).toHaveLength(8);
  });

  it('usage errors exit 2 with one line and the usage', () => {
    for (const [args, message] of [
      [['--rates', '5,x'], "load-sweep: --rates: 'x' is not a positive number"],
      [['--rates', '5,5.0'], "load-sweep: --rates: a rate is given twice in '5,5.0'"],
      [['--servers', '0'], "load-sweep: --servers: '0' is not a whole number of at least 1"],
      [['--frobnicate'], "load-sweep: Unknown option '--frobnicate'"],
    ] as const) {
      const r = sweep(args);
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(message);
      expect(r.stderr).toContain('usage: node scripts/load-sweep.mjs [options]');
      expect(r.stdout).toBe('');
    }
  });
});
