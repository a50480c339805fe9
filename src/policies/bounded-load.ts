/**
 * `bounded-load`: consistent hashing with bounded loads (Mirrokni, Thorup &
 * Zadimoghaddam, "Consistent Hashing with Bounded Loads", SODA 2018), as
 * HAProxy applies it to its consistent ring with `hash-balance-factor`.
 *
 * The ring is ring.ts's over the servers in service. A server may hold at
 * most cap = ⌈c · (A + 1) / n⌉ active connections, where A is the number of
 * this instance's connections active on the n servers in service, the + 1
 * counts the connection being placed, and c ≥ 1 is the balance factor
 * (`--balance-factor`, default 1.25: HAProxy's `hash-balance-factor 125`).
 * A flow goes to the owner of the first point at or after its hash whose
 * server has fewer than cap active connections; a full server passes it on
 * along the ring. Some server is always below cap (n · cap ≥ c·(A+1) > A),
 * so the walk ends within one turn. The cap is computed in integers, with c
 * kept as an exact fraction of its decimal digits.
 *
 * `route` is the plain ring over the servers still carrying connections: a
 * stateless balancer knows no loads. State: the ring; the loads are the
 * replay's active counts.
 */
import type { HashMapping, StatelessPolicy } from './policy.js';
import { RingMapping } from './ring.js';
import type { ServerSet } from './server-set.js';

export const DEFAULT_BALANCE_FACTOR = 1.25;

/** c as numerator / denominator with a power-of-ten denominator (c = 1.25 → 125/100). */
export function balanceFactorFraction(c: number): { num: number; den: number } {
  if (!(Number.isFinite(c) && c >= 1 && c <= 1e6)) throw new RangeError(`the balance factor must be a number from 1 to 1000000, got ${c}`);
  for (let den = 1; den <= 1e9; den *= 10) {
    const num = Math.round(c * den);
    if (num / den === c) return { num, den };
  }
  throw new RangeError(`the balance factor ${c} has more than 9 decimals`);
}

export class BoundedLoadPolicy implements StatelessPolicy {
  readonly name = 'bounded-load';
  readonly set: ServerSet;
  readonly vnodes: number;
  readonly balanceFactor: number;
  /** The cap of the last `choose` (for tests and reports). */
  lastCap = 0;
  private readonly cNum: number;
  private readonly cDen: number;
  private builtVersion = -1;
  private ringNew: RingMapping | undefined;
  private ringRoute: RingMapping | undefined;

  constructor(set: ServerSet, vnodes: number, balanceFactor: number = DEFAULT_BALANCE_FACTOR) {
    this.set = set;
    this.vnodes = vnodes;
    this.balanceFactor = balanceFactor;
    const { num, den } = balanceFactorFraction(balanceFactor);
    this.cNum = num;
    this.cDen = den;
  }

  choose(hash: number, active: Float64Array, base: number): number {
    if (this.builtVersion !== this.set.version) this.rebuild();
    const ring = this.ringNew;
    if (ring === undefined) return -1;
    const members = ring.members;
    let total = 0;
    for (let i = 0; i < members.length; i++) total += active[base + members[i]];
    // ⌈cNum·(A+1) / (cDen·n)⌉ in integers (exact below 2^53).
    const num = this.cNum * (total + 1);
    const den = this.cDen * members.length;
    const cap = Math.floor((num + den - 1) / den);
    this.lastCap = cap;
    const owners = ring.owners;
    const start = ring.firstPoint(hash);
    let i = start;
    do {
      const server = owners[i];
      if (active[base + server] < cap) return server;
      i = i + 1 === owners.length ? 0 : i + 1;
    } while (i !== start);
    // Unreachable while c ≥ 1 and the counts are consistent.
    return owners[start];
  }

  route(hash: number): number {
    if (this.builtVersion !== this.set.version) this.rebuild();
    return this.ringRoute === undefined ? -1 : this.ringRoute.lookup(hash);
  }

  /** The ring new connections walk (undefined when no server is in service). */
  ring(): HashMapping | undefined {
    if (this.builtVersion !== this.set.version) this.rebuild();
    return this.ringNew;
  }

  private rebuild(): void {
    const accepting = this.set.accepting();
    const serving = this.set.serving();
    this.ringNew = accepting.length === 0 ? undefined : new RingMapping(accepting, this.vnodes);
    this.ringRoute = serving.length === 0 ? undefined : new RingMapping(serving, this.vnodes);
    this.builtVersion = this.set.version;
  }
}
