/**
 * Why a packet was not used (SPEC §2: nothing is skipped silently).
 * A closed list: each reason is a number on the hot path and a name in outputs.
 */
export const SkipReason = {
  NONE: 0,
  /** The record's link type is not one we decode (SPEC §2 list). */
  UNSUPPORTED_LINKTYPE: 1,
  /** The link-layer header (or a tag, label or shim inside it) is cut short. */
  TRUNCATED_LINK: 2,
  /** A link-layer encapsulation we do not walk (ARCNET, Juniper, FabricPath, LLC without SNAP…). */
  UNSUPPORTED_ENCAPSULATION: 3,
  /** The frame carries something other than IP (ARP, LLDP, IPX…). */
  NOT_IP: 4,
  /** The IP header is cut short before its fixed part (or an extension header) ends. */
  TRUNCATED_IP: 5,
  /** Bad IP version, header length or total length. */
  BAD_IP_HEADER: 6,
  /** An IP fragment other than the first: its transport header is elsewhere. */
  NON_FIRST_FRAGMENT: 7,
  /** Fewer than the 14 bytes of TCP header the tracker needs are captured. */
  TRUNCATED_TRANSPORT: 8,
  /** TCP data offset below 5 words or past the end of the IP payload. */
  BAD_TCP_HEADER: 9,
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** Names used in summaries and JSON, indexed by reason number. */
export const SKIP_REASON_NAMES: readonly string[] = [
  'none',
  'unsupported-linktype',
  'truncated-link',
  'unsupported-encapsulation',
  'not-ip',
  'truncated-ip',
  'bad-ip-header',
  'non-first-fragment',
  'truncated-transport',
  'bad-tcp-header',
];

export const SKIP_REASON_COUNT = SKIP_REASON_NAMES.length;
