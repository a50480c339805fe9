/**
 * The servers a policy instance knows and the state of each (issue 11,
 * "server changes"). Servers are numbered from 0 and never renumbered: a
 * removed server keeps its index, an added one takes the next index.
 *
 * - in service: gets new connections and keeps its open ones;
 * - draining: gets no new connections, keeps its open ones until they end
 *   (a stateless balancer still routes the packets of its open flows to it:
 *   only the connection's first packet, the SYN, is steered away);
 * - removed: gets nothing (`remove` and `fail` of the event list; what
 *   happens to its open connections is the replay's business, not the set's).
 *
 * Every change bumps `version`, which policies compare with the version
 * their lookup tables were built for: tables are rebuilt once per change,
 * never per connection.
 */
import { grown } from '../typed-array.js';

export const SERVER_IN_SERVICE = 0;
export const SERVER_DRAINING = 1;
export const SERVER_REMOVED = 2;
export type ServerState = typeof SERVER_IN_SERVICE | typeof SERVER_DRAINING | typeof SERVER_REMOVED;

export class ServerSet {
  /** Servers ever known (indices 0 … count − 1). */
  count: number;
  /** Bumped by every change of state or count. */
  version = 0;
  private states: Uint8Array;

  /** `servers` ≥ 1 servers, all in service. */
  constructor(servers: number) {
    if (!Number.isSafeInteger(servers) || servers < 1) throw new RangeError(`servers must be a whole number of at least 1, got ${servers}`);
    this.count = servers;
    this.states = new Uint8Array(Math.max(8, servers));
  }

  state(server: number): ServerState {
    this.check(server);
    return this.states[server] as ServerState;
  }

  /** True when the server takes new connections. */
  accepts(server: number): boolean {
    return server >= 0 && server < this.count && this.states[server] === SERVER_IN_SERVICE;
  }

  /** True when the server still carries connections (in service or draining). */
  serves(server: number): boolean {
    return server >= 0 && server < this.count && this.states[server] !== SERVER_REMOVED;
  }

  /** The servers that take new connections, ascending. */
  accepting(): Int32Array {
    return this.collect(SERVER_IN_SERVICE, SERVER_IN_SERVICE);
  }

  /** The servers that still carry connections (in service or draining), ascending. */
  serving(): Int32Array {
    return this.collect(SERVER_IN_SERVICE, SERVER_DRAINING);
  }

  /** Adds a server in service; returns its index (the old count). */
  add(): number {
    if (this.count === this.states.length) {
      this.states = grown(this.states, this.states.length * 2);
    }
    const index = this.count++;
    this.states[index] = SERVER_IN_SERVICE;
    this.version++;
    return index;
  }

  remove(server: number): void {
    this.set(server, SERVER_REMOVED);
  }

  drain(server: number): void {
    this.set(server, SERVER_DRAINING);
  }

  /** Puts a drained or removed server back in service. */
  restore(server: number): void {
    this.set(server, SERVER_IN_SERVICE);
  }

  private set(server: number, state: ServerState): void {
    this.check(server);
    if (this.states[server] === state) return;
    this.states[server] = state;
    this.version++;
  }

  private check(server: number): void {
    if (!Number.isInteger(server) || server < 0 || server >= this.count) {
      throw new RangeError(`server ${server} is not one of 0 … ${this.count - 1}`);
    }
  }

  private collect(a: number, b: number): Int32Array {
    let n = 0;
    for (let s = 0; s < this.count; s++) if (this.states[s] === a || this.states[s] === b) n++;
    const out = new Int32Array(n);
    let i = 0;
    for (let s = 0; s < this.count; s++) if (this.states[s] === a || this.states[s] === b) out[i++] = s;
    return out;
  }
}
