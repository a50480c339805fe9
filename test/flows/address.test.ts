import { describe, expect, it } from 'vitest';
import { formatAddress, formatIPv4, formatIPv6 } from '../../src/flows/address.js';

/** Eight 16-bit groups → four network-order words. */
function words(...g: number[]): Uint32Array {
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = ((g[2 * i] << 16) | g[2 * i + 1]) >>> 0;
  return w;
}

describe('formatIPv4', () => {
  it('writes dotted decimal from word 0, high byte first', () => {
    expect(formatIPv4(0xc0000201)).toBe('192.0.2.1');
    expect(formatIPv4(0)).toBe('0.0.0.0');
    expect(formatIPv4(0xffffffff)).toBe('255.255.255.255');
  });
});

describe('formatIPv6 (RFC 5952 §4)', () => {
  const cases: Array<[string, number[]]> = [
    ['2001:db8::1', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    // Two runs of two zero groups: the first one is compressed.
    ['2001:db8::1:0:0:1', [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]],
    // The longer run wins even when it comes second.
    ['2001:0:0:1::1', [0x2001, 0, 0, 1, 0, 0, 0, 1]],
    ['fe80::', [0xfe80, 0, 0, 0, 0, 0, 0, 0]],
    // A single zero group is never compressed (§4.2.2).
    ['2001:db8:0:1:1:1:1:1', [0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]],
    // Lowercase, leading zeros dropped (§4.1, §4.3).
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:1', [0x2001, 0x0db8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 1]],
    ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
    ['::2:3:4:5:6:7', [0, 0, 2, 3, 4, 5, 6, 7]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    // IPv4-mapped: dotted quad in the last 32 bits (§5).
    ['::ffff:192.0.2.1', [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]],
    // IPv4-compatible (deprecated) and NAT64 stay hex.
    ['::c000:201', [0, 0, 0, 0, 0, 0, 0xc000, 0x0201]],
    ['64:ff9b::c000:201', [0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0201]],
  ];
  for (const [text, g] of cases) {
    it(`${g.map((x) => x.toString(16)).join(':')} → ${text}`, () => {
      expect(formatIPv6(words(...g))).toBe(text);
    });
  }

  it('formatAddress picks the family from the IP version', () => {
    const w = new Uint32Array([0x0a000001, 0, 0, 0]);
    expect(formatAddress(4, w)).toBe('10.0.0.1');
    expect(formatAddress(6, w)).toBe('a00:1::');
  });
});
