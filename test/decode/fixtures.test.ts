/**
 * Hand-written frames, one per link type and encapsulation, every field
 * commented, each decoded to exact values. The IP/TCP parts are shared: the
 * link layers are what each test is about.
 */
import { describe, expect, it } from 'vitest';
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
} from '../../src/decode/link-types.js';
import { decode, hex, type Decoded } from './helpers.js';

/** IPv4 (20) + TCP (20) + 5 payload bytes: 45 bytes. */
const IPV4_TCP = `
  45          # version 4, IHL 5 (20 bytes)
  00          # DSCP 0, ECN 0
  00 2d       # total length 45
  12 34       # identification
  40 00       # flags DF, fragment offset 0
  40          # TTL 64
  06          # protocol 6 (TCP)
  3c 60       # header checksum
  c0 00 02 01 # source 192.0.2.1
  c6 33 64 02 # destination 198.51.100.2
  c3 50       # TCP source port 50000
  01 bb       # TCP destination port 443
  11 22 33 44 # sequence number 0x11223344
  88 99 aa bb # acknowledgment number 0x8899aabb (top bit set: must read unsigned)
  50          # data offset 5 (20 bytes), reserved 0
  18          # flags PSH|ACK
  ff ff       # window 65535
  00 00       # checksum (not verified)
  00 00       # urgent pointer
  68 65 6c 6c 6f # payload "hello"
`;

const IPV4_EXPECTED: Partial<Decoded> = {
  skip: 'none',
  ipVersion: 4,
  ipProto: 6,
  src: [0xc0000201, 0, 0, 0],
  dst: [0xc6336402, 0, 0, 0],
  isTcp: true,
  srcPort: 50000,
  dstPort: 443,
  tcpFlags: 0x18,
  seq: 0x11223344,
  ack: 0x8899aabb,
  payloadLength: 5,
  tso: false,
};

/** IPv6 (40) + TCP with 12 bytes of options (32) + 3 payload bytes. */
const IPV6_TCP = `
  60 00 00 00 # version 6, traffic class 0, flow label 0
  00 23       # payload length 35
  06          # next header 6 (TCP)
  40          # hop limit 64
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 # source 2001:db8::1
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 # destination 2001:db8::2
  01 bb       # TCP source port 443
  c3 50       # TCP destination port 50000
  ff ff ff fe # sequence number 4294967294
  00 00 00 01 # acknowledgment number 1
  80          # data offset 8 (32 bytes)
  12          # flags SYN|ACK
  70 80       # window
  00 00 00 00 # checksum, urgent pointer
  01 01 08 0a 00 00 00 01 00 00 00 02 # options: NOP, NOP, timestamps
  61 62 63    # payload "abc"
`;

const IPV6_EXPECTED: Partial<Decoded> = {
  skip: 'none',
  ipVersion: 6,
  ipProto: 6,
  src: [0x20010db8, 0, 0, 1],
  dst: [0x20010db8, 0, 0, 2],
  isTcp: true,
  srcPort: 443,
  dstPort: 50000,
  tcpFlags: 0x12,
  seq: 4294967294,
  ack: 1,
  payloadLength: 3,
  tso: false,
};

const MACS = `
  02 00 00 00 00 02 # destination MAC
  02 00 00 00 00 01 # source MAC
`;

