/**
 * The replay from flow logs (issue 12, src/engine/flow-replay.ts), by hand:
 * small connections CSVs and Zeek TSV logs written at test time, replayed
 * through the library (`runReplay`), and every per-sample, per-server value
 * read from `--timeseries` and compared with values computed by hand from
 * SPEC §4–§5 and docs/flow-logs.md "Replay":
 *
 * - a record is active from its start to its end; a sample at instant s sees
 *   the state before the events at s (an end at s: still active; an open at
 *   s: not yet);
 * - its bytes are spread uniformly over [start, last packet], published as
 *   whole bytes (the running total rounded), so every byte is counted once;
 *   a record with no duration puts its bytes at its start;
 * - ends due at an instant come before the opens at it (least-active);
 * - Zeek records end at last + the timeout their conn_state calls for
 *   (S0: --syn-timeout, S1: --idle-timeout, UDP: --udp-timeout; 0 = never);
 * - the run ends at the log's last instant: the latest last packet, or the
 *   latest `active_until`.
 *
 * Times are seconds after T0 = 1 700 000 000 (the first record's start).
 */
import { describe, expect, it } from 'vitest';
import { runReplay, type ReplayRun } from '../../src/replay.js';
import type { ReplayOptions } from '../../src/options.js';
import { CONNECTIONS_CSV_HEADER } from '../../src/flowlog/detect.js';
import { writeTemp, zeekLog } from '../flowlog/helpers.js';

const T0 = 1_700_000_000;

/** Seconds after T0 (decimal text, at most 9 decimals) → epoch text with 9 decimals. */
function at(rel: string): string {
  const [whole, frac = ''] = rel.split('.');
  return `${T0 + Number(whole)}.${frac.padEnd(9, '0')}`;
}

/** Difference b − a of two relative times, as 9-decimal text (both non-negative, b ≥ a). */
function dur(a: string, b: string): string {
  const ns = (t: string): bigint => {
    const [whole, frac = ''] = t.split('.');
    return BigInt(whole) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
  };
  const d = ns(b) - ns(a);
  return `${d / 1_000_000_000n}.${String(d % 1_000_000_000n).padStart(9, '0')}`;
}

interface CsvRecord {
  conn: number;
  first: string;
  last: string;
  until: string;
  client: number;
  bytes: [number, number];
  close?: string;
  proto?: 'tcp' | 'udp';
}

/** A connections CSV (16 columns) of `records`, in the order given; client 10.0.0.k port 40000+k, server 192.0.2.1:80. */
function connectionsCsv(records: readonly CsvRecord[]): string {
  const rows = records.map((r) =>
    [
      r.conn,
      at(r.first),
      at(r.last),
      dur(r.first, r.last),
      `10.0.0.${r.client}`,
      40_000 + r.client,
      '192.0.2.1',
      80,
      r.proto ?? 'tcp',
      2,
      2,
      r.bytes[0],
      r.bytes[1],
      r.close ?? 'fin',
      1,
      at(r.until),
    ].join(','),
  );
  return `${CONNECTIONS_CSV_HEADER}\n${rows.join('\n')}\n`;
}

interface Sample {
  /** Seconds after T0, as the timeseries writes them minus T0 (9 decimals). */
  t: string;
  connections: number[];
  bytes: number[];
}

/** Replays `file` with `options`; returns the run and, per policy, the samples of --timeseries. */
async function replay(file: string, options: ReplayOptions): Promise<{ run: ReplayRun; samples: Map<string, Sample[]>; assignments: string[] }> {
  let ts = '';
  let asg = '';
  const run = await runReplay([file], options, {
    timeseries: (c) => {
      ts += c;
    },
    assignments: (c) => {
      asg += c;
    },
  });
  const lines = ts.split('\n').filter((l) => l !== '');
  expect(lines[0]).toBe('time,policy,server,connections,bytes');
  const samples = new Map<string, Sample[]>();
  for (const line of lines.slice(1)) {
    const [time, policy, server, conns, bytes] = line.split(',');
    const [sec, nsec] = time.split('.');
    const t = `${Number(sec) - T0}.${nsec}`;
    let list = samples.get(policy);
    if (list === undefined) samples.set(policy, (list = []));
    let s = list[list.length - 1];
    if (s === undefined || s.t !== t) list.push((s = { t, connections: [], bytes: [] }));
    expect(Number(server)).toBe(s.connections.length);
    s.connections.push(Number(conns));
    s.bytes.push(Number(bytes));
  }
  const a = asg.split('\n').filter((l) => l !== '');
  expect(a[0]).toBe('conn,policy,server');
  return { run, samples, assignments: a.slice(1) };
}

