/**
 * `weighted-least-active`: the server in service with the fewest active
 * connections per unit of weight, active_s / w_s (as the Linux IPVS `wlc`
 * scheduler, with active connections as the overhead), ties to the lower
 * index; servers of weight 0 get none. Compared exactly as
 * active_a · w_b < active_b · w_a (weights ≤ MAX_WEIGHT keep the products
 * exact). With all weights 1 it is SPEC §4's `least-active`. State: none
 * beyond the replay's active counts.
 */
import type { CataloguePolicy } from './policy.js';
import type { ServerSet } from './server-set.js';
import type { Weights } from './weights.js';

export class WeightedLeastActivePolicy implements CataloguePolicy {
  readonly name = 'weighted-least-active';
  readonly set: ServerSet;
  readonly weights: Weights;

  constructor(set: ServerSet, weights: Weights) {
    this.set = set;
    this.weights = weights;
  }

  choose(_hash: number, active: Float64Array, base: number): number {
    const set = this.set;
    let best = -1;
    let bestActive = 0;
    let bestWeight = 0;
    for (let s = 0; s < set.count; s++) {
      const w = this.weights.get(s);
      if (w === 0 || !set.accepts(s)) continue;
      const a = active[base + s];
      if (best < 0 || a * bestWeight < bestActive * w) {
        best = s;
        bestActive = a;
        bestWeight = w;
      }
    }
    return best;
  }
}
