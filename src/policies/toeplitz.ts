/**
 * The Toeplitz hash of Receive Side Scaling (`--hash-fn toeplitz`).
 *
 * Definition (Microsoft, "RSS hashing functions"): with a secret key K of
 * 40 bytes, for every bit of the input from the first byte's most
 * significant bit to the last byte's least significant bit, if the bit is 1
 * the result is XORed with the 32 leftmost bits of K, and K is shifted left
 * by one bit. Bit i of the input therefore contributes bits i … i+31 of the
 * key, so a 40-byte (320-bit) key covers inputs of up to 36 bytes (the
 * TCP/IPv6 4-tuple).
 *
 * The key is the one Microsoft publishes with its verification suite
 * ("Verifying the RSS Hash Calculation",
 * https://learn.microsoft.com/windows-hardware/drivers/network/verifying-the-rss-hash-calculation),
 * which NIC vendors ship as their default (Intel 82599 datasheet §7.1.2.8.3,
 * DPDK's default_rss_key).
 *
 * Speed: the contribution of every (byte position, byte value) pair is
 * tabulated once per key (36 × 256 words, 36 KiB), so a hash is one table
 * load and one XOR per input byte.
 */

/** Microsoft's 40-byte RSS verification key. */
export const MICROSOFT_RSS_KEY: Uint8Array = Uint8Array.of(
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
  0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
  0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
  0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
);

/** The 32 key bits starting at bit `bit` (bit 0 = most significant bit of key[0]); bits past the key are 0. */
function keyWindow(key: Uint8Array, bit: number): number {
  const byte = bit >>> 3;
  const shift = bit & 7;
  let hi = 0;
  // 40 bits from `byte`, as a double (exact below 2^53).
  for (let i = 0; i < 5; i++) hi = hi * 256 + (byte + i < key.length ? key[byte + i] : 0);
  // Drop the top `shift` bits and the low 8 − shift bits.
  return Math.floor(hi / 2 ** (8 - shift)) % 2 ** 32;
}

/** The bit-by-bit definition, for checking the tabulated form. */
export function toeplitzReference(key: Uint8Array, input: Uint8Array, length: number = input.length): number {
  if (length * 8 + 32 > key.length * 8) throw new RangeError(`a ${key.length}-byte key hashes at most ${key.length - 4} input bytes`);
  let result = 0;
  for (let bit = 0; bit < length * 8; bit++) {
    if ((input[bit >>> 3] >>> (7 - (bit & 7))) & 1) result = (result ^ keyWindow(key, bit)) >>> 0;
  }
  return result;
}

export class ToeplitzHasher {
  /** Longest input: key length − 4 bytes. */
  readonly maxInputBytes: number;
  /** table[i·256 + v]: the hash contribution of byte value v at input position i. */
  private readonly table: Uint32Array;

  constructor(key: Uint8Array = MICROSOFT_RSS_KEY) {
    if (key.length < 5) throw new RangeError('a Toeplitz key needs at least 5 bytes');
    this.maxInputBytes = key.length - 4;
    const table = new Uint32Array(this.maxInputBytes * 256);
    const bitWords = new Uint32Array(8);
    for (let i = 0; i < this.maxInputBytes; i++) {
      // bitWords[b]: contribution of bit b of the byte (b = 0 least significant).
      for (let b = 0; b < 8; b++) bitWords[b] = keyWindow(key, i * 8 + (7 - b));
      const row = i * 256;
      for (let v = 1; v < 256; v++) {
        const low = 31 - Math.clz32(v & -v);
        table[row + v] = (table[row + (v & (v - 1))] ^ bitWords[low]) >>> 0;
      }
    }
    this.table = table;
  }

  /** Hash of input[0, length); length ≤ maxInputBytes. Allocates nothing. */
  hash(input: Uint8Array, length: number): number {
    if (length > this.maxInputBytes) throw new RangeError(`input of ${length} bytes exceeds the key's ${this.maxInputBytes}`);
    const table = this.table;
    let result = 0;
    for (let i = 0; i < length; i++) result ^= table[i * 256 + input[i]];
    return result >>> 0;
  }
}
