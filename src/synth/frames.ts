/**
 * Builds real frames (link header, IP, TCP/UDP, zero-filled payload) for tests
 * and for the synthetic traffic generator. Not on the hot path: it allocates
 * freely. Every encapsulation the decoder walks can be built here, so each
 * decoder rule has a frame to test it with.
 *
 * Addresses are strings ('10.0.0.1', '2001:db8::1') parsed at build time.
 * With `snaplen` the frame is cut like a capture would cut it, while the IP
 * and TCP headers still describe the whole packet and `originalLength` is the
 * length on the wire.
 */
import {
  ETHERTYPE_8021AD,
  ETHERTYPE_8021AH,
  ETHERTYPE_8021Q,
  ETHERTYPE_IP,
  ETHERTYPE_IPV6,
  ETHERTYPE_MPLS,
  ETHERTYPE_PPPOES,
  ETHERTYPE_VN_TAG,
} from '../decode/ethertypes.js';
import {
  DLT_RAW_BSD,
  DLT_RAW_OPENBSD,
  LINKTYPE_C_HDLC,
  LINKTYPE_ETHERNET,
  LINKTYPE_FDDI,
  LINKTYPE_IPOIB,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NFLOG,
  LINKTYPE_NULL,
  LINKTYPE_PPP,
  LINKTYPE_PPP_HDLC,
  LINKTYPE_RAW,
} from '../decode/link-types.js';
import { IPPROTO_TCP, IPPROTO_UDP } from '../decode/packet.js';
import { PPP_IP, PPP_IPV6, PPP_MPLS_UCAST } from '../decode/ppp-protocols.js';

/** A built frame: what a capture record would hold. */
export interface BuiltFrame {
  linkType: number;
  /** The captured bytes (cut to `snaplen` when one was given). */
  data: Uint8Array;
  /** The frame's length on the wire. */
  originalLength: number;
}

/** One layer between the Ethernet-style header and IP, outermost first. */
export type EtherLayer =
  | { kind: 'vlan'; vid: number; tpid?: number; pcp?: number }
  | { kind: 'vn-tag' }
  | { kind: '802.1ah'; isid: number }
  | { kind: 'mpls'; labels: readonly number[] }
  | { kind: 'pppoe'; session: number }
  | { kind: 'llc-snap' };

export interface LinkOptions {
  /** LINKTYPE_* number, default LINKTYPE_ETHERNET. */
  linkType?: number;
  /** 802.1Q VLAN ids, outermost first (shortcut for `vlan` layers). */
  vlan?: readonly number[];
  /** QinQ: 802.1ad service tag id put outside the `vlan` tags. */
  serviceVlan?: number;
  /** MPLS labels, outermost first (after the VLAN tags). */
  mpls?: readonly number[];
  /** PPPoE session id (after VLAN tags; not with `mpls`). */
  pppoeSession?: number;
  /** Explicit layer stack, outermost first; replaces vlan/serviceVlan/mpls/pppoeSession. */
  layers?: readonly EtherLayer[];
  /** NULL/LOOP family value; default 2 for IPv4, 30 (Darwin) for IPv6. */
  nullFamily?: number;
  /** NULL/LOOP byte order of the family; default little for NULL, big for LOOP. */
  nullByteOrder?: 'little' | 'big';
  /** NFLOG TLV byte order; default little. */
  nflogByteOrder?: 'little' | 'big';
  /** LINKTYPE_PPP: prefix the 0xff 0x03 address/control bytes (default true). */
  pppAddressControl?: boolean;
  /** LINKTYPE_PPP_HDLC: use Cisco HDLC framing (0x0f) instead of 0xff 0x03. */
  pppCiscoFraming?: boolean;
  /** Cut the captured bytes to this many. */
  snaplen?: number;
}

export interface Ipv6ExtensionSpec {
  type: 'hop-by-hop' | 'routing' | 'destination' | 'fragment' | 'ah';
  /**
   * Header length in bytes: a multiple of 8 (≥ 8) for hop-by-hop, routing and
   * destination options; a multiple of 4 (≥ 12) for AH; fragment is always 8.
   */
  length?: number;
  /** Fragment header: offset in bytes (a multiple of 8) and the M flag. */
  fragmentOffset?: number;
  moreFragments?: boolean;
}

