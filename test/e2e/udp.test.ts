/**
 * UDP flows (issue 12), scenario by scenario with hand-computed expectations:
 * a DNS-like request/response, a long QUIC-like flow, idle expiry at the exact
 * instant (SPEC §3's `t − last ≥ timeout`), the client as the first sender
 * whichever way that is, `--proto both` mixing TCP and UDP on the same
 * endpoints, and the replay's dispatch and samples of UDP flows.
 *
 * Captures are written with the project's writer and frame builder. Times are
 * seconds after 1 700 000 000; endpoints c<k> = 10.0.0.k port 40000 + k,
 * `dns` = 192.0.2.53 port 53, `quic` = 192.0.2.1 port 443, `web` = 192.0.2.1
 * port 80 (test/helpers/scenario.ts's s1).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConnections, CONNECTION_COLUMNS } from '../../src/connections.js';
import { runReplay } from '../../src/replay.js';
import type { ReplayOptions } from '../../src/options.js';
import { MemorySink, PcapWriter } from '../../src/reader/writer.js';
import { buildUdpFrame } from '../../src/synth/frames.js';
import { DEFAULT_BASE_SEC, runCli, scenarioFrames, secondsToPair, tempDir, type ScenarioPacket } from '../helpers/scenario.js';

const ENDPOINTS: Record<string, { addr: string; port: number }> = {
  dns: { addr: '192.0.2.53', port: 53 },
  quic: { addr: '192.0.2.1', port: 443 },
  web: { addr: '192.0.2.1', port: 80 },
};

function ep(name: string): { addr: string; port: number } {
  const given = ENDPOINTS[name];
  if (given) return given;
  const k = Number(/^c(\d+)$/.exec(name)![1]);
  return { addr: `10.0.0.${k}`, port: 40_000 + k };
}

interface Datagram {
  t: string;
  from: string;
  to: string;
  /** UDP payload bytes. */
  payload: number;
}

interface Frame {
  sec: number;
  nsec: number;
  data: Uint8Array;
  originalLength: number;
}

function udpFrames(list: readonly Datagram[]): Frame[] {
  return list.map((d) => {
    const s = ep(d.from);
    const r = ep(d.to);
    const f = buildUdpFrame({ src: s.addr, dst: r.addr, srcPort: s.port, dstPort: r.port, payloadLength: d.payload });
    const [sec, nsec] = secondsToPair(d.t);
    return { sec: DEFAULT_BASE_SEC + sec, nsec, data: f.data, originalLength: f.originalLength };
  });
}

