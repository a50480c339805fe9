/**
 * Ethernet (LINKTYPE_ETHERNET, 1) and the ethertype walk shared by every link
 * type whose header ends in an ethertype (SLL, SLL2, Cisco HDLC, IPoIB, FDDI
 * and PPP after translation).
 *
 * The walk is one loop over a table of ethertype actions (no recursion, so a
 * hostile stack of thousands of tags cannot overflow the call stack): VLAN /
 * QinQ tags, VN-Tag, 802.1ah (then the customer frame), MPLS label stacks,
 * PPPoE sessions, and 802.3 frames with an LLC/SNAP header (SPEC §2).
 */
import { be16 } from './bytes.js';
import {
  ETHERTYPE_8021AD,
  ETHERTYPE_8021AH,
  ETHERTYPE_8021BR,
  ETHERTYPE_8021Q,
  ETHERTYPE_8021Q9100,
  ETHERTYPE_8021Q9200,
  ETHERTYPE_CISCO_METADATA,
  ETHERTYPE_FABRICPATH,
  ETHERTYPE_IP,
  ETHERTYPE_IPV6,
  ETHERTYPE_JUMBO_LLC,
  ETHERTYPE_MACSEC,
  ETHERTYPE_MARVELL_EDSA,
  ETHERTYPE_MIN,
  ETHERTYPE_MPLS,
  ETHERTYPE_MPLS_MULTI,
  ETHERTYPE_NSH,
  ETHERTYPE_OUI_EXTENDED,
  ETHERTYPE_PPP,
  ETHERTYPE_PPPOES,
  ETHERTYPE_TEB,
  ETHERTYPE_VN_TAG,
  IEEE802_3_MAX_LENGTH,
  LLC_SAP_RAW_IPX,
  LLC_SAP_SNAP,
  LLC_SNAP_LENGTH,
  LLC_UI,
  OUI_BRIDGE_TUNNEL,
  OUI_ENCAP_ETHER,
} from './ethertypes.js';
import { decodeIpv4, NO_LIMIT } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import type { DecodedPacket } from './packet.js';
import { PPP_TO_NOT_IP, PPP_TO_UNSUPPORTED, pppProtocolToEthertype } from './ppp-protocols.js';
import { SkipReason } from './skip-reasons.js';

/** Destination (6) + source (6) + type/length (2). */
export const ETHER_HEADER_LENGTH = 14;
/** Offset of the type/length field in an Ethernet header. */
export const ETHER_OFF_TYPE = 12;

/**
 * Pseudo-type passed to the walk when an 802.2 LLC header starts at the
 * offset (FDDI, SLL protocol 0x0004). Any value below ETHERTYPE_MIN means "LLC
 * follows"; this one is outside the 16-bit range so it is never a length.
 */
export const TYPE_LLC_FOLLOWS = -1;

/* What the walk does with an ethertype. */
/** Default: a well-formed frame whose protocol is not IP (ARP, LLDP, IPX…). */
const ACT_NOT_IP = 0;
const ACT_IPV4 = 1;
const ACT_IPV6 = 2;
/** A tag of SHIM_BYTES[action] bytes whose last two bytes are the next type. */
const ACT_VLAN = 3;
const ACT_VN_TAG = 4;
const ACT_8021AH = 5;
const ACT_MPLS = 6;
const ACT_PPPOE_SESSION = 7;
/** An encapsulation that may carry IP but is not walked. */
const ACT_UNSUPPORTED = 8;

/** Bytes after the ethertype field up to and including the next type, per shim action. */
const SHIM_BYTES = [0, 0, 0, 4, 6, 18];

