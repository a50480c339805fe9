/**
 * TCP and UDP rules of SPEC §2: what counts as a TCP frame (`isTcp`), the
 * transport skip reasons, and TCP that is carried but not decoded (tunnels,
 * ICMP errors).
 */
import { describe, expect, it } from 'vitest';
import {
  buildGre,
  buildIcmpUnreachable,
  buildIcmpv6Unreachable,
  buildIpFrame,
  buildIpv4Packet,
  buildIpv6Packet,
  buildTcpFrame,
  buildTcpSegment,
  buildUdpDatagram,
  buildUdpFrame,
  concatBytes,
  type TcpFrameSpec,
} from '../../src/synth/frames.js';
import { decodeFrame } from './helpers.js';

const V4: TcpFrameSpec = { src: '192.0.2.10', dst: '192.0.2.20', srcPort: 33000, dstPort: 22, seq: 100, ack: 200, payloadLength: 48 };
const V6: TcpFrameSpec = { ...V4, src: '2001:db8::a', dst: '2001:db8::b' };

describe('TCP header fields', () => {
  it('reads all eight flag bits and unsigned 32-bit numbers', () => {
    const d = decodeFrame(buildTcpFrame({ ...V4, flags: 0xff, seq: 0xffffffff, ack: 0x80000000 }));
    expect(d).toMatchObject({ tcpFlags: 0xff, seq: 4294967295, ack: 2147483648 });
  });

  it('skips TCP options by the data offset (largest: 60-byte header)', () => {
    const d = decodeFrame(buildTcpFrame({ ...V6, tcpOptionsLength: 40 }));
    expect(d).toMatchObject({ skip: 'none', payloadLength: 48 });
  });
});

describe('counting and truncation', () => {
  it.each([4, 6] as const)('IPv%i: isTcp from the 4th byte of TCP; usable from the 14th', (version) => {
    const spec = version === 4 ? V4 : V6;
    const tcpStart = 14 + (version === 4 ? 20 : 40);
    for (let k = 0; k <= 14; k++) {
      const d = decodeFrame(buildTcpFrame({ ...spec, snaplen: tcpStart + k }));
      expect({ k, isTcp: d.isTcp }).toEqual({ k, isTcp: k >= 4 });
      expect({ k, skip: d.skip }).toEqual({ k, skip: k < 14 ? 'truncated-transport' : 'none' });
      if (k >= 4) expect(d).toMatchObject({ srcPort: 33000, dstPort: 22 });
      if (k >= 14) expect(d).toMatchObject({ seq: 100, ack: 200, payloadLength: 48 });
    }
  });

  it('bytes past the IP length are padding, not TCP: 3 bytes of TCP by the IP header do not count', () => {
    const frame = buildTcpFrame({ ...V4, payloadLength: 0, ipLengthField: 23 });
    expect(decodeFrame(frame)).toMatchObject({ isTcp: false, skip: 'bad-tcp-header' });
  });

  it('4 bytes of TCP by the IP header count, with the header bogus', () => {
    const frame = buildTcpFrame({ ...V4, payloadLength: 0, ipLengthField: 24 });
    expect(decodeFrame(frame)).toMatchObject({ isTcp: true, skip: 'bad-tcp-header', srcPort: 33000 });
  });

  it('data offset below 5 is a bad TCP header, still counted as TCP', () => {
    expect(decodeFrame(buildTcpFrame({ ...V4, dataOffset: 4 }))).toMatchObject({ isTcp: true, skip: 'bad-tcp-header' });
    expect(decodeFrame(buildTcpFrame({ ...V4, dataOffset: 0 }))).toMatchObject({ isTcp: true, skip: 'bad-tcp-header' });
  });

  it('data offset past the IP payload is a bad TCP header, still counted as TCP', () => {
    const d = decodeFrame(buildTcpFrame({ ...V6, payloadLength: 4, dataOffset: 15 }));
    expect(d).toMatchObject({ isTcp: true, skip: 'bad-tcp-header', payloadLength: 0 });
  });

  it('data offset exactly the IP payload: a header-only segment', () => {
    const d = decodeFrame(buildTcpFrame({ ...V4, payloadLength: 0, tcpOptionsLength: 40 }));
    expect(d).toMatchObject({ isTcp: true, skip: 'none', payloadLength: 0 });
  });
});

