/**
 * The frame builder (src/synth/frames.ts) itself: address parsing, valid IPv4
 * checksums, snaplen cuts, and the lengths it writes.
 */
import { describe, expect, it } from 'vitest';
import { LINKTYPE_ETHERNET, LINKTYPE_NFLOG } from '../../src/decode/link-types.js';
import {
  addressWords,
  buildIpv4Packet,
  buildTcpFrame,
  buildTcpSegment,
  internetChecksum,
  parseAddress,
} from '../../src/synth/frames.js';

describe('parseAddress', () => {
  it.each([
    ['192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['::', new Array(16).fill(0)],
    ['::1', [...new Array(15).fill(0), 1]],
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]],
    ['fe80::', [0xfe, 0x80, ...new Array(14).fill(0)]],
    ['1:2:3:4:5:6:7:8', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
    ['::ffff:192.0.2.1', [...new Array(10).fill(0), 0xff, 0xff, 192, 0, 2, 1]],
  ])('%s', (text, bytes) => {
    expect([...parseAddress(text)]).toEqual(bytes);
  });

  it.each(['1.2.3', '1.2.3.256', 'a.b.c.d', '1::2::3', '1:2:3:4:5:6:7', '12345::', 'g::1'])('rejects %s', (text) => {
    expect(() => parseAddress(text)).toThrow(/not an IPv/);
  });

  it('addressWords gives the decoder’s network-order words', () => {
    expect(addressWords('192.0.2.1')).toEqual([0xc0000201, 0, 0, 0]);
    expect(addressWords('2001:db8::ff:1')).toEqual([0x20010db8, 0, 0, 0x00ff0001]);
  });
});

describe('builders', () => {
  it('IPv4 headers carry a valid checksum (sums to zero), options included', () => {
    for (const ipv4OptionsLength of [0, 4, 40]) {
      const ip = buildIpv4Packet('10.0.0.1', '10.0.0.2', 6, new Uint8Array(8), { ipv4OptionsLength, ttl: 3, id: 0xbeef });
      expect(internetChecksum(ip, 0, 20 + ipv4OptionsLength)).toBe(0);
    }
  });

  it('snaplen cuts the bytes, not the lengths', () => {
    const full = buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 500 });
    const cut = buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 500, snaplen: 68 });
    expect(full.data.length).toBe(14 + 20 + 20 + 500);
    expect(full.originalLength).toBe(full.data.length);
    expect(cut.data.length).toBe(68);
    expect(cut.originalLength).toBe(full.originalLength);
    expect([...cut.data]).toEqual([...full.data.subarray(0, 68)]);
    expect(cut.linkType).toBe(LINKTYPE_ETHERNET);
  });

  it('TCP segments carry the data offset and a zero-filled payload', () => {
    const seg = buildTcpSegment({ srcPort: 1, dstPort: 2, tcpOptionsLength: 12, payloadLength: 3 });
    expect(seg.length).toBe(35);
    expect(seg[12] >> 4).toBe(8);
    expect([...seg.subarray(32)]).toEqual([0, 0, 0]);
  });

  it('NFLOG TLVs are padded to 4 bytes', () => {
    const frame = buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 1, linkType: LINKTYPE_NFLOG });
    expect(frame.data.length % 4).toBe(0);
  });

  it('refuses what it cannot build', () => {
    expect(() => buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, linkType: 147 })).toThrow(/cannot build link type 147/);
    expect(() => buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 70000 })).toThrow(/use tso/);
    expect(() => buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, tcpOptionsLength: 3 })).toThrow(/multiple of 4/);
  });
});
