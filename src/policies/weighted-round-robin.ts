/**
 * `weighted-round-robin`: NGINX's smooth weighted round-robin
 * (ngx_http_upstream_round_robin.c, 2012): every server keeps a current
 * value, 0 at the start. For each connection, every server in service with
 * weight w > 0 adds w to its current value; the server with the largest
 * current value is chosen (ties to the lower index) and the total of those
 * weights is subtracted from its value. Over any W = Σw consecutive
 * connections each server gets exactly w of them, interleaved (weights
 * 5, 1, 1 give a a b a c a a). State: one current value per server; servers
 * out of service keep theirs unchanged.
 */
import type { CataloguePolicy } from './policy.js';
import type { ServerSet } from './server-set.js';
import { Weights } from './weights.js';
import { grown } from '../typed-array.js';

export class WeightedRoundRobinPolicy implements CataloguePolicy {
  readonly name = 'weighted-round-robin';
  readonly set: ServerSet;
  readonly weights: Weights;
  private current = new Float64Array(8);

  constructor(set: ServerSet, weights: Weights) {
    this.set = set;
    this.weights = weights;
  }

  choose(_hash: number, _active: Float64Array, _base: number): number {
    const set = this.set;
    if (set.count > this.current.length) {
      this.current = grown(this.current, set.count * 2);
    }
    const current = this.current;
    let total = 0;
    let best = -1;
    for (let s = 0; s < set.count; s++) {
      const w = this.weights.get(s);
      if (w === 0 || !set.accepts(s)) continue;
      current[s] += w;
      total += w;
      if (best < 0 || current[s] > current[best]) best = s;
    }
    if (best >= 0) current[best] -= total;
    return best;
  }

  /** Current value of a server (for tests). */
  currentOf(server: number): number {
    return server < this.current.length ? this.current[server] : 0;
  }
}
