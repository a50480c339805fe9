/**
 * IPv4 and IPv6 rules of SPEC §2: lengths from the headers, TSO, BIG TCP
 * jumbo, fragments, the IPv6 extension-header walk and its length rules, and
 * the IP-level skip reasons.
 */
import { describe, expect, it } from 'vitest';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../src/decode/link-types.js';
import {
  buildIpFrame,
  buildIpv4Packet,
  buildIpv6Packet,
  buildTcpFrame,
  buildTcpSegment,
  buildUdpFrame,
  wrapIpPacket,
  type Ipv6ExtensionSpec,
  type TcpFrameSpec,
} from '../../src/synth/frames.js';
import { decode, decodeFrame } from './helpers.js';

const V4: TcpFrameSpec = { src: '10.1.1.1', dst: '10.2.2.2', srcPort: 1025, dstPort: 443, seq: 7, ack: 9, payloadLength: 300 };
const V6: TcpFrameSpec = { ...V4, src: 'fe80::1', dst: '2001:db8::ffff:1' };

describe('IPv4', () => {
  it('payload = total length − IHL·4 − data offset·4, with IP and TCP options', () => {
    const d = decodeFrame(buildTcpFrame({ ...V4, ipv4OptionsLength: 8, tcpOptionsLength: 12 }));
    expect(d).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 300, srcPort: 1025, dstPort: 443 });
  });

  it('TSO: total length 0 takes the original length minus the link header, and sets tso', () => {
    const frame = buildTcpFrame({ ...V4, tso: true, payloadLength: 7240, vlan: [3] });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 7240, tso: true });
  });

  it('TSO with a snaplen cut still uses the original length', () => {
    const frame = buildTcpFrame({ ...V4, tso: true, payloadLength: 64000, snaplen: 96 });
    expect(frame.data.length).toBe(96);
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 64000, tso: true });
  });

  it('Linux BIG TCP for IPv4 (over 64 KiB) is read as TSO', () => {
    const frame = buildTcpFrame({ ...V4, tso: true, payloadLength: 185000, snaplen: 200 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', payloadLength: 185000, tso: true });
  });

  it('total length 0 on UDP (GSO) uses the same length rule but is not counted as TSO', () => {
    const frame = buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 53, dstPort: 5353, payloadLength: 3000, tso: true });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isUdp: true, isTcp: false, payloadLength: 3000, tso: false });
  });

  it('a total length beyond the frame on the wire is capped to it (issue 8), one beyond the capture is not', () => {
    const ip = buildIpv4Packet('10.0.0.1', '10.0.0.2', 6, buildTcpSegment({ ...V4, payloadLength: 10 }), { ipLengthField: 20 + 20 + 1460 });
    const frame = wrapIpPacket(ip);
    expect(decode(LINKTYPE_ETHERNET, frame.data, frame.data.length)).toMatchObject({ skip: 'none', payloadLength: 10 });
    expect(decode(LINKTYPE_ETHERNET, frame.data.subarray(0, 54), frame.data.length)).toMatchObject({ skip: 'none', payloadLength: 10 });
    expect(decode(LINKTYPE_ETHERNET, frame.data.subarray(0, 54), 14 + 1500)).toMatchObject({ skip: 'none', payloadLength: 1460 });
  });

  it('a snaplen-68 capture gives the same payload as the full capture', () => {
    const full = decodeFrame(buildTcpFrame(V4));
    const cut = buildTcpFrame({ ...V4, snaplen: 68 });
    expect(cut.data.length).toBe(68);
    expect(decodeFrame(cut)).toEqual(full);
  });

  it('non-first fragment: skipped, not TCP', () => {
    const d = decodeFrame(buildTcpFrame({ ...V4, fragmentOffset: 1480 }));
    expect(d).toMatchObject({ skip: 'non-first-fragment', isTcp: false, ipVersion: 4, ipProto: 6, srcPort: 0 });
  });

  it('first fragment (MF, offset 0): decoded, payload from this fragment’s own lengths', () => {
    // A 1000-byte segment, of which the first fragment carries 20 + 80 bytes.
    const segment = buildTcpSegment({ ...V4, payloadLength: 1000 }).subarray(0, 100);
    const frame = wrapIpPacket(buildIpv4Packet('10.0.0.1', '10.0.0.2', 6, segment, { moreFragments: true }));
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 80, srcPort: 1025 });
  });

  it.each([
    ['IHL < 5', { ihl: 4 }],
    ['total length < IHL·4', { ipLengthField: 19 }],
    ['total length < IHL·4 with options', { ipv4OptionsLength: 4, ipLengthField: 22 }],
  ])('%s is a bad IP header', (_name, options) => {
    expect(decodeFrame(buildTcpFrame({ ...V4, ...options }))).toMatchObject({ skip: 'bad-ip-header', isTcp: false });
  });

  it('a version nibble other than 4 behind ethertype IPv4 is a bad IP header', () => {
    const frame = buildTcpFrame(V6);
    frame.data[12] = 0x08; // ethertype IPv4, but the packet is IPv6
    frame.data[13] = 0x00;
    expect(decodeFrame(frame)).toMatchObject({ skip: 'bad-ip-header', ipVersion: 0 });
  });

  it('a version nibble neither 4 nor 6 on raw IP is a bad IP header', () => {
    const frame = buildTcpFrame({ ...V4, linkType: LINKTYPE_RAW });
    frame.data[0] = 0x55;
    expect(decodeFrame(frame).skip).toBe('bad-ip-header');
  });

  it('IP options cut by the capture are a truncated IP header', () => {
    const frame = buildTcpFrame({ ...V4, ipv4OptionsLength: 8, snaplen: 14 + 24 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'truncated-ip', isTcp: false });
  });
});

