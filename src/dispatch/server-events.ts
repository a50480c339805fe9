/**
 * Server changes during a replay (issue 11 item 2, docs/policies.md
 * "Server changes"): `--event T:remove:K`, `T:add`, `T:fail:K`, `T:drain:K`,
 * `T:weight:K=W`. T is seconds after the replay's origin (its first packet,
 * the origin of the sampling clock), exact as every seconds option; K a
 * server index from 0. The list is parsed and checked here, before any
 * capture is read, by replaying the states of the servers it implies: K must
 * name a server that exists at T and is not removed, a drained server cannot
 * be drained again, and at least one server must stay in service (with a
 * weight above 0) after every event.
 */
import { ReplayError } from '../errors.js';
import { exceedsMaxSeconds, formatSeconds, parseSeconds, type Duration } from '../time.js';
import { MAX_WEIGHT } from '../policies/weights.js';

export const SERVER_EVENT_KINDS = ['remove', 'add', 'fail', 'drain', 'weight'] as const;
export type ServerEventKind = (typeof SERVER_EVENT_KINDS)[number];

export interface ServerEvent {
  /** After the replay's origin. */
  readonly time: Duration;
  readonly kind: ServerEventKind;
  /** The server changed; for `add`, the index the new server gets (the next free one). */
  readonly server: number;
  /** `weight` only: the new weight. */
  readonly weight: number;
}

/** Header of `--events-output`. */
export const EVENTS_HEADER = 'time,event,server,policy,active,remapped,broken,fraction\n';

function invalid(text: string, problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', `option --event: '${text}' ${problem}`);
}

const EVENT_TEXT = /^([^:]+):(remove|add|fail|drain|weight)(?::(\d+)(?:=(\d+))?)?$/;

/** One `--event` value, its server index not yet checked against the servers. */
function parseOne(text: string): { time: Duration; kind: ServerEventKind; server: number; weight: number } {
  const m = EVENT_TEXT.exec(text.trim());
  if (!m) throw invalid(text, 'is not T:remove:K, T:add, T:fail:K, T:drain:K or T:weight:K=W');
  const time = parseSeconds(m[1]);
  if (time === undefined) throw invalid(text, `has '${m[1]}' for its time: not a number of seconds (at most 9 decimals)`);
  if (exceedsMaxSeconds(time)) throw invalid(text, 'is past the maximum number of seconds');
  const kind = m[2] as ServerEventKind;
  if (kind === 'add') {
    if (m[3] !== undefined) throw invalid(text, 'names a server: add takes none (the new server gets the next index)');
    return { time, kind, server: -1, weight: 0 };
  }
  if (m[3] === undefined) throw invalid(text, `needs a server index: T:${kind}:K`);
  const server = Number(m[3]);
  if (!Number.isSafeInteger(server)) throw invalid(text, 'has a server index out of range');
  if (kind === 'weight') {
    if (m[4] === undefined) throw invalid(text, 'needs a weight: T:weight:K=W');
    const weight = Number(m[4]);
    if (!Number.isSafeInteger(weight) || weight > MAX_WEIGHT) throw invalid(text, `has a weight above ${MAX_WEIGHT}`);
    return { time, kind, server, weight };
  }
  if (m[4] !== undefined) throw invalid(text, `gives a weight: only T:weight:K=W does`);
  return { time, kind, server, weight: 0 };
}

const IN_SERVICE = 0;
const DRAINING = 1;
const REMOVED = 2;

/**
 * The `--event` values for `servers` servers (and `weights`, one per server,
 * undefined = all 1), in time order (events at the same instant in the order
 * given); throws OPTION_INVALID (exit 2) for a malformed or impossible one.
 */
export function parseServerEvents(list: readonly string[] | undefined, servers: number, weights?: readonly number[]): ServerEvent[] {
  if (list === undefined || list.length === 0) return [];
  const parsed = list.map((text, order) => ({ text, order, ...parseOne(text) }));
  parsed.sort((a, b) => a.time.sec - b.time.sec || a.time.nsec - b.time.nsec || a.order - b.order);
  const states: number[] = new Array<number>(servers).fill(IN_SERVICE);
  const w: number[] = weights === undefined ? new Array<number>(servers).fill(1) : [...weights];
  const out: ServerEvent[] = [];
  for (const e of parsed) {
    let server = e.server;
    if (e.kind === 'add') {
      server = states.length;
      states.push(IN_SERVICE);
      w.push(1);
    } else {
      if (server >= states.length) {
        throw invalid(e.text, `names server ${server}, but only servers 0 … ${states.length - 1} exist at ${formatSeconds(e.time)} s`);
      }
      if (states[server] === REMOVED) throw invalid(e.text, `names server ${server}, which was already removed or failed`);
      if (e.kind === 'drain' && states[server] === DRAINING) throw invalid(e.text, `drains server ${server}, which is already draining`);
      if (e.kind === 'remove' || e.kind === 'fail') states[server] = REMOVED;
      else if (e.kind === 'drain') states[server] = DRAINING;
      else w[server] = e.weight;
    }
    if (!states.some((s, k) => s === IN_SERVICE && w[k] > 0)) {
      throw invalid(e.text, 'leaves no server in service with a weight above 0');
    }
    out.push({ time: e.time, kind: e.kind, server, weight: e.weight });
  }
  return out;
}

/** How many servers the events add (each instance reserves their indices from the start). */
export function addedServers(events: readonly ServerEvent[]): number {
  let n = 0;
  for (const e of events) if (e.kind === 'add') n++;
  return n;
}
