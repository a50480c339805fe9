/**
 * `connections` end to end (issue 4): what the rows take from the capture —
 * IPv6 extension headers, IP fragments, header-only frames, exact epoch
 * times years apart, the `--from/--to` window and gzip input (SPEC §1–§3).
 * Columns as in connections-state.test.ts; every expected row is worked out
 * by hand.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTcpFrame, type Ipv6ExtensionSpec } from '../../src/synth/frames.js';
import {
  C1,
  C2,
  S1,
  captureBytes,
  makeTempDir,
  rawFrame,
  removeDir,
  runRows,
  tcp,
  writeCapture,
  type Endpoint,
  type FrameOptions,
  type ScenarioRecord,
} from './connections-helpers.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  removeDir(dir);
});

describe('decoding', () => {
  it('ipv6-extension-headers: RFC 5952 addresses, payload from the headers past hop-by-hop, destination options and AH', async () => {
    // The client's zero runs tie (groups 3–4 and 6–7): the first becomes '::'.
    const client: Endpoint = { addr: '2001:0db8:0000:0000:0001:0000:0000:0001', port: 49152 };
    const server: Endpoint = { addr: '2001:DB8::80', port: 443 };
    // 8 + 16 + 24 = 48 bytes of extension headers in every packet.
    const ipv6Ext: Ipv6ExtensionSpec[] = [
      { type: 'hop-by-hop', length: 8 },
      { type: 'destination', length: 16 },
      { type: 'ah', length: 24 },
    ];
    const frame: FrameOptions = { ipv6Ext };
    const file = writeCapture(dir, 'ipv6-extension-headers.pcap', [
      tcp('0', client, server, 'S', { seq: 1000, frame }),
      tcp('0.01', server, client, 'SA', { seq: 5000, ack: 1001, frame }),
      tcp('0.02', client, server, 'A', { seq: 1001, ack: 5001, frame }),
      tcp('0.03', client, server, 'PA', { seq: 1001, ack: 5001, payload: 100, frame }),
      tcp('0.04', server, client, 'PA', { seq: 5001, ack: 1101, payload: 1000, frame }),
      tcp('0.05', client, server, 'FA', { seq: 1101, ack: 6001, frame }),
      tcp('0.06', server, client, 'FA', { seq: 6001, ack: 1102, frame }),
      tcp('0.07', client, server, 'A', { seq: 1102, ack: 6002, frame }),
    ]);
    const { rows, result } = await runRows([file]);
    // active_until: the server's FIN at 0.06 (the second FIN), before the final ACK at 0.07.
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.070000000,0.070000000,2001:db8::1:0:0:1,49152,2001:db8::80,443,tcp,5,3,100,1000,fin,1,1700000000.060000000',
    ]);
    expect(result.stats.skippedByName()).toEqual({});
  });

  it('ipv4-fragments: a first fragment\'s payload counts (oracle rule first-fragment-payload); later fragments count nowhere', async () => {
    // Fragments of one 1504-byte TCP segment (id 7): the first carries the TCP
    // header and 1004 payload bytes (IP length 1044, MF); the second, at
    // offset 1024, is read last of all. Its bytes are built as a TCP header
    // for ports 1234 → 4321, so decoding it as TCP would open a connection.
    const tail = buildTcpFrame({
      src: C1.addr,
      dst: S1.addr,
      srcPort: 1234,
      dstPort: 4321,
      payloadLength: 460,
      id: 7,
      fragmentOffset: 1024,
    });
    const records: ScenarioRecord[] = [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.02', C1, S1, 'A', { seq: 1001, ack: 5001 }),
      tcp('0.1', C1, S1, 'PA', { seq: 1001, ack: 5001, payload: 1004, frame: { id: 7, moreFragments: true } }),
      rawFrame('0.2', tail),
      tcp('0.3', S1, C1, 'A', { seq: 5001, ack: 2505 }),
      rawFrame('0.4', tail),
    ];
    const file = writeCapture(dir, 'ipv4-fragments.pcap', records);
    const { rows, result } = await runRows([file]);
    // The last record (a later fragment at 0.4) moves the clock but not the
    // connection's last time; the capture ends there, so end-of-trace's
    // active_until is 0.4.
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.300000000,0.300000000,10.0.0.1,40001,192.0.2.1,80,tcp,3,2,1004,0,end-of-trace,1,1700000000.400000000',
    ]);
    expect(result.connections).toBe(1);
    expect(result.stats.packets).toBe(7);
    expect(result.stats.skippedByName()).toEqual({ 'non-first-fragment': 2 });
  });

  it('header-only-frames: snaplen 68 gives the same rows as whole frames, IPv4 and IPv6', async () => {
    const v6Client: Endpoint = { addr: '2001:db8::1', port: 49153 };
    const v6Server: Endpoint = { addr: '2001:db8::80', port: 443 };
    const records = (frame: FrameOptions): ScenarioRecord[] => [
      tcp('0', C1, S1, 'S', { seq: 1000, frame }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001, frame }),
      tcp('0.02', C1, S1, 'PA', { seq: 1001, ack: 5001, payload: 500, frame }),
      tcp('0.03', S1, C1, 'A', { seq: 5001, ack: 1501, payload: 1460, frame }),
      tcp('0.04', S1, C1, 'A', { seq: 6461, ack: 1501, payload: 1460, frame }),
      tcp('0.05', S1, C1, 'PA', { seq: 7921, ack: 1501, payload: 700, frame }),
      tcp('0.06', C1, S1, 'FA', { seq: 1501, ack: 8621, frame }),
      tcp('0.07', S1, C1, 'FA', { seq: 8621, ack: 1502, frame }),
      tcp('0.08', C1, S1, 'A', { seq: 1502, ack: 8622, frame }),
      tcp('0.1', v6Client, v6Server, 'S', { seq: 1000, frame }),
      tcp('0.11', v6Server, v6Client, 'SA', { seq: 5000, ack: 1001, frame }),
      tcp('0.12', v6Client, v6Server, 'PA', { seq: 1001, ack: 5001, payload: 300, frame }),
      tcp('0.13', v6Server, v6Client, 'A', { seq: 5001, ack: 1301, payload: 1440, frame }),
      tcp('0.14', v6Client, v6Server, 'R', { seq: 1301, frame }),
    ];
    const whole = writeCapture(dir, 'whole-frames.pcap', records({}));
    const cut = writeCapture(dir, 'header-only-frames.pcap', records({ snaplen: 68 }), { snaplen: 68 });
    // active_until: the server's FIN at 0.07 (the last ACK at 0.08 is later); the RST at 0.14.
    const expected = [
      '0,1700000000.000000000,1700000000.080000000,0.080000000,10.0.0.1,40001,192.0.2.1,80,tcp,4,5,500,3620,fin,1,1700000000.070000000',
      '1,1700000000.100000000,1700000000.140000000,0.040000000,2001:db8::1,49153,2001:db8::80,443,tcp,3,2,300,1440,rst,1,1700000000.140000000',
    ];
    const fromWhole = await runRows([whole]);
    const fromCut = await runRows([cut]);
    expect(fromWhole.rows).toEqual(expected);
    expect(fromCut.rows).toEqual(expected);
    // The cut capture really is cut: no frame over 68 bytes, same wire lengths.
    expect(fromCut.result.stats.bytesCaptured).toBeLessThanOrEqual(68 * 14);
    expect(fromCut.result.stats.bytesOriginal).toBe(fromWhole.result.stats.bytesOriginal);
    expect(fromCut.result.stats.skippedByName()).toEqual({});
  });
});

describe('time', () => {
  // 5 × 365 days + 1 leap day after the base, plus 1 ns: 1857766400.000000001.
  const FAR = '157766400.000000001';
  const farRecords = (): ScenarioRecord[] => [
    tcp('0', C1, S1, 'PA', { payload: 1 }),
    tcp(FAR, S1, C1, 'PA', { payload: 2 }),
    tcp('157766400.000000002', C2, S1, 'S', { seq: 2000 }),
    tcp('157766400.000000003', S1, C2, 'SA', { seq: 6000, ack: 2001 }),
  ];

  it('years-apart: exact epoch text and durations to the nanosecond', async () => {
    const file = writeCapture(dir, 'years-apart.pcap', farRecords());
    const { rows, result } = await runRows([file], { idleTimeout: 0 });
    // Both still open at the last packet (157766400.000000003): active_until.
    expect(rows).toEqual([
      '0,1700000000.000000000,1857766400.000000001,157766400.000000001,10.0.0.1,40001,192.0.2.1,80,tcp,1,1,1,2,end-of-trace,0,1857766400.000000003',
      '1,1857766400.000000002,1857766400.000000003,0.000000001,10.0.0.2,40002,192.0.2.1,80,tcp,1,1,0,0,end-of-trace,1,1857766400.000000003',
    ]);
    // The jump of more than a day is a warning, not an error (SPEC §1).
    expect(result.stats.warnings).toHaveLength(1);
  });

  it('years-apart-idle: the 300 s idle expiry happens at its instant, the far packet opens a new connection', async () => {
    const file = writeCapture(dir, 'years-apart-idle.pcap', farRecords());
    const { rows } = await runRows([file]);
    // Conn 0 is active until its deadline, 0 + 300 s; the others until the last packet.
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,1,0,idle,0,1700000300.000000000',
      '1,1857766400.000000001,1857766400.000000001,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,0,1,0,2,end-of-trace,0,1857766400.000000003',
      '2,1857766400.000000002,1857766400.000000003,0.000000001,10.0.0.2,40002,192.0.2.1,80,tcp,1,1,0,0,end-of-trace,1,1857766400.000000003',
    ]);
  });

  describe('from-to-window', () => {
    // The first record is 0.25 s after the base second, so the window counts
    // from it, not from the second: --from 1 --to 2.5 keeps [1.25, 2.75).
    const records = (): ScenarioRecord[] => [
      tcp('0.25', C1, S1, 'S', { seq: 1000 }),
      tcp('0.75', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('1.25', S1, C1, 'PA', { seq: 5001, ack: 1001, payload: 20 }),
      tcp('1.75', C2, S1, 'S', { seq: 2000 }),
      tcp('2.25', C1, S1, 'PA', { seq: 1001, ack: 5021, payload: 10 }),
      tcp('2.75', S1, C2, 'SA', { seq: 6000, ack: 2001 }),
      tcp('3.25', C1, S1, 'FA', { seq: 1011, ack: 5021 }),
    ];

    it('keeps only the records in [first + from, first + to); a connection crossing the start is seen mid-stream', async () => {
      const file = writeCapture(dir, 'from-to-window.pcap', records());
      const { rows, result } = await runRows([file], { from: '1', to: '2.5' });
      // C1's first kept packet comes from the server: the client is still the
      // higher port, and syn_seen is 0. Both end at the window's last record (2.25).
      expect(rows).toEqual([
        '0,1700000001.250000000,1700000002.250000000,1.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,1,10,20,end-of-trace,0,1700000002.250000000',
        '1,1700000001.750000000,1700000001.750000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,0,0,end-of-trace,1,1700000002.250000000',
      ]);
      expect(result.stats.packets).toBe(3);
    });

    it('--to alone: connections end at the window\'s last record', async () => {
      const file = writeCapture(dir, 'to-window.pcap', records());
      const { rows } = await runRows([file], { to: '1' });
      expect(rows).toEqual([
        '0,1700000000.250000000,1700000000.750000000,0.500000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,1,0,0,end-of-trace,1,1700000000.750000000',
      ]);
    });
  });
});

describe('gzip input', () => {
  it('a gzip of a capture gives the same rows as the plain file', async () => {
    const records: ScenarioRecord[] = [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.02', C1, S1, 'PA', { seq: 1001, ack: 5001, payload: 100 }),
      tcp('0.03', S1, C1, 'PA', { seq: 5001, ack: 1101, payload: 200 }),
      tcp('0.5', C2, S1, 'PA', { payload: 7 }),
      tcp('2', C1, S1, 'S', { seq: 90000 }),
    ];
    const plain = writeCapture(dir, 'port-reuse.pcap', records);
    // The format comes from the first bytes, not the name: no .gz suffix.
    const gzipped = writeCapture(dir, 'port-reuse-gzip.pcap', records, { gzip: true });
    expect(fs.readFileSync(gzipped).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(fs.readFileSync(plain)).toEqual(captureBytes(records));
    const fromPlain = await runRows([plain]);
    const fromGzip = await runRows([gzipped]);
    // Conn 0 is active until C1's new SYN at 2 (port reuse), past its last
    // packet at 0.03; the others until the last packet, that SYN.
    expect(fromPlain.rows).toEqual([
      '0,1700000000.000000000,1700000000.030000000,0.030000000,10.0.0.1,40001,192.0.2.1,80,tcp,2,2,100,200,port-reuse,1,1700000002.000000000',
      '1,1700000000.500000000,1700000000.500000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,7,0,end-of-trace,0,1700000002.000000000',
      '2,1700000002.000000000,1700000002.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,0,0,end-of-trace,1,1700000002.000000000',
    ]);
    expect(fromGzip.rows).toEqual(fromPlain.rows);

    // Rotated captures (tcpdump -C): the same records cut into two files, one
    // of them gzip-compressed, read as one capture in the order given.
    const part1 = writeCapture(dir, 'part1.pcap', records.slice(0, 3));
    const part2 = writeCapture(dir, 'part2.pcap.gz', records.slice(3), { gzip: true });
    const fromParts = await runRows([part1, part2]);
    expect(fromParts.rows).toEqual(fromPlain.rows);
  });
});
