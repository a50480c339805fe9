/**
 * Cisco HDLC (LINKTYPE_C_HDLC, 104; RFC 1547 §4.3.1): address (0x0f unicast,
 * 0x8f broadcast), control (0x00), then a 16-bit ethertype. SLARP keepalives
 * use 0x8035 and OSI 0xfefe: both are NOT_IP through the ethertype walk.
 */
import { be16 } from './bytes.js';
import { ETHERTYPE_MIN } from './ethertypes.js';
import { decodeEthertype } from './ethernet.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export const CHDLC_HEADER_LENGTH = 4;
export const CHDLC_UNICAST = 0x0f;
export const CHDLC_BCAST = 0x8f;
const CHDLC_OFF_PROTOCOL = 2;

export function decodeChdlc(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (end - start < CHDLC_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  const protocol = be16(data, start + CHDLC_OFF_PROTOCOL);
  if (protocol < ETHERTYPE_MIN) {
    // Not an ethertype and not an 802.3 length here: nothing IP-shaped.
    out.skip = SkipReason.NOT_IP;
    return;
  }
  decodeEthertype(protocol, data, start + CHDLC_HEADER_LENGTH, end, wireEnd, out);
}
