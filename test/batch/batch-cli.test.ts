/**
 * `anycast-replay batch` and `merge`, spawned (issue 10): a grid in one pass
 * equals separate single runs; the bytes do not depend on --jobs or on
 * sharding; --out-dir refuses other options and redoes changed inputs; a
 * damaged capture fails alone. Captures are made by the tool's own `synth`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI_BIN, cliEnv, runCli, tempDir, type CliRun } from '../helpers/scenario.js';

let dir: string;

function run(...args: string[]): CliRun {
  return runCli(args, { cwd: dir });
}

function ok(...args: string[]): CliRun {
  const r = run(...args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r;
}

function read(name: string): string {
  return fs.readFileSync(path.join(dir, name), 'utf8');
}

function synth(name: string, seed: number, start?: number): void {
  const extra = start === undefined ? [] : ['--start', String(start)];
  ok('synth', '--duration', '10', '--rate', '10', '--snaplen', '68', '--seed', String(seed), ...extra, '-q', '-o', name);
}

const SEGMENTS = ['seg-1.pcap', 'seg-2.pcap', 'seg-3.pcap', 'seg-4.pcap', 'seg-5.pcap'];
const ROTATED = ['rot-a.pcap', 'rot-b.pcap'];
const ROTATED_TRACE = 'rot-a.pcap+rot-b.pcap';
const TRACES = [...SEGMENTS, ROTATED_TRACE];
const GRID = ['-n', '2,3', '--seeds', '1,2', '-p', 'random,hash,least-active'];

beforeAll(() => {
  dir = tempDir();
  SEGMENTS.forEach((name, i) => synth(name, i + 1));
  // Two consecutive 10-second files: one capture rotated in two.
  synth(ROTATED[0], 11, 886809600);
  synth(ROTATED[1], 12, 886809610);
  fs.writeFileSync(path.join(dir, 'list.txt'), `# five segments and a rotated capture\n${SEGMENTS.join('\n')}\n\n${ROTATED.join('\t')}\n`);
  fs.writeFileSync(path.join(dir, 'reversed.txt'), `${ROTATED.join('\t')}\n${[...SEGMENTS].reverse().join('\n')}\n`);
}, 60_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Rows of the tidy CSV with these leading fields, without them. */
function rowsOf(csv: string, trace: string, servers: number, seed: number): string {
  const prefix = `${trace},${servers},${seed},`;
  return csv
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => `${l.slice(prefix.length)}\n`)
    .join('');
}

function manifest(d: string): { inputs: { trace: string }[]; members: number[]; shard: unknown } {
  return JSON.parse(read(path.join(d, 'manifest.json')));
}

describe('batch: one pass per capture', () => {
  it('equals separate single runs of each (servers, seed): CSV rows after the leading columns, and summaries', () => {
    ok('batch', 'seg-1.pcap', 'seg-2.pcap', ...GRID, '-j', '1', '-q', '-o', 'grid.csv', '--summaries', 'grid.jsonl');
    ok('batch', '--list', 'list.txt', ...GRID, '-j', '1', '-o', 'list.csv', '--summaries', 'list.jsonl');
    const csv = read('grid.csv');
    expect(csv.split('\n')[0]).toBe('trace,servers,seed,metric,policy,bin_start,bin_end,count,probability,density,cdf');
    const listCsv = read('list.csv');
    // Every group of seg-1, and of the rotated capture the groups with 3 servers.
    const cases: [string, string[], string, string, number[]][] = [
      ['seg-1.pcap', ['seg-1.pcap'], csv, 'grid.jsonl', [2, 3]],
      [ROTATED_TRACE, ROTATED, listCsv, 'list.jsonl', [3]],
    ];
    for (const [trace, files, text, jsonl, serverCounts] of cases) {
      const lines = read(jsonl)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { trace: string; servers: number; seed: number; summary: unknown });
      for (const servers of serverCounts) {
        for (const seed of [1, 2]) {
          ok(...files, '--servers', String(servers), '--seed', String(seed), '-p', 'random,hash,least-active', '-q', '-o', 'single.csv', '--summary-json', 'single.json');
          const single = read('single.csv');
          const body = single.slice(single.indexOf('\n') + 1);
          expect(body.length).toBeGreaterThan(0);
          expect(rowsOf(text, trace, servers, seed)).toBe(body);
          const line = lines.find((l) => l.trace === trace && l.servers === servers && l.seed === seed);
          expect(line?.summary).toEqual(JSON.parse(read('single.json')));
        }
      }
    }
    // Order: traces in input order, then servers, seeds, policies.
    const order = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 3).join(',') + ',' + l.split(',')[4])
      .filter((v, i, a) => a.indexOf(v) === i);
    expect(order.slice(0, 4)).toEqual(['seg-1.pcap,2,1,random', 'seg-1.pcap,2,1,hash', 'seg-1.pcap,2,1,least-active', 'seg-1.pcap,2,2,random']);
    expect(order.length).toBe(2 * 4 * 3);
    expect(read('grid.jsonl').trim().split('\n').length).toBe(2 * 4);
  }, 60_000);

  it('--jobs 1 and --jobs 2 give the same bytes (CSV with --pool, JSON lines)', () => {
    ok('batch', '--list', 'list.txt', ...GRID, '--pool', '-j', '1', '-o', 'j1.csv', '--summaries', 'j1.jsonl');
    ok('batch', '--list', 'list.txt', ...GRID, '--pool', '-j', '2', '-o', 'j2.csv', '--summaries', 'j2.jsonl');
    expect(read('j2.csv')).toBe(read('j1.csv'));
    expect(read('j2.jsonl')).toBe(read('j1.jsonl'));
    expect(read('j1.csv')).toContain('\n*,3,2,bytes,least-active,0,0.01,');
  }, 30_000);

  it('errors before reading: a trace given twice, --shard without --out-dir, a bad list', () => {
    const twice = run('batch', 'seg-1.pcap', 'seg-1.pcap');
    expect([twice.status, twice.stderr]).toEqual([2, "anycast-replay: capture 'seg-1.pcap' is given twice (see --help)\n"]);
    const shard = run('batch', 'seg-1.pcap', '--shard', '0/2');
    expect(shard.status).toBe(2);
    expect(shard.stderr).toMatch(/^anycast-replay: option --shard needs --out-dir/);
    const seeds = run('batch', 'seg-1.pcap', '--seeds', '3-1');
    expect([seeds.status, seeds.stderr]).toEqual([2, "anycast-replay: option '--seeds <list>' argument '3-1' is invalid. range '3-1' ends before it starts (see --help)\n"]);
    const none = run('batch', 'nothing-*.pcap');
    expect([none.status, none.stderr]).toEqual([2, "anycast-replay: 'nothing-*.pcap' matches no file (see --help)\n"]);
  }, 30_000);

  it('globs are expanded by the tool when the shell did not', () => {
    ok('batch', 'seg-*.pcap', '-n', '2', '-p', 'hash', '-o', 'glob.csv');
    const traces = [...new Set(read('glob.csv').trim().split('\n').slice(1).map((l) => l.split(',')[0]))];
    expect(traces).toEqual(SEGMENTS);
  }, 30_000);
});