describe('IPv6 extension headers', () => {
  const each: [string, Ipv6ExtensionSpec][] = [
    ['hop-by-hop, 8 bytes', { type: 'hop-by-hop' }],
    ['hop-by-hop, 24 bytes', { type: 'hop-by-hop', length: 24 }],
    ['routing, 24 bytes', { type: 'routing', length: 24 }],
    ['destination options, 8 bytes', { type: 'destination' }],
    ['destination options, 40 bytes', { type: 'destination', length: 40 }],
    ['fragment (first, M set)', { type: 'fragment', moreFragments: true }],
    ['fragment (atomic, offset 0, M clear)', { type: 'fragment' }],
    ['AH, 12 bytes (Payload Len 1)', { type: 'ah', length: 12 }],
    ['AH, 24 bytes (Payload Len 4)', { type: 'ah', length: 24 }],
    // (len + 2) × 4 = 28; the (len + 1) × 8 rule would read 48 and miss TCP.
    ['AH, 28 bytes (Payload Len 5)', { type: 'ah', length: 28 }],
  ];

  it.each(each)('walks %s to TCP', (_name, ext) => {
    const d = decodeFrame(buildTcpFrame({ ...V6, ipv6Ext: [ext] }));
    expect(d).toMatchObject({ skip: 'none', isTcp: true, ipProto: 6, payloadLength: 300, srcPort: 1025, dstPort: 443, seq: 7, ack: 9 });
  });

  it('walks every kind in one packet: payload = payload length − extension headers − TCP header', () => {
    const ipv6Ext: Ipv6ExtensionSpec[] = [
      { type: 'hop-by-hop', length: 16 },
      { type: 'destination' },
      { type: 'routing', length: 24 },
      { type: 'fragment' },
      { type: 'ah', length: 20 },
      { type: 'destination', length: 16 },
    ];
    const d = decodeFrame(buildTcpFrame({ ...V6, ipv6Ext, tcpOptionsLength: 20 }));
    expect(d).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 300 });
  });

  it('ESP ends the walk: not TCP, not skipped', () => {
    const frame = buildIpFrame({ src: V6.src, dst: V6.dst, protocol: 50, payload: new Uint8Array(64) });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: false, ipProto: 50 });
  });

  it('ESP after a destination-options header ends the walk too', () => {
    const frame = buildIpFrame({ src: V6.src, dst: V6.dst, protocol: 50, payload: new Uint8Array(64), ipv6Ext: [{ type: 'destination' }] });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: false, ipProto: 50 });
  });

  it('No Next Header ends the walk', () => {
    const frame = buildIpFrame({ src: V6.src, dst: V6.dst, protocol: 59, payload: new Uint8Array(0), ipv6Ext: [{ type: 'hop-by-hop' }] });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: false, ipProto: 59 });
  });

  it('a non-first fragment is skipped, not TCP', () => {
    const d = decodeFrame(buildTcpFrame({ ...V6, ipv6Ext: [{ type: 'hop-by-hop' }], fragmentOffset: 1232, moreFragments: true }));
    expect(d).toMatchObject({ skip: 'non-first-fragment', isTcp: false, ipVersion: 6, ipProto: 6 });
  });

  it('a first fragment is TCP, payload from this fragment’s own payload length', () => {
    const segment = buildTcpSegment({ ...V6, payloadLength: 3000 }).subarray(0, 1200);
    const frame = wrapIpPacket(buildIpv6Packet(V6.src, V6.dst, 6, segment, { moreFragments: true }));
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 1180 });
  });

  it('an extension header cut by the capture is a truncated IP header, not TCP', () => {
    const frame = buildTcpFrame({ ...V6, ipv6Ext: [{ type: 'destination', length: 16 }], snaplen: 14 + 40 + 12 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'truncated-ip', isTcp: false });
  });

  it('an extension header longer than the payload length is a bad IP header', () => {
    const frame = buildTcpFrame({ ...V6, payloadLength: 0, ipv6Ext: [{ type: 'hop-by-hop', length: 64 }], ipLengthField: 40 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'bad-ip-header', isTcp: false });
  });

  it('a snaplen-68 capture gives the same payload as the full capture (Ethernet + IPv6 + 14 bytes of TCP)', () => {
    const full = decodeFrame(buildTcpFrame(V6));
    expect(decodeFrame(buildTcpFrame({ ...V6, snaplen: 68 }))).toEqual(full);
  });
});

