import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { EndpointSource, Endpoints, PaperPolicyName as PolicyName } from '../../src/dispatch/policy.js';
import { POLICY_NAMES } from '../../src/dispatch/policy.js';
import type { Direction } from '../../src/dispatch/dispatcher.js';
import { createReplayEngine, type ReplayEngine } from '../../src/engine/replay-engine.js';
import { policyConfigs } from '../../src/dispatch/dispatcher.js';

/** The replay engine with the fake table bound into `open`, as the tracker would pass it. */
type Sampler = Omit<ReplayEngine, 'open'> & { open(slot: number, sec: number, nsec: number): void };
import { histogramCsvText } from '../../src/output/histogram-csv.js';
import { durationFromNs, type Duration } from '../../src/time.js';

const S = 1_000_000_000;

/** A time in ns (relative) as the listener's (sec, nsec) pair. */
function at(ns: number): [number, number] {
  const whole = Math.round(ns);
  return [Math.floor(whole / S), whole % S];
}

/** Slot → client (IPv4 word, port); the server is 10.0.0.1:80 for all. */
class FakeSource implements EndpointSource {
  private readonly slots = new Map<number, { conn: number; client: number; port: number }>();
  set(slot: number, conn: number, client: number, port: number): void {
    this.slots.set(slot, { conn, client, port });
  }
  readEndpoints(slot: number, out: Endpoints): void {
    const c = this.slots.get(slot);
    if (c === undefined) throw new Error(`no connection in slot ${slot}`);
    out.conn = c.conn;
    out.ipVersion = 4;
    out.clientAddr.set([c.client, 0, 0, 0]);
    out.clientPort = c.port;
    out.serverAddr.set([0x0a000001, 0, 0, 0]);
    out.serverPort = 80;
  }
}

interface Sinks {
  timeseries: string;
  assignments: string;
}

function engine(
  source: FakeSource,
  policies: readonly PolicyName[],
  opts: { servers?: number; intervalNs?: number; interval?: Duration; binWidth?: string; direction?: Direction; sinks?: Sinks } = {},
): Sampler {
  const sinks = opts.sinks;
  const e = createReplayEngine({
    configs: policyConfigs(policies, opts.servers ?? 3, 1),
    interval: opts.interval ?? durationFromNs(opts.intervalNs ?? S),
    binWidth: opts.binWidth ?? '0.5',
    direction: opts.direction ?? 'both',
    services: [],
    timeseries: sinks && ((s) => (sinks.timeseries += s)),
    assignments: sinks && ((s) => (sinks.assignments += s)),
  });
  e.start(1000);
  const bound = e as unknown as Sampler;
  bound.open = (slot, sec, nsec) => e.dispatcher.open(slot, sec, nsec, source);
  return bound;
}

/** c_i: client 192.0.2.(10+i), port 40000+i (hash mod 3: 2, 1, 2, 0, 2, 1). */
function connect(source: FakeSource, e: Sampler, slot: number, conn: number, tNs: number): void {
  source.set(slot, conn, 0xc0000200 + 10 + conn, 40000 + conn);
  e.open(slot, ...at(tNs));
}

/**
 * The hand-computed scenario: 3 servers, interval 1 s, six connections.
 *
 *   t (s)  events (slot = c…)
 *   0.0    open c0 (slot 0), 100 B c2s
 *   0.2    open c1 (slot 1), 50 B c2s
 *   0.5    open c2 (slot 2), 300 B s2c
 *   1.0    [sample 1] 1000 B s2c on c0; c1 closes (at a sample instant: after it)
 *   1.2    late 20 B s2c on closed c1; c1 leaves the table
 *   1.5    open c3 in slot 1
 *   2.0    [sample 2] c0 closes and leaves; open c4 in slot 0 (least-active sees the close first)
 *   2.7    40 B c2s on c3, 60 B s2c on c4
 *   3–6    [samples 3–6] nothing happens: 4, 5, 6 are counted in bulk
 *   6.5    10 B c2s on c2; c2, c3, c4 close and leave
 *   7.0    [sample 7] open c5 (slot 3), 5 B (after the last sample); end of trace
 */
