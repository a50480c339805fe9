/**
 * A policy of issue 11's catalogue (src/policies/, docs/policies.md) as a
 * dispatch policy: the adapter hands the catalogue policy the connection's
 * flow hash (`--hash-key` under `--hash-fn`) and the instance's active
 * counts. The hash is computed once per connection and key/function pair,
 * shared by every instance that uses the pair (`SharedFlowHash`).
 */
import type { DispatchPolicy, Endpoints, PolicyName } from '../policy.js';
import type { CataloguePolicy } from '../../policies/policy.js';
import { FlowHasher, type HashFn } from '../../policies/flow-hash.js';
import type { HashKey } from '../../policies/hash-key.js';

/** A FlowHasher remembering the last connection it hashed, so instances sharing it hash a connection once. */
export class SharedFlowHash {
  private readonly hasher: FlowHasher;
  private lastConn = -1;
  private lastHash = 0;

  constructor(key: HashKey, fn: HashFn) {
    this.hasher = new FlowHasher(key, fn);
  }

  hash(ep: Endpoints): number {
    if (ep.conn !== this.lastConn) {
      this.lastHash = this.hasher.hash(ep);
      this.lastConn = ep.conn;
    }
    return this.lastHash;
  }
}

export class CatalogueAdapter implements DispatchPolicy {
  readonly name: PolicyName;
  readonly servers: number;
  readonly policy: CataloguePolicy;
  private readonly flowHash: SharedFlowHash | undefined;
  /** The flow hash of the last connection chosen for (0 for policies that do not hash). */
  lastHash = 0;

  constructor(name: PolicyName, servers: number, policy: CataloguePolicy, flowHash: SharedFlowHash | undefined) {
    this.name = name;
    this.servers = servers;
    this.policy = policy;
    this.flowHash = flowHash;
  }

  choose(endpoints: Endpoints, active: Float64Array, base: number): number {
    const hash = this.flowHash === undefined ? 0 : this.flowHash.hash(endpoints);
    this.lastHash = hash;
    return this.policy.choose(hash, active, base);
  }
}
