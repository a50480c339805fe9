/**
 * Issue 8 item 8: two decoding rules real captures outside the shared corpus
 * needed (SPEC §2).
 *
 * 1. An IP length larger than the frame's original length minus its link
 *    header is capped to it; the captured length never caps (header-only
 *    captures keep the header's sizes).
 * 2. A link-type-9 (PPP) frame that starts with 0x0f or 0x8f is Cisco HDLC.
 *
 * Each rule is pinned by hand-computed numbers and, when tshark is installed,
 * by a capture written with our own writer and read by tshark.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LINKTYPE_C_HDLC,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_PPP,
  LINKTYPE_RAW,
} from '../../src/decode/link-types.js';
import { MemorySink, PcapWriter } from '../../src/reader/writer.js';
import {
  buildIpPacket,
  buildTcpSegment,
  wrapIpPacket,
  type BuiltFrame,
  type LinkOptions,
  type TcpSpec,
} from '../../src/synth/frames.js';
import { decodeFrame, hex } from './helpers.js';

const TCP: TcpSpec = { srcPort: 40001, dstPort: 443, seq: 11, ack: 22, flags: 0x18 };
const V4 = { src: '10.0.0.1', dst: '10.0.0.2' };
const V6 = { src: '2001:db8::1', dst: '2001:db8::2' };

/**
 * A TCP frame carrying `payload` bytes whose IP length field (IPv4 total
 * length, IPv6 payload length) claims `claimed` bytes, cut to `snaplen`
 * captured bytes when given. Its original length is the bytes it really has.
 */
function claiming(
  addresses: { src: string; dst: string },
  payload: number,
  claimed: number | undefined,
  link: LinkOptions = {},
): BuiltFrame {
  const segment = buildTcpSegment({ ...TCP, payloadLength: payload });
  const ip = buildIpPacket(addresses.src, addresses.dst, 6, segment, claimed === undefined ? {} : { ipLengthField: claimed });
  return wrapIpPacket(ip, link);
}

/** A link-type-9 frame in Cisco HDLC framing (address `address`, control 0, ethertype). */
function pppAsChdlc(address: number, addresses: { src: string; dst: string }, payload: number, claimed?: number): BuiltFrame {
  const frame = claiming(addresses, payload, claimed, { linkType: LINKTYPE_C_HDLC });
  const data = frame.data.slice();
  data[0] = address;
  return { linkType: LINKTYPE_PPP, data, originalLength: frame.originalLength };
}

/** An IPv4 frame claiming 40 bytes (20 + a 20-byte TCP header) of which only `tcpBytes` of TCP were on the wire. */
function cutOnTheWire(tcpBytes: number): BuiltFrame {
  const segment = buildTcpSegment(TCP).subarray(0, tcpBytes);
  return wrapIpPacket(buildIpPacket(V4.src, V4.dst, 6, segment, { ipLengthField: 40 }));
}

