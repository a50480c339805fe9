/**
 * Link-level skip reasons (SPEC §2): unsupported link types, non-IP frames,
 * encapsulations not walked, and cut link headers.
 */
import { describe, expect, it } from 'vitest';
import {
  isSupportedLinkType,
  LINK_TYPES,
  LINKTYPE_C_HDLC,
  LINKTYPE_ETHERNET,
  LINKTYPE_FDDI,
  LINKTYPE_IPOIB,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NFLOG,
  LINKTYPE_NULL,
  LINKTYPE_PPP,
  LINKTYPE_PPP_HDLC,
  linkTypeName,
} from '../../src/decode/link-types.js';
import { decode, hex } from './helpers.js';

const MACS = 'ff ff ff ff ff ff 02 00 00 00 00 01'; // broadcast ← 02:00:00:00:00:01
const ARP_BODY = '00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01 00 00 00 00 00 00 c0 00 02 02';

describe('link types', () => {
  it.each([2, 105, 127, 147, 195, 274, 281, 65535, 70000, -1])('link type %i is unsupported', (linkType) => {
    expect(decode(linkType, hex('45 00 00 14 00 00 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02'))).toMatchObject({
      skip: 'unsupported-linktype',
      isTcp: false,
      ipVersion: 0,
    });
  });

  it('the table lists SPEC §2 link types, each with a name', () => {
    expect(LINK_TYPES.map((r) => r.linkType).sort((a, b) => a - b)).toEqual([0, 1, 9, 10, 12, 14, 50, 101, 104, 108, 113, 228, 229, 239, 242, 276]);
    expect(isSupportedLinkType(276)).toBe(true);
    expect(isSupportedLinkType(20)).toBe(false); // SLL2's number truncated to a byte is not SLL2
    expect(linkTypeName(LINKTYPE_LINUX_SLL2)).toBe('LINUX_SLL2');
    expect(linkTypeName(147)).toBe('LINKTYPE 147');
  });
});

describe('not IP', () => {
  it.each([
    ['ARP', LINKTYPE_ETHERNET, `${MACS} 08 06 ${ARP_BODY}`],
    ['LLDP', LINKTYPE_ETHERNET, `${MACS} 88 cc 02 07 04 00 00 00 00 00 01`],
    ['IPX (Ethernet II)', LINKTYPE_ETHERNET, `${MACS} 81 37 ff ff 00 1e 00 00`],
    ['PPPoE discovery', LINKTYPE_ETHERNET, `${MACS} 88 63 11 09 00 00 00 00`],
    ['ARP inside a VLAN', LINKTYPE_ETHERNET, `${MACS} 81 00 00 05 08 06 ${ARP_BODY}`],
    ['raw 802.3 Novell IPX (0xffff after the length)', LINKTYPE_ETHERNET, `${MACS} 00 1e ff ff 00 1e 00 00 00 00`],
    ['SNAP with Cisco OUI (CDP)', LINKTYPE_ETHERNET, `${MACS} 00 20 aa aa 03 00 00 0c 20 00 02 b4`],
    ['PPPoE session carrying LCP', LINKTYPE_ETHERNET, `${MACS} 88 64 11 00 00 01 00 06 c0 21 09 01 00 04`],
    ['SLL: Linux ETH_P_802_3 (Novell)', LINKTYPE_LINUX_SLL, '00 00 00 01 00 06 02 00 00 00 00 01 00 00 00 01 ff ff'],
    ['SLL: CAN', LINKTYPE_LINUX_SLL, '00 00 01 18 00 00 00 00 00 00 00 00 00 00 00 0c 00 00 00 00'],
    ['SLL: netlink', LINKTYPE_LINUX_SLL, '00 04 03 38 00 00 00 00 00 00 00 00 00 00 00 00 14 00 00 00'],
    ['SLL2: ARP', LINKTYPE_LINUX_SLL2, `08 06 00 00 00 00 00 02 00 01 00 06 02 00 00 00 00 01 00 00 ${ARP_BODY}`],
    ['NULL: AF_ISO (7)', LINKTYPE_NULL, '07 00 00 00 81 00'],
    ['LOOP: AF_APPLETALK (16)', LINKTYPE_LOOP, '00 00 00 10 00 00'],
    ['PPP: LCP', LINKTYPE_PPP, 'ff 03 c0 21 01 01 00 04'],
    ['PPP: IPCP', LINKTYPE_PPP, 'ff 03 80 21 01 01 00 04'],
    ['PPP_HDLC: IPX', LINKTYPE_PPP_HDLC, 'ff 03 00 2b ff ff'],
    ['Cisco HDLC: SLARP', LINKTYPE_C_HDLC, '8f 00 80 35 00 00 00 00'],
    ['Cisco HDLC: CDP', LINKTYPE_C_HDLC, '8f 00 20 00 02 b4'],
    ['FDDI: SMT frame', LINKTYPE_FDDI, '41 ff ff ff ff ff ff 02 00 00 00 00 01 00 00'],
    ['FDDI: SNAP ARP', LINKTYPE_FDDI, `50 ff ff ff ff ff ff 02 00 00 00 00 01 aa aa 03 00 00 00 08 06 ${ARP_BODY}`],
    ['NFLOG: family AF_BRIDGE (7)', LINKTYPE_NFLOG, '07 00 00 00 08 00 01 00 00 00 00 00'],
    ['NFLOG: no payload TLV', LINKTYPE_NFLOG, '02 00 00 00 08 00 01 00 08 00 01 00'],
    ['IPoIB: ARP', LINKTYPE_IPOIB, `${'00 '.repeat(40)} 08 06 00 00 ${ARP_BODY}`],
  ])('%s', (_name, linkType, bytes) => {
    expect(decode(linkType, hex(bytes))).toMatchObject({ skip: 'not-ip', isTcp: false, ipVersion: 0 });
  });
});

