/**
 * The decoder against tshark on built edge cases: which frames tshark's
 * DIRECT filter (SPEC §2 `tcp_packets`, /work/shared/traces/README.md) counts
 * as TCP, and their `tcp.len`. Skipped when tshark is not installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINKTYPE_LINUX_SLL, LINKTYPE_NULL, LINKTYPE_RAW } from '../../src/decode/link-types.js';
import {
  buildGre,
  buildIcmpUnreachable,
  buildIpFrame,
  buildIpv4Packet,
  buildTcpFrame,
  buildTcpSegment,
  type BuiltFrame,
  type TcpFrameSpec,
} from '../../src/synth/frames.js';
import { decodeFrame } from './helpers.js';

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const DIRECT = 'tcp && ((ip && !ipv6 && count(ip) == 1) || (ipv6 && !ip && count(ipv6) == 1))';
const PREFS = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE'];

/** A little-endian microsecond pcap of one link type. */
function pcap(linkType: number, frames: readonly BuiltFrame[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkType, 20);
  const parts = [header];
  frames.forEach((f, i) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1_700_000_000 + i, 0);
    record.writeUInt32LE(f.data.length, 8);
    record.writeUInt32LE(f.originalLength, 12);
    parts.push(record, Buffer.from(f.data));
  });
  return Buffer.concat(parts);
}

const V4: TcpFrameSpec = { src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40001, dstPort: 80, seq: 1, ack: 1, flags: 0x18, payloadLength: 100 };
const V6: TcpFrameSpec = { ...V4, src: '2001:db8::1', dst: '2001:db8::2' };
const inner = buildIpv4Packet('172.16.0.1', '172.16.0.2', 6, buildTcpSegment(V4));

const CASES: [string, BuiltFrame][] = [
  ['IPv4', buildTcpFrame(V4)],
  ['IPv6', buildTcpFrame(V6)],
  ...[1, 3, 4, 13, 14].map((k): [string, BuiltFrame] => [`IPv4, ${k} bytes of TCP captured`, buildTcpFrame({ ...V4, snaplen: 34 + k })]),
  ...[1, 3, 4, 14].map((k): [string, BuiltFrame] => [`IPv6, ${k} bytes of TCP captured`, buildTcpFrame({ ...V6, snaplen: 54 + k })]),
  ...[0, 3, 4, 10].map((k): [string, BuiltFrame] => [`IPv4, ${k} bytes of TCP by total length`, buildTcpFrame({ ...V4, payloadLength: 0, ipLengthField: 20 + k })]),
  ['data offset 4', buildTcpFrame({ ...V4, dataOffset: 4 })],
  ['data offset past the IP payload', buildTcpFrame({ ...V4, payloadLength: 4, dataOffset: 15 })],
  ['TSO', buildTcpFrame({ ...V4, tso: true, payloadLength: 70000, snaplen: 200 })],
  ['first fragment', buildTcpFrame({ ...V4, moreFragments: true })],
  ['non-first fragment', buildTcpFrame({ ...V4, fragmentOffset: 8 })],
  ['IPv6 first fragment', buildTcpFrame({ ...V6, moreFragments: true })],
  ['IPv6 non-first fragment', buildTcpFrame({ ...V6, fragmentOffset: 16 })],
  ['IPv6, every extension header', buildTcpFrame({ ...V6, ipv6Ext: [{ type: 'hop-by-hop' }, { type: 'destination', length: 16 }, { type: 'routing', length: 24 }, { type: 'fragment' }, { type: 'ah', length: 28 }] })],
  ['IPv6 jumbo', buildTcpFrame({ ...V6, jumbo: true, payloadLength: 70000, snaplen: 200 })],
  ['IPv6 invalid jumbo ≤ 65535', buildTcpFrame({ ...V6, jumbo: true })],
  ['IPv6 payload length 0', buildTcpFrame({ ...V6, ipLengthField: 0 })],
  ['IPv6 extension cut', buildTcpFrame({ ...V6, ipv6Ext: [{ type: 'destination', length: 16 }], snaplen: 64 })],
  ['GRE', buildIpFrame({ src: '10.9.0.1', dst: '10.9.0.2', protocol: 47, payload: buildGre(0x0800, inner) })],
  ['IP-in-IP', buildIpFrame({ src: '10.9.0.1', dst: '10.9.0.2', protocol: 4, payload: inner })],
  ['ICMP error', buildIpFrame({ src: '10.9.0.1', dst: '10.9.0.2', protocol: 1, payload: buildIcmpUnreachable(inner.subarray(0, 28)) })],
  ['QinQ + MPLS', buildTcpFrame({ ...V4, serviceVlan: 1, vlan: [2], mpls: [16, 17] })],
  ['PPPoE', buildTcpFrame({ ...V6, pppoeSession: 1 })],
  ['802.1ah', buildTcpFrame({ ...V4, layers: [{ kind: 'vlan', vid: 4, tpid: 0x88a8 }, { kind: '802.1ah', isid: 5 }] })],
  ['VN-Tag', buildTcpFrame({ ...V4, layers: [{ kind: 'vn-tag' }] })],
  ['LLC/SNAP', buildTcpFrame({ ...V4, layers: [{ kind: 'llc-snap' }] })],
  ['SLL', buildTcpFrame({ ...V4, linkType: LINKTYPE_LINUX_SLL })],
  ['NULL', buildTcpFrame({ ...V6, linkType: LINKTYPE_NULL })],
  ['RAW', buildTcpFrame({ ...V6, linkType: LINKTYPE_RAW })],
];

describe.skipIf(!hasTshark())('agreement with tshark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'decode-tshark-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const byLinkType = new Map<number, [string, BuiltFrame][]>();
  for (const c of CASES) {
    const list = byLinkType.get(c[1].linkType) ?? [];
    list.push(c);
    byLinkType.set(c[1].linkType, list);
  }

  it.each([...byLinkType.entries()])('link type %i: same TCP frames and tcp.len', (linkType, cases) => {
    const file = join(dir, `edge-${linkType}.pcap`);
    writeFileSync(file, pcap(linkType, cases.map((c) => c[1])));
    const stdout = execFileSync('tshark', ['-n', '-r', file, ...PREFS, '-Y', DIRECT, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.len'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const tshark = new Map<number, string>();
    for (const line of stdout.split('\n').filter(Boolean)) {
      const [frame, len] = line.split('\t');
      tshark.set(Number(frame), len);
    }
    cases.forEach(([name, frame], i) => {
      const d = decodeFrame(frame);
      expect({ name, isTcp: d.isTcp }).toEqual({ name, isTcp: tshark.has(i + 1) });
      const len = tshark.get(i + 1);
      if (d.isTcp && d.skip === 'none' && len !== undefined && len !== '') {
        expect({ name, payloadLength: d.payloadLength }).toEqual({ name, payloadLength: Number(len) });
      }
    });
  });
});
