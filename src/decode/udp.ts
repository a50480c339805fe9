/**
 * UDP header (RFC 768). Counted (`isUdp`) but not replayed yet (SPEC §2: UDP in
 * a later version); ports need the first 4 bytes.
 */
import { be16 } from './bytes.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export const UDP_HEADER_LENGTH = 8;
/** Same counting rule as TCP (tcp.ts TCP_COUNTED_MIN): the ports must be there. */
export const UDP_COUNTED_MIN = 4;

/**
 * Decodes a UDP header at `off`. Counted (`isUdp`) when its 4 port bytes are
 * captured and inside the IP length; the 8-byte header is not required. `udpLength` is the IP payload length from the
 * IP header(s); the payload length is that minus the 8-byte header (the UDP
 * length field is not trusted over the IP layer, as for TCP).
 */
export function decodeUdp(
  data: Uint8Array,
  off: number,
  end: number,
  udpLength: number,
  out: DecodedPacket,
): void {
  const captured = end - off;
  const present = captured < udpLength ? captured : udpLength;
  if (present < UDP_COUNTED_MIN) {
    out.skip = SkipReason.TRUNCATED_TRANSPORT;
    return;
  }
  out.isUdp = true;
  out.srcPort = be16(data, off);
  out.dstPort = be16(data, off + 2);
  out.payloadLength = udpLength > UDP_HEADER_LENGTH ? udpLength - UDP_HEADER_LENGTH : 0;
}
