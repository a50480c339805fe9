/**
 * Invariants of the decoder as a hot-path component: it never throws on any
 * bytes, reads nothing outside [start, start + capturedLength), leaves no
 * state from one packet in the next (one reused DecodedPacket), and keeps its
 * outputs in range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/decode/decoder.js';
import { LINK_TYPES, LINKTYPE_ETHERNET } from '../../src/decode/link-types.js';
import { DecodedPacket } from '../../src/decode/packet.js';
import { SKIP_REASON_COUNT } from '../../src/decode/skip-reasons.js';
import { buildTcpFrame, buildUdpFrame, concatBytes } from '../../src/synth/frames.js';
import { decode, hex, snapshot } from './helpers.js';

const LINK_TYPE_NUMBERS = LINK_TYPES.map((r) => r.linkType);

function checkInvariants(p: DecodedPacket): void {
  expect(p.skip).toBeGreaterThanOrEqual(0);
  expect(p.skip).toBeLessThan(SKIP_REASON_COUNT);
  expect([0, 4, 6]).toContain(p.ipVersion);
  expect(p.payloadLength).toBeGreaterThanOrEqual(0);
  expect(Number.isInteger(p.payloadLength)).toBe(true);
  expect(p.seq).toBeGreaterThanOrEqual(0);
  expect(p.ack).toBeGreaterThanOrEqual(0);
  if (p.isTcp) expect(p.ipProto).toBe(6);
  if (p.isUdp) expect(p.ipProto).toBe(17);
  expect(p.isTcp && p.isUdp).toBe(false);
}

describe('robustness', () => {
  it('never throws on random bytes, for every supported link type', () => {
    const out = new DecodedPacket();
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPE_NUMBERS), fc.uint8Array({ maxLength: 200 }), fc.nat(70000), (linkType, bytes, extra) => {
        decodePacket(linkType, bytes, 0, bytes.length, bytes.length + extra, out);
        checkInvariants(out);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on mutated real frames', () => {
    const seeds = [
      buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, vlan: [1], mpls: [5, 6] }),
      buildTcpFrame({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1, dstPort: 2, ipv6Ext: [{ type: 'hop-by-hop' }, { type: 'ah' }] }),
      buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, pppoeSession: 3 }),
      buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, linkType: 239 }),
      buildUdpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, linkType: 113 }),
    ];
    const out = new DecodedPacket();
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (frame, edits, cut) => {
          const bytes = frame.data.slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const length = cut % (bytes.length + 1);
          decodePacket(frame.linkType, bytes, 0, length, frame.originalLength, out);
          checkInvariants(out);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a stack of thousands of VLAN tags is walked without recursion', () => {
    const tags = new Array<number[]>(20000).fill([0x81, 0x00, 0x00, 0x01]);
    const frame = concatBytes([hex('02 00 00 00 00 02 02 00 00 00 00 01'), ...tags, [0x81, 0x00, 0x00, 0x01, 0x08, 0x06]]);
    expect(decode(LINKTYPE_ETHERNET, frame).skip).toBe('not-ip');
  });

  it('reads only [start, start + capturedLength) of a larger reader buffer', () => {
    const frame = buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 10 });
    const buffer = new Uint8Array(100 + frame.data.length + 50).fill(0xee);
    buffer.set(frame.data, 100);
    const out = new DecodedPacket();
    decodePacket(LINKTYPE_ETHERNET, buffer, 100, frame.data.length, frame.originalLength, out);
    expect(snapshot(out)).toEqual(decode(LINKTYPE_ETHERNET, frame.data));
    // Cut inside the TCP header: the bytes after the cut are in the buffer but not in the record.
    decodePacket(LINKTYPE_ETHERNET, buffer, 100, 14 + 20 + 10, frame.originalLength, out);
    expect(out.skip).not.toBe(0);
    expect(out.seq).toBe(0);
  });

  it('leaves nothing of one packet in the next', () => {
    const out = new DecodedPacket();
    const tcp = buildTcpFrame({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 9, dstPort: 10, seq: 5, ack: 6, flags: 0x12, payloadLength: 40, tso: false });
    const tso = buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 9, dstPort: 10, tso: true, payloadLength: 3000 });
    decodePacket(tso.linkType, tso.data, 0, tso.data.length, tso.originalLength, out);
    expect(out.tso).toBe(true);
    decodePacket(tcp.linkType, tcp.data, 0, tcp.data.length, tcp.originalLength, out);
    expect(out.tso).toBe(false);
    const arp = hex('ff ff ff ff ff ff 02 00 00 00 00 01 08 06 00 01 08 00 06 04 00 01');
    decodePacket(LINKTYPE_ETHERNET, arp, 0, arp.length, arp.length, out);
    expect(snapshot(out)).toEqual({
      skip: 'not-ip',
      ipVersion: 0,
      ipProto: -1,
      src: [0, 0, 0, 0],
      dst: [0, 0, 0, 0],
      isTcp: false,
      isUdp: false,
      srcPort: 0,
      dstPort: 0,
      tcpFlags: 0,
      seq: 0,
      ack: 0,
      payloadLength: 0,
      tso: false,
    });
  });

  it('an original length below the captured length is treated as the captured length', () => {
    const frame = buildTcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, tso: true, payloadLength: 100 });
    expect(decode(LINKTYPE_ETHERNET, frame.data, 10)).toMatchObject({ skip: 'none', tso: true, payloadLength: 100 });
  });
});