const dir = tempDir('anycast-replay-udp-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes UDP datagrams (and TCP packets) as one nanosecond pcap, in time order (ties: UDP first). */
function capture(name: string, udp: readonly Datagram[], tcp: readonly ScenarioPacket[] = []): string {
  const frames = [...udpFrames(udp), ...scenarioFrames(tcp, { endpoints: ENDPOINTS })];
  frames.sort((a, b) => a.sec - b.sec || a.nsec - b.nsec);
  const sink = new MemorySink();
  const w = new PcapWriter(sink, { linkType: 1, nanosecond: true });
  for (const f of frames) w.writePacket(f.sec, f.nsec, f.data, f.originalLength);
  const file = path.join(dir, name);
  fs.writeFileSync(file, sink.toBuffer());
  return file;
}

type Row = Record<(typeof CONNECTION_COLUMNS)[number], string>;

async function rows(file: string, options: ReplayOptions): Promise<Row[]> {
  const out: Row[] = [];
  await runConnections([file], options, {
    row: (f) => out.push(Object.fromEntries(CONNECTION_COLUMNS.map((c, i) => [c, f[i]])) as Row),
  });
  return out;
}

/** The columns that tell a flow: conn, times, endpoints, proto, counts, close, syn_seen, active_until. */
function brief(r: Row): string {
  return [
    r.conn, r.first_time.slice(-12), r.last_time.slice(-12), `${r.client_addr}:${r.client_port}`, `${r.server_addr}:${r.server_port}`,
    r.proto, r.packets_c2s, r.packets_s2c, r.bytes_c2s, r.bytes_s2c, r.close, r.syn_seen, r.active_until.slice(-12),
  ].join(' ');
}

describe('UDP flows in connections', () => {
  it('a DNS-like request/response is one flow: the querier is the client, bytes are UDP payload', async () => {
    const file = capture('dns.pcap', [
      { t: '0.1', from: 'c1', to: 'dns', payload: 33 },
      { t: '0.1004', from: 'dns', to: 'c1', payload: 129 },
      { t: '0.2', from: 'c2', to: 'dns', payload: 40 },
      { t: '0.3', from: 'c2', to: 'dns', payload: 40 }, // a retried query: same flow
      { t: '0.31', from: 'dns', to: 'c2', payload: 0 }, // an empty datagram counts a packet, 0 bytes
    ]);
    expect((await rows(file, { proto: 'udp' })).map(brief)).toEqual([
      '0 00.100000000 00.100400000 10.0.0.1:40001 192.0.2.53:53 udp 1 1 33 129 end-of-trace 0 00.310000000',
      '1 00.200000000 00.310000000 10.0.0.2:40002 192.0.2.53:53 udp 2 1 80 0 end-of-trace 0 00.310000000',
    ]);
    // The default (tcp) sees no connection in it.
    expect(await rows(file, {})).toEqual([]);
  });

  it('a long QUIC-like flow stays one flow while no gap reaches the timeout', async () => {
    // 600 datagrams over 299.5 s, one every 0.5 s, alternating 1200 B from the
    // client and 1350 B from the server; the default 60 s timeout never falls due.
    const list: Datagram[] = [];
    for (let i = 0; i < 600; i++) {
      const t = (i * 0.5).toFixed(1);
      list.push(i % 2 === 0 ? { t, from: 'c3', to: 'quic', payload: 1200 } : { t, from: 'quic', to: 'c3', payload: 1350 });
    }
    const file = capture('quic.pcap', list);
    expect((await rows(file, { proto: 'udp' })).map(brief)).toEqual([
      '0 00.000000000 99.500000000 10.0.0.3:40003 192.0.2.1:443 udp 300 300 360000 405000 end-of-trace 0 99.500000000',
    ]);
    expect((await rows(file, { proto: 'udp' }))[0].duration).toBe('299.500000000');
  });

  it('idle expiry at the exact instant: a gap of exactly the timeout starts a new flow, 1 ns less does not', async () => {
    const file = capture('expiry.pcap', [
      { t: '0', from: 'c1', to: 'dns', payload: 10 },
      { t: '10', from: 'dns', to: 'c1', payload: 20 }, // t − last = 10 ≥ 10: the first flow expired at 10
      { t: '19.999999999', from: 'c1', to: 'dns', payload: 30 }, // 9.999999999 after: same flow
      { t: '40', from: 'c2', to: 'dns', payload: 1 }, // moves the clock past the second flow's deadline (29.999999999)
    ]);
    expect((await rows(file, { proto: 'udp', udpTimeout: '10' })).map(brief)).toEqual([
      '0 00.000000000 00.000000000 10.0.0.1:40001 192.0.2.53:53 udp 1 0 10 0 idle 0 10.000000000',
      // The second flow's client is the sender of its first packet: the server side.
      '1 10.000000000 19.999999999 192.0.2.53:53 10.0.0.1:40001 udp 1 1 20 30 idle 0 29.999999999',
      '2 40.000000000 40.000000000 10.0.0.2:40002 192.0.2.53:53 udp 1 0 1 0 end-of-trace 0 40.000000000',
    ]);
    // The timeout off (tshark's view): one flow for the pair, to the end.
    expect((await rows(file, { proto: 'udp', udpTimeout: 0 })).map(brief)).toEqual([
      '0 00.000000000 19.999999999 10.0.0.1:40001 192.0.2.53:53 udp 2 1 40 20 end-of-trace 0 40.000000000',
      '1 40.000000000 40.000000000 10.0.0.2:40002 192.0.2.53:53 udp 1 0 1 0 end-of-trace 0 40.000000000',
    ]);
    // The TCP idle timeout does not apply to UDP flows.
    expect((await rows(file, { proto: 'udp', udpTimeout: 0, idleTimeout: '1' })).length).toBe(2);
  });

  it('a flow whose deadline is the last packet expires there as idle, not end-of-trace', async () => {
    const file = capture('expiry-at-end.pcap', [
      { t: '0', from: 'c1', to: 'dns', payload: 10 },
      { t: '5', from: 'c2', to: 'dns', payload: 10 },
    ]);
    // Both are active until the last packet at 5: flow 0's deadline (0 + 5) is that instant.
    expect((await rows(file, { proto: 'udp', udpTimeout: '5' })).map((r) => `${r.conn} ${r.close} ${r.active_until}`)).toEqual([
      '0 idle 1700000005.000000000',
      '1 end-of-trace 1700000005.000000000',
    ]);
  });

  it('both directions: the first sender is the client whichever port is higher', async () => {
    const file = capture('directions.pcap', [
      { t: '1', from: 'dns', to: 'c5', payload: 7 }, // an answer seen first (capture began mid-exchange)
      { t: '1.5', from: 'c5', to: 'dns', payload: 3 },
      { t: '2', from: 'c5', to: 'dns', payload: 4 },
    ]);
    expect((await rows(file, { proto: 'udp' })).map(brief)).toEqual([
      '0 01.000000000 02.000000000 192.0.2.53:53 10.0.0.5:40005 udp 1 2 7 7 end-of-trace 0 02.000000000',
    ]);
  });

  it('--proto both keeps TCP and UDP on the same endpoints apart and numbers them together', async () => {
    const file = capture(
      'mixed.pcap',
      [
        { t: '0.12', from: 'c1', to: 'web', payload: 50 },
        { t: '0.2', from: 'web', to: 'c1', payload: 70 },
        { t: '0.5', from: 'c1', to: 'web', payload: 5 },
      ],
      [
        { t: '0.1', from: 'c1', to: 'web', flags: 'S' },
        { t: '0.15', from: 'web', to: 'c1', flags: 'SA' },
        { t: '0.2', from: 'c1', to: 'web', flags: 'PA', payload: 100 },
        { t: '0.3', from: 'c1', to: 'web', flags: 'FA' },
        { t: '0.35', from: 'web', to: 'c1', flags: 'FA' },
        { t: '0.4', from: 'c1', to: 'web', flags: 'A' },
      ],
    );
    const tcpRow = '0 00.100000000 00.400000000 10.0.0.1:40001 192.0.2.1:80 tcp 4 2 100 0 fin 1 00.350000000';
    expect((await rows(file, { proto: 'both' })).map(brief)).toEqual([
      tcpRow,
      '1 00.120000000 00.500000000 10.0.0.1:40001 192.0.2.1:80 udp 2 1 55 70 end-of-trace 0 00.500000000',
    ]);
    expect((await rows(file, {})).map(brief)).toEqual([tcpRow]);
    expect((await rows(file, { proto: 'udp' })).map(brief)).toEqual([
      '0 00.120000000 00.500000000 10.0.0.1:40001 192.0.2.1:80 udp 2 1 55 70 end-of-trace 0 00.500000000',
    ]);
    const both = await runReplay([file], { proto: 'both', servers: 2, policy: ['round-robin'] });
    expect(both.summary.capture.bytes).toBe(100 + 125);
    const tcpOnly = await runReplay([file], { servers: 2, policy: ['round-robin'] });
    expect(tcpOnly.summary.capture.bytes).toBe(100);
  });

  it('a full table evicts the oldest last packet among TCP connections and UDP flows alike', async () => {
    const file = capture(
      'evict.pcap',
      [
        { t: '0.2', from: 'c2', to: 'dns', payload: 1 },
        { t: '0.3', from: 'c3', to: 'dns', payload: 1 }, // full: the TCP connection (last 0.1) leaves
      ],
      [
        { t: '0.1', from: 'c1', to: 'web', flags: 'S' },
        { t: '0.35', from: 'c1', to: 'web', flags: 'A' }, // a new connection; full: c2's flow (last 0.2) leaves
      ],
    );
    // Each evicted entry is active until the packet that pushed it out (0.3, 0.35); the others until the last packet, 0.35.
    expect(
      (await rows(file, { proto: 'both', maxConnections: 2 })).map((r) => `${r.conn} ${r.proto} ${r.client_addr} ${r.close} ${r.active_until}`),
    ).toEqual([
      '0 tcp 10.0.0.1 evicted 1700000000.300000000',
      '1 udp 10.0.0.2 evicted 1700000000.350000000',
      '2 udp 10.0.0.3 end-of-trace 1700000000.350000000',
      '3 tcp 10.0.0.1 end-of-trace 1700000000.350000000',
    ]);
  });
});

/**
 * Bitwise CRC-32 (IEEE 802.3, reflected 0xEDB88320), written here from its
 * definition so the hash assignments are derived independently of src/.
 */
function crc32(bytes: readonly number[]): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('UDP flows in the replay', () => {
  /**
   * Four flows, three servers, interval 0.5 s, --udp-timeout 1.95:
   *
   *   flow client          opens  packets (time: bytes direction)              leaves
   *   U0   c1 → dns        0.1    0.1: 40 c2s   0.15: 100 s2c                 idle at 2.1 (0.15 + 1.95)
   *   U1   c2 → dns        0.3    0.3: 50 c2s   0.35: 200 s2c                 idle at 2.3
   *   U2   c3 → quic       0.5    0.5, 1.5, 2.5, 3.5: 1200 c2s;
   *                               1.0, 2.0, 3.0, 4.0: 1350 s2c                end-of-trace (4.0)
   *   U3   c4 → dns        2.2    2.2: 60 c2s   2.25: 300 s2c                 end-of-trace (its deadline 4.2 is after 4.0)
   *
   * Samples at 0.6, 1.1, … 3.6 (4.1 is after the last packet). U0's expiry at
   * 2.1 is a sample instant: the sample comes first, so U0 still counts in it.
   *
   *   round-robin: k mod 3 → U0 0, U1 1, U2 2, U3 0.
   *   least-active: U0 [0,0,0]→0; U1 [1,0,0]→1; U2 [1,1,0]→2; U3 at 2.2, after
   *     U0's expiry at 2.1, [0,1,1]→0 (U1 leaves at 2.3). Same as round-robin.
   *   hash: CRC-32(10.0.0.k, port 40000 + k) mod 3 = 1 for k = 1 … 4.
   */
  const file = capture('dispatch.pcap', [
    { t: '0.1', from: 'c1', to: 'dns', payload: 40 },
    { t: '0.15', from: 'dns', to: 'c1', payload: 100 },
    { t: '0.3', from: 'c2', to: 'dns', payload: 50 },
    { t: '0.35', from: 'dns', to: 'c2', payload: 200 },
    { t: '0.5', from: 'c3', to: 'quic', payload: 1200 },
    { t: '1.0', from: 'quic', to: 'c3', payload: 1350 },
    { t: '1.5', from: 'c3', to: 'quic', payload: 1200 },
    { t: '2.0', from: 'quic', to: 'c3', payload: 1350 },
    { t: '2.2', from: 'c4', to: 'dns', payload: 60 },
    { t: '2.25', from: 'dns', to: 'c4', payload: 300 },
    { t: '2.5', from: 'c3', to: 'quic', payload: 1200 },
    { t: '3.0', from: 'quic', to: 'c3', payload: 1350 },
    { t: '3.5', from: 'c3', to: 'quic', payload: 1200 },
    { t: '4.0', from: 'quic', to: 'c3', payload: 1350 },
  ]);
  const POLICIES = ['round-robin', 'hash', 'least-active'] as const;
  const ASSIGNMENT: Record<(typeof POLICIES)[number], number[]> = {
    'round-robin': [0, 1, 2, 0],
    hash: [1, 1, 1, 1],
    'least-active': [0, 1, 2, 0],
  };
  // [instant, connections per server, bytes per server] for round-robin and least-active.
  const SPREAD: [string, number[], number[]][] = [
    ['0.6', [1, 1, 1], [140, 250, 1200]],
    ['1.1', [1, 1, 1], [0, 0, 1350]],
    ['1.6', [1, 1, 1], [0, 0, 1200]],
    ['2.1', [1, 1, 1], [0, 0, 1350]],
    ['2.6', [1, 0, 1], [360, 0, 1200]],
    ['3.1', [1, 0, 1], [0, 0, 1350]],
    ['3.6', [1, 0, 1], [0, 0, 1200]],
  ];
  const HASHED: [string, number[], number[]][] = [
    ['0.6', [0, 3, 0], [0, 1590, 0]],
    ['1.1', [0, 3, 0], [0, 1350, 0]],
    ['1.6', [0, 3, 0], [0, 1200, 0]],
    ['2.1', [0, 3, 0], [0, 1350, 0]],
    ['2.6', [0, 2, 0], [0, 1560, 0]],
    ['3.1', [0, 2, 0], [0, 1350, 0]],
    ['3.6', [0, 2, 0], [0, 1200, 0]],
  ];

  it('the stated hash assignments follow from CRC-32 of the client address and port', () => {
    for (let k = 1; k <= 4; k++) expect(crc32([10, 0, 0, k, (40_000 + k) >>> 8, (40_000 + k) & 0xff]) % 3, `c${k}`).toBe(ASSIGNMENT.hash[k - 1]);
  });

  it('dispatches each flow once, at its first packet, and samples its activity and bytes', async () => {
    let timeseries = '';
    let assignments = '';
    const run = await runReplay(
      [file],
      { proto: 'udp', udpTimeout: '1.95', servers: 3, policy: [...POLICIES], interval: '0.5' },
      { timeseries: (c) => (timeseries += c), assignments: (c) => (assignments += c) },
    );
    let want = 'conn,policy,server\n';
    for (let c = 0; c < 4; c++) for (const p of POLICIES) want += `${c},${p},${ASSIGNMENT[p][c]}\n`;
    expect(assignments).toBe(want);
    let ts = 'time,policy,server,connections,bytes\n';
    for (let i = 0; i < SPREAD.length; i++) {
      for (const p of POLICIES) {
        const [at, conns, bytes] = (p === 'hash' ? HASHED : SPREAD)[i];
        for (let s = 0; s < 3; s++) ts += `${DEFAULT_BASE_SEC + Math.floor(Number(at))}.${at.split('.')[1]}00000000,${p},${s},${conns[s]},${bytes[s]}\n`;
      }
    }
    expect(timeseries).toBe(ts);
    expect(run.summary.capture.connections_by_reason).toEqual({ idle: 2, 'end-of-trace': 2 });
    expect(run.summary.capture.bytes).toBe(40 + 100 + 50 + 200 + 4 * 1200 + 4 * 1350 + 60 + 300);
  });

  it('the CLI takes --proto and --udp-timeout (replay, connections) and refuses an unknown protocol', () => {
    const r = runCli(['connections', '--proto', 'udp', '--udp-timeout', '1.95', '-q', file]);
    expect(r.status).toBe(0);
    // conn, close, syn_seen, active_until: U0 and U1 until their deadlines (0.15 and 0.35 + 1.95), U2 and U3 until the last packet (4.0).
    expect(r.stdout.split('\n').slice(1, -1).map((l) => l.split(',').slice(0, 1).concat(l.split(',').slice(13)).join(' '))).toEqual([
      '0 idle 0 1700000002.100000000',
      '1 idle 0 1700000002.300000000',
      '2 end-of-trace 0 1700000004.000000000',
      '3 end-of-trace 0 1700000004.000000000',
    ]);
    const replay = runCli(['--proto', 'udp', '--udp-timeout', '1.95', '-n', '3', '-p', 'round-robin', '-q', file]);
    expect(replay.status).toBe(0);
    // Connections: (max − min)/mean = 3 at 0.6…2.1 ([1,1,1] → 0) … as SPREAD: 0 four times, (1−0)/(2/3) = 1.5 three times.
    expect(replay.stdout.split('\n').filter((l) => l.startsWith('connections,')).map((l) => l.split(',').slice(2, 5).join(' '))).toEqual(
      expect.arrayContaining(['0 0.01 4', '1.5 1.51 3']),
    );
    const bad = runCli(['connections', '--proto', 'quic', file]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^anycast-replay: .*--proto.*quic/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('nothing measured, by protocol (issue 8 wording for issue 12)', () => {
  it('names UDP flows when only UDP is replayed', async () => {
    const { nothingMeasuredReason } = await import('../../src/warnings.js');
    const base = { packets: 10, outsideWindow: 0, tcpPackets: 4, udpPackets: 0, connections: 0 };
    expect(nothingMeasuredReason({ ...base, proto: 'udp' })).toBe('nothing measured: none of the 10 packets is a usable UDP packet');
    expect(nothingMeasuredReason({ ...base, udpPackets: 3, proto: 'udp' })).toBe('nothing measured: no UDP flow in 3 UDP packets');
    expect(nothingMeasuredReason({ ...base, udpPackets: 3, proto: 'both' })).toBe(
      'nothing measured: no TCP connection or UDP flow in 7 TCP or UDP packets',
    );
    expect(nothingMeasuredReason({ ...base, proto: 'tcp' })).toBe('nothing measured: no TCP connection in 4 TCP packets');
  });
});