function runScenario(policies: readonly PolicyName[], direction: Direction = 'both', sinks?: Sinks): Sampler {
  const source = new FakeSource();
  const e = engine(source, policies, { direction, sinks });
  e.advance(...at(0));
  connect(source, e, 0, 0, 0);
  e.packet(0, true, 100);
  e.advance(...at(0.2 * S));
  connect(source, e, 1, 1, 0.2 * S);
  e.packet(1, true, 50);
  e.advance(...at(0.5 * S));
  connect(source, e, 2, 2, 0.5 * S);
  e.packet(2, false, 300);
  e.advance(...at(1 * S));
  e.packet(0, false, 1000);
  e.deactivate(1, ...at(1 * S));
  e.advance(...at(1.2 * S));
  e.packet(1, false, 20);
  e.remove(1);
  e.advance(...at(1.5 * S));
  connect(source, e, 1, 3, 1.5 * S);
  e.advance(...at(2 * S));
  e.deactivate(0, ...at(2 * S));
  e.remove(0);
  connect(source, e, 0, 4, 2 * S);
  e.advance(...at(2.7 * S));
  e.packet(1, true, 40);
  e.packet(0, false, 60);
  e.advance(...at(6.5 * S));
  e.packet(2, true, 10);
  for (const slot of [2, 1, 0]) {
    e.deactivate(slot, ...at(6.5 * S));
    e.remove(slot);
  }
  e.advance(...at(7 * S));
  connect(source, e, 3, 5, 7 * S);
  e.packet(3, true, 5);
  e.deactivate(3, ...at(7 * S));
  e.remove(3);
  e.finish(...at(7 * S));
  return e;
}

/** Timeseries text → time → policy → [connections per server, bytes per server]. */
function parseTimeseries(text: string): Map<string, Map<string, [number[], number[]]>> {
  const lines = text.split('\n');
  expect(lines[0]).toBe('time,policy,server,connections,bytes');
  expect(lines.at(-1)).toBe('');
  const out = new Map<string, Map<string, [number[], number[]]>>();
  for (const line of lines.slice(1, -1)) {
    const [time, policy, server, conns, bytes] = line.split(',');
    if (!out.has(time)) out.set(time, new Map());
    const byPolicy = out.get(time)!;
    if (!byPolicy.has(policy)) byPolicy.set(policy, [[], []]);
    const [c, b] = byPolicy.get(policy)!;
    expect(Number(server)).toBe(c.length);
    c.push(Number(conns));
    b.push(Number(bytes));
  }
  return out;
}

