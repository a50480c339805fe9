/**
 * TCP header (RFC 9293 §3.1). Only what the tracker needs is read: ports,
 * sequence and acknowledgment numbers, data offset and the flags byte; options
 * are skipped by the data offset, never parsed (STYLE: parse nothing the
 * pipeline does not need).
 */
import { be16, be32 } from './bytes.js';
import type { DecodedPacket } from './packet.js';
import { SkipReason } from './skip-reasons.js';

/** Smallest legal data offset, in 32-bit words (a header without options). */
export const TCP_MIN_DATA_OFFSET = 5;
/**
 * Bytes of TCP that make a frame count as TCP (`isTcp`, SPEC §2 `tcp_packets`):
 * the two ports. tshark's TCP dissector reads the ports before it adds the
 * `tcp` item to the tree, so a frame with 1–3 bytes of TCP (captured and
 * within the IP length) does not match its `tcp` filter; measured with tshark
 * 4.0.17 on frames cut after 1…14 bytes of TCP (see docs/decoding.md).
 */
export const TCP_COUNTED_MIN = 4;
/**
 * Bytes of TCP header that must be captured for the packet to be used: ports
 * (0–3), sequence (4–7), acknowledgment (8–11), data offset (12) and flags (13).
 * SPEC §2: a snaplen-68 frame holds Ethernet, IPv6 and these 14 bytes.
 */
export const TCP_CAPTURED_MIN = 14;

const TCP_OFF_SRC_PORT = 0;
const TCP_OFF_DST_PORT = 2;
const TCP_OFF_SEQ = 4;
const TCP_OFF_ACK = 8;
const TCP_OFF_DATA_OFFSET = 12;
const TCP_OFF_FLAGS = 13;

/**
 * Decodes a TCP header at `off`.
 *
 * `tcpLength` is the IP payload length the IP layer (or layers) announce for
 * the segment, header included — never the captured length (SPEC §2), so a
 * frame cut by the snaplen gives the same payload length as the whole frame.
 * `end` bounds the captured bytes.
 *
 * The frame counts as TCP (`isTcp`) when its ports are there — captured, and
 * inside the IP length (bytes past it are link padding, not TCP) — even when
 * the rest of the header is cut (`TRUNCATED_TRANSPORT`) or bogus
 * (`BAD_TCP_HEADER`), as tshark's `tcp` filter does.
 */
export function decodeTcp(
  data: Uint8Array,
  off: number,
  end: number,
  tcpLength: number,
  out: DecodedPacket,
): void {
  const captured = end - off;
  const present = captured < tcpLength ? captured : tcpLength;
  if (present >= TCP_COUNTED_MIN) {
    out.isTcp = true;
    out.srcPort = be16(data, off + TCP_OFF_SRC_PORT);
    out.dstPort = be16(data, off + TCP_OFF_DST_PORT);
  }
  if (captured < TCP_CAPTURED_MIN) {
    out.skip = SkipReason.TRUNCATED_TRANSPORT;
    return;
  }
  out.seq = be32(data, off + TCP_OFF_SEQ);
  out.ack = be32(data, off + TCP_OFF_ACK);
  out.tcpFlags = data[off + TCP_OFF_FLAGS];
  const dataOffsetWords = data[off + TCP_OFF_DATA_OFFSET] >> 4;
  const headerLength = dataOffsetWords * 4;
  if (dataOffsetWords < TCP_MIN_DATA_OFFSET || headerLength > tcpLength) {
    out.skip = SkipReason.BAD_TCP_HEADER;
    return;
  }
  out.payloadLength = tcpLength - headerLength;
}
