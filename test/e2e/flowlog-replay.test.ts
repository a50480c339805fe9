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
import type { ReplaySummary } from '../../src/output/replay-summary.js';
import { writeWebTrafficFile } from '../../src/synth/web-traffic.js';
import { writeSynthCapture } from '../../src/synth/series.js';
import { CaptureOutput } from '../../src/synth/capture-output.js';
import { MemorySink, PcapWriter } from '../../src/reader/writer.js';
import { buildUdpFrame } from '../../src/synth/frames.js';
import { gzipBytes } from '../../src/reader/damage.js';
import { DEFAULT_BASE_SEC, PROJECT_ROOT, runCli, scenarioFrames, tempDir, writeScenario, type ScenarioPacket } from '../helpers/scenario.js';
import { zeekLog } from '../flowlog/helpers.js';
import { rng } from '../reader/helpers.js';

let dir = '';
beforeAll(() => {
  dir = tempDir('anycast-replay-flowlog-replay-');
});
afterAll(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});


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
  // never opens a connection (an open at the last instant is tested on its own below).
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
    writeWebTrafficFile(f, { seed: 11, durationSec: 40, connectionRate: 80, ipv6Fraction: 0.5, snaplen: 68 }),
  );
  add('olympic.pcap', {}, '192.0.2.10:80', (f) => {
    const fd = fs.openSync(f, 'w');
    const out = new CaptureOutput(fd, f, false);
    writeSynthCapture(out, { profile: 'olympic', seed: 3, durationSec: 60, format: 'pcap', linkType: 'ethernet', gzip: false });
    out.flush();
    fs.closeSync(fd);
  });
  add('mixed.pcap', { proto: 'both', idleTimeout: 4, synTimeout: 2, udpTimeout: 3 }, '192.0.2.53:53', (f) => fs.writeFileSync(f, mixedCapture(5)));
  // Another mixed capture (seed 6) through a table of 8 connections: evictions.
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
  const runs: { label: string; options: ReplayOptions }[] = [
    { label: 'all, 3 servers, 0.25 s', options: { servers: 3, policy: ['all'], interval: 0.25 } },
    { label: 'all, 7 servers, 1 s', options: { servers: 7, policy: ['all'], interval: 1 } },
    { label: 'stateful, 3 servers, 1 s, seed 9, weights 3,1,2', options: { servers: 3, policy: [...STATEFUL], interval: 1, seed: 9, weights: '3,1,2' } },
    { label: 'stateful, 7 servers, 0.25 s, --direction s2c', options: { servers: 7, policy: [...STATEFUL], interval: 0.25, direction: 's2c' } },
    { label: `all + stateful, 3 servers, 1 s, --service ${c.service}`, options: { servers: 3, policy: ['all', 'p2c', 'bounded-load'], interval: 1, service: [c.service] } },
  ];
  // The mixed captures' first and last packets are TCP: --proto tcp keeps the capture's sampling origin and end
  // (--proto udp is tested on its own below: its CSV must be the --proto both one).
  if (c.track.proto === 'both') runs.push({ label: 'all, 7 servers, 1 s, --proto tcp', options: { servers: 7, policy: ['all'], interval: 1, proto: 'tcp' } });
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
          expect(p.pcapAssignments.length, what).toBeGreaterThan(0);
          expect(p.csvAssignments.length, what).toBe(p.pcapAssignments.length);
          expect(p.csvAssignments, what).toEqual(p.pcapAssignments);
        }
      }, 60_000);
    });
  }
});

