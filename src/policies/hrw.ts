/**
 * `hrw`, highest random weight or rendezvous hashing (Thaler & Ravishankar,
 * "Using name-based mappings to increase hit rates", IEEE/ACM ToN 1998;
 * RFC 2992 §5 mentions it as the alternative to hash-threshold): every
 * server in service gets a score for the flow, and the highest score wins.
 *
 * Score of server s for flow hash h: fmix32(h ⊕ id_s), id_s = serverId(s,
 * HRW_SALT) (mix.ts). fmix32 is a bijection, so two servers never tie for a
 * flow. Removing a server moves exactly the flows it had (about 1/n of them)
 * and nothing else; adding one takes about 1/(n+1) from every other. State:
 * the member list and their ids; a lookup costs n mixes.
 */
import { fmix32, serverId } from './mix.js';
import type { HashMapping } from './policy.js';

export const HRW_SALT = 0x68727721;

export class HrwMapping implements HashMapping {
  readonly members: Int32Array;
  private readonly ids: Uint32Array;

  constructor(members: Int32Array) {
    this.members = members;
    this.ids = Uint32Array.from(members, (s) => serverId(s, HRW_SALT));
  }

  /** The score of member position i for `hash` (for tests). */
  score(hash: number, i: number): number {
    return fmix32((hash ^ this.ids[i]) >>> 0);
  }

  lookup(hash: number): number {
    const ids = this.ids;
    let best = 0;
    let bestScore = fmix32((hash ^ ids[0]) >>> 0);
    for (let i = 1; i < ids.length; i++) {
      const score = fmix32((hash ^ ids[i]) >>> 0);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return this.members[best];
  }
}