/** The table: one row per ethertype the walk knows (others are ACT_NOT_IP). */
const ETHERTYPE_ROWS: readonly (readonly [ethertype: number, action: number])[] = [
  [ETHERTYPE_IP, ACT_IPV4],
  [ETHERTYPE_IPV6, ACT_IPV6],
  [ETHERTYPE_8021Q, ACT_VLAN],
  [ETHERTYPE_8021AD, ACT_VLAN],
  [ETHERTYPE_8021Q9100, ACT_VLAN],
  [ETHERTYPE_VN_TAG, ACT_VN_TAG],
  [ETHERTYPE_8021AH, ACT_8021AH],
  [ETHERTYPE_MPLS, ACT_MPLS],
  [ETHERTYPE_MPLS_MULTI, ACT_MPLS],
  [ETHERTYPE_PPPOES, ACT_PPPOE_SESSION],
  [ETHERTYPE_TEB, ACT_UNSUPPORTED],
  [ETHERTYPE_PPP, ACT_UNSUPPORTED],
  [ETHERTYPE_JUMBO_LLC, ACT_UNSUPPORTED],
  [ETHERTYPE_OUI_EXTENDED, ACT_UNSUPPORTED],
  [ETHERTYPE_MACSEC, ACT_UNSUPPORTED],
  [ETHERTYPE_FABRICPATH, ACT_UNSUPPORTED],
  [ETHERTYPE_CISCO_METADATA, ACT_UNSUPPORTED],
  [ETHERTYPE_8021BR, ACT_UNSUPPORTED],
  [ETHERTYPE_NSH, ACT_UNSUPPORTED],
  [ETHERTYPE_8021Q9200, ACT_UNSUPPORTED],
  [ETHERTYPE_MARVELL_EDSA, ACT_UNSUPPORTED],
];

/** Ethertype → ACT_*, computed once (64 KiB). */
const ETHERTYPE_ACTION = new Uint8Array(0x10000);
for (const [ethertype, action] of ETHERTYPE_ROWS) ETHERTYPE_ACTION[ethertype] = action;

/** MPLS label stack entry (RFC 3032 §2.1): 4 bytes, bottom-of-stack bit in byte 2. */
const MPLS_LABEL_LENGTH = 4;
const MPLS_BOTTOM_OF_STACK = 0x01;
/** PPPoE header (RFC 2516 §4): ver/type, code, session id, length. */
const PPPOE_HEADER_LENGTH = 6;
const PPPOE_OFF_LENGTH = 4;

/**
 * Walks from an ethertype (or an 802.3 length / TYPE_LLC_FOLLOWS, meaning an
 * LLC header starts at `off`) to the IP header and decodes it into `out`.
 * `off` is the first byte after the type field; `end` bounds the captured
 * bytes; `wireEnd` is where the frame ended on the wire.
 *
 * Two headers on the way carry a length that bounds what they enclose: the
 * 802.3 length field and the PPPoE length. The walk keeps the tighter one as
 * `limit` for the IP decoder (tshark cuts the IP packet to them too; zeek's
 * `pppoe-over-qinq.pcap` has IPv4 total lengths 6 bytes past the PPPoE length).
 */
