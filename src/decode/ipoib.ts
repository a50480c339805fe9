/**
 * IP over InfiniBand (LINKTYPE_IPOIB, 242). The RFC 4391 §6 encapsulation
 * header is 4 bytes (a 16-bit ethertype, 16 reserved bits); captures carry 40
 * bytes of addressing in front of it (Wireshark shows a destination QPN and
 * GID in the last 20), so the record's link header is 44 bytes with the
 * ethertype at offset 40. That is how tcpdump's print-ipoib.c reads it and
 * what tcpdump's own `ipoib.pcap` test capture holds.
 */
import { be16 } from './bytes.js';
import { ETHERTYPE_MIN } from './ethertypes.js';
import { decodeEthertype } from './ethernet.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export const IPOIB_HEADER_LENGTH = 44;
const IPOIB_OFF_TYPE = 40;

export function decodeIpoib(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (end - start < IPOIB_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  const type = be16(data, start + IPOIB_OFF_TYPE);
  if (type < ETHERTYPE_MIN) {
    out.skip = SkipReason.NOT_IP;
    return;
  }
  decodeEthertype(type, data, start + IPOIB_HEADER_LENGTH, end, wireEnd, out);
}
