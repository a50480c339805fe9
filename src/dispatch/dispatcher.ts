/**
 * The dispatcher (SPEC §4): every connection is dispatched once, when it
 * opens, by every configured policy instance, each with its own state and
 * server count, in the same pass; all its packets' bytes then count for the
 * server it got (the paper's pinned flow). With `--granularity packet`
 * (src/dispatch/granularity.ts) every packet is routed on its own instead.
 *
 * Per-server state is the ServerCounters (src/dispatch/counters.ts) the
 * dispatcher writes and the sampler reads. Per-slot state is in typed arrays
 * grown by doubling. `packet()` does one typed-array add per instance
 * (packet mode: one route and a few adds) and allocates nothing.
 *
 * The replay engine (src/engine/replay-engine.ts) hands it the tracker's
 * open/packet/deactivate/remove events; it has no clock of its own.
 */
import { ServerCounters, type PolicyInstanceInfo } from './counters.js';
import {
  createEndpoints,
  type DispatchPolicy,
  type EndpointSource,
  type Endpoints,
  type PolicyConfig,
  type PolicyName,
  type PolicyParams,
} from './policy.js';
import { RoundRobinPolicy } from './policies/round-robin.js';
import { RandomPolicy } from './policies/random.js';
import { HashPolicy } from './policies/hash.js';
import { LeastActivePolicy } from './policies/least-active.js';
import { ServiceFilter, type ServiceSpec } from './service-filter.js';
import { CatalogueAdapter, SharedFlowHash } from './policies/catalogue-adapter.js';
import { createCataloguePolicy, usesHash, type CataloguePolicyName } from '../policies/catalogue.js';
import { DEFAULT_POLICY_PARAMS } from './policy.js';
import { ServerSet } from '../policies/server-set.js';
import { defaultMaglevSize } from '../policies/maglev.js';
import type { StatelessPolicy } from '../policies/policy.js';
import type { Weights } from '../policies/weights.js';
import type { HashFn } from '../policies/flow-hash.js';
import type { HashKey } from '../policies/hash-key.js';
import { addedServers, type ServerEvent, type ServerEventKind } from './server-events.js';
import { packetRouting, type Granularity } from './granularity.js';
import { grown } from '../typed-array.js';

/** Which payload bytes count for the servers (SPEC §5; connection counts are unaffected). */
export type Direction = 'both' | 's2c' | 'c2s';

/** Receives output text: whole lines, each ending in LF. */
export type TextSink = (chunk: string) => void;

/** Header line of `--assignments` (one row per dispatched connection and policy instance). */
export const ASSIGNMENTS_HEADER = 'conn,policy,server\n';

export interface DispatcherOptions {
  /** The policy instances, in output order (command-line order). At least one. */
  readonly configs: readonly PolicyConfig[];
  readonly direction: Direction;
  /** Parsed `--service` values; empty = every connection is replayed. */
  readonly services: readonly ServiceSpec[];
  /**
   * `--assignments`: receives ASSIGNMENTS_HEADER at construction, then one
   * `conn,policy,server` line per dispatched connection and instance, at
   * dispatch time, instances in order.
   */
  readonly assignments?: TextSink | undefined;
  /**
   * Server changes (`--event`), checked and in time order. With any, every
   * instance runs on the catalogue (the paper's four as their equivalents,
   * `eventPolicy`), reserves one index per `add` from the start, and the
   * counters get an in-service mask. The engine calls `applyEvent` at each.
   */
  readonly events?: readonly ServerEvent[] | undefined;
  /**
   * `--granularity` (default `connection`). With `packet` every packet is
   * routed on its own (src/dispatch/granularity.ts): no server changes, and
   * only the policies `packetRouting` accepts.
   */
  readonly granularity?: Granularity | undefined;
}

/** What one server change did to one policy instance (a row of `--events-output`). */
export interface EventOutcome {
  readonly label: string;
  readonly kind: ServerEventKind;
  /** The instance's server index the event named (for `add`, the new server). */
  readonly server: number;
  /** The instance's connections active just before the event. */
  readonly active: number;
  /**
   * Hash policies: of those, the ones a stateless balancer would send
   * elsewhere after the event than before it (`route(hash)` changes). −1 for the
   * policies that need per-connection state anyway (not applicable).
   */
  readonly remapped: number;
  /** `fail`: the connections on the failed server, cut even with connection tracking; else 0. */
  readonly broken: number;
}

