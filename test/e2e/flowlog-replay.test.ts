/**
 * The replay from flow logs end to end (issue 12 item 2, src/engine/flow-replay.ts):
 *
 * 1. Exactness: for synthetic captures written here (web profile with several
 *    seeds, rates, durations and IPv6 shares; the Olympic profile; a capture
 *    of TCP connections and UDP flows with every close reason), the replay of
 *    the capture's own `connections` CSV gives the capture replay's
 *    `connections` histogram rows byte for byte, the same samples, idle
 *    samples, connection figures and per-server counts, and the same server
 *    for every connection (`--assignments`, matched by row order), for the
 *    policies that depend on state or order, 3 and 7 servers, 0.25 and 1 s,
 *    `--service`, `--direction s2c` and `--proto both|udp`.
 * 2. Bytes: the per-server byte totals are equal (spreading conserves every
 *    byte); the bytes mean imbalance stays within a stated tolerance at
 *    0.5, 2 and 10 s (the uniform spread smooths bursts, so it is lower).
 * 3. Edge cases through the CLI: auto-detection, wrong or mixed formats,
 *    standard input, records out of order and --reorder-window, options that
 *    need packets, a masked Zeek log of the shared corpus, and `batch`.
 *
 * The library runs (1, 2) go through `runReplay`/`runConnections` in process;
 * the CLI (3) needs `npm run build` first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConnections } from '../../src/connections.js';
import { runReplay, type ReplayRun } from '../../src/replay.js';
import type { ReplayOptions } from '../../src/options.js';
import { CONNECTIONS_CSV_HEADER } from '../../src/flowlog/detect.js';
import { histogramCsvText } from '../../src/output/histogram-csv.js';
import { writeWebTrafficFile } from '../../src/synth/web-traffic.js';
import { writeSynthCapture } from '../../src/synth/series.js';
import { CaptureOutput } from '../../src/synth/capture-output.js';
import { MemorySink, PcapWriter } from '../../src/reader/writer.js';
import { buildUdpFrame } from '../../src/synth/frames.js';
import { gzipBytes } from '../../src/reader/damage.js';
import { DEFAULT_BASE_SEC, runCli, scenarioFrames, tempDir, writeScenario, type ScenarioPacket } from '../helpers/scenario.js';

let dir = '';
beforeAll(() => {
  dir = tempDir('anycast-replay-flowlog-replay-');
});
afterAll(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

/** A small seeded generator (mulberry32) for the mixed capture. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Microseconds → scenario time text. */
const us = (n: number): string => `${Math.floor(n / 1e6)}.${String(n % 1e6).padStart(6, '0')}`;

interface Frame {
  sec: number;
  nsec: number;
  data: Uint8Array;
  originalLength: number;
}

/**
 * A capture of TCP connections and UDP flows over 20 s, with every way a
 * connection ends under --idle-timeout 4 --syn-timeout 2 --udp-timeout 3:
 * FIN both ways, RST, idle expiry, SYN with no reply, a SYN reusing the
 * endpoints of an open connection, the capture's end; UDP flows to a
 * DNS-like and a QUIC-like server, some silent for longer than the UDP
 * timeout (so they are two flows).
 */
