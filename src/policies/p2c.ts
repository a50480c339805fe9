/**
 * `p2c`: the power of two random choices (Mitzenmacher, "The Power of Two
 * Choices in Randomized Load Balancing", IEEE TPDS 2001; Envoy's
 * `LEAST_REQUEST` with two choices): two distinct servers in service are
 * drawn uniformly, and the connection goes to the one with fewer of this
 * instance's active connections, ties to the lower server index.
 *
 * Draws (xoshiro128**, src/dispatch/prng.ts, seeded with `--seed`), over the
 * n servers in service in index order: i = nextBelow(n), then
 * j = nextBelow(n − 1), j + 1 if j ≥ i — every unordered pair equally likely.
 * With one server in service, it is chosen without a draw. State: the
 * generator; `firstChoice` / `secondChoice` keep the last two candidates.
 */
import { Xoshiro128StarStar } from '../dispatch/prng.js';
import type { CataloguePolicy } from './policy.js';
import type { ServerSet } from './server-set.js';

export class PowerOfTwoPolicy implements CataloguePolicy {
  readonly name = 'p2c';
  readonly set: ServerSet;
  /** The candidates of the last `choose` (−1 before any, or with one server in service). */
  firstChoice = -1;
  secondChoice = -1;
  private readonly rng: Xoshiro128StarStar;
  private builtVersion = -1;
  private members: Int32Array = new Int32Array(0);

  constructor(set: ServerSet, seed: number) {
    this.set = set;
    this.rng = new Xoshiro128StarStar(seed);
  }

  choose(_hash: number, active: Float64Array, base: number): number {
    if (this.builtVersion !== this.set.version) {
      this.members = this.set.accepting();
      this.builtVersion = this.set.version;
    }
    const members = this.members;
    const n = members.length;
    this.firstChoice = -1;
    this.secondChoice = -1;
    if (n === 0) return -1;
    if (n === 1) return members[0];
    const i = this.rng.nextBelow(n);
    let j = this.rng.nextBelow(n - 1);
    if (j >= i) j++;
    const a = members[i];
    const b = members[j];
    this.firstChoice = a;
    this.secondChoice = b;
    const la = active[base + a];
    const lb = active[base + b];
    if (la < lb) return a;
    if (lb < la) return b;
    return a < b ? a : b;
  }
}