describe('the original length caps the IP length (SPEC §2)', () => {
  it('SPEC example: an IPv4 header claiming 79 bytes where the frame held 75 after its link header counts 75', () => {
    // 75 = 20 (IPv4) + 20 (TCP) + 35 payload bytes; the Ethernet frame is 14 + 75 = 89 bytes.
    const frame = claiming(V4, 35, 79);
    expect(frame.originalLength).toBe(89);
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, srcPort: 40001, dstPort: 443, payloadLength: 35 });
  });

  it('the captured length never caps: a header-only capture of the same frame gives the same 35', () => {
    const frame = claiming(V4, 35, 79, { snaplen: 68 });
    expect(frame.data.length).toBe(68);
    expect(frame.originalLength).toBe(89);
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', payloadLength: 35 });
  });

  it('an honest header in a header-only capture keeps its full length (no cap from the snaplen)', () => {
    const frame = claiming(V4, 1400, undefined, { snaplen: 54 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', payloadLength: 1400 });
  });

  it('a total length shorter than the frame is kept (the rest is link padding)', () => {
    // 6 payload bytes claimed by the header, 20 on the wire: tshark's tcp.len is 6.
    const frame = claiming(V4, 20, 46);
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', payloadLength: 6 });
  });

  it('IPv6: a payload length past the frame is capped to the bytes after the fixed header', () => {
    // 40 (IPv6) + 20 (TCP) + 50 = 110 bytes after Ethernet; the header claims 1000.
    const frame = claiming(V6, 50, 1000);
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 50 });
    expect(decodeFrame(claiming(V6, 50, 1000, { snaplen: 74 }))).toMatchObject({ skip: 'none', payloadLength: 50 });
  });

  it.each([
    ['raw IP', { linkType: LINKTYPE_RAW }],
    ['BSD null', { linkType: LINKTYPE_NULL }],
    ['Linux SLL', { linkType: LINKTYPE_LINUX_SLL }],
    ['Linux SLL2', { linkType: LINKTYPE_LINUX_SLL2 }],
    ['Cisco HDLC', { linkType: LINKTYPE_C_HDLC }],
    ['PPP', { linkType: LINKTYPE_PPP }],
    ['802.1Q + QinQ', { serviceVlan: 3, vlan: [4] }],
    ['MPLS', { mpls: [16, 17] }],
    ['PPPoE', { pppoeSession: 9 }],
  ] as [string, LinkOptions][])('%s: the cap is what follows the link header, whatever its size', (_name, link) => {
    expect(decodeFrame(claiming(V4, 35, 1500, link))).toMatchObject({ skip: 'none', payloadLength: 35 });
    expect(decodeFrame(claiming(V6, 35, 1500, link))).toMatchObject({ skip: 'none', payloadLength: 35 });
  });

  it('a cap that leaves less than the TCP header: still TCP, but a bad TCP header', () => {
    // The frame on the wire held 20 + 16 bytes: the 14 bytes the tracker reads are there, the 20-byte header is not.
    const frame = cutOnTheWire(16);
    expect(decodeFrame(frame)).toMatchObject({ isTcp: true, srcPort: 40001, dstPort: 443, skip: 'bad-tcp-header', payloadLength: 0 });
  });

  it('TSO (total length 0) is unchanged: the original length gives the IP length', () => {
    const segment = buildTcpSegment({ ...TCP, payloadLength: 9000 });
    const frame = wrapIpPacket(buildIpPacket(V4.src, V4.dst, 6, segment, { tso: true }), { snaplen: 96 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', tso: true, payloadLength: 9000 });
  });
});

describe('PPP (link type 9) frames that start with a Cisco HDLC address', () => {
  it.each([
    [0x0f, V4],
    [0x8f, V4],
    [0x0f, V6],
    [0x8f, V6],
  ])('address 0x%s: read as Cisco HDLC', (address, addresses) => {
    const d = decodeFrame(pppAsChdlc(address, addresses, 120));
    expect(d).toMatchObject({ skip: 'none', isTcp: true, ipVersion: addresses === V4 ? 4 : 6, srcPort: 40001, dstPort: 443, seq: 11, ack: 22, payloadLength: 120 });
  });

  it('fixture: 0f 00 08 00 then IPv4', () => {
    const frame = hex`
      0f          # Cisco HDLC address: unicast (not a PPP protocol byte)
      00          # control
      08 00       # ethertype IPv4
      45 00 00 28 # IPv4, IHL 5, total length 40
      00 01 00 00 40 06 00 00
      0a 00 00 01 # 10.0.0.1
      0a 00 00 02 # 10.0.0.2
      9c 41 01 bb # ports 40001 → 443
      00 00 00 0b # seq 11
      00 00 00 16 # ack 22
      50 18 ff ff # data offset 5, PSH+ACK, window
      00 00 00 00 # checksum, urgent pointer
    `;
    const d = decodeFrame({ linkType: LINKTYPE_PPP, data: frame, originalLength: frame.length });
    expect(d).toMatchObject({ skip: 'none', isTcp: true, srcPort: 40001, dstPort: 443, tcpFlags: 0x18, payloadLength: 0 });
  });

  it('a Cisco SLARP keepalive on link type 9 is not IP; a cut Cisco header is a truncated link', () => {
    const slarp = hex('8f 00 80 35 00 00 00 02 00 00 00 01 00 00 00 00 ff ff');
    expect(decodeFrame({ linkType: LINKTYPE_PPP, data: slarp, originalLength: slarp.length })).toMatchObject({ skip: 'not-ip', isTcp: false });
    const cut = hex('0f 00 08');
    expect(decodeFrame({ linkType: LINKTYPE_PPP, data: cut, originalLength: 3 })).toMatchObject({ skip: 'truncated-link' });
  });

  it('other PPP frames are unchanged: with and without ff 03', () => {
    expect(decodeFrame(claiming(V4, 7, undefined, { linkType: LINKTYPE_PPP }))).toMatchObject({ skip: 'none', payloadLength: 7 });
    expect(decodeFrame(claiming(V6, 7, undefined, { linkType: LINKTYPE_PPP, pppAddressControl: false }))).toMatchObject({ skip: 'none', payloadLength: 7 });
  });

  it('the wire cap applies inside Cisco framing on link type 9 too', () => {
    expect(decodeFrame(pppAsChdlc(0x0f, V4, 35, 79))).toMatchObject({ skip: 'none', payloadLength: 35 });
  });
});

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tsharkInstalled = hasTshark();
if (!tsharkInstalled) console.warn('test/decode/wire-length.test.ts: tshark not found on PATH, skipping the tshark comparison');