describe('exactness: the edges (the last instant, other protocols) and the one known gap (it.fails)', () => {
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

  it('an open at the log\'s last instant comes before the end-of-trace ends there (least-active), as in the capture replay', async () => {
    const c = capture(lastPacketOpens());
    const p = await replayBoth(c, { servers: 2, policy: ['least-active'], interval: 1 });
    expect(p.csvAssignments).toEqual(p.pcapAssignments);
  });

  it.fails('LIMITATION: a close and an open at one instant, the close later in the file: least-active differs', async () => {
    // c1 → 0 and c2 → 1 are open; at 1.0 c3's SYN comes, then (same timestamp, later in the file) c2's second FIN.
    // The capture replay opens c3 first (loads 1, 1: server 0); the CSV cannot say which came first at 1.0 and the
    // flow replay runs the close first (loads 1, 0: server 1). Timestamps that tie are common at 1 µs resolution.
    const file = writeScenario(dir, 'same-instant.pcap', [
      { t: '0', from: 'c1', flags: 'S' },
      { t: '0.1', from: 'c2', to: 's1', flags: 'S' },
      { t: '0.2', from: 'c2', flags: 'FA' },
      { t: '1.0', from: 'c3', to: 's1', flags: 'S' },
      { t: '1.0', from: 's1', to: 'c2', flags: 'FA' },
      { t: '2.0', from: 'c1', flags: 'A' },
    ]);
    const p = await replayBoth(capture(file), { servers: 2, policy: ['least-active'], interval: 1 });
    expect(p.pcapAssignments).toEqual(['least-active,0', 'least-active,1', 'least-active,0']);
    expect(p.csvAssignments).toEqual(p.pcapAssignments);
  });

  it('--proto udp: the --proto both CSV of a capture whose first packet is TCP samples from the capture\'s first packet (other protocols move the clock)', async () => {
    // The capture replay's origin t0 is the capture's first packet (SPEC §5), a TCP one here. The CSV's TCP rows
    // are not replayed under --proto udp but move the clock, so the origin and the end are the capture's. (A CSV
    // written with --proto udp has no TCP rows: it starts at its first UDP flow, docs/flow-logs.md.)
    const c = CAPTURES[3];
    const options: ReplayOptions = { ...c.track, servers: 3, policy: ['all'], interval: 0.25, proto: 'udp' };
    const pcap = await runReplay([c.file], options);
    const csv = await runReplay([await connectionsCsv(c, 'both')], options);
    expect(csv.summary.capture.first_time).toBe(pcap.summary.capture.first_time);
    expect(csv.summary.replay.samples).toBe(pcap.summary.replay.samples);
    expect(csv.summary.replay.connections_replayed).toBe(pcap.summary.replay.connections_replayed);
    expect(rowsOf(histogramCsvText(csv.results), 'connections')).toEqual(rowsOf(histogramCsvText(pcap.results), 'connections'));
  });
});

/**
 * Relative difference (flow − capture) / capture of the bytes mean imbalance
 * allowed per interval. Measured on these captures (5 and 10 servers;
 * round-robin, random, hash, least-active, p2c): the flow replay reads
 * 5 to 46 % lower at 0.5 s (the web capture with the default timeouts the
 * most), −35 to +2 % at 2 s, −14 to +11 % at 10 s (3 to 6 samples a run:
 * bytes moved across one sample boundary move the mean either way). The
 * bounds leave a few points beyond the worst case seen.
 */
const BYTES_TOLERANCE: Record<string, readonly [number, number]> = {
  '0.5': [-0.5, 0.1],
  '2': [-0.4, 0.1],
  '10': [-0.2, 0.2],
};

describe('bytes: totals per server equal, mean imbalance within a stated tolerance', () => {
  for (const index of [0, 1, 2, 3]) {
    it(`capture ${index} at 0.5, 2 and 10 s`, async () => {
      const c = CAPTURES[index];
      for (const interval of ['0.5', '2', '10']) {
        for (const servers of [5, 10]) {
          const p = await replayBoth(c, { servers, policy: ['all', 'p2c'], interval });
          const [lo, hi] = BYTES_TOLERANCE[interval];
          const measured: string[] = [];
          p.pcap.summary.policies.forEach((a, i) => {
            const b = p.csv.summary.policies[i];
            const what = `${c.name}, ${servers} servers, ${interval} s, ${a.policy}`;
            expect(b.per_server, what).toEqual(a.per_server);
            expect(b.bytes.samples, what).toBe(a.bytes.samples);
            const x = Number(a.bytes.mean_imbalance);
            const d = (Number(b.bytes.mean_imbalance) - x) / x;
            measured.push(`${a.policy} ${a.bytes.mean_imbalance} → ${b.bytes.mean_imbalance} (${(d * 100).toFixed(1)} %)`);
            expect(d, `${what}: ${a.bytes.mean_imbalance} → ${b.bytes.mean_imbalance}`).toBeGreaterThanOrEqual(lo);
            expect(d, `${what}: ${a.bytes.mean_imbalance} → ${b.bytes.mean_imbalance}`).toBeLessThanOrEqual(hi);
          });
          // FLOWLOG_BYTES_TABLE=1 prints the measured figures (capture → flow log) for docs/flow-logs.md.
          if (process.env.FLOWLOG_BYTES_TABLE) console.log(`${c.name}\t${servers}\t${interval}\t${measured.join('\t')}`);
        }
      }
    }, 60_000);
  }
});