describe('the hand-computed scenario', () => {
  it('dispatches every connection as stated', () => {
    const sinks = { timeseries: '', assignments: '' };
    runScenario(POLICY_NAMES, 'both', sinks);
    const expected: Record<PolicyName, number[]> = {
      // k mod 3
      'round-robin': [0, 1, 2, 0, 1, 2],
      // seed 1: 393288148 mod 3 = 1, 2174103013 → 1, 3814759091 → 2, 2092745082 → 0, 1865176206 → 0, 2179171167 → 0
      random: [1, 1, 2, 0, 0, 0],
      // CRC-32(c0 00 02 0a 9c 40) = 0xac9c76cc → 2, then 0xda592c6d → 1, 0x461f6b52 → 2, 0x30da31f3 → 0, 0xacf81a09 → 2, 0xda3d40a8 → 1
      hash: [2, 1, 2, 0, 2, 1],
      // [0,0,0]→0; [1,0,0]→1; [1,1,0]→2; c1 closed: [1,0,1]→1; c0 closed at 2.0 first: [0,1,1]→0; all closed: →0
      'least-active': [0, 1, 2, 1, 0, 0],
    };
    let text = 'conn,policy,server\n';
    for (let conn = 0; conn < 6; conn++) for (const p of POLICY_NAMES) text += `${conn},${p},${expected[p][conn]}\n`;
    expect(sinks.assignments).toBe(text);
  });

  it('takes every sample with the stated per-server values', () => {
    const sinks = { timeseries: '', assignments: '' };
    const e = runScenario(POLICY_NAMES, 'both', sinks);
    expect(e.samples).toBe(7);
    const ts = parseTimeseries(sinks.timeseries);
    const s3: Record<PolicyName, [number[], number[]]> = {
      'round-robin': [[1, 1, 1], [40, 60, 0]],
      random: [[2, 0, 1], [100, 0, 0]],
      hash: [[1, 0, 2], [40, 0, 60]],
      'least-active': [[1, 1, 1], [60, 40, 0]],
    };
    const quiet = (v: Record<PolicyName, [number[], number[]]>): Record<PolicyName, [number[], number[]]> => {
      const out = { ...v };
      for (const p of POLICY_NAMES) out[p] = [v[p][0], [0, 0, 0]];
      return out;
    };
    const expected: Record<string, Record<PolicyName, [number[], number[]]>> = {
      '1001.000000000': {
        'round-robin': [[1, 1, 1], [100, 50, 300]],
        random: [[0, 2, 1], [0, 150, 300]],
        hash: [[0, 1, 2], [0, 50, 400]],
        'least-active': [[1, 1, 1], [100, 50, 300]],
      },
      // c1 still active at 1.0 (closed at the instant: after the sample); c0's 1000 B at 1.0 in [1, 2).
      '1002.000000000': {
        'round-robin': [[2, 0, 1], [1000, 20, 0]],
        random: [[1, 1, 1], [0, 1020, 0]],
        hash: [[1, 0, 2], [0, 20, 1000]],
        'least-active': [[1, 1, 1], [1000, 20, 0]],
      },
      '1003.000000000': s3,
      '1004.000000000': quiet(s3),
      '1005.000000000': quiet(s3),
      '1006.000000000': quiet(s3),
      // Everything closed at 6.5: connections idle, bytes not (10 B of c2, server 2 everywhere).
      '1007.000000000': {
        'round-robin': [[0, 0, 0], [0, 0, 10]],
        random: [[0, 0, 0], [0, 0, 10]],
        hash: [[0, 0, 0], [0, 0, 10]],
        'least-active': [[0, 0, 0], [0, 0, 10]],
      },
    };
    expect([...ts.keys()]).toEqual(Object.keys(expected));
    for (const [time, byPolicy] of Object.entries(expected)) {
      expect([...ts.get(time)!.keys()]).toEqual(POLICY_NAMES);
      for (const p of POLICY_NAMES) expect(ts.get(time)!.get(p)).toEqual(byPolicy[p]);
    }
  });

  it('writes the exact CSV, policies in the order given', () => {
    const e = runScenario(['least-active', 'round-robin', 'random', 'hash']);
    // Connections (6 non-idle samples, one idle at 7.0):
    //   least-active: 0 ×6; round-robin: 0, 2, 0 ×4; random: 2, 0, 2 ×4; hash: 2 ×6.
    // Bytes (4 non-idle samples at 1, 2, 3, 7; 4–6 idle):
    //   least-active and round-robin: 250·3/450 = 1.67, 1000·3/1020 = 2.94, 60·3/100 = 1.8, 3
    //   random: 2, 3, 3, 3; hash: 400·3/450 = 2.67, 2.94, 1.8, 3
    expect(histogramCsvText(e.results())).toBe(
      [
        'metric,policy,bin_start,bin_end,count,probability,density,cdf',
        'connections,least-active,0,0.5,6,1,2,1',
        'connections,least-active,0.5,1,0,0,0,1',
        'connections,least-active,1,1.5,0,0,0,1',
        'connections,least-active,1.5,2,0,0,0,1',
        'connections,least-active,2,2.5,0,0,0,1',
        'connections,round-robin,0,0.5,5,0.833333333333,1.666666666667,0.833333333333',
        'connections,round-robin,0.5,1,0,0,0,0.833333333333',
        'connections,round-robin,1,1.5,0,0,0,0.833333333333',
        'connections,round-robin,1.5,2,0,0,0,0.833333333333',
        'connections,round-robin,2,2.5,1,0.166666666667,0.333333333333,1',
        'connections,random,0,0.5,1,0.166666666667,0.333333333333,0.166666666667',
        'connections,random,0.5,1,0,0,0,0.166666666667',
        'connections,random,1,1.5,0,0,0,0.166666666667',
        'connections,random,1.5,2,0,0,0,0.166666666667',
        'connections,random,2,2.5,5,0.833333333333,1.666666666667,1',
        'connections,hash,0,0.5,0,0,0,0',
        'connections,hash,0.5,1,0,0,0,0',
        'connections,hash,1,1.5,0,0,0,0',
        'connections,hash,1.5,2,0,0,0,0',
        'connections,hash,2,2.5,6,1,2,1',
        'bytes,least-active,0,0.5,0,0,0,0',
        'bytes,least-active,0.5,1,0,0,0,0',
        'bytes,least-active,1,1.5,0,0,0,0',
        'bytes,least-active,1.5,2,2,0.5,1,0.5',
        'bytes,least-active,2,2.5,0,0,0,0.5',
        'bytes,least-active,2.5,3,1,0.25,0.5,0.75',
        'bytes,least-active,3,3.5,1,0.25,0.5,1',
        'bytes,round-robin,0,0.5,0,0,0,0',
        'bytes,round-robin,0.5,1,0,0,0,0',
        'bytes,round-robin,1,1.5,0,0,0,0',
        'bytes,round-robin,1.5,2,2,0.5,1,0.5',
        'bytes,round-robin,2,2.5,0,0,0,0.5',
        'bytes,round-robin,2.5,3,1,0.25,0.5,0.75',
        'bytes,round-robin,3,3.5,1,0.25,0.5,1',
        'bytes,random,0,0.5,0,0,0,0',
        'bytes,random,0.5,1,0,0,0,0',
        'bytes,random,1,1.5,0,0,0,0',
        'bytes,random,1.5,2,0,0,0,0',
        'bytes,random,2,2.5,1,0.25,0.5,0.25',
        'bytes,random,2.5,3,0,0,0,0.25',
        'bytes,random,3,3.5,3,0.75,1.5,1',
        'bytes,hash,0,0.5,0,0,0,0',
        'bytes,hash,0.5,1,0,0,0,0',
        'bytes,hash,1,1.5,0,0,0,0',
        'bytes,hash,1.5,2,1,0.25,0.5,0.25',
        'bytes,hash,2,2.5,0,0,0,0.25',
        'bytes,hash,2.5,3,2,0.5,1,0.75',
        'bytes,hash,3,3.5,1,0.25,0.5,1',
        '',
      ].join('\n'),
    );
  });

  it('counts idle samples alike for every policy and totals per server', () => {
    const r = runScenario(POLICY_NAMES).results();
    expect(r.samples).toBe(7);
    for (const p of r.policies) {
      expect([p.connections.samples, p.connections.idle, p.bytes.samples, p.bytes.idle]).toEqual([7, 1, 7, 3]);
    }
    const rr = r.policies[0];
    expect(rr.info.label).toBe('round-robin');
    expect(rr.serverConnections).toEqual([2, 2, 2]);
    // s0: c0 100 + 1000, c3 40; s1: c1 50 + 20, c4 60; s2: c2 300 + 10, c5 5 (after the last sample, still counted).
    expect(rr.serverBytes).toEqual([1140, 130, 315]);
    expect(r.connectionsReplayed).toBe(6);
  });

  it('filters bytes by direction but not connections', () => {
    const sinks = { timeseries: '', assignments: '' };
    runScenario(['round-robin'], 's2c', sinks);
    const ts = parseTimeseries(sinks.timeseries);
    // s2c only: c2's 300 B at 0.5; c0's 1000 B and c1's 20 B in [1, 2); c4's 60 B in [2, 3); c2's 10 B (c2s) gone.
    expect(ts.get('1001.000000000')!.get('round-robin')).toEqual([[1, 1, 1], [0, 0, 300]]);
    expect(ts.get('1002.000000000')!.get('round-robin')).toEqual([[2, 0, 1], [1000, 20, 0]]);
    expect(ts.get('1003.000000000')!.get('round-robin')).toEqual([[1, 1, 1], [0, 60, 0]]);
    // Sample 7 is idle for both metrics now: no rows.
    expect(ts.has('1007.000000000')).toBe(false);
    expect([...ts.keys()]).toHaveLength(6);
  });
});

