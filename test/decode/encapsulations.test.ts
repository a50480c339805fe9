/**
 * Every encapsulation the decoder walks, built by src/synth/frames.ts in IPv4
 * and IPv6, decoded whole and cut at every byte: the skip reason must follow
 * the layer the cut falls in, `isTcp` must appear with the TCP ports (4
 * bytes), and from 14 bytes of TCP on the payload length must be the whole
 * frame's (SPEC §2: sizes come from the headers).
 */
import { describe, expect, it } from 'vitest';
import {
  DLT_RAW_BSD,
  DLT_RAW_OPENBSD,
  LINKTYPE_C_HDLC,
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
import {
  addressWords,
  buildIpPacket,
  buildTcpSegment,
  wrapIpPacket,
  type LinkOptions,
  type TcpSpec,
} from '../../src/synth/frames.js';
import { decode } from './helpers.js';

const TCP: TcpSpec = {
  srcPort: 40000,
  dstPort: 8080,
  seq: 0xdeadbeef,
  ack: 0x80000001,
  flags: 0x11, // FIN|ACK
  payloadLength: 1000,
};

const ADDRESSES = {
  4: { src: '203.0.113.7', dst: '198.51.100.9' },
  6: { src: '2001:db8:1::7', dst: '2001:db8:2::9' },
} as const;

/** [name, link options, versions it can carry, a cut right after the label stack is a link cut]. */
const ENCAPSULATIONS: readonly [string, LinkOptions, readonly (4 | 6)[]][] = [
  ['Ethernet', {}, [4, 6]],
  ['Ethernet + 802.1Q', { vlan: [10] }, [4, 6]],
  ['Ethernet + QinQ 802.1ad/802.1Q', { serviceVlan: 100, vlan: [200] }, [4, 6]],
  ['Ethernet + 0x9100 + 802.1Q', { layers: [{ kind: 'vlan', vid: 7, tpid: 0x9100 }, { kind: 'vlan', vid: 8 }] }, [4, 6]],
  ['Ethernet + VN-Tag + 802.1Q', { layers: [{ kind: 'vn-tag' }, { kind: 'vlan', vid: 11 }] }, [4, 6]],
  [
    'Ethernet + 802.1ad + 802.1ah + customer 802.1Q',
    { layers: [{ kind: 'vlan', vid: 4051, tpid: 0x88a8 }, { kind: '802.1ah', isid: 0x1ebb30 }, { kind: 'vlan', vid: 3 }] },
    [4, 6],
  ],
  ['Ethernet + 802.1ah + customer 802.3 LLC/SNAP', { layers: [{ kind: '802.1ah', isid: 1 }, { kind: 'llc-snap' }] }, [4, 6]],
  ['Ethernet + MPLS stack of 3', { mpls: [16, 17, 18] }, [4, 6]],
  ['Ethernet + 802.1Q + MPLS', { vlan: [5], mpls: [1000] }, [4, 6]],
  ['Ethernet + PPPoE', { pppoeSession: 7 }, [4, 6]],
  ['Ethernet + QinQ + PPPoE', { serviceVlan: 1, vlan: [2], pppoeSession: 0x1234 }, [4, 6]],
  ['Ethernet + PPPoE + MPLS', { layers: [{ kind: 'pppoe', session: 9 }, { kind: 'mpls', labels: [42] }] }, [4, 6]],
  ['Ethernet 802.3 + LLC/SNAP', { layers: [{ kind: 'llc-snap' }] }, [4, 6]],
  ['Ethernet + 802.1Q + 802.3 LLC/SNAP', { layers: [{ kind: 'vlan', vid: 9 }, { kind: 'llc-snap' }] }, [4, 6]],
  ['SLL', { linkType: LINKTYPE_LINUX_SLL }, [4, 6]],
  ['SLL + 802.1Q', { linkType: LINKTYPE_LINUX_SLL, vlan: [300] }, [4, 6]],
  ['SLL + LLC/SNAP (protocol 0x0004)', { linkType: LINKTYPE_LINUX_SLL, layers: [{ kind: 'llc-snap' }] }, [4, 6]],
  ['SLL2', { linkType: LINKTYPE_LINUX_SLL2 }, [4, 6]],
  ['SLL2 + MPLS', { linkType: LINKTYPE_LINUX_SLL2, mpls: [77] }, [4, 6]],
  ['NULL little-endian', { linkType: LINKTYPE_NULL }, [4, 6]],
  ['NULL big-endian', { linkType: LINKTYPE_NULL, nullByteOrder: 'big' }, [4, 6]],
  ['NULL, Linux AF_INET6 10', { linkType: LINKTYPE_NULL, nullFamily: 10 }, [6]],
  ['NULL, NetBSD AF_INET6 24', { linkType: LINKTYPE_NULL, nullFamily: 24 }, [6]],
  ['NULL, FreeBSD AF_INET6 28', { linkType: LINKTYPE_NULL, nullFamily: 28 }, [6]],
  ['LOOP', { linkType: LINKTYPE_LOOP }, [4, 6]],
  ['LOOP little-endian', { linkType: LINKTYPE_LOOP, nullByteOrder: 'little' }, [4, 6]],
  ['RAW (101)', { linkType: LINKTYPE_RAW }, [4, 6]],
  ['DLT_RAW 12', { linkType: DLT_RAW_BSD }, [4, 6]],
  ['DLT_RAW 14', { linkType: DLT_RAW_OPENBSD }, [4, 6]],
  ['IPV4 (228)', { linkType: LINKTYPE_IPV4 }, [4]],
  ['IPV6 (229)', { linkType: LINKTYPE_IPV6 }, [6]],
  ['PPP with address/control', { linkType: LINKTYPE_PPP }, [4, 6]],
  ['PPP without address/control', { linkType: LINKTYPE_PPP, pppAddressControl: false }, [4, 6]],
  ['PPP + MPLS', { linkType: LINKTYPE_PPP, mpls: [100656] }, [4, 6]],
  ['PPP_HDLC', { linkType: LINKTYPE_PPP_HDLC }, [4, 6]],
  ['PPP_HDLC, Cisco framing', { linkType: LINKTYPE_PPP_HDLC, pppCiscoFraming: true }, [4, 6]],
  ['Cisco HDLC', { linkType: LINKTYPE_C_HDLC }, [4, 6]],
  ['FDDI', { linkType: LINKTYPE_FDDI }, [4, 6]],
  ['NFLOG little-endian TLVs', { linkType: LINKTYPE_NFLOG }, [4, 6]],
  ['NFLOG big-endian TLVs', { linkType: LINKTYPE_NFLOG, nflogByteOrder: 'big' }, [4, 6]],
  ['IPoIB', { linkType: LINKTYPE_IPOIB }, [4, 6]],
];

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe.each(ENCAPSULATIONS)('%s', (_name, link, versions) => {
  it.each(versions)('IPv%i: decodes whole and cut at every byte', (version) => {
    const { src, dst } = ADDRESSES[version];
    const ip = buildIpPacket(src, dst, 6, buildTcpSegment(TCP));
    const frame = wrapIpPacket(ip, link);
    const ipStart = indexOf(frame.data, ip);
    expect(ipStart).toBeGreaterThanOrEqual(0);
    const tcpStart = ipStart + (version === 4 ? 20 : 40);

    const whole = {
      skip: 'none',
      ipVersion: version,
      ipProto: 6,
      src: addressWords(src),
      dst: addressWords(dst),
      isTcp: true,
      isUdp: false,
      srcPort: 40000,
      dstPort: 8080,
      tcpFlags: 0x11,
      seq: 0xdeadbeef,
      ack: 0x80000001,
      payloadLength: 1000,
      tso: false,
    };
    expect(decode(frame.linkType, frame.data)).toEqual(whole);

    const mplsLast = link.mpls !== undefined || (link.layers ?? []).some((l) => l.kind === 'mpls');
    for (let cut = 0; cut < tcpStart + 20; cut++) {
      const d = decode(frame.linkType, frame.data.subarray(0, cut), frame.originalLength);
      let expected: string;
      if (cut < ipStart || (cut === ipStart && mplsLast)) expected = 'truncated-link';
      else if (cut < tcpStart) expected = 'truncated-ip';
      else if (cut < tcpStart + 14) expected = 'truncated-transport';
      else expected = 'none';
      expect({ cut, skip: d.skip }).toEqual({ cut, skip: expected });
      expect({ cut, isTcp: d.isTcp }).toEqual({ cut, isTcp: cut >= tcpStart + 4 });
      if (cut >= tcpStart + 14) expect(d).toEqual(whole);
    }
  });
});
