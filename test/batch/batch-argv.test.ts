/**
 * `batch` and `merge` argv parsed in-process (STYLE tests): the exact options
 * and flags handed to mocked actions, and usage errors with exit 2.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createProgram, type Actions, type BatchFlags, type MergeFlags } from '../../src/cli/program.js';
import { main } from '../../src/cli/main.js';
import type { ReplayOptions } from '../../src/options.js';

interface Calls {
  replay: ReplayOptions[];
  batch: [string[], ReplayOptions, BatchFlags][];
  merge: [string[], MergeFlags][];
}

function mock(): { actions: Actions; calls: Calls } {
  const calls: Calls = { replay: [], batch: [], merge: [] };
  const none = async (): Promise<number> => 0;
  const actions: Actions = {
    async replay(_files, options) {
      calls.replay.push(options);
      return 0;
    },
    info: none,
    connections: none,
    plot: none,
    synth: none,
    async batch(captures, options, flags) {
      calls.batch.push([captures, options, flags]);
      return 0;
    },
    async merge(dirs, flags) {
      calls.merge.push([dirs, flags]);
      return 0;
    },
  };
  return { actions, calls };
}

const argv = (...args: string[]): string[] => ['node', 'anycast-replay', ...args];

/**
 * The ReplayOptions the main command passes for these flags, without the
 * three the grid replaces: batch must receive exactly these (every replay
 * option, parsed the same way, whatever options the library gains).
 */
async function mainCommandOptions(...flags: string[]): Promise<ReplayOptions> {
  const { actions, calls } = mock();
  await createProgram(actions).parseAsync(argv('x.pcap', ...flags));
  const { servers: _servers, policy: _policy, seed: _seed, ...rest } = calls.replay[0];
  return rest;
}

describe('batch argv', () => {
  let stderr: MockInstance;
  beforeEach(() => {
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
  });

  it('defaults: 5 servers, seed 1, all policies, no outputs beyond standard output', async () => {
    const { actions, calls } = mock();
    expect(await main(argv('batch', 'a.pcap', 'b.pcap'), actions)).toBe(0);
    expect(calls.batch).toEqual([
      [['a.pcap', 'b.pcap'], await mainCommandOptions(), { servers: [5], seeds: [1], policy: ['all'], pool: false, force: false, verbose: false, quiet: false }],
    ]);
  });

  it('every flag', async () => {
    const { actions, calls } = mock();
    const replayFlags = [
      '--interval', '1', '--bin-width', '0.05', '--direction', 's2c', '--service', '192.0.2.1:80', '--idle-timeout', '60',
      '--syn-timeout', '0', '--max-connections', '1000', '--from', '10', '--to', '20', '--strict',
    ];
    await createProgram(actions).parseAsync(
      argv(
        'batch', '--list', 'l.txt', '-n', '2,5,10', '--seeds', '1-3,9', '-p', 'hash,random', ...replayFlags,
        '-o', 'out.csv', '--summaries', 's.jsonl', '--pool', '-j', '3', '--out-dir', 'd',
        '--force', '--shard', 'env', '--shard-count', '8', '--verbose', '-q',
      ),
    );
    const expected = await mainCommandOptions(...replayFlags);
    expect(expected).toMatchObject({ interval: '1', binWidth: '0.05', direction: 's2c', idleTimeout: '60', synTimeout: '0', maxConnections: 1000, strict: true, from: '10', to: '20', service: ['192.0.2.1:80'] });
    expect(calls.batch).toEqual([
      [
        [],
        expected,
        {
          list: 'l.txt',
          servers: [2, 5, 10],
          seeds: [1, 2, 3, 9],
          policy: ['hash', 'random'],
          output: 'out.csv',
          summaries: 's.jsonl',
          pool: true,
          jobs: 3,
          outDir: 'd',
          force: true,
          shard: 'env',
          shardCount: 8,
          verbose: true,
          quiet: true,
        },
      ],
    ]);
  });

  it('usage errors exit 2 with one line', async () => {
    const { actions, calls } = mock();
    expect(await main(argv('batch', 'a.pcap', '-j', '0'), actions)).toBe(2);
    expect(await main(argv('batch', 'a.pcap', '-n', '2,x'), actions)).toBe(2);
    expect(await main(argv('batch', 'a.pcap', '-p', 'fastest'), actions)).toBe(2);
    expect(calls.batch).toEqual([]);
    const lines = stderr.mock.calls.map((c) => String(c[0]));
    expect(lines.slice(0, 2)).toEqual([
      "anycast-replay: option '-j, --jobs <n>' argument '0' is invalid. must be a whole number ≥ 1 (see --help)\n",
      "anycast-replay: option '-n, --servers <list>' argument '2,x' is invalid. 'x' is not a whole number (see --help)\n",
    ]);
    // The list of policies named is the main command's (it grows with the catalogue).
    expect(lines[2]).toMatch(/^anycast-replay: option '-p, --policy <list>' argument 'fastest' is invalid\. unknown policy 'fastest' \(choose from round-robin, random, hash, least-active(, [a-z0-9-]+)*, all\) \(see --help\)\n$/);
    expect(lines.length).toBe(3);
  });
});

describe('merge argv', () => {
  it('directories and outputs', async () => {
    const { actions, calls } = mock();
    expect(await main(argv('merge', 'r/shard-0', 'r/shard-1', '-o', 'all.csv', '--summaries', 'all.jsonl', '--pool'), actions)).toBe(0);
    expect(await main(argv('merge', 'r/shard-0'), actions)).toBe(0);
    expect(calls.merge).toEqual([
      [['r/shard-0', 'r/shard-1'], { output: 'all.csv', summaries: 'all.jsonl', pool: true }],
      [['r/shard-0'], { pool: false }],
    ]);
  });
});
