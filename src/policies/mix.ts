/**
 * The 32-bit integer mixer the policy catalogue derives its per-server
 * numbers from (HRW scores, ring points, Maglev offsets and skips).
 *
 * `fmix32` is the finalizer of Austin Appleby's MurmurHash3 (public domain,
 * 2011): two xor-shift / multiply rounds and a last xor-shift. It is a
 * bijection on 32-bit integers with full avalanche (every input bit flips
 * each output bit with probability close to 1/2), so distinct inputs give
 * distinct, well-spread outputs. Only 32-bit integer operations, so every
 * JavaScript engine gives the same numbers.
 */

/** MurmurHash3 fmix32 (see the module comment); input and output unsigned 32-bit. */
export function fmix32(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** 2^32 / φ rounded to odd: spreads small integers (server indices) over 32 bits before mixing. */
export const GOLDEN_32 = 0x9e3779b9;

/**
 * A server's 32-bit identity under a salt: fmix32((server + 1)·GOLDEN_32 ⊕ salt).
 * Each scheme uses its own salt so that its numbers are independent of the others'.
 */
export function serverId(server: number, salt: number): number {
  return fmix32((Math.imul(server + 1, GOLDEN_32) ^ salt) >>> 0);
}