export interface IpOptions {
  ttl?: number;
  /** IPv4 identification (also the IPv6 fragment id). */
  id?: number;
  /** IPv4 header options, bytes (multiple of 4, zero-filled = End of Options). */
  ipv4OptionsLength?: number;
  /** IPv4 fragmentation: offset in bytes (multiple of 8) and MF. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** IPv4 total length 0, as TSO captures on the sending host have it. */
  tso?: boolean;
  /** Override the IPv4 total length / IPv6 payload length field. */
  ipLengthField?: number;
  /** Override the IPv4 IHL (32-bit words), for bogus headers. */
  ihl?: number;
  /** IPv6 extension headers, in order. */
  ipv6Ext?: readonly Ipv6ExtensionSpec[];
  /** IPv6 payload length 0 and a Hop-by-Hop Jumbo Payload option (BIG TCP). */
  jumbo?: boolean;
}

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** Flags byte (TCP_FLAG_*), default ACK. */
  flags?: number;
  window?: number;
  /** TCP options length in bytes (multiple of 4, NOP-filled). */
  tcpOptionsLength?: number;
  /** Override the data offset field (32-bit words), for bogus headers. */
  dataOffset?: number;
  /** Payload bytes (zero-filled). */
  payloadLength?: number;
}

export interface TcpFrameSpec extends LinkOptions, IpOptions, TcpSpec {
  src: string;
  dst: string;
}

export interface UdpFrameSpec extends LinkOptions, IpOptions {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payloadLength?: number;
}

export interface IpFrameSpec extends LinkOptions, IpOptions {
  src: string;
  dst: string;
  /** IP protocol / last Next Header. */
  protocol: number;
  payload: Uint8Array;
}

// ---------------------------------------------------------------------------
// Addresses

/** Parses an IPv4 or IPv6 address into its 4 or 16 bytes. */
export function parseAddress(text: string): Uint8Array {
  if (text.includes(':')) return parseIpv6(text);
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  const bytes = new Uint8Array(4);
  parts.forEach((part, i) => {
    const value = Number(part);
    if (!/^\d+$/.test(part) || value > 255) throw new Error(`not an IPv4 address: ${text}`);
    bytes[i] = value;
  });
  return bytes;
}

function parseIpv6(text: string): Uint8Array {
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${text}`);
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (g.includes('.')) {
        const v4 = parseAddress(g);
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: ${text}`);
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) throw new Error(`not an IPv6 address: ${text}`);
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** The address as the decoder's four network-order 32-bit words (IPv4 in word 0). */
export function addressWords(text: string): number[] {
  const b = parseAddress(text);
  const words = [0, 0, 0, 0];
  for (let i = 0; i < b.length / 4; i++) {
    words[i] = ((b[4 * i] << 24) | (b[4 * i + 1] << 16) | (b[4 * i + 2] << 8) | b[4 * i + 3]) >>> 0;
  }
  return words;
}

// ---------------------------------------------------------------------------
// Byte helpers

