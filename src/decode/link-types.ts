/**
 * The one LINKTYPE_* table (tcpdump.org "Link-layer header types"): a link
 * type number → the function that finds the network layer in such a frame.
 * Adding an encapsulation is one module and one row here.
 *
 * Link types are 16-bit values (pcapng IDB LinkType; the low 16 bits of the
 * classic pcap header's 32-bit field), never a byte (STYLE naming).
 */
import { decodeChdlc } from './chdlc.js';
import { decodeEthernet } from './ethernet.js';
import { decodeFddi } from './fddi.js';
import { decodeIpoib } from './ipoib.js';
import { decodeNflog } from './nflog.js';
import { decodeNullLoop } from './null-loop.js';
import type { DecodedPacket } from './packet.js';
import { decodePpp, decodePppHdlc } from './ppp.js';
import { decodeRawIp, decodeRawIpv4, decodeRawIpv6 } from './raw-ip.js';
import { decodeSll } from './sll.js';
import { decodeSll2 } from './sll2.js';

/**
 * Decodes one frame of its link type into `out`: `data[start, end)` are the
 * captured bytes; `wireEnd` = start + original length is where the frame ended
 * on the wire (for IPv4 total length 0, SPEC §2 TSO). Writes `out.skip` or
 * decodes the IP layer; never throws, never allocates.
 */
export type LinkDecoder = (
  data: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  out: DecodedPacket,
) => void;

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_FDDI = 10;
/** DLT_RAW as most BSDs numbered it; pcap files from them carry 12 (SPEC §2). */
export const DLT_RAW_BSD = 12;
/** DLT_RAW as OpenBSD numbered it. */
export const DLT_RAW_OPENBSD = 14;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_IPOIB = 242;
export const LINKTYPE_LINUX_SLL2 = 276;

export interface LinkTypeRow {
  readonly linkType: number;
  /** The registry's name, as tools print it. */
  readonly name: string;
  readonly decode: LinkDecoder;
}

/** Every link type decoded (SPEC §2); any other is UNSUPPORTED_LINKTYPE. */
export const LINK_TYPES: readonly LinkTypeRow[] = [
  { linkType: LINKTYPE_NULL, name: 'NULL', decode: decodeNullLoop },
  { linkType: LINKTYPE_ETHERNET, name: 'ETHERNET', decode: decodeEthernet },
  { linkType: LINKTYPE_PPP, name: 'PPP', decode: decodePpp },
  { linkType: LINKTYPE_FDDI, name: 'FDDI', decode: decodeFddi },
  { linkType: DLT_RAW_BSD, name: 'RAW (DLT 12)', decode: decodeRawIp },
  { linkType: DLT_RAW_OPENBSD, name: 'RAW (DLT 14)', decode: decodeRawIp },
  { linkType: LINKTYPE_PPP_HDLC, name: 'PPP_HDLC', decode: decodePppHdlc },
  { linkType: LINKTYPE_RAW, name: 'RAW', decode: decodeRawIp },
  { linkType: LINKTYPE_C_HDLC, name: 'C_HDLC', decode: decodeChdlc },
  { linkType: LINKTYPE_LOOP, name: 'LOOP', decode: decodeNullLoop },
  { linkType: LINKTYPE_LINUX_SLL, name: 'LINUX_SLL', decode: decodeSll },
  { linkType: LINKTYPE_IPV4, name: 'IPV4', decode: decodeRawIpv4 },
  { linkType: LINKTYPE_IPV6, name: 'IPV6', decode: decodeRawIpv6 },
  { linkType: LINKTYPE_NFLOG, name: 'NFLOG', decode: decodeNflog },
  { linkType: LINKTYPE_IPOIB, name: 'IPOIB', decode: decodeIpoib },
  { linkType: LINKTYPE_LINUX_SLL2, name: 'LINUX_SLL2', decode: decodeSll2 },
];

/** Dense lookup built once from LINK_TYPES; holes are null. */
export const LINK_DECODERS: readonly (LinkDecoder | null)[] = (() => {
  let max = 0;
  for (const row of LINK_TYPES) if (row.linkType > max) max = row.linkType;
  const table: (LinkDecoder | null)[] = new Array<LinkDecoder | null>(max + 1).fill(null);
  for (const row of LINK_TYPES) table[row.linkType] = row.decode;
  return table;
})();

/** The table's name for a link type, or `LINKTYPE <n>` when it is not decoded. */
export function linkTypeName(linkType: number): string {
  for (const row of LINK_TYPES) if (row.linkType === linkType) return row.name;
  return `LINKTYPE ${linkType}`;
}

/** Whether frames of this link type are decoded. */
export function isSupportedLinkType(linkType: number): boolean {
  return linkType >= 0 && linkType < LINK_DECODERS.length && LINK_DECODERS[linkType] !== null;
}