describe('TCP not carried directly by the first IP layer is not decoded', () => {
  const innerV4 = buildIpv4Packet('172.16.0.1', '172.16.0.2', 6, buildTcpSegment(V4));
  const innerV6 = buildIpv6Packet('2001:db8:9::1', '2001:db8:9::2', 6, buildTcpSegment(V4));

  it('GRE carrying IPv4/TCP: an IP packet of protocol 47, not TCP, not skipped', () => {
    const frame = buildIpFrame({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 47, payload: buildGre(0x0800, innerV4) });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: false, ipProto: 47, srcPort: 0, payloadLength: 0 });
  });

  it('IP-in-IP (4) carrying TCP', () => {
    const frame = buildIpFrame({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 4, payload: innerV4 });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: false, ipProto: 4 });
  });

  it('IPv6-in-IPv4 (41) and IPv6-in-IPv6 carrying TCP', () => {
    expect(decodeFrame(buildIpFrame({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 41, payload: innerV6 }))).toMatchObject({
      skip: 'none',
      isTcp: false,
      ipProto: 41,
    });
    expect(decodeFrame(buildIpFrame({ src: '2001:db8::1', dst: '2001:db8::2', protocol: 41, payload: innerV6 }))).toMatchObject({
      skip: 'none',
      isTcp: false,
      ipProto: 41,
    });
  });

  it('an ICMP error quoting a TCP header', () => {
    const frame = buildIpFrame({ src: '10.0.0.254', dst: '192.0.2.10', protocol: 1, payload: buildIcmpUnreachable(innerV4.subarray(0, 28)) });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: false, ipProto: 1 });
  });

  it('an ICMPv6 error quoting a TCP header', () => {
    const frame = buildIpFrame({ src: '2001:db8::fe', dst: '2001:db8::a', protocol: 58, payload: buildIcmpv6Unreachable(innerV6.subarray(0, 60)) });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: false, ipProto: 58 });
  });

  it('VXLAN (UDP 4789) carrying Ethernet/IPv4/TCP counts as UDP only', () => {
    const vxlan = concatBytes([[0x08, 0, 0, 0, 0, 0, 0x64, 0], new Uint8Array(12), [0x08, 0x00], innerV4]);
    const udp = concatBytes([buildUdpDatagram(54321, 4789, 0).subarray(0, 8), vxlan]);
    const frame = buildIpFrame({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, payload: udp });
    expect(decodeFrame(frame)).toMatchObject({ skip: 'none', isTcp: false, isUdp: true, dstPort: 4789 });
  });
});

describe('UDP', () => {
  it('ports and payload length from the IP header', () => {
    const d = decodeFrame(buildUdpFrame({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 5353, dstPort: 53, payloadLength: 512 }));
    expect(d).toMatchObject({ skip: 'none', isUdp: true, isTcp: false, ipProto: 17, srcPort: 5353, dstPort: 53, payloadLength: 512 });
  });

  it('counted from its 4 port bytes, like TCP', () => {
    const spec = { src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5353, dstPort: 53, payloadLength: 100 };
    expect(decodeFrame(buildUdpFrame({ ...spec, snaplen: 14 + 20 + 3 }))).toMatchObject({ isUdp: false, skip: 'truncated-transport' });
    expect(decodeFrame(buildUdpFrame({ ...spec, snaplen: 14 + 20 + 4 }))).toMatchObject({ isUdp: true, skip: 'none', dstPort: 53, payloadLength: 100 });
  });
});
