/**
 * UDP header (RFC 768): ports and the datagram length. Counted (`isUdp`) when
 * its 4 port bytes are captured, as TCP is (tcp.ts TCP_COUNTED_MIN).
 *
 * The payload is the header's length field − 8 (SPEC §2's rule that sizes come
 * from the headers, not from the captured length): a header-only capture gives
 * the same totals, and a first IP fragment counts its whole datagram, as the
 * shared corpus's UDP oracle (tshark `udp.length` − 8) does. Where the length
 * field is not captured (fewer than 6 header bytes), or is 0 (an IPv6
 * jumbogram, RFC 2675 §4), the IP payload length stands in for it.
 */
import { be16 } from './bytes.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export const UDP_HEADER_LENGTH = 8;
/** Same counting rule as TCP (tcp.ts TCP_COUNTED_MIN): the ports must be there. */
export const UDP_COUNTED_MIN = 4;
/** Header bytes up to and including the length field. */
const UDP_LENGTH_END = 6;

/**
 * Decodes a UDP header at `off`. Counted (`isUdp`) when its 4 port bytes are
 * captured and inside the IP length; the 8-byte header is not required.
 * `ipPayloadLength` is the IP payload length from the IP header(s).
 */
export function decodeUdp(
  data: Uint8Array,
  off: number,
  end: number,
  ipPayloadLength: number,
  out: DecodedPacket,
): void {
  const captured = end - off;
  const present = captured < ipPayloadLength ? captured : ipPayloadLength;
  if (present < UDP_COUNTED_MIN) {
    out.skip = SkipReason.TRUNCATED_TRANSPORT;
    return;
  }
  out.isUdp = true;
  out.srcPort = be16(data, off);
  out.dstPort = be16(data, off + 2);
  let length = present >= UDP_LENGTH_END ? be16(data, off + 4) : 0;
  if (length === 0) length = ipPayloadLength;
  out.payloadLength = length > UDP_HEADER_LENGTH ? length - UDP_HEADER_LENGTH : 0;
}