export function concatBytes(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

function u16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

/** RFC 1071 Internet checksum of `b[off, off + length)`. */
export function internetChecksum(b: Uint8Array, off: number, length: number): number {
  let sum = 0;
  for (let i = 0; i + 1 < length; i += 2) sum += (b[off + i] << 8) | b[off + i + 1];
  if (length % 2 === 1) sum += b[off + length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------------------
// Transport

/** A TCP header (checksum left 0) followed by a zero-filled payload. */
export function buildTcpSegment(spec: TcpSpec): Uint8Array {
  const optionsLength = spec.tcpOptionsLength ?? 0;
  if (optionsLength % 4 !== 0 || optionsLength > 40) throw new Error('tcpOptionsLength must be a multiple of 4, ≤ 40');
  const headerLength = 20 + optionsLength;
  const b = new Uint8Array(headerLength + (spec.payloadLength ?? 0));
  put16(b, 0, spec.srcPort);
  put16(b, 2, spec.dstPort);
  put32(b, 4, spec.seq ?? 0);
  put32(b, 8, spec.ack ?? 0);
  b[12] = ((spec.dataOffset ?? headerLength / 4) & 0x0f) << 4;
  b[13] = spec.flags ?? 0x10;
  put16(b, 14, spec.window ?? 65535);
  b.fill(0x01, 20, headerLength); // NOP options
  return b;
}

/** A UDP header (checksum 0: none) followed by a zero-filled payload. */
export function buildUdpDatagram(srcPort: number, dstPort: number, payloadLength: number): Uint8Array {
  const b = new Uint8Array(8 + payloadLength);
  put16(b, 0, srcPort);
  put16(b, 2, dstPort);
  put16(b, 4, Math.min(8 + payloadLength, 0xffff));
  return b;
}

// ---------------------------------------------------------------------------
// IP

/** An IPv4 packet with a valid header checksum. */
export function buildIpv4Packet(
  src: string,
  dst: string,
  protocol: number,
  payload: Uint8Array,
  options: IpOptions = {},
): Uint8Array {
  const optionsLength = options.ipv4OptionsLength ?? 0;
  if (optionsLength % 4 !== 0 || optionsLength > 40) throw new Error('ipv4OptionsLength must be a multiple of 4, ≤ 40');
  const headerLength = 20 + optionsLength;
  const b = new Uint8Array(headerLength + payload.length);
  b[0] = 0x40 | ((options.ihl ?? headerLength / 4) & 0x0f);
  const totalLength = options.ipLengthField ?? (options.tso ? 0 : headerLength + payload.length);
  if (totalLength > 0xffff) throw new Error('IPv4 packet over 65535 bytes: use tso');
  put16(b, 2, totalLength);
  put16(b, 4, options.id ?? 1);
  const fragmentOffset = options.fragmentOffset ?? 0;
  if (fragmentOffset % 8 !== 0) throw new Error('fragmentOffset must be a multiple of 8');
  put16(b, 6, (options.moreFragments ? 0x2000 : 0) | (fragmentOffset / 8));
  b[8] = options.ttl ?? 64;
  b[9] = protocol;
  b.set(parseAddress(src), 12);
  b.set(parseAddress(dst), 16);
  put16(b, 10, internetChecksum(b, 0, headerLength));
  b.set(payload, headerLength);
  return b;
}

const IPV6_EXT_NUMBER: Record<Ipv6ExtensionSpec['type'], number> = {
  'hop-by-hop': 0,
  routing: 43,
  fragment: 44,
  ah: 51,
  destination: 60,
};

function buildIpv6Extension(spec: Ipv6ExtensionSpec, next: number, id: number): Uint8Array {
  if (spec.type === 'fragment') {
    const b = new Uint8Array(8);
    b[0] = next;
    const offset = spec.fragmentOffset ?? 0;
    if (offset % 8 !== 0) throw new Error('fragmentOffset must be a multiple of 8');
    put16(b, 2, offset | (spec.moreFragments ? 1 : 0));
    put32(b, 4, id);
    return b;
  }
  if (spec.type === 'ah') {
    const length = spec.length ?? 24;
    if (length % 4 !== 0 || length < 12) throw new Error('AH length must be a multiple of 4, ≥ 12');
    const b = new Uint8Array(length);
    b[0] = next;
    b[1] = length / 4 - 2; // RFC 4302 §2.2
    put32(b, 4, 0x100); // SPI
    put32(b, 8, 1); // sequence number
    return b;
  }
  const length = spec.length ?? 8;
  if (length % 8 !== 0 || length < 8 || length > 2048) throw new Error('extension length must be a multiple of 8');
  const b = new Uint8Array(length);
  b[0] = next;
  b[1] = length / 8 - 1; // RFC 8200 §4.3
  if (spec.type === 'routing') {
    b[2] = 4; // routing type (segment routing); segments left 0 at b[3]
  } else {
    b[2] = 1; // PadN over the rest
    b[3] = length - 4;
  }
  return b;
}

/** An IPv6 packet with the given extension headers in front of `payload`. */
export function buildIpv6Packet(
  src: string,
  dst: string,
  nextHeader: number,
  payload: Uint8Array,
  options: IpOptions = {},
): Uint8Array {
  const specs: Ipv6ExtensionSpec[] = [...(options.ipv6Ext ?? [])];
  if (options.fragmentOffset !== undefined || options.moreFragments) {
    specs.push({ type: 'fragment', fragmentOffset: options.fragmentOffset ?? 0, moreFragments: options.moreFragments ?? false });
  }
  const headers: Uint8Array[] = [];
  let next = nextHeader;
  for (let i = specs.length - 1; i >= 0; i--) {
    headers.unshift(buildIpv6Extension(specs[i], next, options.id ?? 1));
    next = IPV6_EXT_NUMBER[specs[i].type];
  }
  let extLength = headers.reduce((n, h) => n + h.length, 0);
  if (options.jumbo) {
    // Hop-by-Hop with one Jumbo Payload option (RFC 2675 §2): 8 bytes.
    const hbh = new Uint8Array(8);
    hbh[0] = next;
    hbh[1] = 0;
    hbh[2] = 0xc2;
    hbh[3] = 4;
    put32(hbh, 4, 8 + extLength + payload.length);
    headers.unshift(hbh);
    next = 0;
    extLength += 8;
  }
  const b = new Uint8Array(40 + extLength + payload.length);
  b[0] = 0x60;
  const payloadLength = options.ipLengthField ?? (options.jumbo ? 0 : extLength + payload.length);
  if (payloadLength > 0xffff) throw new Error('IPv6 payload over 65535 bytes: use jumbo');
  put16(b, 4, payloadLength);
  b[6] = next;
  b[7] = options.ttl ?? 64;
  b.set(parseAddress(src), 8);
  b.set(parseAddress(dst), 24);
  let off = 40;
  for (const h of headers) {
    b.set(h, off);
    off += h.length;
  }
  b.set(payload, off);
  return b;
}

/** IPv4 or IPv6 by the address form. */
export function buildIpPacket(
  src: string,
  dst: string,
  protocol: number,
  payload: Uint8Array,
  options: IpOptions = {},
): Uint8Array {
  return src.includes(':')
    ? buildIpv6Packet(src, dst, protocol, payload, options)
    : buildIpv4Packet(src, dst, protocol, payload, options);
}

// ---------------------------------------------------------------------------
// Link layers

const MAC_DST = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
const MAC_SRC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

function pppProtocolFor(ethertype: number): number {
  if (ethertype === ETHERTYPE_IP) return PPP_IP;
  if (ethertype === ETHERTYPE_IPV6) return PPP_IPV6;
  if (ethertype === ETHERTYPE_MPLS) return PPP_MPLS_UCAST;
  throw new Error(`no PPP protocol for ethertype 0x${ethertype.toString(16)}`);
}

function layersOf(options: LinkOptions): EtherLayer[] {
  if (options.layers) return [...options.layers];
  const layers: EtherLayer[] = [];
  if (options.serviceVlan !== undefined) layers.push({ kind: 'vlan', vid: options.serviceVlan, tpid: ETHERTYPE_8021AD });
  for (const vid of options.vlan ?? []) layers.push({ kind: 'vlan', vid });
  if (options.mpls) layers.push({ kind: 'mpls', labels: options.mpls });
  if (options.pppoeSession !== undefined) layers.push({ kind: 'pppoe', session: options.pppoeSession });
  return layers;
}

/**
 * Wraps `inner` (whose ethertype is `type`) in the layers, innermost first.
 * Returns the bytes after the outer type field and the outer type; an 802.3
 * length is returned as a negative number -(length) - 1.
 */
function applyLayers(layers: readonly EtherLayer[], type: number, inner: Uint8Array): { type: number; body: Uint8Array } {
  let body = inner;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const innerType = type < 0 ? -type - 1 : type; // an 802.3 length travels as the type field
    switch (layer.kind) {
      case 'vlan':
        body = concatBytes([u16(((layer.pcp ?? 0) << 13) | (layer.vid & 0x0fff)), u16(innerType), body]);
        type = layer.tpid ?? ETHERTYPE_8021Q;
        break;
      case 'vn-tag':
        body = concatBytes([[0x00, 0x00, 0x00, 0x00], u16(innerType), body]);
        type = ETHERTYPE_VN_TAG;
        break;
      case '802.1ah':
        body = concatBytes([
          [0x00, (layer.isid >>> 16) & 0xff, (layer.isid >>> 8) & 0xff, layer.isid & 0xff],
          MAC_DST,
          MAC_SRC,
          u16(innerType),
          body,
        ]);
        type = ETHERTYPE_8021AH;
        break;
      case 'mpls': {
        const labels = layer.labels.map((label, j) => {
          const bottom = j === layer.labels.length - 1 ? 1 : 0;
          const word = ((label & 0xfffff) << 12) | (bottom << 8) | 64;
          return [(word >>> 24) & 0xff, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff];
        });
        body = concatBytes([...labels, body]);
        type = ETHERTYPE_MPLS;
        break;
      }
      case 'pppoe':
        body = concatBytes([[0x11, 0x00], u16(layer.session), u16(body.length + 2), u16(pppProtocolFor(innerType)), body]);
        type = ETHERTYPE_PPPOES;
        break;
      case 'llc-snap':
        body = concatBytes([[0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00], u16(innerType), body]);
        type = -Math.min(body.length, 1500) - 1;
        break;
    }
  }
  return { type, body };
}

function typeField(type: number): number {
  return type < 0 ? -type - 1 : type;
}

/** Wraps an IP packet in the link layer `options` describe. */
export function wrapIpPacket(ip: Uint8Array, options: LinkOptions = {}): BuiltFrame {
  const linkType = options.linkType ?? LINKTYPE_ETHERNET;
  const version = ip[0] >> 4;
  const ipType = version === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP;
  const { type, body } = applyLayers(layersOf(options), ipType, ip);
  let frame: Uint8Array;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      frame = concatBytes([MAC_DST, MAC_SRC, u16(typeField(type)), body]);
      break;
    case LINKTYPE_LINUX_SLL:
      // packet type 0 (to us), ARPHRD_ETHER 1, address length 6, address padded to 8, protocol.
      frame = concatBytes([u16(0), u16(1), u16(6), MAC_SRC, [0, 0], u16(type < 0 ? 0x0004 : type), body]);
      break;
    case LINKTYPE_LINUX_SLL2:
      // protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type 4 (outgoing), address length 6, address.
      frame = concatBytes([u16(type < 0 ? 0x0004 : type), u16(0), [0, 0, 0, 2], u16(1), [4, 6], MAC_SRC, [0, 0], body]);
      break;
    case LINKTYPE_C_HDLC:
      frame = concatBytes([[0x0f, 0x00], u16(type), body]);
      break;
    case LINKTYPE_IPOIB: {
      // 40-byte pseudo header (hardware addresses; zeros here) then the RFC 4391 header.
      frame = concatBytes([new Uint8Array(40), u16(type), u16(0), body]);
      break;
    }
    case LINKTYPE_FDDI:
      if (type < 0) throw new Error('FDDI frames carry LLC/SNAP already; drop the llc-snap layer');
      // Frame control 0x50 (async LLC), addresses, then LLC/SNAP.
      frame = concatBytes([[0x50], MAC_DST, MAC_SRC, [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00], u16(type), body]);
      break;
    case LINKTYPE_PPP: {
      const ac = options.pppAddressControl ?? true;
      frame = concatBytes([ac ? [0xff, 0x03] : [], u16(pppProtocolFor(type)), body]);
      break;
    }
    case LINKTYPE_PPP_HDLC:
      frame = options.pppCiscoFraming
        ? concatBytes([[0x0f, 0x00], u16(type), body])
        : concatBytes([[0xff, 0x03], u16(pppProtocolFor(type)), body]);
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (body !== ip) throw new Error('NULL/LOOP frames carry IP only');
      const family = options.nullFamily ?? (version === 6 ? 30 : 2);
      const order = options.nullByteOrder ?? (linkType === LINKTYPE_NULL ? 'little' : 'big');
      const header = new Uint8Array(4);
      new DataView(header.buffer).setUint32(0, family, order === 'little');
      frame = concatBytes([header, ip]);
      break;
    }
    case LINKTYPE_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      if (body !== ip) throw new Error('raw IP frames carry IP only');
      frame = ip;
      break;
    case LINKTYPE_NFLOG: {
      if (body !== ip) throw new Error('NFLOG frames carry IP only');
      const little = (options.nflogByteOrder ?? 'little') === 'little';
      const tlv = (type: number, value: Uint8Array): Uint8Array => {
        const length = 4 + value.length;
        const padded = (length + 3) & ~3;
        const b = new Uint8Array(padded);
        const view = new DataView(b.buffer);
        view.setUint16(0, length, little);
        view.setUint16(2, type, little);
        b.set(value, 4);
        return b;
      };
      frame = concatBytes([
        [version === 6 ? 10 : 2, 0, 0x00, 0x2a], // family, version 0, resource id 42
        tlv(1, new Uint8Array([0x08, 0x00, 0x01, 0x00])), // NFULA_PACKET_HDR: hw protocol, hook
        tlv(10, new TextEncoder().encode('test\0')), // NFULA_PREFIX: odd length, padded
        tlv(9, ip), // NFULA_PAYLOAD
      ]);
      break;
    }
    default:
      throw new Error(`cannot build link type ${linkType}`);
  }
  const originalLength = frame.length;
  const data = options.snaplen !== undefined && options.snaplen < frame.length ? frame.slice(0, options.snaplen) : frame;
  return { linkType, data, originalLength };
}