function mixedCapture(seed: number): Buffer {
  const r = rng(seed);
  const tcp: ScenarioPacket[] = [];
  const at = (t: number): number => Math.min(19_990_000, Math.round(t));
  for (let k = 1; k <= 60; k++) {
    const c = `c${k}`;
    const s = `s${1 + (k % 3)}`;
    let t = Math.round(r() * 18e6);
    const kind = k % 6;
    tcp.push({ t: us(at(t)), from: c, to: s, flags: 'S' });
    if (kind === 4) {
      // SYN only: syn-timeout (2 s) or the capture's end.
      continue;
    }
    t += 20_000 + Math.round(r() * 30_000);
    tcp.push({ t: us(at(t)), from: s, to: c, flags: 'SA' });
    t += 20_000;
    tcp.push({ t: us(at(t)), from: c, to: s, flags: 'A' });
    const exchanges = 1 + Math.floor(r() * 5);
    for (let i = 0; i < exchanges; i++) {
      t += Math.round(r() * 600_000);
      tcp.push({ t: us(at(t)), from: c, to: s, flags: 'PA', payload: 100 + Math.floor(r() * 400) });
      t += 30_000;
      tcp.push({ t: us(at(t)), from: s, to: c, flags: 'PA', payload: 500 + Math.floor(r() * 20_000) });
    }
    if (kind === 0 || kind === 1) {
      t += 10_000;
      tcp.push({ t: us(at(t)), from: c, to: s, flags: 'FA' });
      t += 10_000;
      tcp.push({ t: us(at(t)), from: s, to: c, flags: 'FA' });
      t += 10_000;
      tcp.push({ t: us(at(t)), from: c, to: s, flags: 'A' });
    } else if (kind === 2) {
      t += 10_000;
      tcp.push({ t: us(at(t)), from: s, to: c, flags: 'R' });
    } else if (kind === 3) {
      // Silent from here: idle expiry 4 s later (or the capture's end), then a late packet of a closed connection.
      t += 5_000_000;
      if (t < 19_000_000) tcp.push({ t: us(at(t)), from: c, to: s, flags: 'PA', payload: 50 });
    } else {
      // A new SYN on the same endpoints while the connection is open: port reuse.
      t += 200_000;
      tcp.push({ t: us(at(t)), from: c, to: s, flags: 'S', seq: 7_000_000 + k });
      t += 20_000;
      tcp.push({ t: us(at(t)), from: s, to: c, flags: 'SA', seq: 9_000_000 + k });
      t += 300_000;
      tcp.push({ t: us(at(t)), from: c, to: s, flags: 'PA', payload: 300 });
    }
  }
  // A connection that stays open to the end and sends every 0.4 s, so the capture's last packet (at 19.995 s)
  // never opens a connection: see the `it.fails` case below for why that matters.
  tcp.push({ t: '0.000001', from: 'c250', to: 's1', flags: 'S' }, { t: '0.000002', from: 's1', to: 'c250', flags: 'SA' });
  for (let t = 400_000; t < 19_995_000; t += 400_000) tcp.push({ t: us(t), from: 'c250', to: 's1', flags: 'PA', payload: 10 });
  tcp.push({ t: '19.995000', from: 'c250', to: 's1', flags: 'PA', payload: 10 });
  // scenarioFrames follows each direction's sequence numbers in list order: give it the packets in time order.
  tcp.sort((a, b) => Number(a.t) - Number(b.t));
  const frames: Frame[] = scenarioFrames(tcp).map((f) => ({ sec: f.sec, nsec: f.nsec, data: f.data, originalLength: f.originalLength }));
  for (let k = 1; k <= 60; k++) {
    const client = { addr: `10.0.1.${k}`, port: 50_000 + k };
    const server = k % 2 === 0 ? { addr: '192.0.2.53', port: 53 } : { addr: '192.0.2.1', port: 443 };
    let t = Math.round(r() * 18e6);
    const datagrams = 1 + Math.floor(r() * 8);
    for (let i = 0; i < datagrams && t < 19_990_000; i++) {
      const up = i % 2 === 0;
      const f = buildUdpFrame({
        src: up ? client.addr : server.addr,
        dst: up ? server.addr : client.addr,
        srcPort: up ? client.port : server.port,
        dstPort: up ? server.port : client.port,
        payloadLength: 20 + Math.floor(r() * 1200),
      });
      frames.push({ sec: DEFAULT_BASE_SEC + Math.floor(t / 1e6), nsec: (t % 1e6) * 1000, data: f.data, originalLength: f.originalLength });
      // Mostly close together; now and then silent longer than the UDP timeout (3 s).
      t += r() < 0.15 ? 3_500_000 : Math.round(r() * 400_000);
    }
  }
  frames.sort((a, b) => a.sec - b.sec || a.nsec - b.nsec);
  const sink = new MemorySink();
  const w = new PcapWriter(sink, { nanosecond: true });
  for (const f of frames) w.writePacket(f.sec, f.nsec, f.data, f.originalLength);
  return sink.toBuffer();
}

interface Capture {
  name: string;
  file: string;
  /** Options of the connection tracking, the same for `connections` and both replays. */
  track: ReplayOptions;
  /** A server endpoint for --service. */
  service: string;
  /** Its connections CSV (`connections` with `track`), written in beforeAll. */
  csv: string;
}

/**
 * The connections CSV of `c` made with `track` and `proto` (a tracking
 * option too: UDP flows take table places, so evictions depend on it).
 */