describe('Ethernet (LINKTYPE_ETHERNET 1)', () => {
  it('decodes Ethernet II + IPv4 + TCP', () => {
    const frame = hex`${MACS}
      08 00       # ethertype IPv4
      ${IPV4_TCP}
      00 00 00 00 00 00 00 00 00 00 00 # Ethernet padding to 60 bytes: not payload
    `;
    expect(frame.length).toBe(70);
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('decodes Ethernet II + IPv6 + TCP with options', () => {
    const frame = hex`${MACS}
      86 dd       # ethertype IPv6
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV6_EXPECTED);
  });

  it('walks a QinQ stack (802.1ad outer, 802.1Q inner)', () => {
    const frame = hex`${MACS}
      88 a8       # ethertype 802.1ad service tag
      00 64       # PCP 0, DEI 0, VID 100
      81 00       # next: 802.1Q customer tag
      a0 c8       # PCP 5, DEI 0, VID 200
      91 00       # next: pre-standard QinQ tag 0x9100
      00 0a       # VID 10
      08 00       # next: IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('walks an MPLS label stack to IPv6 by the first nibble', () => {
    const frame = hex`${MACS}
      88 47       # ethertype MPLS unicast
      00 01 00 40 # label 16, TC 0, S 0 (not bottom), TTL 64
      00 01 11 40 # label 17, TC 0, S 1 (bottom of stack), TTL 64
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV6_EXPECTED);
  });

  it('walks MPLS multicast inside a VLAN to IPv4', () => {
    const frame = hex`${MACS}
      81 00 00 05 # 802.1Q VID 5
      88 48       # next: MPLS multicast
      00 02 01 ff # label 32, S 1, TTL 255
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('walks a PPPoE session to IPv4', () => {
    const frame = hex`${MACS}
      88 64       # ethertype PPPoE session
      11          # version 1, type 1
      00          # code 0 (session data)
      00 07       # session id 7
      00 2f       # length 47 = PPP protocol (2) + IPv4 (45)
      00 21       # PPP protocol IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('walks 802.1ah provider backbone bridging to the customer frame', () => {
    const frame = hex`${MACS}
      88 a8 00 64 # backbone VLAN tag (802.1ad), VID 100
      88 e7       # next: 802.1ah I-TAG
      00          # I-PCP 0, I-DEI 0, UCA 0, reserved
      12 34 56    # I-SID 0x123456
      0a 00 00 00 00 02 # customer destination MAC
      0a 00 00 00 00 01 # customer source MAC
      81 00 00 0c # customer 802.1Q tag, VID 12
      08 00       # customer ethertype IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('walks a VN-Tag then a VLAN tag (as in zeek vntag.pcap)', () => {
    const frame = hex`${MACS}
      89 26       # ethertype VN-Tag
      00 00 00 00 # d 0, p 0, dvif 0, l 0, r 0, ver 0, svif 0
      81 00       # next: 802.1Q
      00 0b       # VID 11
      08 00       # next: IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('reads an 802.3 frame with LLC/SNAP', () => {
    const frame = hex`${MACS}
      00 35       # 802.3 length 53 = LLC/SNAP (8) + IPv4 (45)
      aa          # DSAP SNAP
      aa          # SSAP SNAP
      03          # control: unnumbered information
      00 00 00    # OUI 00-00-00: protocol id is an ethertype
      08 00       # protocol id IPv4
      ${IPV4_TCP}
      de ad be ef # 4 bytes past the 802.3 length (an FCS): ignored
    `;
    expect(decode(LINKTYPE_ETHERNET, frame)).toMatchObject(IPV4_EXPECTED);
  });
});

describe('Linux cooked captures', () => {
  it('SLL (113): 16-byte header, protocol at offset 14', () => {
    const frame = hex`
      00 00       # packet type 0: to us
      00 01       # ARPHRD_ETHER
      00 06       # link-layer address length 6
      02 00 00 00 00 01 00 00 # address, padded to 8
      08 00       # protocol IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_LINUX_SLL, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('SLL (113) with a VLAN tag left in by the kernel', () => {
    const frame = hex`
      00 04 00 01 00 06 02 00 00 00 00 01 00 00 # packet type 4 (outgoing), ARPHRD_ETHER, address
      81 00       # protocol 802.1Q
      00 2a       # VID 42
      86 dd       # next: IPv6
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_LINUX_SLL, frame)).toMatchObject(IPV6_EXPECTED);
  });

  it('SLL2 (276): 20-byte header, protocol first', () => {
    const frame = hex`
      86 dd       # protocol IPv6
      00 00       # reserved
      00 00 00 02 # interface index 2
      00 01       # ARPHRD_ETHER
      04          # packet type 4: outgoing
      06          # address length 6
      fa 37 dc 8d af ab 00 00 # address, padded to 8
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_LINUX_SLL2, frame)).toMatchObject(IPV6_EXPECTED);
  });
});

describe('BSD null / loop', () => {
  it('NULL (0), family in little-endian host order', () => {
    const frame = hex`
      02 00 00 00 # AF_INET (2), little-endian
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_NULL, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('NULL (0), family in big-endian host order', () => {
    const frame = hex`
      00 00 00 1c # AF_INET6 on FreeBSD (28), big-endian host
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_NULL, frame)).toMatchObject(IPV6_EXPECTED);
  });

  it('NULL (0), Linux AF_INET6 10 little-endian', () => {
    const frame = hex`
      0a 00 00 00 # AF_INET6 on Linux (10)
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_NULL, frame)).toMatchObject(IPV6_EXPECTED);
  });

  it('LOOP (108), network order, Darwin AF_INET6 30', () => {
    const frame = hex`
      00 00 00 1e # AF_INET6 on macOS (30), network order
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_LOOP, frame)).toMatchObject(IPV6_EXPECTED);
  });

  it('LOOP (108) written in the wrong order still reads (OpenBSD AF_INET6 24)', () => {
    const frame = hex`
      18 00 00 00 # 24, little-endian
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_LOOP, frame)).toMatchObject(IPV6_EXPECTED);
  });
});

describe('NFLOG (239)', () => {
  const nflog = (tlvOrder: 'le' | 'be'): Uint8Array => {
    const le = tlvOrder === 'le';
    return hex`
      02          # family AF_INET
      00          # version 0
      00 2a       # resource id 42 (big-endian)
      ${le ? '08 00 01 00' : '00 08 00 01'} # TLV length 8, type 1 (NFULA_PACKET_HDR)
      08 00 01 00 # hw protocol 0x0800, hook 1, pad
      ${le ? '09 00 0a 00' : '00 09 00 0a'} # TLV length 9, type 10 (NFULA_PREFIX)
      74 65 73 74 00 # "test\\0"
      00 00 00    # padding to a 4-byte boundary
      ${le ? '31 00 09 00' : '00 31 00 09'} # TLV length 49 = 4 + 45, type 9 (NFULA_PAYLOAD)
      ${IPV4_TCP}
      00 00 00    # padding
    `;
  };

  it('finds the IP packet in the payload TLV (little-endian TLVs)', () => {
    expect(decode(LINKTYPE_NFLOG, nflog('le'))).toMatchObject(IPV4_EXPECTED);
  });

  it('guesses big-endian TLVs from the first TLV type', () => {
    expect(decode(LINKTYPE_NFLOG, nflog('be'))).toMatchObject(IPV4_EXPECTED);
  });

  it('carries IPv6 with family AF_INET6 (10)', () => {
    const frame = hex`
      0a 00 00 00 # family AF_INET6, version 0, resource id 0
      4f 00 09 00 # TLV length 79 = 4 + 75, type 9 (NFULA_PAYLOAD)
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_NFLOG, frame)).toMatchObject(IPV6_EXPECTED);
  });
});