describe('IPv6 BIG TCP (RFC 2675 jumbo payload)', () => {
  it('payload length 0 with a Jumbo Payload option takes its length', () => {
    const frame = buildTcpFrame({ ...V6, jumbo: true, payloadLength: 80000, tcpOptionsLength: 12 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 80000, tso: false });
  });

  it('the same from a header-only capture', () => {
    const frame = buildTcpFrame({ ...V6, jumbo: true, payloadLength: 185000, snaplen: 14 + 40 + 8 + 20 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 185000 });
  });

  it('a jumbo length ≤ 65535 is invalid and ignored (as tshark does): the 0 payload length stands', () => {
    const frame = buildTcpFrame({ ...V6, jumbo: true, payloadLength: 100 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'bad-ip-header', isTcp: false });
  });

  it('payload length 0 without a jumbo option leaves no room for TCP', () => {
    const frame = buildTcpFrame({ ...V6, ipLengthField: 0 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'bad-tcp-header', isTcp: false, payloadLength: 0 });
  });
});

describe('lengths bounded by an enclosing header (as tshark)', () => {
  it('regression zeek pppoe-over-qinq.pcap: an IPv4 total length past the PPPoE length is cut to it', () => {
    // IPv4 total length 46 (TCP header + 6 bytes), PPPoE length 42 (PPP protocol + 40 bytes of IP).
    const frame = buildTcpFrame({ ...V4, payloadLength: 6, serviceVlan: 3704, vlan: [2474], pppoeSession: 0x0f07 });
    const pppoeLength = 14 + 4 + 4 + 4; // MACs, type, two tags → PPPoE length field offset
    frame.data[pppoeLength] = 0;
    frame.data[pppoeLength + 1] = 42;
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: true, payloadLength: 0 });
  });

  it('an 802.3 length field bounds the packet the same way', () => {
    const frame = buildTcpFrame({ ...V4, payloadLength: 20, layers: [{ kind: 'llc-snap' }] });
    frame.data[12] = 0;
    frame.data[13] = 8 + 20 + 20 + 5; // LLC/SNAP + IP + TCP + 5 of the 20 payload bytes
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', payloadLength: 5 });
  });
});
