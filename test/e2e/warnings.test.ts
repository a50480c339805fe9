/**
 * Issue 8, item 2: no silently wrong answer. Files out of order, steps back
 * of more than a second, runs that measured nothing: each is one warning line
 * per file and kind (with its count, first offset and worst case), kept in
 * full in the summary JSON, and a failure under --strict.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runReplay } from '../../src/replay.js';
import { runConnections } from '../../src/connections.js';
import { ReplayError } from '../../src/errors.js';
import { WarningLog, nothingMeasuredReason } from '../../src/warnings.js';
import { runCli, scenarioCapture, scenarioFrames, tempDir, type ScenarioPacket } from '../helpers/scenario.js';

let dir: string;

beforeAll(() => {
  dir = tempDir();
});

/** Connection k (0-based) of a part: SYN, SYN-ACK, data, FIN, FIN at `start` + k·0.2 s. */
function part(start: number, first: number, count: number): ScenarioPacket[] {
  const out: ScenarioPacket[] = [];
  for (let k = 0; k < count; k++) {
    const c = `c${first + k}`;
    const t = start + k * 0.2;
    out.push(
      { t: t.toFixed(3), from: c, to: 's1', flags: 'S' },
      { t: (t + 0.01).toFixed(3), from: 's1', to: c, flags: 'SA' },
      { t: (t + 0.02).toFixed(3), from: c, to: 's1', flags: 'PA', payload: 300 },
      { t: (t + 0.5).toFixed(3), from: 's1', to: c, flags: 'PA', payload: 1000 },
      { t: (t + 0.9).toFixed(3), from: c, to: 's1', flags: 'FA' },
      { t: (t + 0.95).toFixed(3), from: 's1', to: c, flags: 'FA' },
    );
  }
  // In time order, as a capture is.
  return out.sort((a, b) => Number(a.t) - Number(b.t));
}

function write(name: string, packets: ScenarioPacket[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, scenarioCapture(packets));
  return file;
}

/** Byte offset of record `i` in a nanosecond pcap of `packets` (24-byte header, 16-byte record headers). */
function offsetOf(packets: readonly ScenarioPacket[], i: number): number {
  let off = 24;
  const frames = scenarioFrames(packets);
  for (let k = 0; k < i; k++) off += 16 + frames[k].data.length;
  return off;
}

async function strictError(run: () => Promise<unknown>): Promise<ReplayError> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(ReplayError);
    return err as ReplayError;
  }
  throw new Error('expected a STRICT_WARNING');
}

describe('files given out of order', () => {
  let parts: string[];
  beforeAll(() => {
    // Three parts of one capture 20 s apart, 20 connections (120 records) each.
    parts = [0, 1, 2].map((i) => write(`part${i}.pcap`, part(i * 20, 1 + i * 20, 20)));
  });

  it('in order: the same connections as one file, no warning', async () => {
    const run = await runReplay(parts, { policy: ['hash'] });
    expect(run.summary.capture.connections).toBe(60);
    expect(run.stats.warnings).toEqual([]);
    expect(run.summary.warnings).toEqual([]);
  });

  it('part2 part0 part1: one warning per out-of-order file naming both files and the step', async () => {
    const run = await runReplay([parts[2], parts[0], parts[1]], { policy: ['hash'] });
    const tail = 'files given out of order? Connections and samples across the step are wrong';
    // part2 ends at 44.75 s; part0 starts at 0 and part1 at 20, both behind it.
    expect(run.stats.warnings).toEqual([
      `${parts[0]}: starts 44.750000000 s before the end of ${parts[2]} (at byte 24): ${tail}`,
      `${parts[1]}: starts 24.750000000 s before the end of ${parts[2]} (at byte 24): ${tail}`,
    ]);
    expect(run.summary.warnings.map((w) => w.kind)).toEqual(['file-order', 'file-order']);
    // Every record of part0 and part1 is behind the clock.
    expect(run.summary.capture.backwards).toBe(240);
  });

  it('--strict fails at the first out-of-order file, naming it and its offset', async () => {
    const err = await strictError(() => runReplay([parts[2], parts[0], parts[1]], { policy: ['hash'], strict: true }));
    expect(err.code).toBe('STRICT_WARNING');
    expect(err.message).toBe(`${parts[0]}: starts 44.750000000 s before the end of ${parts[2]}: files out of order? (--strict) at byte 24`);
  });
});