describe('PPP and HDLC', () => {
  it('PPP (9) in HDLC-like framing', () => {
    const frame = hex`
      ff          # address: all stations
      03          # control: unnumbered information
      00 21       # protocol IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_PPP, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('PPP (9) without address/control and with a compressed protocol field', () => {
    const frame = hex`
      57          # protocol IPv6, compressed to one byte (odd)
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_PPP, frame)).toMatchObject(IPV6_EXPECTED);
  });

  it('PPP (9) carrying MPLS (as tcpdump lspping-fec-ldp.pcap)', () => {
    const frame = hex`
      ff 03       # address, control
      02 81       # protocol MPLS unicast
      18 93 0d 40 # label 100656, TC 6, S 1, TTL 64
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_PPP, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('PPP_HDLC (50), PPP framing', () => {
    const frame = hex`
      ff 03       # address, control
      00 57       # protocol IPv6
      ${IPV6_TCP}
    `;
    expect(decode(LINKTYPE_PPP_HDLC, frame)).toMatchObject(IPV6_EXPECTED);
  });

  it('PPP_HDLC (50), Cisco framing', () => {
    const frame = hex`
      8f          # address: Cisco HDLC broadcast
      00          # control
      08 00       # ethertype IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_PPP_HDLC, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('Cisco HDLC (104)', () => {
    const frame = hex`
      0f          # address: unicast
      00          # control
      08 00       # protocol: ethertype IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_C_HDLC, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('Cisco HDLC (104) SLARP keepalive is not IP', () => {
    const frame = hex`
      8f 00       # broadcast, control
      80 35       # SLARP
      00 00 00 02 00 00 00 01 00 00 00 00 ff ff # keepalive
    `;
    expect(decode(LINKTYPE_C_HDLC, frame)).toMatchObject({ skip: 'not-ip', isTcp: false, ipVersion: 0 });
  });
});

describe('FDDI (10)', () => {
  it('reads frame control, addresses and LLC/SNAP', () => {
    const frame = hex`
      50          # frame control: asynchronous LLC frame
      aa 00 04 00 82 a7 # destination
      aa 00 04 00 83 a7 # source
      aa aa 03    # LLC: DSAP SNAP, SSAP SNAP, UI
      00 00 00    # OUI 00-00-00
      08 00       # ethertype IPv4
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_FDDI, frame)).toMatchObject(IPV4_EXPECTED);
  });

  it('an SMT frame is not IP', () => {
    const frame = hex`
      41          # frame control: SMT
      aa 00 04 00 82 a7 aa 00 04 00 83 a7 # addresses
      00 00 00 00 # SMT data
    `;
    expect(decode(LINKTYPE_FDDI, frame).skip).toBe('not-ip');
  });
});

