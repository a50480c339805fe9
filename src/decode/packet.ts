/**
 * The decoder's output: one preallocated object overwritten per packet
 * (STYLE hot path, gopacket's DecodingLayer). All fields are numbers or
 * booleans, initialized in the constructor so the object keeps one shape.
 */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export class DecodedPacket {
  /** SkipReason (0 = usable TCP packet, or a non-TCP IP packet that is simply not used). */
  skip = 0;
  /** 4 or 6 for the frame's first IP layer, 0 when none was reached. */
  ipVersion = 0;
  /** Transport protocol after IPv6 extension headers (IPPROTO_*), -1 when unknown. */
  ipProto = -1;
  /**
   * Addresses as four 32-bit words in network order: IPv4 in word 0 (words 1–3
   * zero), IPv6 in words 0–3.
   */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  /**
   * The frame counts as a TCP packet (SPEC §2 `tcp_packets`): TCP carried by
   * the first IP layer, first fragment, at least one byte of TCP captured —
   * even when `skip` says its header is cut or bogus.
   */
  isTcp = false;
  /** Same rule for UDP (`udp_packets` in `info`). */
  isUdp = false;
  srcPort = 0;
  dstPort = 0;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80). */
  tcpFlags = 0;
  /** TCP sequence and acknowledgment numbers, unsigned 32-bit. */
  seq = 0;
  ack = 0;
  /** TCP payload bytes from the headers: IP length − IP header(s) − TCP header (SPEC §2). */
  payloadLength = 0;
  /**
   * TCP in IPv4 with total length 0: the frame's original length was used as
   * the IP length (TSO, SPEC §2). Other protocols get the same length rule
   * (UDP GSO) without this flag.
   */
  tso = false;
  /**
   * The packet is the first fragment of a fragmented IP packet (IPv4 MF set at
   * offset 0, or an IPv6 Fragment header with M set at offset 0): its payload
   * length is this fragment's, counted as it crosses the wire (SPEC §2), where
   * tshark without reassembly counts 0. Tests use it to explain that difference.
   */
  firstFragment = false;

  reset(): void {
    this.skip = 0;
    this.ipVersion = 0;
    this.ipProto = -1;
    // Element stores, not TypedArray#fill: in a CPU profile of decodePacket
    // over built frames the two fill calls were its largest cost.
    const src = this.src;
    const dst = this.dst;
    src[0] = 0;
    src[1] = 0;
    src[2] = 0;
    src[3] = 0;
    dst[0] = 0;
    dst[1] = 0;
    dst[2] = 0;
    dst[3] = 0;
    this.isTcp = false;
    this.isUdp = false;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.seq = 0;
    this.ack = 0;
    this.payloadLength = 0;
    this.tso = false;
    this.firstFragment = false;
  }
}

export const TCP_FLAG_FIN = 0x01;
export const TCP_FLAG_SYN = 0x02;
export const TCP_FLAG_RST = 0x04;
export const TCP_FLAG_PSH = 0x08;
export const TCP_FLAG_ACK = 0x10;
