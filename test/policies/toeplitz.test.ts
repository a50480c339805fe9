/**
 * The Toeplitz hash against Microsoft's RSS verification suite
 * ("Verifying the RSS Hash Calculation",
 * https://learn.microsoft.com/windows-hardware/drivers/network/verifying-the-rss-hash-calculation;
 * the same vectors are in the Intel 82599 datasheet §7.1.2.8.3 and DPDK's
 * test_thash.c): IPv4 and IPv6, addresses only and with TCP ports, under
 * Microsoft's 40-byte key. The "source" is the client.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlowHasher } from '../../src/policies/flow-hash.js';
import { MAX_KEY_BYTES, writeHashKey } from '../../src/policies/hash-key.js';
import { MICROSOFT_RSS_KEY, ToeplitzHasher, toeplitzReference } from '../../src/policies/toeplitz.js';
import { endpoints } from './endpoints.js';

// [source (client), source port, destination (server), destination port, hash of the addresses, hash with the ports]
const IPV4: Array<[string, number, string, number, number, number]> = [
  ['66.9.149.187', 2794, '161.142.100.80', 1766, 0x323e8fc2, 0x51ccc178],
  ['199.92.111.2', 14230, '65.69.140.83', 4739, 0xd718262a, 0xc626b0ea],
  ['24.19.198.95', 12898, '12.22.207.184', 38024, 0xd2d0a5de, 0x5c2b394a],
  ['38.27.205.30', 48228, '209.142.163.6', 2217, 0x82989176, 0xafc7327f],
  ['153.39.163.191', 44251, '202.188.127.2', 1303, 0x5d1809c5, 0x10e828a2],
];
const IPV6: Array<[string, number, string, number, number, number]> = [
  ['3ffe:2501:200:1fff::7', 2794, '3ffe:2501:200:3::1', 1766, 0x2cc18cd5, 0x40207d3d],
  ['3ffe:501:8::260:97ff:fe40:efab', 14230, 'ff02::1', 4739, 0x0f0c461c, 0xdde51bbf],
  ['3ffe:1900:4545:3:200:f8ff:fe21:67cf', 44251, 'fe80::200:f8ff:fe21:67cf', 38024, 0x4b61e985, 0x02d1feef],
];

describe('Toeplitz hash: Microsoft RSS verification suite', () => {
  const hasher = new ToeplitzHasher(MICROSOFT_RSS_KEY);
  const buffer = new Uint8Array(MAX_KEY_BYTES);

  for (const [family, vectors, addrBytes] of [
    ['IPv4', IPV4, 8],
    ['IPv6', IPV6, 32],
  ] as const) {
    for (const [src, sport, dst, dport, ipHash, tcpHash] of vectors) {
      it(`${family} ${src}:${sport} → ${dst}:${dport}`, () => {
        const ep = endpoints(src, sport, dst, dport);
        // The 4-tuple key starts with the two addresses: its prefix is RSS's address-only input.
        const length = writeHashKey('4-tuple', ep, buffer);
        expect(length).toBe(addrBytes + 4);
        expect(hasher.hash(buffer, addrBytes)).toBe(ipHash);
        expect(hasher.hash(buffer, length)).toBe(tcpHash);
        expect(toeplitzReference(MICROSOFT_RSS_KEY, buffer, addrBytes)).toBe(ipHash);
        expect(toeplitzReference(MICROSOFT_RSS_KEY, buffer, length)).toBe(tcpHash);
        expect(new FlowHasher('4-tuple', 'toeplitz').hash(ep)).toBe(tcpHash);
        // RSS has no protocol input: a 5-tuple hashes as its 4-tuple.
        expect(new FlowHasher('5-tuple', 'toeplitz').hash(ep)).toBe(tcpHash);
      });
    }
  }

  it('the tabulated hash equals the bit-by-bit definition on any input up to 36 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 36 }), (input) => {
        expect(hasher.hash(input, input.length)).toBe(toeplitzReference(MICROSOFT_RSS_KEY, input));
      }),
    );
  });

  it('a single 1 bit at position i yields the key bits i … i+31', () => {
    const input = new Uint8Array(36);
    input[0] = 0x80;
    expect(hasher.hash(input, 1)).toBe(0x6d5a56da);
    input[0] = 0x01;
    // Bits 7 … 38 of the key: 0x6d5a56da25 shifted left 7, low 32 bits of the top 39.
    expect(hasher.hash(input, 1)).toBe(Number((0x6d5a56da25n >> 1n) & 0xffffffffn));
  });

  it('refuses inputs longer than the key allows', () => {
    expect(() => hasher.hash(new Uint8Array(37), 37)).toThrow(RangeError);
    expect(() => toeplitzReference(MICROSOFT_RSS_KEY, new Uint8Array(37))).toThrow(RangeError);
  });
});