describe('IP over InfiniBand (242)', () => {
  it('reads the ethertype at offset 40 of the 44-byte header', () => {
    const frame = hex`
      00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 # pseudo header, first 16 bytes
      2f a3 00 0a # pseudo header
      80 00 05 50 # destination QPN 0x000550
      fe 80 00 00 00 00 00 00 00 10 e0 00 66 4a b4 51 # destination GID fe80::10:e000:664a:b451
      08 00       # RFC 4391 type: IPv4
      00 00       # reserved
      ${IPV4_TCP}
    `;
    expect(decode(LINKTYPE_IPOIB, frame)).toMatchObject(IPV4_EXPECTED);
  });
});

describe('raw IP', () => {
  it.each([
    ['RAW (101)', LINKTYPE_RAW],
    ['DLT_RAW 12', DLT_RAW_BSD],
    ['DLT_RAW 14', DLT_RAW_OPENBSD],
  ])('%s tells IPv4 from IPv6 by the version nibble', (_name, linkType) => {
    expect(decode(linkType, hex(IPV4_TCP))).toMatchObject(IPV4_EXPECTED);
    expect(decode(linkType, hex(IPV6_TCP))).toMatchObject(IPV6_EXPECTED);
  });

  it('IPV4 (228) and IPV6 (229) take one version only', () => {
    expect(decode(LINKTYPE_IPV4, hex(IPV4_TCP))).toMatchObject(IPV4_EXPECTED);
    expect(decode(LINKTYPE_IPV6, hex(IPV6_TCP))).toMatchObject(IPV6_EXPECTED);
    expect(decode(LINKTYPE_IPV4, hex(IPV6_TCP)).skip).toBe('bad-ip-header');
    expect(decode(LINKTYPE_IPV6, hex(IPV4_TCP)).skip).toBe('bad-ip-header');
  });
});

describe('IPv4 with TSO (total length 0)', () => {
  it('takes the IP length from the original length minus the link header', () => {
    const frame = hex`${MACS}
      08 00       # IPv4
      45 00 00 00 # version 4, IHL 5, total length 0 (TSO on the capturing host)
      12 34 40 00 40 06 3c 8d # id, DF, TTL 64, TCP, checksum
      c0 00 02 01 c6 33 64 02 # 192.0.2.1 → 198.51.100.2
      c3 50 01 bb 11 22 33 44 88 99 aa bb 50 18 ff ff 00 00 00 00 # TCP, 20 bytes
    `;
    // Cut at 68 bytes out of a 14 + 20 + 20 + 2896-byte frame on the wire.
    const d = decode(LINKTYPE_ETHERNET, frame, 14 + 20 + 20 + 2896);
    expect(d).toMatchObject({ ...IPV4_EXPECTED, payloadLength: 2896, tso: true });
  });
});