export function decodeEthertype(
  type: number,
  data: Uint8Array,
  off: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  let limit = NO_LIMIT;
  for (;;) {
    if (type < ETHERTYPE_MIN) {
      if (type > IEEE802_3_MAX_LENGTH) {
        out.skip = SkipReason.UNSUPPORTED_ENCAPSULATION;
        return;
      }
      if (type >= 0 && off + type < limit) limit = off + type;
      // 802.2 LLC (IEEE 802.3 length field, or a link type that says LLC).
      if (end - off < 3) {
        out.skip = SkipReason.TRUNCATED_LINK;
        return;
      }
      const dsap = data[off];
      const ssap = data[off + 1];
      if (dsap === LLC_SAP_RAW_IPX && ssap === LLC_SAP_RAW_IPX) {
        out.skip = SkipReason.NOT_IP;
        return;
      }
      if (dsap !== LLC_SAP_SNAP || ssap !== LLC_SAP_SNAP || data[off + 2] !== LLC_UI) {
        out.skip = SkipReason.UNSUPPORTED_ENCAPSULATION;
        return;
      }
      if (end - off < LLC_SNAP_LENGTH) {
        out.skip = SkipReason.TRUNCATED_LINK;
        return;
      }
      const oui = (data[off + 3] << 16) | (data[off + 4] << 8) | data[off + 5];
      if (oui !== OUI_ENCAP_ETHER && oui !== OUI_BRIDGE_TUNNEL) {
        // Vendor protocols under their own OUI: Cisco CDP/VTP/PVST, AppleTalk…
        out.skip = SkipReason.NOT_IP;
        return;
      }
      type = be16(data, off + 6);
      off += LLC_SNAP_LENGTH;
      if (type < ETHERTYPE_MIN) {
        out.skip = SkipReason.UNSUPPORTED_ENCAPSULATION;
        return;
      }
      continue;
    }
    const action = ETHERTYPE_ACTION[type];
    switch (action) {
      case ACT_IPV4:
        decodeIpv4(data, off, end, wireEnd, limit, out);
        return;
      case ACT_IPV6:
        decodeIpv6(data, off, end, wireEnd, limit, out);
        return;
      case ACT_VLAN:
      case ACT_VN_TAG:
      case ACT_8021AH: {
        const shim = SHIM_BYTES[action];
        if (end - off < shim) {
          out.skip = SkipReason.TRUNCATED_LINK;
          return;
        }
        type = be16(data, off + shim - 2);
        off += shim;
        continue;
      }
      case ACT_MPLS: {
        for (;;) {
          if (end - off < MPLS_LABEL_LENGTH) {
            out.skip = SkipReason.TRUNCATED_LINK;
            return;
          }
          const bottom = data[off + 2] & MPLS_BOTTOM_OF_STACK;
          off += MPLS_LABEL_LENGTH;
          if (bottom !== 0) break;
        }
        if (off >= end) {
          out.skip = SkipReason.TRUNCATED_LINK;
          return;
        }
        // No protocol field: the first nibble of the payload tells (RFC 4385 §2
        // keeps 4 and 6 for IP; 0 and 1 start a pseudowire control word).
        const nibble = data[off] >> 4;
        if (nibble === 4) decodeIpv4(data, off, end, wireEnd, limit, out);
        else if (nibble === 6) decodeIpv6(data, off, end, wireEnd, limit, out);
        else out.skip = SkipReason.UNSUPPORTED_ENCAPSULATION;
        return;
      }
      case ACT_PPPOE_SESSION: {
        if (end - off < PPPOE_HEADER_LENGTH + 1) {
          out.skip = SkipReason.TRUNCATED_LINK;
          return;
        }
        // The PPPoE length counts the PPP payload, protocol field included.
        const pppoeEnd = off + PPPOE_HEADER_LENGTH + be16(data, off + PPPOE_OFF_LENGTH);
        if (pppoeEnd < limit) limit = pppoeEnd;
        off += PPPOE_HEADER_LENGTH;
        let protocol = data[off];
        if ((protocol & 1) === 1) {
          // Protocol-field compression (RFC 1661 §6.5): a one-byte protocol.
          off += 1;
        } else {
          if (end - off < 2) {
            out.skip = SkipReason.TRUNCATED_LINK;
            return;
          }
          protocol = be16(data, off);
          off += 2;
        }
        const next = pppProtocolToEthertype(protocol);
        if (next === PPP_TO_NOT_IP) {
          out.skip = SkipReason.NOT_IP;
          return;
        }
        if (next === PPP_TO_UNSUPPORTED) {
          out.skip = SkipReason.UNSUPPORTED_ENCAPSULATION;
          return;
        }
        type = next;
        continue;
      }
      case ACT_UNSUPPORTED:
        out.skip = SkipReason.UNSUPPORTED_ENCAPSULATION;
        return;
      default:
        out.skip = SkipReason.NOT_IP;
        return;
    }
  }
}

/** LINKTYPE_ETHERNET (1): IEEE 802.3 / Ethernet II, no preamble, no FCS expected. */
export function decodeEthernet(
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
): void {
  if (end - start < ETHER_HEADER_LENGTH) {
    out.skip = SkipReason.TRUNCATED_LINK;
    return;
  }
  decodeEthertype(be16(data, start + ETHER_OFF_TYPE), data, start + ETHER_HEADER_LENGTH, end, wireEnd, out);
}
