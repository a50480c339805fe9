/**
 * IPv6 header (RFC 8200 §3) and its extension headers. The walk is driven by
 * one table, indexed by Next Header value, giving each header's length rule
 * (cf. gopacket `ip6.go` decodeIPv6ExtensionBase and `ipsec.go` decodeIPSecAH):
 *
 * - Hop-by-Hop Options (0), Routing (43), Destination Options (60):
 *   (Hdr Ext Len + 1) × 8 bytes (RFC 8200 §4.3, §4.4, §4.6);
 * - Fragment (44): a fixed 8 bytes (RFC 8200 §4.5);
 * - Authentication Header (51): (Payload Len + 2) × 4 bytes (RFC 4302 §2.2);
 * - ESP (50) and No Next Header (59) end the walk: nothing readable follows.
 *
 * Any other value is the upper-layer protocol.
 */
import { be16, be32 } from './bytes.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';
import { decodeTransport } from './transport.js';

export const IPV6_VERSION = 6;
export const IPV6_HEADER_LENGTH = 40;

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

/** Hop-by-hop option type of the Jumbo Payload option (RFC 2675 §2). */
export const IP6OPT_JUMBO = 0xc2;
/** Its option data length: a 32-bit Jumbo Payload Length. */
export const IP6OPT_JUMBO_LEN = 4;
/**
 * A Jumbo Payload Length must exceed 65535 (RFC 2675 §2); a smaller one is an
 * error and is ignored, as tshark ignores it (the payload length stays 0).
 */
export const IP6_JUMBO_MIN = 0x10000;
/** Pad1 is the one option without a length byte (RFC 8200 §4.2). */
export const IP6OPT_PAD1 = 0;

const IPV6_OFF_PAYLOAD_LENGTH = 4;
const IPV6_OFF_NEXT_HEADER = 6;
const IPV6_OFF_SRC = 8;
const IPV6_OFF_DST = 24;
/** Fragment header: offset (13 bits, 8-byte units) in the top of bytes 2–3. */
const IPV6_FRAGMENT_OFFSET_MASK = 0xfff8;

/** What a Next Header value is to the walk. */
const EXT_UPPER_LAYER = 0;
/** (len + 1) × 8 bytes. */
const EXT_OPTIONS_8 = 1;
/** A fixed 8 bytes. */
const EXT_FRAGMENT = 2;
/** (len + 2) × 4 bytes. */
const EXT_AH = 3;
/** ESP or No Next Header: the walk ends, no transport header is readable. */
const EXT_END = 4;

const EXTENSION_ROWS: readonly (readonly [nextHeader: number, kind: number])[] = [
  [IPPROTO_HOPOPTS, EXT_OPTIONS_8],
  [IPPROTO_ROUTING, EXT_OPTIONS_8],
  [IPPROTO_FRAGMENT, EXT_FRAGMENT],
  [IPPROTO_DSTOPTS, EXT_OPTIONS_8],
  [IPPROTO_AH, EXT_AH],
  [IPPROTO_ESP, EXT_END],
  [IPPROTO_NONE, EXT_END],
];

/** Next Header value → EXT_* kind, computed once. */
const EXTENSION_KIND = new Uint8Array(256);
for (const [nextHeader, kind] of EXTENSION_ROWS) EXTENSION_KIND[nextHeader] = kind;

/**
 * Finds the Jumbo Payload Length in the Hop-by-Hop header at `off` (length
 * `hbhLength`, fully captured), or returns -1 when the header has none.
 */
function findJumboLength(data: Uint8Array, off: number, hbhLength: number): number {
  let p = off + 2;
  const optionsEnd = off + hbhLength;
  while (p < optionsEnd) {
    const type = data[p];
    if (type === IP6OPT_PAD1) {
      p += 1;
      continue;
    }
    if (p + 2 > optionsEnd) return -1;
    const length = data[p + 1];
    if (type === IP6OPT_JUMBO && length === IP6OPT_JUMBO_LEN && p + 6 <= optionsEnd) {
      return be32(data, p + 2);
    }
    p += 2 + length;
  }
  return -1;
}

