/**
 * `modulo` (issue 11; SPEC §4's `hash`): server = members[hash mod n], the
 * members being the n servers in service in index order. Removing one
 * renumbers those above it and changes n, so about (n−1)/n of the flows move
 * (RFC 2992 §4: "modulo-N" disruption). No state beyond the member list.
 */
import type { HashMapping } from './policy.js';

export class ModuloMapping implements HashMapping {
  readonly members: Int32Array;

  constructor(members: Int32Array) {
    this.members = members;
  }

  lookup(hash: number): number {
    return this.members[(hash >>> 0) % this.members.length];
  }
}