/** A few Zeek records as TSV rows (zeekLog's 19 columns) and as JSON lines: the same log both ways. */
function zeekPair(): { tsv: string; json: string } {
  const recs = [
    { ts: '1700000000.100000', c: 1, dur: '2.500000', ob: 300, rb: 4000, st: 'SF' },
    { ts: '1700000000.600000', c: 2, dur: '0.700000', ob: 120, rb: 900, st: 'RSTO' },
    { ts: '1700000001.200000', c: 3, dur: '4.000000', ob: 80, rb: 15000, st: 'SF' },
    { ts: '1700000002.900000', c: 4, dur: '1.100000', ob: 60, rb: 700, st: 'S1' },
  ];
  const tsv = zeekLog(recs.map((r) => [r.ts, `C${r.c}`, `10.0.0.${r.c}`, 40_000 + r.c, '192.0.2.1', 80, 'tcp', '-', r.dur, r.ob, r.rb, r.st, 0, '-', 3, 0, 3, 0, '-'].join('\t')));
  const json = recs
    .map(
      (r) =>
        `{"ts":${r.ts},"uid":"C${r.c}","id.orig_h":"10.0.0.${r.c}","id.orig_p":${40_000 + r.c},"id.resp_h":"192.0.2.1","id.resp_p":80,"proto":"tcp","duration":${r.dur},"orig_bytes":${r.ob},"resp_bytes":${r.rb},"conn_state":"${r.st}","missed_bytes":0,"orig_pkts":3,"orig_ip_bytes":0,"resp_pkts":3,"resp_ip_bytes":0}`,
    )
    .join('\n');
  return { tsv, json: `${json}\n` };
}

/** stderr's lines (without the trailing empty one). */
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** Runs the main command on `files` quietly into dir; returns the run, the CSV and the summary. */
function cli(files: readonly string[], args: readonly string[] = [], input?: Uint8Array): { status: number | null; stderr: string; csv: string; summary: ReplaySummary } {
  const tag = Math.random().toString(36).slice(2);
  const out = path.join(dir, `out-${tag}.csv`);
  const sum = path.join(dir, `sum-${tag}.json`);
  const r = runCli([...files, '-q', '-o', out, '--summary-json', sum, ...args], { input });
  const csv = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  const summary = (fs.existsSync(sum) ? JSON.parse(fs.readFileSync(sum, 'utf8')) : undefined) as ReplaySummary;
  return { status: r.status, stderr: r.stderr, csv, summary };
}

const write = (name: string, content: string | Uint8Array): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};

