/**
 * Linux "cooked" capture, version 1 (LINKTYPE_LINUX_SLL, 113): the header
 * libpcap builds for the "any" device and for links without a usable
 * link-layer header (tcpdump.org LINKTYPE_LINUX_SLL page).
 *
 *   0  packet type (2)   2  ARPHRD_ type (2)   4  address length (2)
 *   6  address (8)      14  protocol type (2)  16  payload
 */
import { be16 } from './bytes.js';
import { ETHERTYPE_MIN } from './ethertypes.js';
import { decodeEthertype, TYPE_LLC_FOLLOWS } from './ethernet.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

export const SLL_HEADER_LENGTH = 16;
const SLL_OFF_ARPHRD = 2;
const SLL_OFF_PROTOCOL = 14;

/** ARPHRD_NETLINK: the protocol field is a netlink family, the payload a netlink message. */
export const ARPHRD_NETLINK = 824;
/**
 * Protocol values below 0x0600 are Linux ETH_P_* pseudo-protocols
 * (if_ether.h): ETH_P_802_2 (4) means an 802.2 LLC header follows; the others
 * (ETH_P_802_3 Novell IPX, ETH_P_CAN, ETH_P_IEEE802154…) are not IP.
 */
export const LINUX_SLL_P_802_2 = 0x0004;

/**
 * Shared by SLL and SLL2: continues from the protocol field. `off` is the
 * first byte after the cooked header.
 */
export function decodeSllProtocol(
  protocol: number,
  arphrd: number,
  data: Uint8Array,
  off: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (arphrd === ARPHRD_NETLINK) {
    out.skip = SkipReason.NOT_IP;
    return;
  }
  if (protocol < ETHERTYPE_MIN) {
    if (protocol === LINUX_SLL_P_802_2) decodeEthertype(TYPE_LLC_FOLLOWS, data, off, end, wireEnd, out);
    else out.skip = SkipReason.NOT_IP;
    return;
  }
  decodeEthertype(protocol, data, off, end, wireEnd, out);
}

export function decodeSll(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (end - start < SLL_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  decodeSllProtocol(
    be16(data, start + SLL_OFF_PROTOCOL),
    be16(data, start + SLL_OFF_ARPHRD),
    data,
    start + SLL_HEADER_LENGTH,
    end,
    wireEnd,
    out,
  );
}
