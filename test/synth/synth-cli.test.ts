/**
 * `anycast-replay synth` (issue 9 item 1): argv parsed in-process into the
 * exact SynthFlags handed to a mocked action, usage errors, and the real
 * action writing a capture and its truth atomically.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createProgram, type Actions, type SynthFlags } from '../../src/cli/program.js';
import { main } from '../../src/cli/main.js';
import { runSynthCommand } from '../../src/cli/synth-action.js';
import { CONNECTION_COLUMNS, runConnections } from '../../src/connections.js';
import { ReplayError } from '../../src/errors.js';
import { csvLine } from '../../src/output/csv.js';

function mock(): { actions: Actions; calls: SynthFlags[] } {
  const calls: SynthFlags[] = [];
  const actions: Actions = {
    replay: async () => 0,
    info: async () => 0,
    connections: async () => 0,
    plot: async () => 0,
    synth: async (flags) => {
      calls.push(flags);
      return 0;
    },
    batch: async () => 0,
    merge: async () => 0,
  };
  return { actions, calls };
}

const argv = (...args: string[]): string[] => ['node', 'anycast-replay', ...args];

describe('synth argv', () => {
  let stderr: MockInstance;
  beforeEach(() => {
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
  });

  it('reaches the subcommand with its defaults', async () => {
    const { actions, calls } = mock();
    await createProgram(actions).parseAsync(argv('synth', '-o', 'x.pcap'));
    expect(calls).toEqual([
      { profile: 'web', seed: 1, format: 'pcap', linktype: 'ethernet', gzip: false, segment: 1200, quiet: false, out: 'x.pcap' },
    ]);
  });

  it('parses every option', async () => {
    const { actions, calls } = mock();
    await createProgram(actions).parseAsync(
      argv(
        'synth', '--profile', 'olympic', '--rate', '12.5', '--duration', '30', '--seed', '9', '--start', '837748800',
        '--snaplen', '96', '--format', 'pcap-ns', '--linktype', 'sll', '--ipv6', '0.25', '--gzip', '--out', '-',
        '--truth', 't.csv', '-q',
      ),
    );
    expect(calls[0]).toEqual({
      profile: 'olympic',
      seed: 9,
      rate: 12.5,
      duration: 30,
      start: 837_748_800,
      snaplen: 96,
      format: 'pcap-ns',
      linktype: 'sll',
      ipv6: 0.25,
      gzip: true,
      out: '-',
      truth: 't.csv',
      segment: 1200,
      quiet: true,
    });
    await createProgram(actions).parseAsync(argv('synth', '--profile', 'olympic', '--series', 'dir', '--segments', '3-5', '--segment', '600'));
    expect(calls[1]).toEqual({
      profile: 'olympic', seed: 1, format: 'pcap', linktype: 'ethernet', gzip: false, segment: 600, quiet: false, series: 'dir', segments: [3, 5],
    });
  });

  it('refuses bad values with exit 2 and one line', async () => {
    for (const bad of [
      ['--ipv6', '1.5'],
      ['--rate', '0'],
      ['--format', 'erf'],
      ['--linktype', 'fddi'],
      ['--segments', '5-3'],
      ['--snaplen', '20'],
    ]) {
      const { actions, calls } = mock();
      stderr.mockClear();
      expect(await main(argv('synth', ...bad), actions), bad.join(' ')).toBe(2);
      expect(calls).toEqual([]);
      const text = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(text.split('\n').length, text).toBe(2);
      expect(text.startsWith('anycast-replay: ')).toBe(true);
    }
  });
});

describe('synth action', () => {
  let dir: string;
  let stderr: MockInstance;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cli-'));
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const base: SynthFlags = { profile: 'web', seed: 4, format: 'pcap', linktype: 'ethernet', gzip: false, segment: 1200, quiet: true };

  it('writes the capture and its truth (gzip too), and connections on the capture reproduces the truth', async () => {
    for (const gzip of [false, true]) {
      const out = path.join(dir, gzip ? 'c.pcap.gz' : 'c.pcap');
      const truth = path.join(dir, 'truth.csv');
      expect(await runSynthCommand({ ...base, gzip, rate: 20, duration: 10, out, truth })).toBe(0);
      expect(fs.readFileSync(out)[0]).toBe(gzip ? 0x1f : 0xd4);
      let rows = csvLine(CONNECTION_COLUMNS);
      await runConnections([out], {}, { row: (r) => (rows += csvLine(r)) });
      expect(rows).toBe(fs.readFileSync(truth, 'utf8'));
      expect(rows.split('\n').length).toBeGreaterThan(150);
    }
    // Only the two outputs: no temporary file left.
    expect(fs.readdirSync(dir).sort()).toEqual(['c.pcap', 'c.pcap.gz', 'truth.csv']);
  });

  it('same flags → same bytes', async () => {
    const a = path.join(dir, 'a.pcap');
    const b = path.join(dir, 'b.pcap');
    await runSynthCommand({ ...base, profile: 'olympic', duration: 20, out: a });
    await runSynthCommand({ ...base, profile: 'olympic', duration: 20, out: b });
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    // Olympic default snaplen 68: header-only.
    expect(fs.readFileSync(a).readUInt32LE(16)).toBe(68);
  });

  it('refuses inconsistent combinations as usage errors, creating nothing', async () => {
    const cases: [Partial<SynthFlags>, string][] = [
      [{ series: dir, days: 1 }, 'synth: --series needs --profile olympic'],
      [{ profile: 'olympic', series: dir }, 'synth: --series needs one of --days D or --segments A-B'],
      [{ profile: 'olympic', series: dir, days: 1, out: path.join(dir, 'x') }, 'synth: --series writes its own files: no --out or --truth'],
      [{ days: 2 }, 'synth: --days and --segments need --series'],
      [
        { profile: 'olympic', series: path.join(dir, 'missing', 'deeper'), days: 1 },
        `option --series: cannot create '${path.join(dir, 'missing', 'deeper')}': ENOENT`,
      ],
      [
        { linktype: 'vlan', snaplen: 70, out: path.join(dir, 'x.pcap') },
        'synth: snaplen 70 cuts the TCP header of IPv6 packets on link type vlan (needs ≥ 72)',
      ],
      [{ profile: 'olympic', rate: 400, out: path.join(dir, 'x.pcap') }, 'synth: a peak of 400.0 connections/s is too many for unique client ports within 660 s (about 271/s at most)'],
    ];
    for (const [flags, problem] of cases) {
      let error: unknown;
      try {
        await runSynthCommand({ ...base, ...flags });
      } catch (err) {
        error = err;
      }
      expect(error, problem).toBeInstanceOf(ReplayError);
      expect((error as ReplayError).code).toBe('OPTION_INVALID');
      expect((error as ReplayError).problem).toBe(problem);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