const built = fs.existsSync(path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js'));
if (!built) console.warn('flowlog-replay CLI tests skipped: dist/ is missing (run npm run build)');

describe.skipIf(!built)('flow logs through the CLI', () => {
  it('auto-detection: Zeek TSV, Zeek JSON, connections CSV, each gzip-compressed too, and a pcap, without --input-format', () => {
    const { tsv, json } = zeekPair();
    const zeek = cli([write('conn.log', tsv)], ['-n', '2', '--interval', '1']);
    expect(zeek.status, zeek.stderr).toBe(0);
    expect(zeek.summary.capture.flow_log).toEqual({ format: 'zeek-conn', gzip: false, records: 4, replayed: 4, other_protocol: 0, late: 0, forced: 0 });
    expect(zeek.summary.capture.connections_by_reason).toEqual({ SF: 2, RSTO: 1, S1: 1 });
    // The JSON form of the same log replays the same.
    const zjson = cli([write('conn.json', json)], ['-n', '2', '--interval', '1']);
    expect(zjson.status, zjson.stderr).toBe(0);
    expect(zjson.summary.capture.flow_log?.format).toBe('zeek-conn');
    expect(zjson.csv).toBe(zeek.csv);
    expect(zjson.summary.policies).toEqual(zeek.summary.policies);
    // The S1 record stays active until last + 300 s, the run ends at the latest last packet (4.0 s after 1 700 000 001.2 = 5.2).
    expect(zeek.summary.capture.last_time).toBe('1700000005.200000000');

    const c = CAPTURES[3];
    const track = ['--proto', 'both', '--idle-timeout', '4', '--syn-timeout', '2', '--udp-timeout', '3', '-n', '3', '-p', 'all,p2c', '--interval', '0.5'];
    const pcap = cli([c.file], track);
    expect(pcap.status, pcap.stderr).toBe(0);
    expect(pcap.summary.capture.flow_log).toBeUndefined();
    const csv = cli([c.csv], track);
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.summary.capture.flow_log).toMatchObject({ format: 'connections-csv', gzip: false, late: 0 });
    expect(rowsOf(csv.csv, 'connections')).toEqual(rowsOf(pcap.csv, 'connections'));

    for (const [name, text, plain] of [
      ['conn.log.gz', tsv, zeek],
      ['conn.json.gz', json, zjson],
      ['conns.csv.gz', fs.readFileSync(c.csv, 'utf8'), csv],
    ] as const) {
      const args = name.startsWith('conns') ? track : ['-n', '2', '--interval', '1'];
      const gz = cli([write(name, gzipBytes(Buffer.from(text)))], args);
      expect(gz.status, `${name}: ${gz.stderr}`).toBe(0);
      expect(gz.summary.capture.flow_log, name).toEqual({ ...plain.summary.capture.flow_log, gzip: true });
      expect(gz.csv, name).toBe(plain.csv);
    }
  }, 60_000);

  it('--input-format zeek-conn on a pcap: one line, exit 1', () => {
    const r = cli([CAPTURES[3].file], ['--input-format', 'zeek-conn']);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([`anycast-replay: ${CAPTURES[3].file}: a packet capture, not a zeek-conn flow log (--input-format pcap reads it)`]);
  });

  it('a pcap and a conn.log together: one line, exit 2', () => {
    const log = write('with-pcap.log', zeekPair().tsv);
    const r = cli([CAPTURES[3].file, log]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `anycast-replay: ${log} is a zeek-conn while the files before it are packet captures: one replay reads one kind of input (see --help)`,
    ]);
    const back = cli([log, CAPTURES[3].file]);
    expect(back.status).toBe(2);
    expect(lines(back.stderr)).toEqual([
      `anycast-replay: ${CAPTURES[3].file} is a packet capture while the files before it are zeek-conn: one replay reads one kind of input (see --help)`,
    ]);
  });

  it('standard input with --input-format connections-csv replays as the file does', () => {
    const c = CAPTURES[3];
    const track = ['--proto', 'both', '--idle-timeout', '4', '--syn-timeout', '2', '--udp-timeout', '3', '-n', '3', '--interval', '1'];
    const file = cli([c.csv], track);
    const stdin = cli(['-'], [...track, '--input-format', 'connections-csv'], fs.readFileSync(c.csv));
    expect(stdin.status, stdin.stderr).toBe(0);
    expect(stdin.csv).toBe(file.csv);
    expect(stdin.summary.capture.flow_log).toEqual(file.summary.capture.flow_log);
  });

  describe('records out of start order', () => {
    // 201 records, one a second from 0 to 200 s after 1 700 000 000, each 0.5 s long. In the file, the record at
    // 100 s comes right after the one at 130 s (30 s out of order: within the 60 s window) and the one at 20 s
    // right after the one at 110 s (90 s: late with the default window).
    const row = (k: number): string =>
      `${k},${1_700_000_000 + k}.000000000,${1_700_000_000 + k}.500000000,0.500000000,10.0.${k >> 8}.${k & 255},40000,192.0.2.1,80,tcp,3,3,100,1000,fin,1,${1_700_000_000 + k}.500000000`;
    const order = Array.from({ length: 201 }, (_, k) => k).filter((k) => k !== 100 && k !== 20);
    order.splice(order.indexOf(110) + 1, 0, 20);
    order.splice(order.indexOf(130) + 1, 0, 100);
    const text = `${CONNECTIONS_CSV_HEADER}\n${order.map(row).join('\n')}\n`;
    // The header is line 1: the record at 20 s is on line (its index + 2).
    const lateLine = order.indexOf(20) + 2;

    it('default window: the 30 s one replayed, the 90 s one left out with one warning line (exit 0); --strict exit 1', () => {
      const file = write('late.csv', text);
      const r = cli([file], ['-n', '2']);
      expect(r.status, r.stderr).toBe(0);
      // At most 29 s late: against the last record replayed when it came (the one at 49 s; 110 − 60 s window).
      expect(lines(r.stderr)).toEqual([
        `anycast-replay: warning: ${file}: 1 record started more than --reorder-window 60.000000000 s before a record already replayed (the first at line ${lateLine}, at most 29.000000000 s late): left out`,
      ]);
      expect(r.summary.capture.flow_log).toEqual({ format: 'connections-csv', gzip: false, records: 201, replayed: 200, other_protocol: 0, late: 1, forced: 0 });
      expect(r.summary.replay.connections_replayed).toBe(200);
      const strict = cli([file], ['-n', '2', '--strict']);
      expect(strict.status).toBe(1);
      expect(lines(strict.stderr)).toHaveLength(1);
      expect(strict.stderr).toMatch(new RegExp(`line ${lateLine}\\b.*\\(--strict\\)$`, 'm'));
      expect(strict.stderr).not.toMatch(/\n\s+at /);
    });

    it('--reorder-window 120 replays all 201, as the sorted log does', () => {
      const file = write('late120.csv', text);
      const r = cli([file], ['-n', '2', '--reorder-window', '120']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.summary.capture.flow_log).toMatchObject({ records: 201, replayed: 201, late: 0 });
      const sorted = write('sorted.csv', `${CONNECTIONS_CSV_HEADER}\n${Array.from({ length: 201 }, (_, k) => row(k)).join('\n')}\n`);
      const s = cli([sorted], ['-n', '2']);
      expect(r.csv).toBe(s.csv);
      expect(r.summary.policies).toEqual(s.summary.policies);
    });
  });

  it('--event, --granularity packet, --from/--to with a flow log: one line, exit 2', () => {
    const log = write('opts.log', zeekPair().tsv);
    for (const [args, what] of [
      [['--event', '10:remove:1'], '--event'],
      [['--granularity', 'packet', '-p', 'round-robin'], '--granularity packet'],
      [['--from', '5'], '--from/--to'],
      [['--to', '5'], '--from/--to'],
    ] as const) {
      const r = cli([log], args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(lines(r.stderr), args.join(' ')).toEqual([`anycast-replay: ${what} needs packet captures, not flow logs (docs/flow-logs.md) (see --help)`]);
    }
  });

  const zeekDir = path.join(PROJECT_ROOT, '..', 'shared', 'traces', 'zeek-conn');
  const hasZeek = fs.existsSync(path.join(zeekDir, 'INDEX.tsv'));
  if (!hasZeek) console.warn(`flowlog-replay: the masked Zeek log case is skipped: ${zeekDir} is missing`);
  it.skipIf(!hasZeek)('a masked Zeek log of the shared corpus ends with one line naming the line and field, exit 1', () => {
    const name = fs.readFileSync(path.join(zeekDir, 'INDEX.tsv'), 'utf8').split('\n')[1].split('\t')[0];
    const log = path.join(zeekDir, name);
    const r = cli([log]);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^anycast-replay: ${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+: field ts: 'XXXXXXXXXX\\.XXXXXX' is not a time\\n$`));
  });

  it('batch over two connections CSVs and their captures: each CSV gives its capture\'s connections rows', () => {
    const [web, olympic] = [CAPTURES[0], CAPTURES[2]];
    const out = path.join(dir, 'tidy.csv');
    const r = runCli(['batch', web.file, web.csv, olympic.file, olympic.csv, '-n', '3,7', '-p', 'all,p2c', '--interval', '1', '-q', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const rows = fs.readFileSync(out, 'utf8').split('\n');
    expect(rows[0]).toBe('trace,servers,seed,metric,policy,bin_start,bin_end,count,probability,density,cdf');
    /** The connections rows of one trace, without the trace column. */
    const of = (trace: string): string[] => rows.filter((l) => l.startsWith(`${trace},`) && l.split(',')[3] === 'connections').map((l) => l.slice(trace.length + 1));
    for (const c of [web, olympic]) {
      const pcapRows = of(c.file);
      expect(pcapRows.length, c.name).toBeGreaterThan(100);
      expect(of(c.csv), c.name).toEqual(pcapRows);
    }
  }, 60_000);
});