describe('shards and merge', () => {
  it('3 shards merged equal one unsharded run byte for byte (CSV, JSON lines, --pool)', () => {
    ok('batch', '--list', 'list.txt', ...GRID, '--pool', '-o', 'whole.csv', '--summaries', 'whole.jsonl');
    const members: string[] = [];
    for (let i = 0; i < 3; i++) {
      ok('batch', '--list', 'list.txt', ...GRID, '--out-dir', `shard-${i}`, '--shard', `${i}/3`, '-q', '-o', `shard-${i}.csv`);
      const m = manifest(`shard-${i}`);
      expect(m.shard).toEqual({ index: i, count: 3 });
      expect(m.inputs.map((x) => x.trace)).toEqual(TRACES);
      members.push(...m.members.map((k) => m.inputs[k].trace));
      expect(fs.readdirSync(path.join(dir, `shard-${i}`, 'results')).length).toBe(m.members.length);
    }
    expect(members.sort()).toEqual([...TRACES].sort());
    ok('merge', 'shard-2', 'shard-0', 'shard-1', '--pool', '-o', 'merged.csv', '--summaries', 'merged.jsonl');
    expect(read('merged.csv')).toBe(read('whole.csv'));
    expect(read('merged.jsonl')).toBe(read('whole.jsonl'));
    // Without --pool, no pooled rows.
    const plain = ok('merge', 'shard-0', 'shard-1', 'shard-2').stdout;
    expect(plain).toBe(read('whole.csv').split('\n').filter((l) => !l.startsWith('*,')).join('\n'));

    // A missing shard is an error naming what is missing.
    const missing = run('merge', 'shard-0', 'shard-1');
    expect(missing.status).toBe(1);
    const absent = manifest('shard-2').members.map((k) => `'${TRACES[k]}'`);
    expect(missing.stderr).toBe(`anycast-replay: ${absent.length} of 6 captures have no result in the directories given: ${absent.slice(0, 3).join(', ')}${absent.length > 3 ? ` and ${absent.length - 3} more` : ''}\n`);
  }, 60_000);

  it('reordering --list does not change a shard\u2019s members', () => {
    for (let i = 0; i < 3; i++) {
      ok('batch', '--list', 'reversed.txt', '-n', '2', '-p', 'hash', '--out-dir', `rev-${i}`, '--shard', `${i}/3`, '-q', '-o', '/dev/null');
      const a = manifest(`shard-${i}`);
      const b = manifest(`rev-${i}`);
      expect(b.members.map((k) => b.inputs[k].trace).sort()).toEqual(a.members.map((k) => a.inputs[k].trace).sort());
    }
  }, 30_000);

  it('--shard env reads Slurm\u2019s array variables', () => {
    const r = spawnSync(process.execPath, [CLI_BIN, 'batch', '--list', 'list.txt', '-n', '2', '-p', 'hash', '--out-dir', 'env-1', '--shard', 'env', '-q', '-o', '/dev/null'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...cliEnv(), SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' },
    });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(manifest('env-1').shard).toEqual({ index: 1, count: 3 });
    expect(manifest('env-1').members).toEqual(manifest('rev-1').members.map((k) => TRACES.indexOf(manifest('rev-1').inputs[k].trace)).sort((x, y) => x - y));
  }, 30_000);

  it('merging directories of different options is an error', () => {
    ok('batch', '--list', 'list.txt', ...GRID, '--interval', '1', '--out-dir', 'other-0', '--shard', '0/3', '-q', '-o', '/dev/null');
    const r = run('merge', 'shard-1', 'other-0', 'shard-2');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("anycast-replay: other-0: was made with other options than 'shard-1' (interval)\n");
    const notDir = run('merge', 'seg-1.pcap');
    expect(notDir.status).toBe(1);
    expect(notDir.stderr).toBe('anycast-replay: seg-1.pcap: is not a batch output directory (no manifest.json)\n');
  }, 30_000);
});

