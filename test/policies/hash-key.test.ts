/** Hash keys (`--hash-key`): exact bytes per kind and family, and the CRC-32 flow hash. */
import { describe, expect, it } from 'vitest';
import { clientHash } from '../../src/dispatch/policies/hash.js';
import { crc32Bytes } from '../../src/dispatch/crc32.js';
import { FlowHasher, isHashFn } from '../../src/policies/flow-hash.js';
import { MAX_KEY_BYTES, isHashKey, writeHashKey, type HashKey } from '../../src/policies/hash-key.js';
import { endpoints } from './endpoints.js';

function keyHex(kind: HashKey, ep: ReturnType<typeof endpoints>): string {
  const out = new Uint8Array(MAX_KEY_BYTES);
  const n = writeHashKey(kind, ep, out);
  return Buffer.from(out.subarray(0, n)).toString('hex');
}

describe('hash keys', () => {
  // Client 192.0.2.1:40000 (0x9c40) → server 198.51.100.7:443 (0x01bb).
  const v4 = endpoints('192.0.2.1', 40000, '198.51.100.7', 443);
  // Client 2001:db8::1:8000 → server 2001:db8::53 port 53.
  const v6 = endpoints('2001:db8::1', 0x8000, '2001:db8::53', 53);

  it('IPv4: client address, server address, client port, server port, protocol', () => {
    expect(keyHex('src', v4)).toBe('c0000201');
    expect(keyHex('src-port', v4)).toBe('c00002019c40');
    expect(keyHex('4-tuple', v4)).toBe('c0000201' + 'c6336407' + '9c40' + '01bb');
    expect(keyHex('5-tuple', v4)).toBe('c0000201' + 'c6336407' + '9c40' + '01bb' + '06');
  });

  it('IPv6: 16-byte addresses, same order', () => {
    const client = '20010db8000000000000000000000001';
    const server = '20010db8000000000000000000000053';
    expect(keyHex('src', v6)).toBe(client);
    expect(keyHex('src-port', v6)).toBe(client + '8000');
    expect(keyHex('4-tuple', v6)).toBe(client + server + '8000' + '0035');
    expect(keyHex('5-tuple', v6)).toBe(client + server + '8000' + '0035' + '06');
  });

  it('crc32 over src-port is the hash policy of SPEC §4 (CRC-32 of c0 00 02 01 9c 40)', () => {
    const expected = crc32Bytes(Uint8Array.of(0xc0, 0x00, 0x02, 0x01, 0x9c, 0x40));
    expect(new FlowHasher('src-port', 'crc32').hash(v4)).toBe(expected);
    expect(clientHash(v4)).toBe(expected);
    expect(new FlowHasher('src-port', 'crc32').hash(v6)).toBe(clientHash(v6));
  });

  it('crc32 over each key is the CRC-32 of its bytes', () => {
    for (const kind of ['src', 'src-port', '4-tuple', '5-tuple'] as const) {
      const out = new Uint8Array(MAX_KEY_BYTES);
      const n = writeHashKey(kind, v6, out);
      expect(new FlowHasher(kind, 'crc32').hash(v6)).toBe(crc32Bytes(out, 0, n));
    }
  });

  it('names', () => {
    expect(['src', 'src-port', '4-tuple', '5-tuple'].every(isHashKey)).toBe(true);
    expect(isHashKey('dst')).toBe(false);
    expect(isHashFn('crc32') && isHashFn('toeplitz')).toBe(true);
    expect(isHashFn('md5')).toBe(false);
  });
});
