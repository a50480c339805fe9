/**
 * Ethertype values (IEEE Registration Authority; names as in tcpdump's
 * `ethertype.h` where it has them) and LLC/SNAP constants (IEEE 802.2,
 * RFC 1042). Values only: the walk that reads them is in `ethernet.ts`.
 */

/** Smallest Ethernet II type; smaller values are an 802.3 length (IEEE 802.3 §3.2.6). */
export const ETHERTYPE_MIN = 0x0600;
/** Largest 802.3 length value; 1501–1535 are neither a length nor a type. */
export const IEEE802_3_MAX_LENGTH = 1500;

export const ETHERTYPE_IP = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_REVARP = 0x8035;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_IPX = 0x8137;
export const ETHERTYPE_LLDP = 0x88cc;
/** 802.1Q VLAN tag: TCI (2) then the next type. */
export const ETHERTYPE_8021Q = 0x8100;
/** 802.1ad service tag (QinQ outer tag), same layout as 802.1Q. */
export const ETHERTYPE_8021AD = 0x88a8;
/** Pre-standard QinQ outer tag used by some switches, same layout. */
export const ETHERTYPE_8021Q9100 = 0x9100;
/** Cisco VN-Tag (802.1Qbh draft): a 4-byte tag then the next type. */
export const ETHERTYPE_VN_TAG = 0x8926;
/**
 * 802.1ah Provider Backbone Bridging I-TAG: 4 bytes (priority, flags, 24-bit
 * I-SID), then the customer frame's destination and source addresses (12
 * bytes), then its type.
 */
export const ETHERTYPE_8021AH = 0x88e7;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTI = 0x8848;
export const ETHERTYPE_PPPOED = 0x8863;
/** PPPoE session stage (RFC 2516 §4): 6-byte header then a PPP protocol. */
export const ETHERTYPE_PPPOES = 0x8864;

/* Encapsulations that can carry IP but are not walked (UNSUPPORTED_ENCAPSULATION). */
export const ETHERTYPE_TEB = 0x6558;
export const ETHERTYPE_PPP = 0x880b;
export const ETHERTYPE_JUMBO_LLC = 0x8870;
export const ETHERTYPE_OUI_EXTENDED = 0x88b7;
export const ETHERTYPE_MACSEC = 0x88e5;
export const ETHERTYPE_FABRICPATH = 0x8903;
export const ETHERTYPE_CISCO_METADATA = 0x8909;
export const ETHERTYPE_8021BR = 0x893f;
export const ETHERTYPE_NSH = 0x894f;
export const ETHERTYPE_8021Q9200 = 0x9200;
/** Marvell EDSA switch tag (Linux ETH_P_EDSA). */
export const ETHERTYPE_MARVELL_EDSA = 0xdada;

/** LLC SAP of a SNAP header (RFC 1042). */
export const LLC_SAP_SNAP = 0xaa;
/** LLC control: Unnumbered Information. */
export const LLC_UI = 0x03;
/** DSAP/SSAP 0xff: "raw 802.3" Novell IPX, whose first payload bytes are the IPX checksum 0xffff. */
export const LLC_SAP_RAW_IPX = 0xff;
/** SNAP OUI 00-00-00: the protocol id is an ethertype (RFC 1042). */
export const OUI_ENCAP_ETHER = 0x000000;
/** SNAP OUI 00-00-F8: 802.1H bridge tunnel, protocol id also an ethertype. */
export const OUI_BRIDGE_TUNNEL = 0x0000f8;
/** LLC (3) + SNAP OUI (3) + protocol id (2). */
export const LLC_SNAP_LENGTH = 8;
