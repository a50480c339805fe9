/**
 * `maglev`: the lookup table of Maglev (Eisenbud et al., "Maglev: A Fast and
 * Reliable Software Network Load Balancer", NSDI 2016, §3.4).
 *
 * The table has M entries, M prime (`--maglev-size`; default the smallest
 * prime ≥ 100·N, the paper's bound for at most about 1% imbalance between
 * servers' shares). Each server i has a preference list over the entries,
 * permutation[i][j] = (offset_i + j·skip_i) mod M with 0 ≤ offset_i < M and
 * 1 ≤ skip_i < M (a full permutation because M is prime). Population (the
 * paper's Pseudocode 1): the servers take turns, in member order, each
 * claiming the next entry of its list that is still free, until all M are
 * taken. A flow goes to table[hash mod M].
 *
 * offset_s = serverId(s, MAGLEV_OFFSET_SALT) mod M and skip_s =
 * serverId(s, MAGLEV_SKIP_SALT) mod (M − 1) + 1 (mix.ts), standing for the
 * paper's two hashes of the server's name. Removing a server moves its own
 * flows and, because the turns shift, a few others (the paper's Figure 8:
 * under 1% extra for M ≥ 100·N). State: the M-entry table, rebuilt on a
 * change (O(M log M) expected).
 */
import { ReplayError } from '../errors.js';
import { serverId } from './mix.js';
import type { HashMapping } from './policy.js';
import { isPrime, nextPrime } from './prime.js';

export const MAGLEV_OFFSET_SALT = 0x6d676f66;
export const MAGLEV_SKIP_SALT = 0x6d67736b;
/** The paper's ratio M/N for small imbalance. */
export const MAGLEV_MIN_RATIO = 100;

/** The default table size for N servers: the smallest prime ≥ 100·N. */
export function defaultMaglevSize(servers: number): number {
  return nextPrime(MAGLEV_MIN_RATIO * servers);
}

/** Checks `--maglev-size` for N servers: a prime ≥ 100·N. Throws OPTION_INVALID. */
export function checkMaglevSize(size: number, servers: number): void {
  if (!Number.isSafeInteger(size) || !isPrime(size)) {
    throw new ReplayError('OPTION_INVALID', `option --maglev-size: must be a prime number, got ${size}`);
  }
  if (size < MAGLEV_MIN_RATIO * servers) {
    throw new ReplayError(
      'OPTION_INVALID',
      `option --maglev-size: must be at least 100 times the servers (${MAGLEV_MIN_RATIO * servers}), got ${size}`,
    );
  }
}

/**
 * The paper's population: entry → position in the server list (0 … n−1),
 * from each server's offset and skip. M prime, n ≥ 1. Exported for the
 * paper's worked example (Table 1).
 */
export function populateMaglev(offsets: ArrayLike<number>, skips: ArrayLike<number>, size: number): Int32Array {
  const n = offsets.length;
  if (n < 1 || skips.length !== n) throw new RangeError('one offset and one skip per server, at least one server');
  if (!isPrime(size)) throw new RangeError(`the Maglev table size must be prime, got ${size}`);
  const entry = new Int32Array(size).fill(-1);
  // next[i]: the position in server i's permutation it will try next, kept as the entry itself.
  const next = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!(offsets[i] >= 0 && offsets[i] < size) || !(skips[i] >= 1 && skips[i] < size)) {
      throw new RangeError(`server ${i}: offset ${offsets[i]} or skip ${skips[i]} out of range for M = ${size}`);
    }
    next[i] = offsets[i];
  }
  let filled = 0;
  for (;;) {
    for (let i = 0; i < n; i++) {
      let c = next[i];
      while (entry[c] >= 0) c = (c + skips[i]) % size;
      entry[c] = i;
      next[i] = (c + skips[i]) % size;
      if (++filled === size) return entry;
    }
  }
}

export class MaglevMapping implements HashMapping {
  readonly members: Int32Array;
  readonly size: number;
  /** table[j]: the server of entry j. */
  readonly table: Int32Array;

  constructor(members: Int32Array, size: number) {
    this.members = members;
    this.size = size;
    const offsets = new Float64Array(members.length);
    const skips = new Float64Array(members.length);
    for (let i = 0; i < members.length; i++) {
      offsets[i] = serverId(members[i], MAGLEV_OFFSET_SALT) % size;
      skips[i] = (serverId(members[i], MAGLEV_SKIP_SALT) % (size - 1)) + 1;
    }
    const positions = populateMaglev(offsets, skips, size);
    this.table = new Int32Array(size);
    for (let j = 0; j < size; j++) this.table[j] = members[positions[j]];
  }

  lookup(hash: number): number {
    return this.table[(hash >>> 0) % this.size];
  }
}
