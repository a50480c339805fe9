import { describe, expect, it } from 'vitest';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { CRC32_INIT, crc32Byte, crc32Bytes, crc32Finish, crc32U16, crc32Word } from '../../src/dispatch/crc32.js';
import { clientHash } from '../../src/dispatch/policies/hash.js';
import { createEndpoints } from '../../src/dispatch/policy.js';

describe('crc32', () => {
  it('gives the standard check value CRC-32("123456789") = 0xCBF43926', () => {
    expect(crc32Bytes(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('gives 0 for no bytes', () => {
    expect(crc32Bytes(new Uint8Array(0))).toBe(0);
  });

  it('agrees with zlib on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(crc32Bytes(bytes)).toBe(zlibCrc32(bytes));
      }),
    );
  });

  it('feeds words and 16-bit values most significant byte first', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffff }), (word, port) => {
        const bytes = Uint8Array.of(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff, port >>> 8, port & 0xff);
        expect(crc32Finish(crc32U16(crc32Word(CRC32_INIT, word), port))).toBe(zlibCrc32(bytes));
      }),
    );
  });

  it('one byte through crc32Byte agrees with zlib', () => {
    expect(crc32Finish(crc32Byte(CRC32_INIT, 0x31))).toBe(zlibCrc32(Uint8Array.of(0x31)));
  });
});

describe('hash policy input', () => {
  it('hashes the 4 IPv4 address bytes then the port big-endian: 192.0.2.1 port 40000 → c0 00 02 01 9c 40', () => {
    const ep = createEndpoints();
    ep.ipVersion = 4;
    ep.clientAddr[0] = 0xc0000201;
    ep.clientPort = 40000;
    // Server fields must not matter.
    ep.serverAddr[0] = 0x0a000001;
    ep.serverPort = 80;
    expect(clientHash(ep)).toBe(zlibCrc32(Uint8Array.of(0xc0, 0x00, 0x02, 0x01, 0x9c, 0x40)));
  });

  it('hashes the 16 IPv6 address bytes then the port: [2001:db8::1]:443', () => {
    const ep = createEndpoints();
    ep.ipVersion = 6;
    ep.clientAddr.set([0x20010db8, 0, 0, 1]);
    ep.clientPort = 443;
    const bytes = Buffer.from('20010db800000000000000000000000101bb', 'hex');
    expect(clientHash(ep)).toBe(zlibCrc32(bytes));
    expect(clientHash(ep)).toBe(0xbd7252f8);
  });
});