async function connectionsCsv(c: Capture, proto = c.track.proto): Promise<string> {
  const file = proto === c.track.proto ? c.csv : `${c.csv}.${proto ?? 'tcp'}.csv`;
  if (fs.existsSync(file)) return file;
  const rows: string[] = [];
  await runConnections([c.file], { ...c.track, proto }, { row: (fields) => rows.push(fields.join(',')) });
  fs.writeFileSync(file, `${CONNECTIONS_CSV_HEADER}\n${rows.join('\n')}\n`);
  return file;
}

const CAPTURES: Capture[] = [];

beforeAll(async () => {
  const add = (name: string, track: ReplayOptions, service: string, write: (file: string) => void): void => {
    const file = path.join(dir, name);
    write(file);
    CAPTURES.push({ name, file, track, service, csv: path.join(dir, `${name}.csv`) });
  };
  // Header-only frames (68 bytes): the byte counts come from the IP lengths (SPEC §2), the files stay small.
  add('web-s7.pcap', {}, '192.0.2.80:80', (f) => writeWebTrafficFile(f, { seed: 7, durationSec: 60, connectionRate: 40, ipv6Fraction: 0.2, snaplen: 68, nanosecond: true }));
  add('web-s11.pcap', { idleTimeout: 3, synTimeout: 1 }, '[2001:db8::80]:443', (f) =>
    writeWebTrafficFile(f, { seed: 11, durationSec: 60, connectionRate: 80, ipv6Fraction: 0.5, snaplen: 68 }),
  );
  add('olympic.pcap', {}, '192.0.2.10:80', (f) => {
    const fd = fs.openSync(f, 'w');
    const out = new CaptureOutput(fd, f, false);
    writeSynthCapture(out, { profile: 'olympic', seed: 3, durationSec: 60, format: 'pcap', linkType: 'ethernet', gzip: false });
    out.flush();
    fs.closeSync(fd);
  });
  add('mixed.pcap', { proto: 'both', idleTimeout: 4, synTimeout: 2, udpTimeout: 3 }, '192.0.2.53:53', (f) => fs.writeFileSync(f, mixedCapture(5)));
  // The same mixed capture with a table of 8 connections: evictions.
  add('mixed-evict.pcap', { proto: 'both', idleTimeout: 4, synTimeout: 2, udpTimeout: 3, maxConnections: 8 }, '192.0.2.2:80', (f) => fs.writeFileSync(f, mixedCapture(6)));
  for (const c of CAPTURES) await connectionsCsv(c);
}, 60_000);

interface Pair {
  pcap: ReplayRun;
  csv: ReplayRun;
  pcapCsv: string;
  csvCsv: string;
  pcapAssignments: string[];
  csvAssignments: string[];
}

async function replayBoth(c: Capture, options: ReplayOptions): Promise<Pair> {
  const one = async (file: string): Promise<[ReplayRun, string, string[]]> => {
    let asg = '';
    const run = await runReplay([file], { ...c.track, ...options }, {
      assignments: (chunk) => {
        asg += chunk;
      },
    });
    // conn numbers differ (the tracker numbers every connection, the flow replay the records it opens): policy and server.
    const lines = asg.split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('conn,policy,server');
    const rows = lines.slice(1).map((l) => l.slice(l.indexOf(',') + 1));
    return [run, histogramCsvText(run.results), rows];
  };
  const [pcap, pcapCsv, pcapAssignments] = await one(c.file);
  const [csv, csvCsv, csvAssignments] = await one(await connectionsCsv(c, options.proto ?? c.track.proto));
  return { pcap, csv, pcapCsv, csvCsv, pcapAssignments, csvAssignments };
}

const rowsOf = (text: string, metric: string): string[] => text.split('\n').filter((l) => l.startsWith(`${metric},`));

const STATEFUL = ['least-active', 'p2c', 'bounded-load', 'weighted-round-robin', 'random'] as const;

