/**
 * The per-packet entry point: link type → link decoder (link-types.ts) → one
 * shared IPv4/IPv6 decoder → TCP/UDP, all writing into one reused
 * DecodedPacket (STYLE hot path, gopacket DecodingLayerParser). No objects,
 * strings, closures, subarrays or exceptions per packet: every failure is a
 * SkipReason in `out.skip` (SPEC §2: nothing is skipped silently).
 */
import { LINK_DECODERS } from './link-types.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

/**
 * Decodes the frame `data[start, start + capturedLength)` of link type
 * `linkType` into `out` (reset first). `originalLength` is the frame's length
 * on the wire: it gives the IP length for an IPv4 total length of 0 (TSO) and
 * caps an IP length that claims more than the frame held (SPEC §2).
 */
export function decodePacket(
  linkType: number,
  data: Uint8Array,
  start: number,
  capturedLength: number,
  originalLength: number,
  out: DecodedPacket,
): void {
  out.reset();
  const decode = linkType >= 0 && linkType < LINK_DECODERS.length ? LINK_DECODERS[linkType] : null;
  if (decode === null) {
    out.skip = SkipReason.UNSUPPORTED_LINKTYPE;
    return;
  }
  let end = start + capturedLength;
  if (end > data.length) end = data.length;
  // A writer that put orig_len < caplen is wrong; the captured bytes were on the wire.
  const wireEnd = originalLength > capturedLength ? start + originalLength : start + capturedLength;
  decode(data, start, end, wireEnd, out);
}
