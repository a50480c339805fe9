/**
 * BSD loopback encapsulations: LINKTYPE_NULL (0), a 4-byte address family in
 * the capturing host's byte order, and LINKTYPE_LOOP (108), the same field in
 * network byte order (OpenBSD). Captures move between hosts and some writers
 * got the order wrong, so both are read the same way: whichever reading of
 * the field is a known family wins (SPEC §2).
 */
import { be32, le32 } from './bytes.js';
import { decodeIpv4, NO_LIMIT } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export const NULL_HEADER_LENGTH = 4;

/** AF_INET, the same on every BSD, Linux, macOS and Windows. */
export const BSD_AFNUM_INET = 2;
/** AF_INET6 differs by OS (tcpdump.org LINKTYPE_NULL page). */
export const BSD_AFNUM_INET6_LINUX = 10;
export const BSD_AFNUM_INET6_BSD = 24; // NetBSD, OpenBSD, BSD/OS
export const BSD_AFNUM_INET6_FREEBSD = 28; // FreeBSD, DragonFly BSD
export const BSD_AFNUM_INET6_DARWIN = 30; // macOS, iOS

function isInet6(family: number): boolean {
  return (
    family === BSD_AFNUM_INET6_BSD ||
    family === BSD_AFNUM_INET6_FREEBSD ||
    family === BSD_AFNUM_INET6_DARWIN ||
    family === BSD_AFNUM_INET6_LINUX
  );
}

/**
 * A family that is neither IP reading (OSI, AppleTalk, IPX…) means the frame
 * carries another protocol: NOT_IP.
 */
export function decodeNullLoop(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (end - start < NULL_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  const little = le32(data, start);
  const big = be32(data, start);
  const off = start + NULL_HEADER_LENGTH;
  if (little === BSD_AFNUM_INET || big === BSD_AFNUM_INET) decodeIpv4(data, off, end, wireEnd, NO_LIMIT, out);
  else if (isInet6(little) || isInet6(big)) decodeIpv6(data, off, end, wireEnd, NO_LIMIT, out);
  else out.skip = SkipReason.NOT_IP;
}