/** The replay options of the exactness runs; `service` is the capture's. */
function exactnessRuns(c: Capture): { label: string; options: ReplayOptions }[] {
  const runs = [
    { label: 'all, 3 servers, 0.25 s', options: { servers: 3, policy: ['all'], interval: 0.25 } },
    { label: 'all, 7 servers, 1 s', options: { servers: 7, policy: ['all'], interval: 1 } },
    { label: 'stateful, 3 servers, 1 s, seed 9, weights 3,1,2', options: { servers: 3, policy: [...STATEFUL], interval: 1, seed: 9, weights: '3,1,2' } },
    { label: 'stateful, 7 servers, 0.25 s, --direction s2c', options: { servers: 7, policy: [...STATEFUL], interval: 0.25, direction: 's2c' } },
    { label: `all + stateful, 3 servers, 1 s, --service ${c.service}`, options: { servers: 3, policy: ['all', 'p2c', 'bounded-load'], interval: 1, service: [c.service] } },
  ] satisfies { label: string; options: ReplayOptions }[];
  // The mixed captures' first and last packets are TCP: --proto tcp keeps the capture's sampling origin and end
  // (--proto udp does not: see the `it.fails` case below).
  if (c.track.proto === 'both') runs.push({ label: 'all, 7 servers, 1 s, --proto tcp', options: { servers: 7, policy: ['all'], interval: 1, proto: 'tcp' } } as never);
  return runs;
}

describe('exactness: a capture and its own connections CSV give the same connections histograms', () => {
  it('the captures hold what the checks need', () => {
    // Every close reason of the mixed captures, so every kind of active_until is replayed.
    const reasons = (file: string): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
        if (line === '') continue;
        const f = line.split(',');
        const key = `${f[8]}:${f[13]}`;
        out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    };
    const mixed = reasons(CAPTURES[3].csv);
    for (const k of ['tcp:fin', 'tcp:rst', 'tcp:idle', 'tcp:syn-timeout', 'tcp:port-reuse', 'udp:idle']) expect(mixed[k], k).toBeGreaterThan(0);
    expect(reasons(CAPTURES[4].csv)['tcp:evicted']).toBeGreaterThan(0);
    expect(reasons(CAPTURES[1].csv)['tcp:idle']).toBeGreaterThan(0);
    for (const c of CAPTURES.slice(0, 3)) expect(Object.values(reasons(c.csv)).reduce((a, b) => a + b, 0), c.name).toBeGreaterThan(1000);
  });

  for (const index of [0, 1, 2, 3, 4]) {
    describe(`capture ${index}`, () => {
      it('every run: connections rows, samples, idle samples, connection figures, per-server counts and bytes, assignments', async () => {
        const c = CAPTURES[index];
        for (const { label, options } of exactnessRuns(c)) {
          const what = `${c.name}: ${label}`;
          const p = await replayBoth(c, options);
          const a = p.pcap.summary;
          const b = p.csv.summary;
          expect(b.capture.first_time, what).toBe(a.capture.first_time);
          expect(b.capture.last_time, what).toBe(a.capture.last_time);
          const pc = rowsOf(p.pcapCsv, 'connections');
          expect(pc.length, what).toBeGreaterThan(0);
          expect(rowsOf(p.csvCsv, 'connections'), what).toEqual(pc);
          expect(b.replay.samples, what).toBe(a.replay.samples);
          // Idle bytes samples may differ (spread bytes fill the gaps between packets); idle connections samples may not.
          expect(b.replay.idle_samples.connections, what).toBe(a.replay.idle_samples.connections);
          expect(b.replay.connections_replayed, what).toBe(a.replay.connections_replayed);
          expect(b.replay.connections_not_replayed, what).toBe(a.replay.connections_not_replayed);
          expect(b.policies.map((x) => x.policy), what).toEqual(a.policies.map((x) => x.policy));
          for (let i = 0; i < a.policies.length; i++) {
            expect(b.policies[i].connections, `${what}: ${a.policies[i].policy}`).toEqual(a.policies[i].connections);
            expect(b.policies[i].bytes.samples, `${what}: ${a.policies[i].policy}`).toBe(a.policies[i].bytes.samples);
            // Spreading conserves bytes: the totals per server are the capture's exactly.
            expect(b.policies[i].per_server, `${what}: ${a.policies[i].policy}`).toEqual(a.policies[i].per_server);
          }
          expect(p.csvAssignments.length, what).toBe(p.pcapAssignments.length);
          expect(p.csvAssignments, what).toEqual(p.pcapAssignments);
        }
      }, 60_000);
    });
  }
});

