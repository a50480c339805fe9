/**
 * PPP link types (tcpdump.org link-layer header types page):
 *
 * - LINKTYPE_PPP (9): RFC 1661 PPP; when the first two bytes are 0xff 0x03 it
 *   is in HDLC-like framing (RFC 1662) and the protocol follows them. The
 *   protocol field may be compressed to one byte (RFC 1661 §6.5: an odd first
 *   byte). A frame whose first byte is a Cisco HDLC address (0x0f or 0x8f) is
 *   Cisco HDLC (SPEC §2): libpcap and tshark read link type 9 that way, since
 *   some routers label Cisco HDLC links as PPP. Neither byte starts a PPP
 *   protocol that carries IP (0x0f, 0x8f compressed are no IP protocols).
 * - LINKTYPE_PPP_HDLC (50): PPP in HDLC-like framing (first byte 0xff, then a
 *   control byte and a 2-byte protocol), or Cisco PPP with HDLC framing (first
 *   byte 0x0f or 0x8f, RFC 1547 §4.3.1), read as Cisco HDLC. Any other first
 *   byte: the frame starts with the 2-byte protocol, as tcpdump reads it.
 */
import { be16 } from './bytes.js';
import { CHDLC_BCAST, CHDLC_UNICAST, decodeChdlc } from './chdlc.js';
import { decodeEthertype } from './ethernet.js';
import type { DecodedPacket } from './packet.js';
import { PPP_TO_NOT_IP, PPP_TO_UNSUPPORTED, pppProtocolToEthertype } from './ppp-protocols.js';
import { SkipReason } from './skip-reasons.js';

export const PPP_ADDRESS = 0xff;
export const PPP_CONTROL = 0x03;

/** Continues from a PPP protocol number; `off` is the first byte of the PPP payload. */
export function decodePppProtocol(
  protocol: number,
  data: Uint8Array,
  off: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  const type = pppProtocolToEthertype(protocol);
  if (type === PPP_TO_NOT_IP) out.skip = SkipReason.NOT_IP;
  else if (type === PPP_TO_UNSUPPORTED) out.skip = SkipReason.UNSUPPORTED_ENCAPSULATION;
  else decodeEthertype(type, data, off, end, wireEnd, out);
}

export function decodePpp(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  let off = start;
  if (off < end) {
    const first = data[off];
    if (first === CHDLC_UNICAST || first === CHDLC_BCAST) {
      decodeChdlc(data, start, end, wireEnd, out);
      return;
    }
  }
  if (off < end && data[off] === PPP_ADDRESS) {
    // 0xff is never a protocol's first byte: HDLC-like framing, or a cut frame.
    if (end - off < 2) {
      out.skip = SkipReason.TRUNCATED_LINK;
      return;
    }
    if (data[off + 1] === PPP_CONTROL) off += 2;
  }
  if (off >= end) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  let protocol = data[off];
  if ((protocol & 1) === 1) {
    off += 1;
  } else {
    if (end - off < 2) {
      out.skip = SkipReason.TRUNCATED_LINK;
      return;
    }
    protocol = be16(data, off);
    off += 2;
  }
  decodePppProtocol(protocol, data, off, end, wireEnd, out);
}

export function decodePppHdlc(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (start >= end) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  const first = data[start];
  if (first === CHDLC_UNICAST || first === CHDLC_BCAST) {
    decodeChdlc(data, start, end, wireEnd, out);
    return;
  }
  const off = first === PPP_ADDRESS ? start + 2 : start;
  if (end - off < 2) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  decodePppProtocol(be16(data, off), data, off + 2, end, wireEnd, out);
}
