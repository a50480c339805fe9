/**
 * PPP protocol numbers (RFC 1661 §2, IANA "PPP DLL Protocol Numbers") and their
 * translation to the ethertype walk, shared by PPP (link types 9 and 50) and
 * PPPoE sessions (ethertype 0x8864).
 */
import { ETHERTYPE_IP, ETHERTYPE_IPV6, ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTI } from './ethertypes.js';

export const PPP_IP = 0x0021;
export const PPP_IPV6 = 0x0057;
export const PPP_MPLS_UCAST = 0x0281;
export const PPP_MPLS_MCAST = 0x0283;
/** Van Jacobson compressed TCP/IP (RFC 1144): TCP, but its header is compressed. */
export const PPP_VJC = 0x002d;
/** Van Jacobson uncompressed TCP/IP: IP whose protocol byte holds a slot id. */
export const PPP_VJNC = 0x002f;
/** Multilink fragment (RFC 1990): the datagram is split across frames. */
export const PPP_MP = 0x003d;
/** Individual-link and multilink compressed datagrams (CCP, RFC 1962). */
export const PPP_COMP = 0x00fd;
export const PPP_COMP_LINK = 0x00fb;
/** Encrypted datagrams (ECP, RFC 1968). */
export const PPP_ECP_DATA = 0x0053;
export const PPP_ECP_DATA_LINK = 0x0055;

/** Returned for a protocol that is not IP (LCP, IPCP, IPX…): NOT_IP. */
export const PPP_TO_NOT_IP = -1;
/** Returned for a protocol that may hide IP but is not walked: UNSUPPORTED_ENCAPSULATION. */
export const PPP_TO_UNSUPPORTED = -2;

/**
 * The ethertype whose walk continues a PPP payload of protocol `protocol`, or
 * PPP_TO_NOT_IP / PPP_TO_UNSUPPORTED. A protocol number must be odd in its
 * low byte and even in its high byte (RFC 1661 §2); one that is not cannot be
 * parsed at all.
 */
export function pppProtocolToEthertype(protocol: number): number {
  switch (protocol) {
    case PPP_IP:
      return ETHERTYPE_IP;
    case PPP_IPV6:
      return ETHERTYPE_IPV6;
    case PPP_MPLS_UCAST:
      return ETHERTYPE_MPLS;
    case PPP_MPLS_MCAST:
      return ETHERTYPE_MPLS_MULTI;
    case PPP_VJC:
    case PPP_VJNC:
    case PPP_MP:
    case PPP_COMP:
    case PPP_COMP_LINK:
    case PPP_ECP_DATA:
    case PPP_ECP_DATA_LINK:
      return PPP_TO_UNSUPPORTED;
    default:
      return (protocol & 0x0001) === 1 && (protocol & 0x0100) === 0 ? PPP_TO_NOT_IP : PPP_TO_UNSUPPORTED;
  }
}
