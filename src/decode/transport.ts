/**
 * The hand-off from the frame's first IP layer to its transport header. Only
 * TCP and UDP are read; every other protocol — including tunnels (GRE 47,
 * IP-in-IP 4 and 41) and ICMP errors quoting a TCP header — ends the decode
 * with `skip` NONE: such a frame counts under its outer protocol (SPEC §2).
 */
import { IPPROTO_TCP, IPPROTO_UDP, type DecodedPacket } from './packet.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';

export function decodeTransport(
  protocol: number,
  data: Uint8Array,
  off: number,
  end: number,
  length: number,
  out: DecodedPacket,
): void {
  if (protocol === IPPROTO_TCP) decodeTcp(data, off, end, length, out);
  else if (protocol === IPPROTO_UDP) decodeUdp(data, off, end, length, out);
}