/** A TCP segment in IPv4 or IPv6 (by the address form) in the link layer asked for. */
export function buildTcpFrame(spec: TcpFrameSpec): BuiltFrame {
  const tcp = buildTcpSegment(spec);
  return wrapIpPacket(buildIpPacket(spec.src, spec.dst, IPPROTO_TCP, tcp, spec), spec);
}

/** A UDP datagram in IPv4 or IPv6 in the link layer asked for. */
export function buildUdpFrame(spec: UdpFrameSpec): BuiltFrame {
  const udp = buildUdpDatagram(spec.srcPort, spec.dstPort, spec.payloadLength ?? 0);
  return wrapIpPacket(buildIpPacket(spec.src, spec.dst, IPPROTO_UDP, udp, spec), spec);
}

/** Any IP payload (tunnels, ICMP errors…) in the link layer asked for. */
export function buildIpFrame(spec: IpFrameSpec): BuiltFrame {
  return wrapIpPacket(buildIpPacket(spec.src, spec.dst, spec.protocol, spec.payload, spec), spec);
}

/** A GRE header (RFC 2784, no options) carrying `inner` of ethertype `protocolType`. */
export function buildGre(protocolType: number, inner: Uint8Array): Uint8Array {
  return concatBytes([[0x00, 0x00], u16(protocolType), inner]);
}

/**
 * An ICMP (v4) Destination Unreachable quoting `quoted` (RFC 792: the IP header
 * and at least 8 bytes of its payload).
 */
export function buildIcmpUnreachable(quoted: Uint8Array): Uint8Array {
  const b = concatBytes([[3, 3, 0, 0, 0, 0, 0, 0], quoted]);
  put16(b, 2, internetChecksum(b, 0, b.length));
  return b;
}

/** An ICMPv6 Destination Unreachable (RFC 4443 §3.1) quoting `quoted` (checksum left 0). */
export function buildIcmpv6Unreachable(quoted: Uint8Array): Uint8Array {
  return concatBytes([[1, 4, 0, 0, 0, 0, 0, 0], quoted]);
}
