/**
 * `round-robin` (SPEC §4): the k-th connection dispatched by this instance,
 * counting from 0 (mid-stream and port-reuse connections included), goes to
 * server k mod N. Connections outside `--service` are never dispatched and
 * do not advance k.
 */
import type { DispatchPolicy, Endpoints } from '../policy.js';

export class RoundRobinPolicy implements DispatchPolicy {
  readonly name = 'round-robin' as const;
  readonly servers: number;
  /** k mod N for the next connection. */
  private next = 0;

  constructor(servers: number) {
    this.servers = servers;
  }

  choose(_endpoints: Endpoints, _active: Float64Array, _base: number): number {
    const server = this.next;
    this.next = server + 1 === this.servers ? 0 : server + 1;
    return server;
  }
}