/**
 * The catalogue policy a configuration runs as when servers change: the
 * catalogue's own, or for the paper's four the catalogue equivalent that
 * makes the same choices while no server changes (docs/policies.md).
 */
function eventPolicyName(policy: PolicyName): CataloguePolicyName {
  switch (policy) {
    case 'round-robin':
      return 'weighted-round-robin';
    case 'random':
      return 'weighted-random';
    case 'hash':
      return 'modulo';
    case 'least-active':
      return 'weighted-least-active';
    default:
      return policy;
  }
}

/**
 * One policy instance for a run with server changes: `config.servers` in
 * service plus `extra` reserved (removed) indices that `add` events bring in.
 */
export function createEventPolicy(config: PolicyConfig, extra: number, hashes: Map<string, SharedFlowHash>): CatalogueAdapter {
  const params = config.params ?? DEFAULT_POLICY_PARAMS;
  const name = eventPolicyName(config.policy);
  const paper = name !== config.policy;
  const hashKey = config.policy === 'hash' ? DEFAULT_POLICY_PARAMS.hashKey : params.hashKey;
  const hashFn = config.policy === 'hash' ? DEFAULT_POLICY_PARAMS.hashFn : params.hashFn;
  const total = config.servers + extra;
  const set = new ServerSet(total);
  for (let s = config.servers; s < total; s++) set.remove(s);
  const weights = paper || params.weights === undefined ? undefined : [...params.weights, ...new Array<number>(extra).fill(1)];
  const policy = createCataloguePolicy(
    {
      policy: name,
      servers: total,
      seed: config.seed,
      weights,
      vnodes: params.vnodes,
      maglevSize: params.maglevSize ?? defaultMaglevSize(config.servers),
      balanceFactor: params.balanceFactor,
    },
    set,
  );
  const flowHash = usesHash(name) ? sharedFlowHash(hashes, hashKey, hashFn) : undefined;
  return new CatalogueAdapter(config.policy, total, policy, flowHash);
}

/** The run's flow hash for a key and function: the one already in `hashes`, or a new one put there. */
function sharedFlowHash(hashes: Map<string, SharedFlowHash>, hashKey: HashKey, hashFn: HashFn): SharedFlowHash {
  const key = `${hashKey}/${hashFn}`;
  let flowHash = hashes.get(key);
  if (flowHash === undefined) {
    flowHash = new SharedFlowHash(hashKey, hashFn);
    hashes.set(key, flowHash);
  }
  return flowHash;
}

/** The instances the `all` shorthand and `--servers`/`--seed` give: one per policy, same N and seed. */
export function policyConfigs(policies: readonly PolicyName[], servers: number, seed: number, params?: PolicyParams): PolicyConfig[] {
  return policies.map((policy) => (params === undefined ? { policy, servers, seed } : { policy, servers, seed, params }));
}

/**
 * One policy instance from its configuration. `hashes` holds the flow hashes
 * already made in this run by key and function, so instances share them.
 */
export function createPolicy(config: PolicyConfig, hashes: Map<string, SharedFlowHash> = new Map()): DispatchPolicy {
  switch (config.policy) {
    case 'round-robin':
      return new RoundRobinPolicy(config.servers);
    case 'random':
      return new RandomPolicy(config.servers, config.seed);
    case 'hash':
      return new HashPolicy(config.servers);
    case 'least-active':
      return new LeastActivePolicy(config.servers);
    default: {
      const params = config.params ?? DEFAULT_POLICY_PARAMS;
      const policy = createCataloguePolicy({
        policy: config.policy,
        servers: config.servers,
        seed: config.seed,
        weights: params.weights,
        vnodes: params.vnodes,
        maglevSize: params.maglevSize,
        balanceFactor: params.balanceFactor,
      });
      const flowHash = usesHash(config.policy) ? sharedFlowHash(hashes, params.hashKey, params.hashFn) : undefined;
      return new CatalogueAdapter(config.policy, config.servers, policy, flowHash);
    }
  }
}

export type { PolicyInstanceInfo };

/** Slot states. */
const SLOT_FREE = 0;
/** Dispatched and active. */
const SLOT_ACTIVE = 1;
/** Dispatched, no longer active, still absorbing late packets. */
const SLOT_INACTIVE = 2;
/** Outside `--service`: tracked, never dispatched or sampled. */
const SLOT_EXCLUDED = 3;

