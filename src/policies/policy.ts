/**
 * What every policy of the catalogue offers the replay (issue 11). Kept
 * apart from src/dispatch/policy.ts so the catalogue stays a leaf: the
 * dispatcher will adapt these, not the other way round.
 *
 * - `choose(hash, active, base)`: the server for a connection opening now,
 *   among the servers in service of the policy's `ServerSet`; −1 when none
 *   is in service. `hash` is the connection's flow hash (flow-hash.ts; the
 *   policies that do not hash ignore it); `active[base + s]` is the number of
 *   this instance's connections active on server s, every close due at or
 *   before the instant already applied (as SPEC §4's `least-active` reads it).
 *   Called once per connection; allocates nothing.
 * - `route(hash)` (hash policies only): where a stateless balancer
 *   (anycast/ECMP, no per-connection state) sends a packet of an open flow
 *   with this hash, among the servers still carrying connections (in
 *   service or draining). Comparing `route` before and after a server change
 *   counts the open flows a stateless balancer would move.
 */
import type { ServerSet } from './server-set.js';

export interface CataloguePolicy {
  readonly name: string;
  readonly set: ServerSet;
  choose(hash: number, active: Float64Array, base: number): number;
}

export interface StatelessPolicy extends CataloguePolicy {
  route(hash: number): number;
}

/** A hash → server map over a fixed, non-empty list of members (ascending server indices). Immutable. */
export interface HashMapping {
  readonly members: Int32Array;
  lookup(hash: number): number;
}

/**
 * Builds the mapping for `members`. `previous` is the mapping this one
 * replaces (for the same purpose), for schemes whose layout depends on the
 * order of changes (jump); the others ignore it.
 */
export type MappingBuilder = (members: Int32Array, previous: HashMapping | undefined) => HashMapping;

function sameMembers(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A hash scheme as a policy: one mapping over the servers in service (new
 * connections) and one over the servers still carrying connections
 * (`route`), rebuilt when the set changes, shared when they are the same.
 */
export class ConsistentHashPolicy implements StatelessPolicy {
  readonly name: string;
  readonly set: ServerSet;
  private readonly build: MappingBuilder;
  private builtVersion = -1;
  private forNew: HashMapping | undefined;
  private forRoute: HashMapping | undefined;

  constructor(name: string, set: ServerSet, build: MappingBuilder) {
    this.name = name;
    this.set = set;
    this.build = build;
  }

  choose(hash: number, _active: Float64Array, _base: number): number {
    if (this.builtVersion !== this.set.version) this.rebuild();
    return this.forNew === undefined ? -1 : this.forNew.lookup(hash);
  }

  route(hash: number): number {
    if (this.builtVersion !== this.set.version) this.rebuild();
    return this.forRoute === undefined ? -1 : this.forRoute.lookup(hash);
  }

  /** The mapping new connections use now (undefined when no server is in service). */
  mappingForNew(): HashMapping | undefined {
    if (this.builtVersion !== this.set.version) this.rebuild();
    return this.forNew;
  }

  private rebuild(): void {
    const accepting = this.set.accepting();
    const serving = this.set.serving();
    const previousNew = this.forNew;
    const previousRoute = this.forRoute;
    this.forNew = accepting.length === 0 ? undefined : this.build(accepting, previousNew);
    if (serving.length === 0) this.forRoute = undefined;
    else if (this.forNew !== undefined && sameMembers(accepting, serving)) this.forRoute = this.forNew;
    else this.forRoute = this.build(serving, previousRoute);
    this.builtVersion = this.set.version;
  }
}