describe('sampling edges', () => {
  it('takes a sample at the last packet but none after it', () => {
    const source = new FakeSource();
    const e = engine(source, ['round-robin'], { servers: 1 });
    e.advance(...at(0));
    connect(source, e, 0, 0, 0);
    // The tracker may stop advancing: finish takes the samples due up to the last clock.
    e.finish(...at(2.5 * S));
    expect(e.samples).toBe(2);
    const f = engine(source, ['round-robin'], { servers: 1 });
    f.advance(...at(0));
    f.finish(...at(2 * S));
    expect(f.samples).toBe(2);
    const g = engine(source, ['round-robin'], { servers: 1 });
    g.advance(...at(0));
    g.finish(...at(2 * S - 1));
    expect(g.samples).toBe(1);
  });

  it('puts a packet, an open and a close exactly at a sample instant after the sample', () => {
    const source = new FakeSource();
    const sinks = { timeseries: '', assignments: '' };
    const e = engine(source, ['least-active'], { servers: 2, sinks });
    e.advance(0, 0);
    connect(source, e, 0, 0, 0);
    e.packet(0, true, 10);
    // At exactly 1 s: sample 1 first, then a packet, a close and an open.
    e.advance(1, 0);
    e.packet(0, true, 5);
    e.deactivate(0, 1, 0);
    connect(source, e, 1, 1, 1 * S);
    e.packet(1, true, 7);
    e.advance(2, 0);
    e.finish(2, 0);
    expect(sinks.timeseries).toBe(
      'time,policy,server,connections,bytes\n' +
        // c0 still active, only its 10 B of [0, 1)
        '1001.000000000,least-active,0,1,10\n1001.000000000,least-active,1,0,0\n' +
        // c0 closed at 1 s before c1 opened at 1 s: least-active gives c1 server 0 again
        '1002.000000000,least-active,0,1,12\n1002.000000000,least-active,1,0,0\n',
    );
  });

  it('takes no sample from an empty capture or a single instant', () => {
    const source = new FakeSource();
    const e = engine(source, ['hash']);
    e.finish(...at(0));
    expect(e.samples).toBe(0);
    expect(histogramCsvText(e.results())).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf\n');
    const f = engine(source, ['hash']);
    f.advance(...at(5 * S));
    connect(source, f, 0, 0, 5 * S);
    f.packet(0, true, 10);
    f.finish(...at(5 * S));
    expect(f.samples).toBe(0);
  });

  it('counts the origin from the first advance, not from 0', () => {
    const source = new FakeSource();
    const sinks = { timeseries: '', assignments: '' };
    const e = engine(source, ['round-robin'], { servers: 1, intervalNs: 0.5 * S, sinks });
    e.advance(...at(0.3 * S));
    connect(source, e, 0, 0, 0.3 * S);
    e.packet(0, true, 1);
    e.advance(...at(1.3 * S));
    e.finish(...at(1.3 * S));
    expect(sinks.timeseries).toBe(
      'time,policy,server,connections,bytes\n1000.800000000,round-robin,0,1,1\n1001.300000000,round-robin,0,1,0\n',
    );
  });

  it('counts a 10-year gap in bulk, quickly, with the right number of samples', () => {
    const source = new FakeSource();
    const e = engine(source, ['round-robin', 'least-active'], { servers: 3, intervalNs: 0.5 * S, binWidth: '0.01' });
    const tenYearsSec = 10 * 365 * 86_400; // 315 360 000 s
    const start = performance.now();
    e.advance(0, 123);
    connect(source, e, 0, 0, 123);
    e.packet(0, true, 100);
    e.advance(tenYearsSec, 0);
    e.packet(0, true, 7);
    e.finish(tenYearsSec, 0);
    const elapsedMs = performance.now() - start;
    // ⌊(10 years − 123 ns) / 0.5 s⌋ = 630 719 999 (the instant t0 + 630 720 000·0.5 s is 123 ns too late).
    const expected = 630_719_999;
    expect(e.samples).toBe(expected);
    const r = e.results();
    for (const p of r.policies) {
      // One connection on 3 servers: (1 − 0)·3/1 = 3 → bin 300 for every sample.
      expect(p.connections.histogram.count(300)).toBe(expected);
      expect(p.connections.idle).toBe(0);
      // Bytes only in the first interval; the 7 B at the end come after the last sample.
      expect(p.bytes.histogram.count(300)).toBe(1);
      expect(p.bytes.idle).toBe(expected - 1);
    }
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('keeps sample instants exact after gaps of years, to the nanosecond', () => {
    const source = new FakeSource();
    const sinks = { timeseries: '', assignments: '' };
    const e = engine(source, ['round-robin'], { servers: 1, intervalNs: 0.3 * S, sinks });
    e.advance(0, 100);
    connect(source, e, 0, 0, 100);
    e.deactivate(0, 0, 100);
    e.remove(0);
    // 10^9 s + 0.2 s later: (10^9 s + 0.2 s − 100 ns) / 0.3 s = 3 333 333 334.0 − ε → 3 333 333 333 instants.
    e.advance(1_000_000_000, 200_000_000);
    expect(e.samples).toBe(3_333_333_333);
    source.set(1, 1, 0xc0000201, 40001);
    e.open(1, 1_000_000_000, 200_000_000);
    e.packet(1, true, 9);
    // The next instant is t0 + 3 333 333 334 · 0.3 s = 1 000 000 000.2 s + 100 ns: not 1 ns earlier.
    e.advance(1_000_000_000, 200_000_099);
    expect(e.samples).toBe(3_333_333_333);
    e.advance(1_000_000_000, 200_000_100);
    expect(e.samples).toBe(3_333_333_334);
    e.finish(1_000_000_000, 200_000_100);
    // All samples in the gap were idle (no rows); the last one has the new connection.
    expect(sinks.timeseries).toBe('time,policy,server,connections,bytes\n1000001000.200000100,round-robin,0,1,9\n');
  });

  it('does not allow use after finish', () => {
    const source = new FakeSource();
    const e = engine(source, ['hash']);
    e.advance(...at(0));
    e.finish(...at(S));
    expect(() => e.finish(...at(S))).toThrow(/twice/);
    expect(() => e.advance(...at(5 * S))).toThrow(/after finish/);
  });
});

/** Random valid tracker output: connections with open, close and packets, in time order. */
const connArb = fc.record({
  open: fc.integer({ min: 0, max: 40 }),
  life: fc.integer({ min: 1, max: 30 }),
  linger: fc.integer({ min: 0, max: 5 }),
  packets: fc.array(fc.record({ at: fc.nat({ max: 40 }), c2s: fc.boolean(), bytes: fc.nat({ max: 1500 }) }), { maxLength: 6 }),
  client: fc.nat({ max: 0xffffffff }),
  port: fc.nat({ max: 0xffff }),
});

interface Event {
  t: number;
  order: number;
  conn: number;
  kind: 'deactivate' | 'remove' | 'open' | 'packet';
  c2s: boolean;
  bytes: number;
}

type Conn = typeof connArb extends fc.Arbitrary<infer T> ? T : never;

function replay(conns: Conn[], policies: readonly PolicyName[], servers: number, width: string): string {
  const unit = 0.25 * S; // events on a 0.25 s grid, samples every 0.5 s: many land on sample instants
  const events: Event[] = [];
  conns.forEach((c, conn) => {
    const close = c.open + c.life;
    const leave = close + c.linger + 1;
    events.push({ t: c.open, order: 2, conn, kind: 'open', c2s: true, bytes: 0 });
    for (const p of c.packets) {
      const when = c.open + (p.at % (leave - c.open));
      events.push({ t: when, order: 3, conn, kind: 'packet', c2s: p.c2s, bytes: p.bytes });
    }
    events.push({ t: close, order: 0, conn, kind: 'deactivate', c2s: true, bytes: 0 });
    events.push({ t: leave, order: 1, conn, kind: 'remove', c2s: true, bytes: 0 });
  });
  // The tracker's order at one instant: closes before opens; a connection's packets after its open.
  events.sort((a, b) => a.t - b.t || a.order - b.order || a.conn - b.conn);
  const source = new FakeSource();
  const e = engine(source, policies, { servers, intervalNs: 0.5 * S, binWidth: width });
  const slotOf = new Map<number, number>();
  const free: number[] = [];
  let nextSlot = 0;
  let clock = -1;
  for (const ev of events) {
    if (ev.t !== clock) {
      clock = ev.t;
      e.advance(...at(clock * unit));
    }
    if (ev.kind === 'open') {
      const slot = free.pop() ?? nextSlot++;
      slotOf.set(ev.conn, slot);
      source.set(slot, ev.conn, conns[ev.conn].client, conns[ev.conn].port);
      e.open(slot, ...at(clock * unit));
    } else if (ev.kind === 'packet') e.packet(slotOf.get(ev.conn)!, ev.c2s, ev.bytes);
    else if (ev.kind === 'deactivate') e.deactivate(slotOf.get(ev.conn)!, ...at(clock * unit));
    else {
      const slot = slotOf.get(ev.conn)!;
      e.remove(slot);
      free.push(slot);
    }
  }
  e.finish(...at(Math.max(clock, 0) * unit));
  return histogramCsvText(e.results());
}

describe('whole-output properties', () => {
  const params = fc.tuple(
    fc.array(connArb, { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 1, max: 5 }),
    fc.constantFrom('0.01', '0.1', '0.25', '1'),
  );

  it('probabilities sum to exactly 1, cdf ends at 1, every policy shares the bins, output is deterministic', () => {
    fc.assert(
      fc.property(params, ([conns, servers, width]) => {
        const csv = replay(conns, POLICY_NAMES, servers, width);
        expect(replay(conns, POLICY_NAMES, servers, width)).toBe(csv);
        const rows = csv.split('\n').slice(1, -1).map((l) => l.split(','));
        const groups = new Map<string, string[][]>();
        for (const row of rows) {
          const key = `${row[0]},${row[1]}`;
          if (!groups.has(key)) groups.set(key, []);
          groups.get(key)!.push(row);
        }
        for (const metric of ['connections', 'bytes']) {
          const mine = [...groups.entries()].filter(([k]) => k.startsWith(`${metric},`));
          if (mine.length === 0) continue;
          expect(mine.map(([k]) => k.split(',')[1])).toEqual(POLICY_NAMES);
          const bins = mine[0][1].map((r) => r[2]).join(' ');
          const totals = new Set<number>();
          for (const [, g] of mine) {
            expect(g.map((r) => r[2]).join(' ')).toBe(bins);
            // As rationals: Σ count/total = 1 ⇔ Σ count = total, the same for every policy.
            const total = g.reduce((acc, r) => acc + Number(r[4]), 0);
            totals.add(total);
            expect(g.at(-1)![7]).toBe('1');
            for (const r of g) {
              expect(r[2]).toMatch(/^\d+(\.\d*[1-9])?$/);
              expect(r[5]).toMatch(/^\d+(\.\d*[1-9])?$/);
            }
          }
          expect(totals.size).toBe(1);
          // The bins end at the last non-empty bin of some policy.
          expect(Math.max(...mine.map(([, g]) => Number(g.at(-1)![4])))).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('intervals beyond 2^53 ns (issue 8 item 3): (sec, nsec) pairs', () => {
  it('100 years + 7 ns: instants at t0 + k·interval to the nanosecond, several crossed at once', () => {
    const source = new FakeSource();
    const sinks = { timeseries: '', assignments: '' };
    const e = engine(source, ['round-robin'], { servers: 1, interval: { sec: 3_153_600_000, nsec: 7 }, sinks });
    e.advance(0, 5);
    connect(source, e, 0, 0, 5);
    e.packet(0, true, 40);
    // Instants: 3153600000.000000012, 6307200000.000000019, 9460800000.000000026.
    e.advance(9_460_800_000, 25);
    expect(e.samples).toBe(2);
    e.advance(9_460_800_000, 26);
    expect(e.samples).toBe(3);
    e.finish(9_460_800_000, 26);
    expect(sinks.timeseries).toBe(
      'time,policy,server,connections,bytes\n' +
        '3153601000.000000012,round-robin,0,1,40\n' +
        '6307201000.000000019,round-robin,0,1,0\n' +
        '9460801000.000000026,round-robin,0,1,0\n',
    );
    expect(e.results().interval).toEqual({ sec: 3_153_600_000, nsec: 7 });
  });

  it('the maximum interval, 10^10 s: one sample at t0 + 10^10 s', () => {
    const source = new FakeSource();
    const e = engine(source, ['hash'], { interval: { sec: 10_000_000_000, nsec: 0 } });
    e.advance(0, 0);
    e.advance(9_999_999_999, 999_999_999);
    expect(e.samples).toBe(0);
    e.advance(10_000_000_000, 0);
    e.finish(20_000_000_000, 0);
    expect(e.samples).toBe(2);
  });

  it.each([[{ sec: 0, nsec: 0 }], [{ sec: 10_000_000_000, nsec: 1 }], [{ sec: 0.5, nsec: 0 }]])('refuses the interval %o', (interval) => {
    expect(() => engine(new FakeSource(), ['hash'], { interval })).toThrow(RangeError);
  });
});