const INITIAL_SLOTS = 1024;

function contractError(what: string, slot: number): Error {
  // A broken FlowListener contract is a bug in the caller, not a capture problem.
  return new Error(`flow listener contract: ${what} (slot ${slot})`);
}

export class Dispatcher {
  readonly instances: readonly PolicyInstanceInfo[];
  /** Number of instances (P). */
  readonly instanceCount: number;
  /** Σ N_i: the length of the per-server arrays. */
  readonly totalServers: number;
  /** The per-server counters this dispatcher writes. */
  readonly counters: ServerCounters;
  /** Active connections per global server index (counters.active). */
  readonly active: Float64Array;
  /** Connections dispatched per global server index, over the whole run (counters.connections). */
  readonly dispatchedConnections: Float64Array;
  /** Payload bytes (after the direction filter) per global server index, over the whole run (counters.bytes). */
  readonly dispatchedBytes: Float64Array;
  /** Connections opened inside `--service` (dispatched). */
  connectionsReplayed = 0;
  /** Connections opened outside `--service` (never dispatched or sampled). */
  connectionsNotReplayed = 0;
  /** Dispatched connections active right now (the same for every instance). */
  activeConnections = 0;
  /** `--granularity packet`: every packet routed on its own. */
  readonly perPacket: boolean;
  /** Packet mode: packets routed (after the direction filter), the same for every instance; 0 otherwise. */
  packetsReplayed = 0;
  /** Per instance: connections whose packets reached more than one server (packet mode; else 0). */
  readonly splitConnections: Float64Array;
  /** Per instance: packets routed to a server other than their connection's first packet's (packet mode; else 0). */
  readonly misroutedPackets: Float64Array;

  private readonly policies: readonly DispatchPolicy[];
  private readonly bases: Int32Array;
  private readonly filter: ServiceFilter;
  private readonly assignments: TextSink | undefined;
  private readonly countC2s: boolean;
  private readonly countS2c: boolean;
  private readonly endpoints: Endpoints = createEndpoints();
  /** Per slot: SLOT_*. */
  private slotState = new Uint8Array(INITIAL_SLOTS);
  /** Per slot and instance (slot·P + i): the global server index; −1 once a `fail` cut it. */
  private slotServers: Int32Array;
  /** With events: per slot and instance, the connection's flow hash (for `route`). */
  private slotHashes: Uint32Array | undefined;
  /** With events: the catalogue adapters, in instance order. */
  private readonly adapters: readonly CatalogueAdapter[] | undefined;
  /** With events: each instance's server count before any `add`. */
  private readonly initialServers: Int32Array;
  /** `add` events applied so far. */
  private addsDone = 0;
  /** Packet mode: per instance, true when it routes by hash (one server per direction), else by its sequence. */
  private readonly hashRouted: readonly boolean[];
  /** Packet mode, per slot and instance: the global server of client→server packets, and of server→client ones (hash routing). */
  private slotC2s: Int32Array | undefined;
  private slotS2c: Int32Array | undefined;
  /** Packet mode, per slot and instance: 1 once a packet went elsewhere than the first. */
  private slotSplit: Uint8Array | undefined;
  /** The reused endpoints of the server→client direction (source and destination swapped). */
  private readonly reversed: Endpoints = createEndpoints();