describe('unsupported encapsulations', () => {
  it.each([
    ['Cisco FabricPath', LINKTYPE_ETHERNET, `${MACS} 89 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00`],
    ['NSH', LINKTYPE_ETHERNET, `${MACS} 89 4f 0f c6 01 ff 00 00 01 ff 45 00`],
    ['MACsec', LINKTYPE_ETHERNET, `${MACS} 88 e5 2c 00 00 00 00 01 45 00`],
    ['Transparent Ethernet Bridging', LINKTYPE_ETHERNET, `${MACS} 65 58 ${MACS} 08 00 45 00`],
    ['802.3 LLC without SNAP (spanning tree)', LINKTYPE_ETHERNET, `${MACS} 00 26 42 42 03 00 00 00 00 00`],
    ['802.3 LLC without SNAP (OSI)', LINKTYPE_ETHERNET, `${MACS} 00 20 fe fe 03 83 1b 01`],
    ['type/length 1501–1535 (neither)', LINKTYPE_ETHERNET, `${MACS} 05 e0 00 00 00 00`],
    ['SNAP with a protocol id below 0x0600', LINKTYPE_ETHERNET, `${MACS} 00 20 aa aa 03 00 00 00 00 26 42 42`],
    ['MPLS pseudowire with control word (first nibble 0)', LINKTYPE_ETHERNET, `${MACS} 88 47 00 01 01 40 00 00 00 00 ${MACS} 08 00`],
    ['PPP: Van Jacobson compressed TCP', LINKTYPE_PPP, 'ff 03 00 2d 45 00 00 00'],
    ['PPP: multilink fragment', LINKTYPE_PPP, 'ff 03 00 3d c0 00 00 01'],
    ['PPP_HDLC: protocol number with an even low byte (invalid)', LINKTYPE_PPP_HDLC, 'ff 5f 7e 08 00 45 00 00'],
    ['NFLOG: TLV length below 4', LINKTYPE_NFLOG, '02 00 00 00 02 00 09 00 45 00 00 14'],
  ])('%s', (_name, linkType, bytes) => {
    expect(decode(linkType, hex(bytes))).toMatchObject({ skip: 'unsupported-encapsulation', isTcp: false });
  });
});

describe('truncated link headers', () => {
  it.each([
    ['Ethernet, 13 bytes', LINKTYPE_ETHERNET, '02 00 00 00 00 02 02 00 00 00 00 01 08'],
    ['Ethernet, empty', LINKTYPE_ETHERNET, ''],
    ['802.1Q tag cut', LINKTYPE_ETHERNET, `${MACS} 81 00 00 05 08`],
    ['VN-Tag cut', LINKTYPE_ETHERNET, `${MACS} 89 26 00 00 00 00 81`],
    ['802.1ah cut in the customer addresses', LINKTYPE_ETHERNET, `${MACS} 88 e7 00 00 00 01 02 00 00 00 00 02 02 00`],
    ['MPLS label cut', LINKTYPE_ETHERNET, `${MACS} 88 47 00 01 00`],
    ['MPLS stack without a bottom label', LINKTYPE_ETHERNET, `${MACS} 88 47 00 01 00 40 00 02 00 40`],
    ['PPPoE header cut', LINKTYPE_ETHERNET, `${MACS} 88 64 11 00 00 07 00`],
    ['LLC/SNAP cut', LINKTYPE_ETHERNET, `${MACS} 00 30 aa aa 03 00 00`],
    ['SLL, 15 bytes', LINKTYPE_LINUX_SLL, '00 00 00 01 00 06 02 00 00 00 00 01 00 00 08'],
    ['SLL2, 19 bytes', LINKTYPE_LINUX_SLL2, '08 00 00 00 00 00 00 02 00 01 00 06 02 00 00 00 00 01 00'],
    ['NULL, 3 bytes', LINKTYPE_NULL, '02 00 00'],
    ['PPP, address/control only', LINKTYPE_PPP, 'ff 03'],
    ['PPP, one byte of a two-byte protocol', LINKTYPE_PPP, 'ff 03 00'],
    ['PPP_HDLC, 3 bytes', LINKTYPE_PPP_HDLC, 'ff 03 00'],
    ['Cisco HDLC, 3 bytes', LINKTYPE_C_HDLC, '0f 00 08'],
    ['FDDI, 12 bytes', LINKTYPE_FDDI, '50 ff ff ff ff ff ff 02 00 00 00 00'],
    ['IPoIB, 43 bytes', LINKTYPE_IPOIB, '00 '.repeat(43)],
    ['NFLOG, 3 bytes', LINKTYPE_NFLOG, '02 00 00'],
  ])('%s', (_name, linkType, bytes) => {
    expect(decode(linkType, hex(bytes))).toMatchObject({ skip: 'truncated-link', isTcp: false, ipVersion: 0 });
  });

  it('NFLOG cut before its payload TLV (the record was longer on the wire)', () => {
    const bytes = hex('02 00 00 2a 08 00 01 00 08 00 01 00 31 00');
    expect(decode(LINKTYPE_NFLOG, bytes, 60)).toMatchObject({ skip: 'truncated-link', isTcp: false });
  });
});