describe('steps back within a file', () => {
  const packets: ScenarioPacket[] = [
    { t: '10.0', from: 'c1', to: 's1', flags: 'S' },
    { t: '10.1', from: 's1', to: 'c1', flags: 'SA' },
    { t: '10.2', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
    { t: '9.9', from: 'c2', to: 's1', flags: 'S' }, // 0.3 s back: jitter, counted only
    { t: '8.2', from: 'c3', to: 's1', flags: 'S' }, // 2.0 s back
    { t: '12.0', from: 's1', to: 'c1', flags: 'PA', payload: 500 },
    { t: '5.5', from: 'c4', to: 's1', flags: 'S' }, // 6.5 s back: the largest
    { t: '10.5', from: 'c5', to: 's1', flags: 'S' }, // 1.5 s back
    { t: '12.0', from: 'c6', to: 's1', flags: 'S' }, // exactly at the clock: not back
    { t: '11.0', from: 'c7', to: 's1', flags: 'S' }, // exactly 1 s back: not more than a second
    { t: '13.0', from: 's1', to: 'c1', flags: 'FA' },
  ];

  it('one line with the count, the first offset and the largest step; backwards counts every one', async () => {
    const file = write('steps.pcap', packets);
    const run = await runReplay([file], { policy: ['hash'] });
    expect(run.summary.capture.backwards).toBe(5);
    expect(run.stats.warnings).toEqual([
      `${file}: time steps back by more than one second 3 times (first at byte ${offsetOf(packets, 4)}; largest 6.500000000 s at byte ${offsetOf(packets, 6)})`,
    ]);
    expect(run.summary.warnings).toEqual([
      {
        kind: 'backward-step',
        file,
        count: 3,
        first_offset: offsetOf(packets, 4),
        largest: '6.500000000',
        largest_offset: offsetOf(packets, 6),
        message: run.stats.warnings[0],
      },
    ]);
  });

  it('--strict fails at the first one', async () => {
    const file = write('steps-strict.pcap', packets);
    const err = await strictError(() => runReplay([file], { strict: true }));
    expect(err.message).toBe(`${file}: time steps back by 2.000000000 s (--strict) at byte ${offsetOf(packets, 4)}`);
  });
});

describe('forward jumps of more than a day', () => {
  it('three jumps are one line: count, first offset, largest', async () => {
    const packets: ScenarioPacket[] = [
      { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
      { t: '0.2', from: 's1', to: 'c1', flags: 'SA' },
      { t: '86400.2', from: 'c1', to: 's1', flags: 'PA', payload: 10 }, // exactly a day: not more
      { t: '200000.7', from: 'c1', to: 's1', flags: 'PA', payload: 10 },
      { t: '730545.767064', from: 's1', to: 'c1', flags: 'PA', payload: 10 },
      { t: '900000', from: 'c1', to: 's1', flags: 'PA', payload: 10 },
      { t: '900000.2', from: 'c1', to: 's1', flags: 'R' },
    ];
    const file = write('jumps.pcap', packets);
    const run = await runReplay([file], { policy: ['round-robin'] });
    expect(run.stats.warnings).toEqual([
      `${file}: time jumps forward by more than a day 3 times (first at byte ${offsetOf(packets, 3)}; largest 530545.067064000 s at byte ${offsetOf(packets, 4)})`,
    ]);
    expect(run.summary.warnings[0]).toMatchObject({ kind: 'forward-jump', count: 3, largest: '530545.067064000' });
  });
});

describe('a replay that measured nothing says why', () => {
  const short: ScenarioPacket[] = [
    { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
    { t: '0.2', from: 's1', to: 'c1', flags: 'SA' },
    { t: '0.4', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
  ];

  it('a capture shorter than one interval: no sample', async () => {
    const file = write('short.pcap', short);
    const run = await runReplay([file], {});
    expect(run.results.samples).toBe(0);
    expect(run.stats.warnings).toEqual([
      'nothing measured: the capture spans 0.300000000 s, less than one sampling interval (0.500000000 s), so no sample was taken',
    ]);
    expect(run.summary.warnings[0]).toMatchObject({ kind: 'nothing-measured', file: null, count: 1 });
    const err = await strictError(() => runReplay([file], { strict: true }));
    expect(err.code).toBe('STRICT_WARNING');
    expect(err.message).toBe(
      'nothing measured: the capture spans 0.300000000 s, less than one sampling interval (0.500000000 s), so no sample was taken (--strict)',
    );
  });

  it('a --service that matched nothing', async () => {
    const file = write('long.pcap', part(0, 1, 10));
    const run = await runReplay([file], { service: ['198.51.100.1'] });
    expect(run.stats.warnings).toEqual(['nothing measured: no connection matched --service 198.51.100.1 (10 connections tracked)']);
  });

  it('--from past the end of the capture', async () => {
    const file = write('long2.pcap', part(0, 1, 10));
    const run = await runReplay([file], { from: '100' });
    expect(run.stats.warnings).toEqual([
      'nothing measured: none of the 60 records is inside the --from/--to window (is --from past the end of the capture?)',
    ]);
  });

  it('no TCP connection (a capture of one record that is not TCP would do; here: no record at all)', async () => {
    const file = write('empty-records.pcap', []);
    const run = await runReplay([file], {});
    expect(run.stats.warnings).toEqual(['nothing measured: the capture holds no packet record']);
  });

  it('a replay that measured something prints no such warning', async () => {
    const file = write('fine.pcap', part(0, 1, 10));
    const run = await runReplay([file], {});
    expect(run.stats.warnings).toEqual([]);
  });

  it('connections: no connection is a warning too, and --strict fails', async () => {
    const file = write('empty-records2.pcap', []);
    const r = await runConnections([file], {});
    expect(r.stats.warnings).toEqual(['nothing measured: the capture holds no packet record']);
    const err = await strictError(() => runConnections([file], { strict: true }));
    expect(err.code).toBe('STRICT_WARNING');
  });

  it('the reasons in their order of precedence', () => {
    const base = { packets: 10, outsideWindow: 0, tcpPackets: 10, connections: 2, dispatched: 2, samples: 4, measuredSamples: { connections: 4, bytes: 4 } };
    expect(nothingMeasuredReason(base)).toBeUndefined();
    expect(nothingMeasuredReason({ ...base, tcpPackets: 0, connections: 0 })).toBe('nothing measured: none of the 10 packets is a usable TCP packet');
    expect(nothingMeasuredReason({ ...base, connections: 0 })).toBe('nothing measured: no TCP connection in 10 TCP packets');
    expect(nothingMeasuredReason({ ...base, dispatched: 0 })).toBe('nothing measured: no connection was dispatched');
    expect(nothingMeasuredReason({ ...base, measuredSamples: { connections: 0, bytes: 0 } })).toBe(
      'nothing measured: all 4 samples were idle (no active connection and no payload bytes at any sample)',
    );
    expect(nothingMeasuredReason({ ...base, measuredSamples: { connections: 4, bytes: 0 } })).toBe(
      'nothing measured for bytes: all 4 samples had no payload bytes in their interval',
    );
  });
});

describe('the CLI prints each warning once', () => {
  it('main command: warnings on standard error even with -q; the summary JSON keeps them; --strict exit 1 and no output', () => {
    const file = write('cli-short.pcap', [
      { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
      { t: '0.2', from: 's1', to: 'c1', flags: 'SA' },
    ]);
    const summary = path.join(dir, 'cli-short.json');
    const r = runCli([file, '-q', '--summary-json', summary]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf\n');
    expect(r.stderr).toBe(
      'anycast-replay: warning: nothing measured: the capture spans 0.100000000 s, less than one sampling interval (0.500000000 s), so no sample was taken\n',
    );
    expect(JSON.parse(fs.readFileSync(summary, 'utf8')).warnings).toHaveLength(1);
    const out = path.join(dir, 'cli-short.csv');
    const s = runCli([file, '-q', '--strict', '-o', out]);
    expect(s.status).toBe(1);
    expect(s.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('info: a warning appears once, in the report', () => {
    const packets: ScenarioPacket[] = [
      { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
      { t: '200000.1', from: 'c1', to: 's1', flags: 'R' },
    ];
    const file = write('info-jump.pcap', packets);
    const r = runCli(['info', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((l) => l.includes('time jumps forward'))).toHaveLength(1);
  });
});

describe('WarningLog', () => {
  it('keeps one entry per (file, kind) in order of first occurrence', () => {
    const log = new WarningLog();
    log.step('forward-jump', 'a', 100, 90_000, 5);
    log.once('cut', 'a', 'capture cut inside the record at byte 500', 500);
    log.step('forward-jump', 'b', 40, 100_000, 0);
    log.step('forward-jump', 'a', 300, 200_000, 1);
    expect(log.lines()).toEqual([
      'a: time jumps forward by more than a day 2 times (first at byte 100; largest 200000.000000001 s at byte 300)',
      'a: capture cut inside the record at byte 500',
      'b: time jumps forward by more than a day once (100000.000000000 s at byte 40)',
    ]);
    expect(log.size).toBe(3);
  });
});
