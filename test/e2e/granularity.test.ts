/**
 * Per-packet routing (issue 11 item 3): `--granularity packet` routes every
 * packet on its own. A hand-computed capture of three connections and eight
 * packets, N = 2, interval 0.4 s (samples at 0.5, 0.9 and 1.3 s after the
 * first packet, each before the packets of its instant):
 *
 *   #  t    conn  dir  payload  round-robin (k mod 2)  hash (CRC-32 of the source address and port, mod 2)
 *   1  0.1  A     c2s  0        0                      c1 10.0.0.1:40001 → 0
 *   2  0.2  A     s2c  0        1                      s1 192.0.2.1:80   → 1
 *   3  0.3  A     c2s  100      0                      0
 *   4  0.5  B     c2s  0        1                      c2 10.0.0.2:40002 → 1
 *   5  0.6  B     s2c  0        0                      1
 *   6  1.1  B     c2s  50       1                      1
 *   7  1.2  C     c2s  0        0                      c3 10.0.0.3:40003 → 0
 *   8  1.4  A     s2c  200      1                      1
 *
 * (CRC-32 values: c1 3451149538, s1 1619676255, c2 1459335937, c3 540993952,
 * computed with zlib.crc32 independently of the project.)
 *
 * round-robin: A's first server 0, packets 2 and 8 elsewhere; B's first 1,
 * packet 5 elsewhere; C one packet. Split 2 of 3, misrouted 3 of 8.
 * hash: A's replies go to 1 (2 misrouted); B stays on 1. Split 1 of 3,
 * misrouted 2 of 8.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tempDir, writeScenario, type ScenarioPacket } from '../helpers/scenario.js';

const PACKETS: ScenarioPacket[] = [
  { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
  { t: '0.2', from: 's1', to: 'c1', flags: 'SA' },
  { t: '0.3', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
  { t: '0.5', from: 'c2', to: 's1', flags: 'S' },
  { t: '0.6', from: 's1', to: 'c2', flags: 'SA' },
  { t: '1.1', from: 'c2', to: 's1', flags: 'PA', payload: 50 },
  { t: '1.2', from: 'c3', to: 's1', flags: 'S' },
  { t: '1.4', from: 's1', to: 'c1', flags: 'PA', payload: 200 },
];

let dir = '';
let capture = '';

beforeAll(() => {
  dir = tempDir('anycast-replay-granularity-');
  capture = writeScenario(dir, 'three.pcap', PACKETS);
});

function run(args: readonly string[]) {
  return runCli([capture, '-n', '2', '--interval', '0.4', '--bin-width', '0.01', ...args]);
}

describe('--granularity packet', () => {
  it('routes each packet, counts split connections and misrouted packets, and samples packets per interval', () => {
    const summaryFile = path.join(dir, 'packet.json');
    const seriesFile = path.join(dir, 'packet-series.csv');
    const r = run(['--policy', 'round-robin,hash', '--granularity', 'packet', '--summary-json', summaryFile, '--timeseries', seriesFile]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    expect(summary.replay.granularity).toBe('packet');
    expect(summary.replay.connections_replayed).toBe(3);
    const [rr, hash] = summary.policies;
    expect([rr.split_connections, rr.split_share, rr.misrouted_packets, rr.misrouted_share]).toEqual([2, '0.666667', 3, '0.375000']);
    expect([hash.split_connections, hash.split_share, hash.misrouted_packets, hash.misrouted_share]).toEqual([1, '0.333333', 2, '0.250000']);
    // per_server: connections on their first packet's server (A 0, B 1, C 0), all bytes where their packets went.
    expect(rr.per_server).toEqual([
      { server: 0, connections: 2, bytes: 100 },
      { server: 1, connections: 1, bytes: 250 },
    ]);
    expect(hash.per_server).toEqual([
      { server: 0, connections: 2, bytes: 100 },
      { server: 1, connections: 1, bytes: 250 },
    ]);
    // Packets and bytes of each interval [0.1, 0.5), [0.5, 0.9), [0.9, 1.3); packet 8 comes after the last sample.
    const t = (s: string) => `17000000${s}`;
    expect(fs.readFileSync(seriesFile, 'utf8')).toBe(
      [
        'time,policy,server,packets,bytes',
        `${t('00.500000000')},round-robin,0,2,100`,
        `${t('00.500000000')},round-robin,1,1,0`,
        `${t('00.500000000')},hash,0,2,100`,
        `${t('00.500000000')},hash,1,1,0`,
        `${t('00.900000000')},round-robin,0,1,0`,
        `${t('00.900000000')},round-robin,1,1,0`,
        `${t('00.900000000')},hash,0,0,0`,
        `${t('00.900000000')},hash,1,2,0`,
        `${t('01.300000000')},round-robin,0,1,0`,
        `${t('01.300000000')},round-robin,1,1,50`,
        `${t('01.300000000')},hash,0,1,0`,
        `${t('01.300000000')},hash,1,1,50`,
        '',
      ].join('\n'),
    );
    // Imbalance (max − min)/mean: packets rr 2/3, 0, 0 and hash 2/3, 2, 0; bytes 2, idle, 2 for both.
    expect(rr.connections).toMatchObject({ samples: 3, idle_samples: 0, mean_imbalance: '0.222222', max_imbalance: '0.666667' });
    expect(hash.connections).toMatchObject({ samples: 3, idle_samples: 0, mean_imbalance: '0.888889', max_imbalance: '2.000000' });
    expect(rr.bytes).toMatchObject({ samples: 3, idle_samples: 1, mean_imbalance: '2.000000', max_imbalance: '2.000000' });
    // The CSV names the first load `packets`.
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf');
    expect(lines.filter((l) => l.startsWith('connections,'))).toEqual([]);
    expect(lines).toContain('packets,round-robin,0,0.01,2,0.666666666667,66.666666666667,0.666666666667');
    expect(lines).toContain('packets,round-robin,0.66,0.67,1,0.333333333333,33.333333333333,1');
    expect(lines).toContain('packets,hash,2,2.01,1,0.333333333333,33.333333333333,1');
    expect(lines).toContain('bytes,hash,2,2.01,2,1,100,1');
    expect(r.stderr).toContain('granularity: packet');
    expect(r.stderr).toMatch(/round-robin\s+2\s+0\.666667\s+3\s+0\.375000/);
  });

  it('routes with the catalogue: modulo as hash, weighted-round-robin with equal weights as round-robin', () => {
    const summaryFile = path.join(dir, 'catalogue.json');
    const r = run(['--policy', 'modulo,weighted-round-robin', '--granularity', 'packet', '--summary-json', summaryFile]);
    expect(r.status, r.stderr).toBe(0);
    const [modulo, wrr] = JSON.parse(fs.readFileSync(summaryFile, 'utf8')).policies;
    expect([modulo.split_connections, modulo.split_share, modulo.misrouted_packets, modulo.misrouted_share]).toEqual([1, '0.333333', 2, '0.250000']);
    expect([wrr.split_connections, wrr.split_share, wrr.misrouted_packets, wrr.misrouted_share]).toEqual([2, '0.666667', 3, '0.375000']);
  });

  it('routes only the counted direction with --direction', () => {
    const summaryFile = path.join(dir, 'c2s.json');
    const r = run(['--policy', 'round-robin', '--granularity', 'packet', '--direction', 'c2s', '--summary-json', summaryFile]);
    expect(r.status, r.stderr).toBe(0);
    // c2s packets 1, 3, 4, 6, 7 → 0, 1, 0, 1, 0: A split (1 misrouted), B on 0 then 1 (1 misrouted).
    const p = JSON.parse(fs.readFileSync(summaryFile, 'utf8')).policies[0];
    expect([p.split_connections, p.split_share, p.misrouted_packets, p.misrouted_share]).toEqual([2, '0.666667', 2, '0.400000']);
  });
});

describe('--granularity connection (the default)', () => {
  it('leaves the outputs as they were and reports zero shares', () => {
    const summaryFile = path.join(dir, 'default.json');
    const seriesFile = path.join(dir, 'default-series.csv');
    const plain = run(['--policy', 'round-robin,hash', '--summary-json', summaryFile, '--timeseries', seriesFile]);
    expect(plain.status, plain.stderr).toBe(0);
    const explicit = run(['--policy', 'round-robin,hash', '--granularity', 'connection']);
    expect(explicit.status, explicit.stderr).toBe(0);
    expect(explicit.stdout).toBe(plain.stdout);
    expect(plain.stdout.split('\n').some((l) => l.startsWith('connections,round-robin,'))).toBe(true);
    expect(plain.stdout).not.toContain('packets,');
    expect(plain.stderr).not.toContain('granularity');
    expect(fs.readFileSync(seriesFile, 'utf8').split('\n')[0]).toBe('time,policy,server,connections,bytes');
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    expect(summary.replay.granularity).toBe('connection');
    for (const p of summary.policies) {
      expect([p.split_connections, p.split_share, p.misrouted_packets, p.misrouted_share]).toEqual([0, '0.000000', 0, '0.000000']);
    }
  });
});

describe('refused combinations', () => {
  const HINT = 'choose --policy among round-robin, random, hash, weighted-round-robin, weighted-random and the hash schemes (see --help)';
  const refused: [string, string[], string][] = [
    [
      'the default policies (least-active keeps state)',
      ['--granularity', 'packet'],
      `option --granularity: packet cannot run least-active, which counts active connections per server; ${HINT}`,
    ],
    [
      'p2c and bounded-load',
      ['--granularity', 'packet', '--policy', 'hash,p2c,bounded-load'],
      `option --granularity: packet cannot run p2c, bounded-load, which count active connections per server; ${HINT}`,
    ],
    [
      'server changes',
      ['--granularity', 'packet', '--policy', 'hash', '--event', '1:remove:0'],
      'option --granularity: packet cannot run with --event: server changes count the connections on each server (see --help)',
    ],
    [
      '--assignments',
      ['--granularity', 'packet', '--policy', 'hash', '--assignments', 'ASSIGN'],
      '--assignments writes one server per connection: it needs --granularity connection (see --help)',
    ],
    [
      'an unknown granularity',
      ['--granularity', 'flow', '--policy', 'hash'],
      "option '--granularity <g>' argument 'flow' is invalid. Allowed choices are connection, packet. (see --help)",
    ],
  ];
  for (const [what, args, message] of refused) {
    it(`exits 2 for ${what}`, () => {
      const assignments = path.join(dir, 'assign.csv');
      const r = run(args.map((a) => (a === 'ASSIGN' ? assignments : a)));
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`anycast-replay: ${message}\n`);
      expect(r.stdout).toBe('');
      expect(fs.existsSync(assignments)).toBe(false);
    });
  }

  it('exits 2 under batch, which has no such option', () => {
    const r = runCli(['batch', capture, '--granularity', 'packet']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/granularity/);
  });
});
