/**
 * `ring`: the consistent-hash ring of Karger et al. ("Consistent hashing and
 * random trees", STOC 1997) with virtual nodes, as ketama, Envoy's
 * `ring_hash` and HAProxy's `balance hash … consistent` build it: every
 * server in service puts `vnodes` points on the 32-bit circle (`--vnodes`,
 * default 100), and a flow goes to the owner of the first point at or after
 * its hash, wrapping past 2^32 − 1 to the first point.
 *
 * Point r (0 ≤ r < vnodes) of server s: fmix32(serverId(s, RING_SALT) ⊕
 * fmix32(r + 1)) (mix.ts). A point depends only on its server, so removing a
 * server moves exactly its flows, each to the next point clockwise; two
 * points at the same position are ordered by server index. State: the sorted
 * points and their owners (n · vnodes of each), rebuilt on a change; a lookup
 * is a binary search.
 */
import { fmix32, serverId } from './mix.js';
import type { HashMapping } from './policy.js';

export const RING_SALT = 0x72696e67;
export const DEFAULT_VNODES = 100;
/** Servers per ring: the owner is packed below the point in one double for sorting. */
const OWNER_SPACE = 2 ** 20;

/** Point r of server s (see the module comment). */
export function ringPoint(server: number, r: number): number {
  return fmix32((serverId(server, RING_SALT) ^ fmix32(r + 1)) >>> 0);
}

export class RingMapping implements HashMapping {
  readonly members: Int32Array;
  readonly vnodes: number;
  /** Point positions, ascending. */
  readonly points: Uint32Array;
  /** owners[i]: the server of points[i]. */
  readonly owners: Int32Array;

  constructor(members: Int32Array, vnodes: number = DEFAULT_VNODES) {
    if (!Number.isSafeInteger(vnodes) || vnodes < 1) throw new RangeError(`vnodes must be a whole number of at least 1, got ${vnodes}`);
    this.members = members;
    this.vnodes = vnodes;
    const packed = new Float64Array(members.length * vnodes);
    let k = 0;
    for (let i = 0; i < members.length; i++) {
      const s = members[i];
      if (s >= OWNER_SPACE) throw new RangeError(`ring supports server indices below ${OWNER_SPACE}`);
      for (let r = 0; r < vnodes; r++) packed[k++] = ringPoint(s, r) * OWNER_SPACE + s;
    }
    packed.sort();
    this.points = new Uint32Array(packed.length);
    this.owners = new Int32Array(packed.length);
    for (let i = 0; i < packed.length; i++) {
      const point = Math.floor(packed[i] / OWNER_SPACE);
      this.points[i] = point;
      this.owners[i] = packed[i] - point * OWNER_SPACE;
    }
  }

  /** Index of the first point at or after `hash`, wrapping to 0. */
  firstPoint(hash: number): number {
    const points = this.points;
    let lo = 0;
    let hi = points.length;
    const h = hash >>> 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === points.length ? 0 : lo;
  }

  lookup(hash: number): number {
    return this.owners[this.firstPoint(hash)];
  }
}