  constructor(options: DispatcherOptions) {
    if (options.configs.length === 0) throw new RangeError('at least one policy instance is needed');
    const labels = new Set<string>();
    const instances: PolicyInstanceInfo[] = [];
    const policies: DispatchPolicy[] = [];
    const hashes = new Map<string, SharedFlowHash>();
    const events = options.events ?? [];
    const extra = addedServers(events);
    const adapters: CatalogueAdapter[] = [];
    let base = 0;
    for (const config of options.configs) {
      // Options are validated once, by normalizeOptions (src/options.ts); here a bad value is a caller's bug.
      if (!Number.isSafeInteger(config.servers) || config.servers < 1) {
        throw new RangeError(`policy instance: servers (--servers) must be a whole number of at least 1, got ${config.servers}`);
      }
      if (!Number.isInteger(config.seed) || config.seed < 0 || config.seed > 0xffffffff) {
        throw new RangeError(`policy instance: seed (--seed) must be a whole number from 0 to 4294967295, got ${config.seed}`);
      }
      const label = config.label ?? config.policy;
      if (labels.has(label)) throw new RangeError(`two policy instances are labelled '${label}'`);
      labels.add(label);
      const servers = config.servers + extra;
      if (events.length > 0) {
        const adapter = createEventPolicy(config, extra, hashes);
        adapters.push(adapter);
        policies.push(adapter);
      } else {
        policies.push(createPolicy(config, hashes));
      }
      instances.push({ label, policy: config.policy, servers, seed: config.seed, base });
      base += servers;
    }
    this.perPacket = options.granularity === 'packet';
    if (this.perPacket) {
      // normalizeOptions refuses these with a usage error; here they are a caller's bug.
      if (events.length > 0) throw new RangeError('server changes need --granularity connection');
      for (const config of options.configs) {
        if (packetRouting(config.policy) === undefined) throw new RangeError(`policy ${config.policy} cannot route single packets`);
      }
      if (options.assignments !== undefined) throw new RangeError('--assignments needs --granularity connection');
    }
    this.hashRouted = options.configs.map((c) => this.perPacket && packetRouting(c.policy) === 'hash');
    this.splitConnections = new Float64Array(instances.length);
    this.misroutedPackets = new Float64Array(instances.length);
    this.initialServers = Int32Array.from(options.configs, (c) => c.servers);
    this.adapters = events.length > 0 ? adapters : undefined;
    this.instances = instances;
    this.policies = policies;
    this.instanceCount = instances.length;
    this.totalServers = base;
    this.bases = Int32Array.from(instances, (inst) => inst.base);
    this.counters = new ServerCounters(instances);
    this.active = this.counters.active;
    this.dispatchedConnections = this.counters.connections;
    this.dispatchedBytes = this.counters.bytes;
    this.slotServers = new Int32Array(INITIAL_SLOTS * instances.length);
    if (this.perPacket) {
      this.counters.packets = new Float64Array(this.totalServers);
      this.slotC2s = new Int32Array(INITIAL_SLOTS * instances.length);
      this.slotS2c = new Int32Array(INITIAL_SLOTS * instances.length);
      this.slotSplit = new Uint8Array(INITIAL_SLOTS * instances.length);
    }
    if (this.adapters !== undefined) {
      this.slotHashes = new Uint32Array(INITIAL_SLOTS * instances.length);
      this.counters.inService = new Uint8Array(this.totalServers);
      this.updateMask();
    }
    this.filter = new ServiceFilter(options.services);
    this.assignments = options.assignments;
    this.countC2s = options.direction !== 's2c';
    this.countS2c = options.direction !== 'c2s';
    if (this.assignments !== undefined) this.assignments(ASSIGNMENTS_HEADER);
  }

  /** Dispatches the connection that opened in `slot`, reading its endpoints from `source` (the tracker's table). */
  open(slot: number, _sec: number, _nsec: number, source: EndpointSource): void {
    if (slot >= this.slotState.length) this.grow(slot);
    if (this.slotState[slot] !== SLOT_FREE) throw contractError('open on a slot in use', slot);
    const ep = this.endpoints;
    source.readEndpoints(slot, ep);
    if (!this.filter.accepts(ep)) {
      this.slotState[slot] = SLOT_EXCLUDED;
      this.connectionsNotReplayed++;
      return;
    }
    this.slotState[slot] = SLOT_ACTIVE;
    this.connectionsReplayed++;
    this.activeConnections++;
    if (this.perPacket) {
      this.openPerPacket(slot, ep);
      return;
    }
    const p = this.instanceCount;
    const row = slot * p;
    for (let i = 0; i < p; i++) {
      const policy = this.policies[i];
      const base = this.bases[i];
      const server = this.checked(i, policy.choose(ep, this.active, base));
      const g = base + server;
      this.slotServers[row + i] = g;
      if (this.slotHashes !== undefined) this.slotHashes[row + i] = (policy as CatalogueAdapter).lastHash;
      this.active[g]++;
      this.dispatchedConnections[g]++;
      if (this.assignments !== undefined) this.assignments(`${ep.conn},${this.instances[i].label},${server}\n`);
    }
  }

