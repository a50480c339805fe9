/**
 * IPv4 header (RFC 791 §3.1). The IP length comes from the header (SPEC §2),
 * except a total length of 0, which is segmentation offload on the capturing
 * host (TSO/GSO, and Linux BIG TCP for IPv4 above 64 KiB): the length is then
 * the frame's original length minus everything before the IP header, as
 * Wireshark does when its "Support packet-capture from IP TSO-enabled hardware"
 * preference is on (its default).
 */
import { be16, be32 } from './bytes.js';
import { IPPROTO_TCP, type DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';
import { decodeTransport } from './transport.js';

/**
 * `limit` value meaning no enclosing header bounds the IP packet (a small
 * integer, so V8 keeps it unboxed; reader buffers are far smaller).
 */
export const NO_LIMIT = 0x3fffffff;

export const IPV4_VERSION = 4;
/** Fixed part of the header, bytes (IHL 5). */
export const IPV4_MIN_HEADER_LENGTH = 20;

const IPV4_OFF_TOTAL_LENGTH = 2;
const IPV4_OFF_FLAGS_FRAGMENT = 6;
const IPV4_OFF_PROTOCOL = 9;
const IPV4_OFF_SRC = 12;
const IPV4_OFF_DST = 16;
/** Fragment offset: low 13 bits of the flags/fragment word, in 8-byte units. */
const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;
/** More Fragments flag (RFC 791). */
const IPV4_FLAG_MORE_FRAGMENTS = 0x2000;

/**
 * Decodes an IPv4 packet at `off`; `end` bounds the captured bytes and
 * `wireEnd` is where the frame ended on the wire (start + original length).
 * `limit` is where an enclosing header (PPPoE or 802.3 length, NFLOG TLV)
 * says the packet ends, or NO_LIMIT: a total length past it is cut to it, as
 * tshark does. So is a total length past the frame's end on the wire
 * (`wireEnd`; SPEC §2) — but not one past the captured bytes (`end`): a
 * header-only capture keeps the header's sizes.
 */
export function decodeIpv4(
  data: Uint8Array,
  off: number,
  end: number,
  wireEnd: number,
  limit: number,
  out: DecodedPacket,
): void {
  if (off >= end) {
    out.skip = SkipReason.TRUNCATED_IP;
    return;
  }
  const versionIhl = data[off];
  const headerLength = (versionIhl & 0x0f) * 4;
  if (versionIhl >> 4 !== IPV4_VERSION || headerLength < IPV4_MIN_HEADER_LENGTH) {
    out.skip = SkipReason.BAD_IP_HEADER;
    return;
  }
  if (end - off < IPV4_MIN_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_IP;
    return;
  }
  out.ipVersion = IPV4_VERSION;
  const protocol = data[off + IPV4_OFF_PROTOCOL];
  out.ipProto = protocol;
  out.src[0] = be32(data, off + IPV4_OFF_SRC);
  out.dst[0] = be32(data, off + IPV4_OFF_DST);

  let totalLength = be16(data, off + IPV4_OFF_TOTAL_LENGTH);
  if (totalLength === 0) {
    // The length rule holds for any protocol (UDP GSO too); the `tso` count is
    // SPEC §2's, TCP segmentation offload only.
    totalLength = (wireEnd < limit ? wireEnd : limit) - off;
    out.tso = protocol === IPPROTO_TCP;
  } else if (totalLength > limit - off) {
    totalLength = limit - off;
  }
  if (totalLength < headerLength) {
    out.skip = SkipReason.BAD_IP_HEADER;
    return;
  }
  if (end - off < headerLength) {
    out.skip = SkipReason.TRUNCATED_IP;
    return;
  }
  // SPEC §2: the frame's original length minus the link header caps the IP
  // length, as tshark's set_actual_length does (the captured length never
  // does). After the two checks above, so a cap cannot turn a cut header into
  // a bad one: wireEnd ≥ end, so wireEnd − off ≥ headerLength here.
  if (totalLength > wireEnd - off) totalLength = wireEnd - off;
  const flagsFragment = be16(data, off + IPV4_OFF_FLAGS_FRAGMENT);
  if ((flagsFragment & IPV4_FRAGMENT_OFFSET_MASK) !== 0) {
    out.skip = SkipReason.NON_FIRST_FRAGMENT;
    return;
  }
  if ((flagsFragment & IPV4_FLAG_MORE_FRAGMENTS) !== 0) out.firstFragment = true;
  decodeTransport(protocol, data, off + headerLength, end, totalLength - headerLength, out);
}
