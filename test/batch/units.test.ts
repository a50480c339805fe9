/**
 * The pieces of `batch` (issue 10) that need no capture: grid lists and their
 * order, shard membership (stable when the list is reordered), the --list
 * format, globs, fingerprints.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gridConfigurations, gridGroups, makeGrid, parseSeedsList, parseServersList } from '../../src/batch/grid.js';
import { parseShard, shardMembers, shardOf } from '../../src/batch/shard.js';
import { expandGlob, parseInputList } from '../../src/batch/inputs.js';
import { stampFile } from '../../src/batch/fingerprint.js';
import { ReplayError } from '../../src/errors.js';
import { canonicalKey, differingOptions, makeSettings } from '../../src/batch/settings.js';
import { normalizeOptions } from '../../src/options.js';
import { tempDir } from '../helpers/scenario.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ReplayError);
    expect((err as ReplayError).code).toBe('OPTION_INVALID');
    return (err as ReplayError).problem;
  }
  throw new Error('no error');
}

describe('grid', () => {
  it('lists and ranges keep the order given and drop duplicates', () => {
    expect(parseServersList('2,5,10,20')).toEqual([2, 5, 10, 20]);
    expect(parseSeedsList('1-10')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(parseSeedsList('7,1-3,2')).toEqual([7, 1, 2, 3]);
    expect(parseSeedsList('0')).toEqual([0]);
  });

  it('refuses bad lists with the option named', () => {
    expect(problem(() => parseServersList('0'))).toBe('option --servers: 0 is not a whole number from 1 to 65536');
    expect(problem(() => parseServersList('2,,3'))).toBe("option --servers: '2,,3' has an empty item");
    expect(problem(() => parseSeedsList('5-3'))).toBe("option --seeds: range '5-3' ends before it starts");
    expect(problem(() => parseSeedsList('x'))).toBe("option --seeds: 'x' is not a whole number");
    expect(problem(() => parseSeedsList('0-20000'))).toBe("option --seeds: range '0-20000' has more than 10000 values");
  });

  it('configurations nest servers → seeds → policies; groups are (servers, seed) pairs', () => {
    const grid = makeGrid([5, 2], [3, 1], ['hash', 'random']);
    expect(gridConfigurations(grid).map((c) => `${c.servers}/${c.seed}/${c.policy}`)).toEqual([
      '5/3/hash', '5/3/random', '5/1/hash', '5/1/random', '2/3/hash', '2/3/random', '2/1/hash', '2/1/random',
    ]);
    expect(gridGroups(grid)).toEqual([
      { servers: 5, seed: 3, first: 0 },
      { servers: 5, seed: 1, first: 2 },
      { servers: 2, seed: 3, first: 4 },
      { servers: 2, seed: 1, first: 6 },
    ]);
    expect(makeGrid([2], [1], ['all']).policies).toEqual(['round-robin', 'random', 'hash', 'least-active']);
  });
});

describe('shards', () => {
  const traces = Array.from({ length: 40 }, (_, i) => `segments/day-${String(i).padStart(3, '0')}.pcap.gz`);

  it('every input is in exactly one of N shards', () => {
    const seen = new Map<number, number>();
    for (let i = 0; i < 3; i++) for (const m of shardMembers(traces, { index: i, count: 3 })) seen.set(m, (seen.get(m) ?? 0) + 1);
    expect(seen.size).toBe(40);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('membership depends on the trace alone: reordering and extending the list keep a shard\u2019s members', () => {
    const members = (list: readonly string[], i: number): string[] => shardMembers(list, { index: i, count: 4 }).map((k) => list[k]).sort();
    const reordered = [...traces].reverse();
    const extended = [...reordered.slice(0, 20), 'extra-a.pcap', ...reordered.slice(20), 'extra-b.pcap'];
    for (let i = 0; i < 4; i++) {
      expect(members(reordered, i)).toEqual(members(traces, i));
      expect(members(extended, i).filter((t) => !t.startsWith('extra-'))).toEqual(members(traces, i));
    }
  });

  it('the shard of a trace is SHA-256 of its text mod N', () => {
    // SHA-256("a.pcap") = 08fc47e4…4f76 (sha256sum); as an integer mod 7 and mod 1000003
    // (Python: int(hashlib.sha256(b'a.pcap').hexdigest(), 16) % n).
    expect(shardOf('a.pcap', 1)).toBe(0);
    expect(shardOf('a.pcap', 7)).toBe(5);
    expect(shardOf('a.pcap', 1000003)).toBe(588637);
  });

  it('I/N and env (Slurm, Kubernetes)', () => {
    expect(parseShard('2/3', {}, undefined)).toEqual({ index: 2, count: 3 });
    expect(parseShard('env', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' }, undefined)).toEqual({ index: 1, count: 4 });
    expect(parseShard('env', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' }, 8)).toEqual({ index: 1, count: 8 });
    expect(parseShard('env', { JOB_COMPLETION_INDEX: '5' }, 6)).toEqual({ index: 5, count: 6 });
    expect(problem(() => parseShard('3/3', {}, undefined))).toBe('option --shard: shard index 3 is not below the count 3');
    expect(problem(() => parseShard('env', { JOB_COMPLETION_INDEX: '0' }, undefined))).toBe('option --shard: JOB_COMPLETION_INDEX needs --shard-count N');
    expect(problem(() => parseShard('env', {}, undefined))).toMatch(/needs SLURM_ARRAY_TASK_ID/);
    expect(problem(() => parseShard('1-3', {}, undefined))).toBe("option --shard: '1-3' is not I/N or env");
  });
});

describe('inputs', () => {
  it('--list: one capture per line, tabs join rotated files, # and blank lines ignored', () => {
    const d = tempDir();
    dirs.push(d);
    for (const n of ['a.pcap', 'b0.pcap', 'b1.pcap']) fs.writeFileSync(path.join(d, n), 'x');
    const a = path.join(d, 'a.pcap');
    const b0 = path.join(d, 'b0.pcap');
    const b1 = path.join(d, 'b1.pcap');
    const inputs = parseInputList(`# captures\n${a}\n\n${b0}\t${b1}\r\n`, 'list.txt');
    expect(inputs).toEqual([
      { trace: a, files: [a] },
      { trace: `${b0}+${b1}`, files: [b0, b1] },
    ]);
    expect(problem(() => parseInputList(`${a}\n${path.join(d, 'missing.pcap')}\n`, 'list.txt'))).toBe(
      `--list list.txt: line 2: '${path.join(d, 'missing.pcap')}' does not exist`,
    );
  });

  it('globs match within a segment, sorted, without hidden files', () => {
    const d = tempDir();
    dirs.push(d);
    fs.mkdirSync(path.join(d, 'day1'));
    fs.mkdirSync(path.join(d, 'day2'));
    for (const n of ['day1/s10.pcap', 'day1/s2.pcap', 'day2/s1.pcap', 'day2/.s0.pcap', 'day2/notes.txt']) fs.writeFileSync(path.join(d, n), 'x');
    expect(expandGlob(`${d}/day*/s*.pcap`)).toEqual([`${d}/day1/s10.pcap`, `${d}/day1/s2.pcap`, `${d}/day2/s1.pcap`]);
    expect(expandGlob(`${d}/day[2]/s?.pcap`)).toEqual([`${d}/day2/s1.pcap`]);
    expect(expandGlob(`${d}/none*/x`)).toEqual([]);
  });

  it('the fingerprint sees a change in the middle of a small file and not a copy', () => {
    const d = tempDir();
    dirs.push(d);
    const f = path.join(d, 'f');
    const g = path.join(d, 'g');
    fs.writeFileSync(f, Buffer.alloc(3000, 1));
    fs.writeFileSync(g, Buffer.alloc(3000, 1));
    const a = stampFile(f);
    expect(a.size).toBe(3000);
    expect(stampFile(g).fingerprint).toBe(a.fingerprint);
    const changed = Buffer.alloc(3000, 1);
    changed[1500] = 2;
    fs.writeFileSync(g, changed);
    expect(stampFile(g).fingerprint).not.toBe(a.fingerprint);
  });
});

describe('canonical options', () => {
  const grid = makeGrid([2, 5], [1], ['all']);

  it('one spelling per value: equal runs compare equal, a changed option is named', () => {
    const a = makeSettings(grid, { interval: '0.50', binWidth: '0.010', idleTimeout: 300 }).canonical;
    const b = makeSettings(grid, { interval: '0.5', binWidth: '0.01' }).canonical;
    expect(canonicalKey(a)).toBe(canonicalKey(b));
    expect(a.interval).toBe('0.500000000');
    expect(a.bin_width).toBe('0.01');
    const c = makeSettings(grid, { interval: '0.5', idleTimeout: '60' }).canonical;
    expect(differingOptions(b, c)).toEqual(['idle-timeout']);
    const d = makeSettings(makeGrid([2, 5], [1, 2], ['all']), {}).canonical;
    expect(differingOptions(b, d)).toEqual(['seeds']);
  });

  it('covers every resolved option but the grid\u2019s, so an option added to the library changes the key', () => {
    const canonical = makeSettings(grid, {}).canonical;
    const resolvedKeys = Object.keys(normalizeOptions({}))
      .filter((k) => !['servers', 'policies', 'seed'].includes(k))
      .map((k) => k.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`));
    for (const key of resolvedKeys) expect(Object.keys(canonical)).toContain(key);
    expect(canonical.servers).toEqual([2, 5]);
    expect(canonical.seeds).toEqual([1]);
  });
});
