/**
 * A connection's 32-bit flow hash: a key (`--hash-key`, hash-key.ts) under a
 * function (`--hash-fn`):
 *
 * - `crc32`: CRC-32 (IEEE 802.3 / zlib, src/dispatch/crc32.ts) of the key
 *   bytes. With `--hash-key src-port` it is the `hash` policy's value of
 *   SPEC §4, so `modulo` over it is today's `hash`.
 * - `toeplitz`: the RSS Toeplitz hash with Microsoft's key (toeplitz.ts). A
 *   `5-tuple` key is hashed without its protocol byte, as RSS does (the
 *   protocol selects the hash type; it is not an input).
 *
 * One `FlowHasher` per (key, function) pair; it owns one key buffer, so a
 * hash allocates nothing. Computed once per connection, when it opens, and
 * shared by every hash policy with the same key and function.
 */
import { crc32Bytes } from '../dispatch/crc32.js';
import { MAX_KEY_BYTES, writeHashKey, type FlowEndpoints, type HashKey } from './hash-key.js';
import { MICROSOFT_RSS_KEY, ToeplitzHasher } from './toeplitz.js';

export const HASH_FNS = ['crc32', 'toeplitz'] as const;
export type HashFn = (typeof HASH_FNS)[number];

export function isHashFn(text: string): text is HashFn {
  return (HASH_FNS as readonly string[]).includes(text);
}

let sharedToeplitz: ToeplitzHasher | undefined;

/** The Toeplitz hasher for Microsoft's key, tabulated on first use. */
export function microsoftToeplitz(): ToeplitzHasher {
  sharedToeplitz ??= new ToeplitzHasher(MICROSOFT_RSS_KEY);
  return sharedToeplitz;
}

export class FlowHasher {
  readonly key: HashKey;
  readonly fn: HashFn;
  private readonly buffer = new Uint8Array(MAX_KEY_BYTES);
  private readonly toeplitz: ToeplitzHasher | undefined;

  constructor(key: HashKey, fn: HashFn) {
    this.key = key;
    this.fn = fn;
    this.toeplitz = fn === 'toeplitz' ? microsoftToeplitz() : undefined;
  }

  /** The flow hash of a connection, an unsigned 32-bit integer. */
  hash(ep: FlowEndpoints): number {
    let length = writeHashKey(this.key, ep, this.buffer);
    if (this.toeplitz === undefined) return crc32Bytes(this.buffer, 0, length);
    if (this.key === '5-tuple') length--;
    return this.toeplitz.hash(this.buffer, length);
  }
}