/**
 * Decodes an IPv6 packet at `off` and walks its extension headers; `end`
 * bounds the captured bytes. `wireEnd` is where the frame ended on the wire
 * and `limit` where an enclosing header says the packet ends (see ipv4.ts),
 * or NO_LIMIT: a payload length (or jumbo length) reaching past either is cut
 * to it, as tshark does (SPEC §2); the captured length never cuts it.
 *
 * Lengths come from the headers: the transport length is Payload Length minus
 * the extension headers. Payload Length 0 with a Jumbo Payload option (Linux
 * BIG TCP, RFC 2675) takes the option's length instead. Payload Length 0
 * without one is taken as it is (unlike IPv4 total length 0, not as offload:
 * tshark does not either), so a TCP header behind it is BAD_TCP_HEADER. Each extension header
 * must be captured whole to be walked (TRUNCATED_IP otherwise) and must fit
 * in the payload length (BAD_IP_HEADER otherwise).
 */
export function decodeIpv6(
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
  if (data[off] >> 4 !== IPV6_VERSION) {
    out.skip = SkipReason.BAD_IP_HEADER;
    return;
  }
  if (end - off < IPV6_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_IP;
    return;
  }
  out.ipVersion = IPV6_VERSION;
  const src = out.src;
  const dst = out.dst;
  for (let i = 0; i < 4; i++) {
    src[i] = be32(data, off + IPV6_OFF_SRC + 4 * i);
    dst[i] = be32(data, off + IPV6_OFF_DST + 4 * i);
  }
  let next = data[off + IPV6_OFF_NEXT_HEADER];
  out.ipProto = next;
  let remaining = be16(data, off + IPV6_OFF_PAYLOAD_LENGTH);
  let p = off + IPV6_HEADER_LENGTH;
  const jumboCandidate = remaining === 0 && next === IPPROTO_HOPOPTS;

  const limitRemaining = limit - off - IPV6_HEADER_LENGTH;
  if (limitRemaining < 0) {
    out.skip = SkipReason.BAD_IP_HEADER;
    return;
  }
  // wireEnd ≥ end and the fixed header is captured, so this is never negative.
  const wireRemaining = wireEnd - off - IPV6_HEADER_LENGTH;
  const capRemaining = wireRemaining < limitRemaining ? wireRemaining : limitRemaining;
  if (remaining > capRemaining && !jumboCandidate) remaining = capRemaining;

  for (;;) {
    const kind = EXTENSION_KIND[next];
    if (kind === EXT_UPPER_LAYER) break;
    out.ipProto = next;
    if (kind === EXT_END) return;
    if (end - p < 2) {
      out.skip = SkipReason.TRUNCATED_IP;
      return;
    }
    const length =
      kind === EXT_OPTIONS_8 ? (data[p + 1] + 1) * 8 : kind === EXT_AH ? (data[p + 1] + 2) * 4 : 8;
    if (end - p < length) {
      out.skip = SkipReason.TRUNCATED_IP;
      return;
    }
    if (jumboCandidate && p === off + IPV6_HEADER_LENGTH) {
      const jumbo = findJumboLength(data, p, length);
      if (jumbo >= IP6_JUMBO_MIN) remaining = jumbo > capRemaining ? capRemaining : jumbo;
    }
    if (length > remaining) {
      out.skip = SkipReason.BAD_IP_HEADER;
      return;
    }
    if (kind === EXT_FRAGMENT) {
      const offsetFlags = be16(data, p + 2);
      if ((offsetFlags & IPV6_FRAGMENT_OFFSET_MASK) !== 0) {
        out.ipProto = data[p];
        out.skip = SkipReason.NON_FIRST_FRAGMENT;
        return;
      }
      // M flag (RFC 8200 §4.5): an atomic fragment (M clear) is a whole packet.
      if ((offsetFlags & 1) !== 0) out.firstFragment = true;
    }
    next = data[p];
    p += length;
    remaining -= length;
  }
  out.ipProto = next;
  decodeTransport(next, data, p, end, remaining, out);
}