describe('exactness: known gaps (failing until the driver changes; see the report)', () => {
  // c1 stays open to the end (end-of-trace, active_until = the last packet, 3.0); c2's SYN is the last packet.
  // The capture replay ends c1 after that last packet (the tracker ends the capture after it), so least-active
  // sees c1 active when c2 opens: c1 → 0, c2 → 1. The flow replay runs "the ends due at or before an open"
  // first, c1's end-of-trace end included, and sends c2 to server 0.
  const lastPacketOpens = (): string =>
    writeScenario(dir, 'last-opens.pcap', [
      { t: '0', from: 'c1', flags: 'S' },
      { t: '0.1', from: 's1', to: 'c1', flags: 'SA' },
      { t: '0.2', from: 'c1', flags: 'A' },
      { t: '1.0', from: 'c1', flags: 'PA', payload: 100 },
      { t: '3.0', from: 'c2', to: 's1', flags: 'S' },
    ]);
  const capture = (file: string, track: ReplayOptions = {}): Capture => ({ name: path.basename(file), file, track, service: '', csv: `${file}.csv` });

  it('the capture replay: a connection opened by the last packet sees the ones still open (end-of-trace) as active', async () => {
    const c = capture(lastPacketOpens());
    const p = await replayBoth(c, { servers: 2, policy: ['least-active'], interval: 1 });
    expect(p.pcapAssignments).toEqual(['least-active,0', 'least-active,1']);
    expect(fs.readFileSync(c.csv, 'utf8').split('\n')[2]).toMatch(/,end-of-trace,1,1700000003\.000000000$/);
  });

  it.fails('BUG flow-replay: an open at the log\'s last instant comes after the end-of-trace ends there (least-active)', async () => {
    const c = capture(lastPacketOpens());
    const p = await replayBoth(c, { servers: 2, policy: ['least-active'], interval: 1 });
    expect(p.csvAssignments).toEqual(p.pcapAssignments);
  });

  it.fails('BUG flow-replay: --proto udp of a capture whose first packet is TCP samples from the capture\'s first packet', async () => {
    // The capture replay's origin t0 is the capture's first packet (SPEC §5), a TCP one here; the flow replay's
    // is its first UDP record (records of other protocols, even in the log, do not set it): other sample instants.
    const c = CAPTURES[3];
    const p = await replayBoth(c, { servers: 3, policy: ['all'], interval: 0.25, proto: 'udp' });
    expect(p.csv.summary.capture.first_time).toBe(p.pcap.summary.capture.first_time);
    expect(rowsOf(p.csvCsv, 'connections')).toEqual(rowsOf(p.pcapCsv, 'connections'));
  });
});

/**
 * Relative difference (flow − capture) / capture of the bytes mean imbalance
 * allowed per interval. Measured on these captures (5 and 10 servers,
 * round-robin, random, hash, least-active, p2c; docs/flow-logs.md): the
 * spread is lower, by 5–46 % at 0.5 s (web traffic with the default
 * timeouts the most), 1.5–35 % at 2 s and −14 … +6 % at 10 s. The bounds
 * leave a few points above the worst case seen; a flow replay never reads
 * more than 10 % above the capture's (spreading only smooths).
 */
const BYTES_TOLERANCE: Record<string, readonly [number, number]> = {
  '0.5': [-0.5, 0.1],
  '2': [-0.4, 0.1],
  '10': [-0.2, 0.1],
};

describe('bytes: totals per server equal, mean imbalance within a stated tolerance', () => {
  for (const index of [0, 1, 2, 3]) {
    it(`capture ${index} at 0.5, 2 and 10 s`, async () => {
      const c = CAPTURES[index];
      for (const interval of ['0.5', '2', '10']) {
        for (const servers of [5, 10]) {
          const p = await replayBoth(c, { servers, policy: ['all', 'p2c'], interval });
          const [lo, hi] = BYTES_TOLERANCE[interval];
          p.pcap.summary.policies.forEach((a, i) => {
            const b = p.csv.summary.policies[i];
            const what = `${c.name}, ${servers} servers, ${interval} s, ${a.policy}`;
            expect(b.per_server, what).toEqual(a.per_server);
            expect(b.bytes.samples, what).toBe(a.bytes.samples);
            const x = Number(a.bytes.mean_imbalance);
            const d = (Number(b.bytes.mean_imbalance) - x) / x;
            expect(d, `${what}: ${a.bytes.mean_imbalance} → ${b.bytes.mean_imbalance}`).toBeGreaterThanOrEqual(lo);
            expect(d, `${what}: ${a.bytes.mean_imbalance} → ${b.bytes.mean_imbalance}`).toBeLessThanOrEqual(hi);
          });
        }
      }
    }, 60_000);
  }
});
