/**
 * `jump`: jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory,
 * Consistent Hash Algorithm", arXiv:1406.2294, 2014). For a 64-bit key and
 * n buckets:
 *
 *     b = −1, j = 0
 *     while j < n:
 *       b = j
 *       key = key · 2862933555777941757 + 1   (mod 2^64)
 *       j = ⌊(b + 1) · 2^31 / ((key >> 33) + 1)⌋
 *     return b
 *
 * computed exactly here: the 64-bit product in 16-bit limbs, the division in
 * doubles as the paper's C++ does it. The flow hash (32 bits) is the key.
 *
 * Jump needs buckets numbered 0 … n−1 and only ever moves flows when the
 * last bucket goes or a new last one comes. Servers are mapped onto buckets
 * by a slot list: a new server takes a new last slot; a server that leaves
 * the set gives its slot to the server in the last slot, and the last slot
 * goes (the usual way to remove a middle bucket). So removing the server in
 * the last slot moves exactly its flows (1/n), and removing another moves its
 * flows plus about 1/n − 1/(n(n−1)) of the last slot's. The slot order
 * depends on the order of the changes. State: the slot list.
 */
import type { HashMapping } from './policy.js';

/** 2862933555777941757 = 0x27BB2EE687B0B0FD as four 16-bit limbs, least significant first. */
const M0 = 0xb0fd;
const M1 = 0x87b0;
const M2 = 0x2ee6;
const M3 = 0x27bb;
const TWO_31 = 2 ** 31;

/**
 * Jump consistent hash of the 64-bit key keyHi·2^32 + keyLo into `buckets`
 * (≥ 1) buckets. Allocates nothing.
 */
export function jumpHash(keyHi: number, keyLo: number, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > TWO_31) throw new RangeError(`buckets must be 1 … 2^31, got ${buckets}`);
  // The key as four 16-bit limbs, least significant first.
  let k0 = keyLo & 0xffff;
  let k1 = keyLo >>> 16;
  let k2 = keyHi & 0xffff;
  let k3 = keyHi >>> 16;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    // key = key · M + 1 (mod 2^64), limb by limb with carries (every partial sum < 2^53).
    let t = k0 * M0 + 1;
    const r0 = t % 65536;
    t = Math.floor(t / 65536) + k0 * M1 + k1 * M0;
    const r1 = t % 65536;
    t = Math.floor(t / 65536) + k0 * M2 + k1 * M1 + k2 * M0;
    const r2 = t % 65536;
    t = Math.floor(t / 65536) + k0 * M3 + k1 * M2 + k2 * M1 + k3 * M0;
    const r3 = t % 65536;
    k0 = r0;
    k1 = r1;
    k2 = r2;
    k3 = r3;
    // key >> 33: the top 31 bits = k3·2^15 + ⌊k2 / 2⌋.
    const top = k3 * 32768 + (k2 >>> 1);
    j = Math.floor((b + 1) * (TWO_31 / (top + 1)));
  }
  return b;
}

export class JumpMapping implements HashMapping {
  readonly members: Int32Array;
  /** slots[b]: the server in bucket b. */
  readonly slots: Int32Array;

  constructor(members: Int32Array, previous?: JumpMapping) {
    this.members = members;
    if (previous === undefined) {
      this.slots = members.slice();
      return;
    }
    const isMember = new Set(members);
    const slots = Array.from(previous.slots);
    for (let i = 0; i < slots.length; ) {
      if (isMember.has(slots[i])) {
        i++;
        continue;
      }
      const last = slots.pop() as number;
      if (i < slots.length) slots[i] = last;
    }
    const inSlots = new Set(slots);
    for (const s of members) if (!inSlots.has(s)) slots.push(s);
    this.slots = Int32Array.from(slots);
  }

  lookup(hash: number): number {
    return this.slots[jumpHash(0, hash >>> 0, this.slots.length)];
  }
}