  /**
   * Packet mode: a connection opened; no server yet (its first packet gets
   * one). Hash routing computes the server of each direction now: every
   * packet of a direction carries the same fields.
   */
  private openPerPacket(slot: number, ep: Endpoints): void {
    const p = this.instanceCount;
    const row = slot * p;
    const c2sServers = this.slotC2s!;
    const s2cServers = this.slotS2c!;
    const split = this.slotSplit!;
    let rev: Endpoints | undefined;
    for (let i = 0; i < p; i++) {
      this.slotServers[row + i] = -1;
      split[row + i] = 0;
      if (!this.hashRouted[i]) continue;
      if (rev === undefined) rev = this.reverse(ep);
      c2sServers[row + i] = this.bases[i] + this.checked(i, this.policies[i].choose(ep, this.active, this.bases[i]));
      s2cServers[row + i] = this.bases[i] + this.checked(i, this.policies[i].choose(rev, this.active, this.bases[i]));
    }
  }

  /** The server→client direction's endpoints: the server's address and port as the source. */
  private reverse(ep: Endpoints): Endpoints {
    const r = this.reversed;
    // Another connection number, so hashes cached per connection (SharedFlowHash) are not reused.
    r.conn = -2 - ep.conn;
    r.ipVersion = ep.ipVersion;
    r.clientAddr.set(ep.serverAddr);
    r.clientPort = ep.serverPort;
    r.serverAddr.set(ep.clientAddr);
    r.serverPort = ep.clientPort;
    return r;
  }

  /** `server` when it is one of instance i's servers; a policy's bug otherwise. */
  private checked(i: number, server: number): number {
    const policy = this.policies[i];
    if (!(server >= 0 && server < policy.servers && Number.isInteger(server))) {
      throw new Error(`policy ${policy.name} chose server ${server} of ${policy.servers}`);
    }
    return server;
  }

  /** Packet mode: routes one packet for every instance and counts it, its bytes, and whether it left its connection's first server. */
  private routePacket(slot: number, c2s: boolean, payloadBytes: number): void {
    const p = this.instanceCount;
    const row = slot * p;
    const packets = this.counters.packets!;
    const bytes = this.dispatchedBytes;
    const first = this.slotServers;
    const split = this.slotSplit!;
    const directed = c2s ? this.slotC2s! : this.slotS2c!;
    this.packetsReplayed++;
    for (let i = 0; i < p; i++) {
      const at = row + i;
      const g = this.hashRouted[i] ? directed[at] : this.bases[i] + this.checked(i, this.policies[i].choose(this.endpoints, this.active, this.bases[i]));
      packets[g]++;
      bytes[g] += payloadBytes;
      const f = first[at];
      if (f < 0) {
        first[at] = g;
        this.dispatchedConnections[g]++;
      } else if (g !== f) {
        this.misroutedPackets[i]++;
        if (split[at] === 0) {
          split[at] = 1;
          this.splitConnections[i]++;
        }
      }
    }
  }

  packet(slot: number, c2s: boolean, payloadBytes: number): void {
    const state = this.slotState[slot];
    if (state === SLOT_ACTIVE || state === SLOT_INACTIVE) {
      if (c2s ? !this.countC2s : !this.countS2c) return;
      if (this.perPacket) {
        this.routePacket(slot, c2s, payloadBytes);
        return;
      }
      const p = this.instanceCount;
      const row = slot * p;
      const total = this.dispatchedBytes;
      const servers = this.slotServers;
      for (let i = 0; i < p; i++) {
        const g = servers[row + i];
        // −1: a `fail` cut this connection for this instance; its bytes go nowhere.
        if (g >= 0) total[g] += payloadBytes;
      }
    } else if (state !== SLOT_EXCLUDED) {
      throw contractError('packet on a slot that is not open', slot);
    }
  }

  deactivate(slot: number, _sec: number, _nsec: number): void {
    const state = this.slotState[slot];
    if (state === SLOT_ACTIVE) {
      const p = this.instanceCount;
      const row = slot * p;
      // Packet mode keeps no active counts (no connection is on one server).
      for (let i = 0; i < p && !this.perPacket; i++) {
        const g = this.slotServers[row + i];
        if (g >= 0) this.active[g]--;
      }
      this.slotState[slot] = SLOT_INACTIVE;
      this.activeConnections--;
    } else if (state !== SLOT_EXCLUDED) {
      throw contractError(state === SLOT_INACTIVE ? 'deactivate twice' : 'deactivate on a slot that is not open', slot);
    }
  }

  remove(slot: number): void {
    const state = this.slotState[slot];
    if (state === SLOT_ACTIVE) throw contractError('remove before deactivate', slot);
    if (state !== SLOT_INACTIVE && state !== SLOT_EXCLUDED) throw contractError('remove on a slot that is not open', slot);
    this.slotState[slot] = SLOT_FREE;
  }