describe('flow-log replay, hand-computed (connections CSV)', () => {
  it('round-robin, 1 s: bytes spread over 2.5 intervals, a zero-duration record, an open at a sample, an end at a sample, the run ends at the latest active_until', async () => {
    // conn 0: 0 → 2.5, 251 bytes c2s: 100.4 bytes/s, published as whole bytes of the running total:
    //   round(100.4) = 100, round(200.8) − 100 = 101, 251 − 201 = 50 — the 251 all counted.
    // conn 1: at 0.5 only, 70 bytes s2c: all at its start, sample 1.
    // conn 2: opens at 1.0, exactly at sample 1 (not seen there); last packet 2.8, active until 3.0
    //   (end-of-trace: the capture's end), which makes 3.0 the run's end: sample 3 is taken and sees it.
    // conn 3: 1.2 → 1.7, 33 bytes: all in [1, 2).
    // Round-robin by start: conn 0 → server 0, 1 → 1, 2 → 0, 3 → 1.
    const file = writeTemp(
      'conns.csv',
      connectionsCsv([
        { conn: 1, first: '0.5', last: '0.5', until: '0.5', client: 2, bytes: [0, 70] },
        { conn: 3, first: '1.2', last: '1.7', until: '1.7', client: 4, bytes: [20, 13] },
        { conn: 0, first: '0', last: '2.5', until: '2.5', client: 1, bytes: [251, 0] },
        { conn: 2, first: '1.0', last: '2.8', until: '3.0', client: 3, bytes: [0, 0], close: 'end-of-trace' },
      ]),
    );
    const { run, samples, assignments } = await replay(file, { servers: 2, policy: ['round-robin'], interval: 1 });
    expect(samples.get('round-robin')).toEqual([
      { t: '1.000000000', connections: [1, 0], bytes: [100, 70] },
      { t: '2.000000000', connections: [2, 0], bytes: [101, 33] },
      { t: '3.000000000', connections: [1, 0], bytes: [50, 0] },
    ]);
    expect(assignments).toEqual(['0,round-robin,0', '1,round-robin,1', '2,round-robin,0', '3,round-robin,1']);
    const s = run.summary;
    expect(s.capture.last_time).toBe(at('3'));
    expect(s.capture.duration).toBe('3.000000000');
    expect(s.replay.samples).toBe(3);
    expect(s.capture.flow_log).toEqual({ format: 'connections-csv', gzip: false, records: 4, replayed: 4, other_protocol: 0, late: 0, forced: 0 });
    expect(s.policies[0].per_server).toEqual([
      { server: 0, connections: 2, bytes: 251 },
      { server: 1, connections: 2, bytes: 103 },
    ]);
    // Connections imbalance (max − min) / mean: 1/0.5 = 2, 2/1 = 2, 1/0.5 = 2.
    expect(s.policies[0].connections.mean_imbalance).toBe('2.000000');
  });

  it('--direction s2c counts only the server bytes of each record', async () => {
    const file = writeTemp(
      'conns.csv',
      connectionsCsv([
        { conn: 0, first: '0', last: '2', until: '2', client: 1, bytes: [1000, 40] },
        { conn: 1, first: '0.5', last: '0.5', until: '0.5', client: 2, bytes: [9, 7] },
      ]),
    );
    const { samples } = await replay(file, { servers: 2, policy: ['round-robin'], interval: 1, direction: 's2c' });
    expect(samples.get('round-robin')).toEqual([
      { t: '1.000000000', connections: [1, 0], bytes: [20, 7] },
      { t: '2.000000000', connections: [1, 0], bytes: [20, 0] },
    ]);
  });

  it('least-active sees a close at the same instant as an open first; opens at one instant go by conn', async () => {
    // A (conn 0): 0 → 5, server 0 (tie → lowest). B (conn 1): 0.5 → 2.0, server 1.
    // C (conn 2) opens at 2.0, when B closes: with B's close first the loads are 1, 0 → server 1
    // (an open before the close would see 1, 1 and pick server 0).
    // D (conn 3) and E (conn 4) both open at 3.0, E's row first in the file: D (lower conn) opens
    // first and round-robin gives D the 4th turn (server 1), E the 5th (server 0).
    const file = writeTemp(
      'conns.csv',
      connectionsCsv([
        { conn: 1, first: '0.5', last: '2.0', until: '2.0', client: 2, bytes: [0, 0] },
        { conn: 4, first: '3.0', last: '4.0', until: '4.0', client: 5, bytes: [0, 0] },
        { conn: 3, first: '3.0', last: '4.0', until: '4.0', client: 4, bytes: [0, 0] },
        { conn: 2, first: '2.0', last: '5.0', until: '5.0', client: 3, bytes: [0, 0] },
        { conn: 0, first: '0', last: '5.0', until: '5.0', client: 1, bytes: [0, 0] },
      ]),
    );
    const { samples, assignments } = await replay(file, { servers: 2, policy: ['least-active', 'round-robin'], interval: 1 });
    expect(assignments).toEqual([
      '0,least-active,0',
      '0,round-robin,0',
      '1,least-active,1',
      '1,round-robin,1',
      '2,least-active,1',
      '2,round-robin,0',
      // At 3.0 least-active has A on 0 and C on 1: D → 0 (tie), then E → 1.
      '3,least-active,0',
      '3,round-robin,1',
      '4,least-active,1',
      '4,round-robin,0',
    ]);
    // least-active's counts: sample 2.0 sees B still active and C not yet open.
    expect(samples.get('least-active')!.map((s) => `${s.t}:${s.connections.join('/')}`)).toEqual([
      '1.000000000:1/1',
      '2.000000000:1/1',
      '3.000000000:1/1',
      '4.000000000:2/2',
      '5.000000000:1/1',
    ]);
  });
});