describe('--out-dir', () => {
  it('refuses other options in an existing directory (exit 2) unless --force', () => {
    ok('batch', 'seg-1.pcap', 'seg-2.pcap', '-n', '2', '--out-dir', 'opts', '-q', '-o', 'opts-a.csv');
    const r = run('batch', 'seg-1.pcap', 'seg-2.pcap', '-n', '3', '--out-dir', 'opts', '-q', '-o', 'opts-b.csv');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("anycast-replay: option --out-dir: 'opts' holds a batch with other options (servers); use another directory, or --force to start it over (see --help)\n");
    expect(fs.existsSync(path.join(dir, 'opts-b.csv'))).toBe(false);
    ok('batch', 'seg-1.pcap', 'seg-2.pcap', '-n', '3', '--out-dir', 'opts', '--force', '-q', '-o', 'opts-b.csv');
    ok('batch', 'seg-1.pcap', 'seg-2.pcap', '-n', '3', '-q', '-o', 'opts-c.csv');
    expect(read('opts-b.csv')).toBe(read('opts-c.csv'));
  }, 30_000);

  it('a rerun skips unchanged captures and redoes a changed one', () => {
    for (const n of ['a', 'b', 'c']) fs.copyFileSync(path.join(dir, `seg-${n === 'a' ? 1 : n === 'b' ? 2 : 3}.pcap`), path.join(dir, `ch-${n}.pcap`));
    const args = ['batch', 'ch-a.pcap', 'ch-b.pcap', 'ch-c.pcap', '-n', '2,4', '--out-dir', 'changed', '-j', '1', '--verbose', '-q'];
    const first = run(...args, '-o', 'ch-1.csv');
    expect(first.status).toBe(0);
    expect(first.stderr.match(/replayed/g)?.length).toBe(3);
    const again = run(...args, '-o', 'ch-2.csv');
    expect(again.stderr).toBe(
      'anycast-replay: [1/3] ch-a.pcap: done before, skipped\n' +
        'anycast-replay: [2/3] ch-b.pcap: done before, skipped\n' +
        'anycast-replay: [3/3] ch-c.pcap: done before, skipped\n',
    );
    expect(read('ch-2.csv')).toBe(read('ch-1.csv'));
    // ch-b now holds another capture.
    fs.copyFileSync(path.join(dir, 'seg-4.pcap'), path.join(dir, 'ch-b.pcap'));
    const third = run(...args, '-o', 'ch-3.csv');
    expect(third.status).toBe(0);
    expect(third.stderr).toMatch(/^anycast-replay: \[1\/3\] ch-a\.pcap: done before, skipped\nanycast-replay: \[2\/3\] ch-c\.pcap: done before, skipped\nanycast-replay: \[3\/3\] ch-b\.pcap: replayed \(\d+ packets, \d+ connections\)\n$/);
    ok('batch', 'ch-a.pcap', 'ch-b.pcap', 'ch-c.pcap', '-n', '2,4', '-q', '-o', 'ch-fresh.csv');
    expect(read('ch-3.csv')).toBe(read('ch-fresh.csv'));
    expect(read('ch-3.csv')).not.toBe(read('ch-1.csv'));
  }, 30_000);

  it('a damaged capture fails alone: exit 1, one line, no CSV, the others recorded', () => {
    fs.writeFileSync(path.join(dir, 'bad.pcap'), Buffer.from('this is not a capture at all'));
    const r = run('batch', 'seg-1.pcap', 'bad.pcap', 'seg-2.pcap', '-n', '2', '--out-dir', 'damaged', '-q', '-o', 'damaged.csv');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'anycast-replay: bad.pcap: not a pcap or pcapng capture (unknown magic) at byte 0\n' +
        "anycast-replay: 1 of 3 captures failed; no output written; the others are recorded in 'damaged' and a rerun redoes only the failed ones\n",
    );
    expect(fs.existsSync(path.join(dir, 'damaged.csv'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'damaged', 'results')).sort()).toEqual(['000000.json', '000002.json']);
  }, 30_000);
});
