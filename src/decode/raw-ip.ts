/**
 * Link types with no link-layer header: the record starts with the IP header.
 *
 * - LINKTYPE_RAW (101), and DLT_RAW as written by old BSD libpcaps (12 on most,
 *   14 on OpenBSD), which pcap files still carry: the version nibble tells IPv4
 *   from IPv6 (SPEC §2);
 * - LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229): one version only, so another
 *   version nibble is a bad IP header.
 */
import { decodeIpv4, NO_LIMIT } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export function decodeRawIp(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (start >= end) {
    out.skip = SkipReason.TRUNCATED_IP;
    return;
  }
  const version = data[start] >> 4;
  if (version === 4) decodeIpv4(data, start, end, wireEnd, NO_LIMIT, out);
  else if (version === 6) decodeIpv6(data, start, end, wireEnd, NO_LIMIT, out);
  else out.skip = SkipReason.BAD_IP_HEADER;
}

/** LINKTYPE_IPV4 (228). */
export function decodeRawIpv4(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  decodeIpv4(data, start, end, wireEnd, NO_LIMIT, out);
}

/** LINKTYPE_IPV6 (229). */
export function decodeRawIpv6(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  decodeIpv6(data, start, end, wireEnd, NO_LIMIT, out);
}