/** One row of zeekLog's default columns (19), relative start, duration text, state. */
function zeekRow(start: string, client: number, proto: 'tcp' | 'udp', duration: string, state: string, bytes: [number, number] = [0, 0]): string {
  return [at(start).slice(0, -3), 'Cuid', `10.0.0.${client}`, 40_000 + client, '192.0.2.1', proto === 'udp' ? 53 : 80, proto, '-', duration, bytes[0], bytes[1], state, 0, '-', 1, 0, 1, 0, '-'].join('\t');
}

describe('flow-log replay, hand-computed (Zeek conn.log end rule)', () => {
  // 5 servers round-robin, one record per server in start order, so each server's count says when its record was active.
  // r0 tcp S0 at 0, 0.5 s: ends at 0.5 + --syn-timeout 3 = 3.5.
  // r1 tcp S1 at 0.2, 1 s: ends at 1.2 + --idle-timeout 10 = 11.2.
  // r2 udp at 0.4, 0.6 s: ends at 1.0 + --udp-timeout 2 = 3.0, a sample instant: sample 3 still sees it.
  // r3 tcp SF at 0.6, 14.4 s: ends at its last packet, 15.0, the latest last packet: the run's end.
  // r4 udp at 0.8, 13.2 s: last 14.0, would end at 16.0, after the run's end: active to the end.
  const log = zeekLog([
    zeekRow('0', 1, 'tcp', '0.500000', 'S0'),
    zeekRow('0.2', 2, 'tcp', '1.000000', 'S1'),
    zeekRow('0.4', 3, 'udp', '0.600000', 'SF'),
    zeekRow('0.6', 4, 'tcp', '14.400000', 'SF'),
    zeekRow('0.8', 5, 'udp', '13.200000', 'SF'),
  ]);
  const options: ReplayOptions = { servers: 5, policy: ['round-robin'], interval: 1, proto: 'both', synTimeout: 3, idleTimeout: 10, udpTimeout: 2 };
  /** Per server, the samples (1 … 15) at which it had its connection. */
  const activeAt = (list: readonly Sample[]): string[] =>
    [0, 1, 2, 3, 4].map((server) =>
      list
        .filter((s) => s.connections[server] === 1)
        .map((s) => Number(s.t))
        .join(' '),
    );
  const upTo = (n: number): string => Array.from({ length: n }, (_, i) => i + 1).join(' ');

  it('S0 at last + --syn-timeout, S1 at last + --idle-timeout, UDP at last + --udp-timeout; the run ends at the latest last packet', async () => {
    const file = writeTemp('conn.log', log);
    const { run, samples } = await replay(file, options);
    const list = samples.get('round-robin')!;
    expect(list.map((s) => s.t)).toEqual(Array.from({ length: 15 }, (_, i) => `${i + 1}.000000000`));
    expect(activeAt(list)).toEqual(['1 2 3', upTo(11), '1 2 3', upTo(15), upTo(15)]);
    expect(run.summary.capture.last_time).toBe(at('15'));
    expect(run.summary.replay.samples).toBe(15);
    expect(run.summary.capture.flow_log).toMatchObject({ format: 'zeek-conn', records: 5, replayed: 5 });
    expect(run.summary.capture.connections_by_reason).toEqual({ S0: 1, S1: 1, SF: 3 });
  });

  it('a timeout of 0: active to the end of the log', async () => {
    const file = writeTemp('conn.log', log);
    const { samples } = await replay(file, { ...options, idleTimeout: 0, synTimeout: 0, udpTimeout: 0 });
    expect(activeAt(samples.get('round-robin')!)).toEqual([upTo(15), upTo(15), upTo(15), upTo(15), upTo(15)]);
  });

  it('--proto tcp leaves the UDP records out (counted as other_protocol)', async () => {
    const file = writeTemp('conn.log', log);
    const { run, samples } = await replay(file, { ...options, proto: 'tcp' });
    // r0 → 0, r1 → 1, r3 → 2.
    expect(activeAt(samples.get('round-robin')!)).toEqual(['1 2 3', upTo(11), upTo(15), '', '']);
    expect(run.summary.capture.flow_log).toMatchObject({ records: 5, replayed: 3, other_protocol: 2 });
  });
});

