/**
 * Linux "cooked" capture, version 2 (LINKTYPE_LINUX_SLL2, 276; tcpdump.org
 * LINKTYPE_LINUX_SLL2 page). A 16-bit link type: gopacket's byte-wide field
 * turns 276 into 20 (STYLE naming).
 *
 *   0  protocol type (2)   2  reserved (2)   4  interface index (4)
 *   8  ARPHRD_ type (2)   10  packet type (1) 11  address length (1)
 *  12  address (8)        20  payload
 */
import { be16 } from './bytes.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';
import { decodeSllProtocol } from './sll.js';

export const SLL2_HEADER_LENGTH = 20;
const SLL2_OFF_PROTOCOL = 0;
const SLL2_OFF_ARPHRD = 8;

export function decodeSll2(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (end - start < SLL2_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  decodeSllProtocol(
    be16(data, start + SLL2_OFF_PROTOCOL),
    be16(data, start + SLL2_OFF_ARPHRD),
    data,
    start + SLL2_HEADER_LENGTH,
    end,
    wireEnd,
    out,
  );
}