  /** The global server index instance `instance` gave the connection in `slot` (−1 when not dispatched). */
  serverOf(slot: number, instance: number): number {
    const state = this.slotState[slot];
    if (state !== SLOT_ACTIVE && state !== SLOT_INACTIVE) return -1;
    const g = this.slotServers[slot * this.instanceCount + instance];
    return g < 0 ? -1 : g - this.bases[instance];
  }

  /**
   * Applies a server change to every instance at its instant (between
   * events of the tracker) and returns what it did to each, in instance
   * order. See EventOutcome and docs/policies.md ("Server changes").
   */
  applyEvent(event: ServerEvent): EventOutcome[] {
    const adapters = this.adapters;
    if (adapters === undefined || this.slotHashes === undefined) throw new Error('applyEvent on a dispatcher built without events');
    const p = this.instanceCount;
    const outcomes: EventOutcome[] = [];
    for (let i = 0; i < p; i++) {
      const policy = adapters[i].policy;
      const set = policy.set;
      const base = this.bases[i];
      const local = event.kind === 'add' ? this.initialServers[i] + this.addsDone : event.server;
      if (!(local >= 0 && local < set.count)) throw new RangeError(`event on server ${local} of ${set.count}`);
      const stateless = typeof (policy as Partial<StatelessPolicy>).route === 'function' ? (policy as StatelessPolicy) : undefined;
      // Where a stateless balancer sends each open connection before the change.
      const before = stateless === undefined ? undefined : new Int32Array(this.slotState.length);
      if (stateless !== undefined && before !== undefined) {
        for (let slot = 0; slot < this.slotState.length; slot++) {
          if (this.slotState[slot] === SLOT_ACTIVE) before[slot] = stateless.route(this.slotHashes[slot * p + i]);
        }
      }
      switch (event.kind) {
        case 'remove':
        case 'fail':
          set.remove(local);
          break;
        case 'drain':
          set.drain(local);
          break;
        case 'add':
          set.restore(local);
          break;
        case 'weight': {
          const weights = (policy as { weights?: Weights }).weights;
          if (weights !== undefined) weights.set(local, event.weight);
          break;
        }
      }
      const cutAt = event.kind === 'fail' ? base + local : -2;
      let active = 0;
      let remapped = 0;
      let broken = 0;
      for (let slot = 0; slot < this.slotState.length; slot++) {
        if (this.slotState[slot] !== SLOT_ACTIVE) continue;
        const at = slot * p + i;
        const g = this.slotServers[at];
        if (g < 0) continue;
        active++;
        if (before !== undefined && stateless !== undefined && stateless.route(this.slotHashes[at]) !== before[slot]) remapped++;
        if (g === cutAt) {
          this.slotServers[at] = -1;
          this.active[g]--;
          broken++;
        }
      }
      outcomes.push({ label: this.instances[i].label, kind: event.kind, server: local, active, remapped: stateless === undefined ? -1 : remapped, broken });
    }
    if (event.kind === 'add') this.addsDone++;
    this.updateMask();
    return outcomes;
  }

  /** Writes every instance's in-service servers into the counters' mask. */
  private updateMask(): void {
    const mask = this.counters.inService;
    if (mask === undefined || this.adapters === undefined) return;
    for (let i = 0; i < this.instanceCount; i++) {
      const set = this.adapters[i].policy.set;
      const base = this.bases[i];
      for (let s = 0; s < this.instances[i].servers; s++) mask[base + s] = set.accepts(s) ? 1 : 0;
    }
  }

  private grow(slot: number): void {
    let size = this.slotState.length;
    while (size <= slot) size *= 2;
    this.slotState = grown(this.slotState, size);
    this.slotServers = grown(this.slotServers, size * this.instanceCount);
    if (this.slotHashes !== undefined) {
      this.slotHashes = grown(this.slotHashes, size * this.instanceCount);
    }
    if (this.slotC2s !== undefined && this.slotS2c !== undefined && this.slotSplit !== undefined) {
      this.slotC2s = grown(this.slotC2s, size * this.instanceCount);
      this.slotS2c = grown(this.slotS2c, size * this.instanceCount);
      this.slotSplit = grown(this.slotSplit, size * this.instanceCount);
    }
  }
}