/** Frames compared with tshark, one capture per link type. */
const TSHARK_CASES: [string, BuiltFrame][] = [
  ['IPv4 claims 79, 75 on the wire', claiming(V4, 35, 79)],
  ['IPv4 claims 79, 75 on the wire, snaplen 68', claiming(V4, 35, 79, { snaplen: 68 })],
  ['IPv4 claims 1500, 75 on the wire, snaplen 54', claiming(V4, 35, 1500, { snaplen: 54 })],
  ['IPv4 honest, snaplen 54', claiming(V4, 1400, undefined, { snaplen: 54 })],
  ['IPv4 shorter than the frame', claiming(V4, 20, 46)],
  ['IPv6 claims 1000', claiming(V6, 50, 1000)],
  ['IPv6 claims 1000, snaplen 74', claiming(V6, 50, 1000, { snaplen: 74 })],
  ['VLAN, IPv4 claims 1500', claiming(V4, 35, 1500, { vlan: [5] })],
  ['PPPoE, IPv6 claims 1500', claiming(V6, 35, 1500, { pppoeSession: 9 })],
  ['raw, IPv4 claims 1500', claiming(V4, 35, 1500, { linkType: LINKTYPE_RAW })],
  ['raw, IPv6 claims 1500', claiming(V6, 35, 1500, { linkType: LINKTYPE_RAW })],
  ['IPv4 claims 40, 16 bytes of TCP on the wire', cutOnTheWire(16)],
  ['SLL, IPv4 claims 600', claiming(V4, 100, 600, { linkType: LINKTYPE_LINUX_SLL })],
  ['PPP 0x0f, IPv4', pppAsChdlc(0x0f, V4, 120)],
  ['PPP 0x8f, IPv4', pppAsChdlc(0x8f, V4, 121)],
  ['PPP 0x0f, IPv6', pppAsChdlc(0x0f, V6, 122)],
  ['PPP 0x8f, IPv6', pppAsChdlc(0x8f, V6, 123)],
  ['PPP 0x0f, IPv4 claims 79', pppAsChdlc(0x0f, V4, 35, 79)],
  ['PPP ff 03, IPv4', claiming(V4, 124, undefined, { linkType: LINKTYPE_PPP })],
  ['PPP no ff 03, IPv6', claiming(V6, 125, undefined, { linkType: LINKTYPE_PPP, pppAddressControl: false })],
];

describe.skipIf(!tsharkInstalled)('agreement with tshark (payload length and ports)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'decode-wire-length-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const byLinkType = new Map<number, [string, BuiltFrame][]>();
  for (const c of TSHARK_CASES) byLinkType.set(c[1].linkType, [...(byLinkType.get(c[1].linkType) ?? []), c]);

  it.each([...byLinkType.entries()].map(([linkType, cases]) => [linkType === LINKTYPE_ETHERNET ? 'Ethernet' : String(linkType), linkType, cases] as const))(
    'link type %s',
    (_label, linkType, cases) => {
      const sink = new MemorySink();
      const writer = new PcapWriter(sink, { linkType, nanosecond: true });
      cases.forEach(([, frame], i) => writer.writePacket(1_700_000_000 + i, 0, frame.data, frame.originalLength));
      const file = join(dir, `wire-length-${linkType}.pcap`);
      writeFileSync(file, sink.toBuffer());
      const stdout = execFileSync(
        'tshark',
        ['-n', '-r', file, '-o', 'ip.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE', '-T', 'fields', '-E', 'separator=,', '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.len'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const tshark = stdout.split('\n').filter(Boolean);
      const ours = cases.map(([name, frame], i) => {
        const d = decodeFrame(frame);
        // tshark prints no tcp.len for a bogus header; we skip such a frame.
        const len = d.skip === 'none' ? String(d.payloadLength) : '';
        return { name, line: `${i + 1},${d.srcPort},${d.dstPort},${len}` };
      });
      expect(ours).toEqual(cases.map(([name], i) => ({ name, line: tshark[i] })));
    },
  );
});