describe('flow replay: exact byte totals whatever the rates', () => {
  it('one slow flow beside 2 000 flows of 3 GB in 3 ms: the server total is the exact sum (6 000 000 001 000)', async () => {
    // Rates 10^10 apart on one server: subtracting each fast flow's rate left a residue that, before the fix,
    // lost 12 bytes (6000000000988). The count is reset to the exact sum when the last spreading flow stops.
    const records: CsvRecord[] = [{ conn: 0, first: '0', last: '100000', until: '100000', client: 1, bytes: [1000, 0] }];
    for (let k = 0; k < 2000; k++) {
      const first = `${1 + k}.5`;
      records.push({ conn: k + 1, first, last: `${1 + k}.503`, until: `${1 + k}.503`, client: 2 + (k % 200), bytes: [3_000_000_000, 0] });
    }
    const file = writeTemp('rates.csv', connectionsCsv(records));
    const run = await runReplay([file], { servers: 1, policy: ['round-robin'], interval: 1 });
    expect(run.summary.policies[0].per_server).toEqual([{ server: 0, connections: 2001, bytes: 6_000_000_001_000 }]);
    expect(run.summary.capture.bytes).toBe(6_000_000_001_000);
  });
});

describe('flow replay: a record claiming years', () => {
  it('spreads over at most 100 000 samples between two records, the rest in bulk, and says so', async () => {
    // 1 000 000 000 s (31 years) at 0.5 s is 2·10^9 samples; one by one that would take minutes.
    const records: CsvRecord[] = [
      { conn: 0, first: '0', last: '1000000000', until: '1000000000', client: 1, bytes: [1000, 100_000] },
      { conn: 1, first: '1', last: '2', until: '2', client: 2, bytes: [1000, 100_000] },
    ];
    const file = writeTemp('years.csv', connectionsCsv(records));
    const run = await runReplay([file], { servers: 5, policy: ['all'] });
    expect(run.summary.replay.samples).toBe(2_000_000_000);
    const w = run.summary.warnings.find((x) => x.kind === 'unspread-samples');
    expect(w?.message).toMatch(/^\d+ samples were taken without spreading bytes over them \(more than 100000 between two records/);
    // Every byte still counted, once.
    expect(run.summary.policies[0].per_server.reduce((a, s) => a + s.bytes, 0)).toBe(202_000);
    await expect(runReplay([file], { servers: 5, policy: ['all'], strict: true })).rejects.toMatchObject({ code: 'STRICT_WARNING' });
  });
});
