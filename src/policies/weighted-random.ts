/**
 * `weighted-random`: each connection goes to server s with probability
 * w_s / W among the servers in service (W the sum of their weights), drawn
 * by the instance's own xoshiro128** generator seeded with `--seed`
 * (src/dispatch/prng.ts): r = nextBelow(W), then the first server, in index
 * order, whose running weight sum exceeds r. Exact integer draw, no modulo
 * bias; the same seed gives the same servers on any machine. With all
 * weights 1 it draws exactly as `random` does. State: the generator.
 */
import { Xoshiro128StarStar } from '../dispatch/prng.js';
import type { CataloguePolicy } from './policy.js';
import type { ServerSet } from './server-set.js';
import type { Weights } from './weights.js';

export class WeightedRandomPolicy implements CataloguePolicy {
  readonly name = 'weighted-random';
  readonly set: ServerSet;
  readonly weights: Weights;
  private readonly rng: Xoshiro128StarStar;

  constructor(set: ServerSet, weights: Weights, seed: number) {
    this.set = set;
    this.weights = weights;
    this.rng = new Xoshiro128StarStar(seed);
  }

  choose(_hash: number, _active: Float64Array, _base: number): number {
    const set = this.set;
    let total = 0;
    for (let s = 0; s < set.count; s++) if (set.accepts(s)) total += this.weights.get(s);
    if (total === 0) return -1;
    let r = this.rng.nextBelow(total);
    for (let s = 0; s < set.count; s++) {
      if (!set.accepts(s)) continue;
      const w = this.weights.get(s);
      if (r < w) return s;
      r -= w;
    }
    return -1;
  }
}
