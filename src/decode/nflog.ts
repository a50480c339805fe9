/**
 * Linux NFLOG (LINKTYPE_NFLOG, 239; tcpdump.org LINKTYPE_NFLOG page):
 *
 *   0  address family (1): AF_INET 2 or AF_INET6 10 (Linux values)
 *   1  version (1)   2  resource id (2, big-endian)
 *   4  TLVs: length (2), type (2), value; length counts the 4-byte TLV header
 *      but not the padding to the next 4-byte boundary.
 *
 * TLV length and type are in the capturing host's byte order (little-endian
 * on almost every host). As Wireshark does, the order is guessed from the
 * first TLV: types are small (1…17), so the reading whose type is in 1…255
 * wins. The top bit of the type (NLA_F_NESTED) is masked. The IP packet is the
 * value of the NFULA_PAYLOAD TLV (type 9).
 */
import { be16, le16 } from './bytes.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export const NFLOG_HEADER_LENGTH = 4;
export const NFLOG_TLV_HEADER_LENGTH = 4;
export const NFULA_PAYLOAD = 9;
/** Linux AF_INET and AF_INET6. */
export const NFPROTO_IPV4 = 2;
export const NFPROTO_IPV6 = 10;
const NFLOG_TLV_TYPE_MASK = 0x7fff;

function isPlausibleType(type: number): boolean {
  const t = type & NFLOG_TLV_TYPE_MASK;
  return t > 0 && t < 0x100;
}

export function decodeNflog(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (end - start < NFLOG_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  const family = data[start];
  if (family !== NFPROTO_IPV4 && family !== NFPROTO_IPV6) {
    out.skip = SkipReason.NOT_IP;
    return;
  }
  let off = start + NFLOG_HEADER_LENGTH;
  const bigEndian =
    end - off >= NFLOG_TLV_HEADER_LENGTH &&
    !isPlausibleType(le16(data, off + 2)) &&
    isPlausibleType(be16(data, off + 2));
  for (;;) {
    if (off >= wireEnd) {
      // Every TLV read and none is a payload: nothing to decode.
      out.skip = SkipReason.NOT_IP;
      return;
    }
    if (end - off < NFLOG_TLV_HEADER_LENGTH) {
      out.skip = SkipReason.TRUNCATED_LINK;
      return;
    }
    const length = bigEndian ? be16(data, off) : le16(data, off);
    const type = (bigEndian ? be16(data, off + 2) : le16(data, off + 2)) & NFLOG_TLV_TYPE_MASK;
    if (length < NFLOG_TLV_HEADER_LENGTH) {
      out.skip = SkipReason.UNSUPPORTED_ENCAPSULATION;
      return;
    }
    if (type === NFULA_PAYLOAD) {
      const ipStart = off + NFLOG_TLV_HEADER_LENGTH;
      const ipWireEnd = off + length;
      const ipEnd = end < ipWireEnd ? end : ipWireEnd;
      if (family === NFPROTO_IPV4) decodeIpv4(data, ipStart, ipEnd, ipWireEnd, ipWireEnd, out);
      else decodeIpv6(data, ipStart, ipEnd, ipWireEnd, ipWireEnd, out);
      return;
    }
    off += (length + 3) & ~3;
  }
}
