/**
 * FDDI (LINKTYPE_FDDI, 10; ANSI X3.139): frame control (1), destination (6),
 * source (6), then an 802.2 LLC header (with SNAP for IP, RFC 1188). Only
 * asynchronous LLC frames carry data; SMT and MAC frames are NOT_IP.
 * Captures with libpcap's 3-byte FDDI padding (some old platforms) are not
 * supported.
 */
import { decodeEthertype, TYPE_LLC_FOLLOWS } from './ethernet.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export const FDDI_HEADER_LENGTH = 13;
/** Frame control format bits (0x30) = 01: an LLC frame. */
export const FDDI_FC_FORMAT_MASK = 0x30;
export const FDDI_FC_FORMAT_LLC = 0x10;

export function decodeFddi(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (end - start < FDDI_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  if ((data[start] & FDDI_FC_FORMAT_MASK) !== FDDI_FC_FORMAT_LLC) {
    out.skip = SkipReason.NOT_IP;
    return;
  }
  decodeEthertype(TYPE_LLC_FOLLOWS, data, start + FDDI_HEADER_LENGTH, end, wireEnd, out);
}
