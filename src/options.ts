/**
 * Options of the library and the CLI (STYLE options): callers pass a
 * `ReplayOptions`; `normalizeOptions` validates it and fills every default
 * from `DEFAULTS` in one place, returning `ResolvedOptions`. `OPTION_TABLE`
 * is the one table of the replay's and the tracker's flags — flag, help
 * text, default, choices and the check of a value's form — from which the
 * CLI builds its options and --help (src/cli/program.ts). Times are given in
 * seconds as decimal text or numbers (up to MAX_SECONDS, at most 9 decimals)
 * and resolved exactly to (seconds, nanoseconds) pairs (src/time.ts).
 */
import { ReplayError } from './errors.js';
import { type Duration, exceedsMaxSeconds, isZeroDuration, MAX_SECONDS, NS_PER_SEC, parseSeconds } from './time.js';

import { ALL_POLICY_NAMES, DEFAULT_POLICY_PARAMS, POLICY_NAMES, type PolicyName, type PolicyParams } from './dispatch/policy.js';
import { parseServices } from './dispatch/service-filter.js';
import { HASH_KEYS, isHashKey } from './policies/hash-key.js';
import { HASH_FNS, isHashFn } from './policies/flow-hash.js';
import { MAX_WEIGHT } from './policies/weights.js';
import { checkMaglevSize } from './policies/maglev.js';
import { balanceFactorFraction } from './policies/bounded-load.js';
import { IMBALANCE_MEASURES, isImbalanceMeasure, type ImbalanceMeasure } from './policies/measures.js';
import { GRANULARITIES, packetRouting, type Granularity } from './dispatch/granularity.js';
import { parseServerEvents, type ServerEvent } from './dispatch/server-events.js';
import { INPUT_FORMATS, type InputFormat } from './flowlog/detect.js';

export { ALL_POLICY_NAMES, POLICY_NAMES, type PolicyName, type PolicyParams, type ImbalanceMeasure };
export type Direction = 'both' | 's2c' | 'c2s';
/** Transport protocols replayed (issue 12): TCP connections, UDP flows or both. */
export type Proto = 'tcp' | 'udp' | 'both';
export const PROTO_NAMES: readonly Proto[] = ['tcp', 'udp', 'both'];

export interface ReplayOptions {
  /** Number of servers N (SPEC §4). */
  servers?: number;
  /** Policies in output order; 'all' = the four in POLICY_NAMES order. */
  policy?: readonly (PolicyName | 'all')[];
  /** Seed of the `random` policy. */
  seed?: number;
  /** Sampling interval, seconds (SPEC §5). */
  interval?: string | number;
  /** Histogram bin width (SPEC §5–§6), decimal text such as "0.01". */
  binWidth?: string | number;
  /** Which payload bytes count (SPEC §5). */
  direction?: Direction;
  /** Idle timeout, seconds; 0 = off (SPEC §3). */
  idleTimeout?: string | number;
  /** Timeout of connections that never got past their SYN, seconds; 0 = off (SPEC §3). */
  synTimeout?: string | number;
  /** Bound of the connection table (SPEC §3). */
  maxConnections?: number;
  /** Transport protocols replayed (issue 12; default tcp). */
  proto?: Proto;
  /** Inactivity timeout of UDP flows, seconds; 0 = off (issue 12). */
  udpTimeout?: string | number;
  /** Server endpoints to replay, `ADDR[/PREFIX][:PORT]` (SPEC §4). */
  service?: readonly string[];
  /** Keep records in [first + from, first + to), seconds (SPEC §1). */
  from?: string | number;
  to?: string | number;
  /** Turn warnings (cut capture, forward time jump) into failures (SPEC §2a). */
  strict?: boolean;
  /** Flow hash key of the catalogue's hash schemes (docs/policies.md). */
  hashKey?: string;
  /** Flow hash function: crc32 or toeplitz. */
  hashFn?: string;
  /** One weight per server (weighted-*): numbers, or comma-separated text "3,1,1". */
  weights?: readonly number[] | string;
  /** Points per server of ring and bounded-load. */
  vnodes?: number;
  /** Maglev table size, a prime ≥ 100·N. */
  maglevSize?: number;
  /** bounded-load's c ≥ 1, decimal text or number. */
  balanceFactor?: string | number;
  /** Imbalance measures, in output order: a list, or comma-separated text (default ['range']). */
  imbalance?: readonly string[] | string;
  /** Server changes (`--event`, main command): `T:remove:K`, `T:add`, `T:fail:K`, `T:drain:K`, `T:weight:K=W`. */
  event?: readonly string[];
  /** `--granularity`: a server per connection (default) or per packet (docs/policies.md "Per-packet routing"). */
  granularity?: Granularity;
  /** `--input-format`: what the input files are; `auto` (default) detects it from their content (docs/flow-logs.md). */
  inputFormat?: 'auto' | InputFormat;
  /** `--reorder-window`: how late (seconds) a flow-log record may come and still be replayed in order (default 60). */
  reorderWindow?: string | number;
}

export interface ResolvedOptions {
  servers: number;
  policies: PolicyName[];
  seed: number;
  /** Sampling interval, > 0. */
  interval: Duration;
  /** The bin width as given (canonical decimal text) — binning is exact on it. */
  binWidth: string;
  direction: Direction;
  /** 0 = off. */
  idleTimeout: Duration;
  /** 0 = off. */
  synTimeout: Duration;
  maxConnections: number;
  proto: Proto;
  /** 0 = off. */
  udpTimeout: Duration;
  services: string[];
  /** Relative to the capture's first record; undefined = no bound. */
  from: Duration | undefined;
  to: Duration | undefined;
  strict: boolean;
  /** The catalogue's parameters. */
  policyParams: PolicyParams;
  /** Imbalance measures in output order; ['range'] by default. */
  imbalance: ImbalanceMeasure[];
  /** Server changes in time order; absent when none is given (so batch's canonical options are unchanged). */
  events?: ServerEvent[];
  /** `--granularity packet`; absent for the default `connection` (so batch's canonical options are unchanged). */
  granularity?: 'packet';
  /** `--input-format` when given other than `auto`; absent = detect from the content (batch's canonical options unchanged). */
  inputFormat?: InputFormat;
  /** `--reorder-window` when given other than the default 60 s; absent = the default. */
  reorderWindow?: Duration;
}

/** Every default, in one place; help texts show these. */
export const DEFAULTS = {
  servers: 5,
  policy: 'all',
  seed: 1,
  interval: '0.5',
  binWidth: '0.01',
  direction: 'both' as Direction,
  /** Zeek's tcp_inactivity_timeout. */
  idleTimeout: '300',
  synTimeout: '60',
  maxConnections: 4_000_000,
  proto: 'tcp' as Proto,
  /** Zeek's udp_inactivity_timeout. */
  udpTimeout: '60',
  hashKey: DEFAULT_POLICY_PARAMS.hashKey,
  hashFn: DEFAULT_POLICY_PARAMS.hashFn,
  vnodes: DEFAULT_POLICY_PARAMS.vnodes,
  balanceFactor: '1.25',
  imbalance: 'range',
  granularity: 'connection',
  inputFormat: 'auto',
  reorderWindow: '60',
} as const;

/** Largest `--vnodes` (ring tables hold servers × vnodes points). */
export const MAX_VNODES = 10_000;

/** Largest server count accepted (outputs have a row per server and sample). */
export const MAX_SERVERS = 65_536;

function invalid(option: string, problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', `option ${option}: ${problem}`);
}

/**
 * Seconds as text or number → an exact (sec, nsec) Duration, at most
 * MAX_SECONDS; throws OPTION_INVALID.
 */
export function secondsOption(option: string, value: string | number, allowZero: boolean): Duration {
  const text = typeof value === 'number' ? numberToPlainText(value) : value;
  const d = parseSeconds(text);
  if (d === undefined) throw invalid(option, `'${text}' is not a number of seconds (at most 9 decimals)`);
  if (exceedsMaxSeconds(d)) throw invalid(option, `'${text.trim()}' is more than the maximum of ${MAX_SECONDS} seconds`);
  if (!allowZero && isZeroDuration(d)) throw invalid(option, 'must be greater than 0');
  return d;
}

function numberToPlainText(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  // Up to 9 decimals, no exponent form.
  return value.toFixed(9).replace(/\.?0+$/, '');
}

/** A whole number from `min` to `max`; throws OPTION_INVALID. */
export function integerOption(option: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(option, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A positive decimal without exponent, e.g. "0.01" → canonical "0.01". */
export function binWidthOption(value: string | number): string {
  const text = typeof value === 'number' ? numberToPlainText(value) : value.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m || !/[1-9]/.test(text)) throw invalid('--bin-width', `'${text}' is not a positive decimal number`);
  const whole = m[1].replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

export function resolvePolicies(list: readonly string[]): PolicyName[] {
  const out: PolicyName[] = [];
  for (const name of list) {
    if (name === 'all') {
      for (const p of POLICY_NAMES) if (!out.includes(p)) out.push(p);
    } else if ((ALL_POLICY_NAMES as readonly string[]).includes(name)) {
      if (!out.includes(name as PolicyName)) out.push(name as PolicyName);
    } else {
      throw invalid('--policy', `unknown policy '${name}' (choose from ${ALL_POLICY_NAMES.join(', ')}, all)`);
    }
  }
  if (out.length === 0) throw invalid('--policy', 'no policy given');
  return out;
}

/** `--weights`: one whole number from 0 to MAX_WEIGHT per server, not all 0. */
export function weightsOption(value: readonly number[] | string, servers: number): number[] {
  const list = typeof value === 'string' ? value.split(',').map((t) => t.trim()) : value.map(String);
  const out: number[] = [];
  for (const text of list) {
    if (!/^\d+$/.test(text) || Number(text) > MAX_WEIGHT) throw invalid('--weights', `'${text}' is not a whole number from 0 to ${MAX_WEIGHT}`);
    out.push(Number(text));
  }
  if (out.length !== servers) throw invalid('--weights', `${out.length} weights for ${servers} servers (--servers): give one per server`);
  if (out.every((w) => w === 0)) throw invalid('--weights', 'at least one weight must be above 0');
  return out;
}

/** `--imbalance`: measures in the order given, duplicates dropped. */
export function imbalanceOption(value: readonly string[] | string): ImbalanceMeasure[] {
  const list = typeof value === 'string' ? [value] : value;
  const out: ImbalanceMeasure[] = [];
  for (const item of list) {
    for (const raw of item.split(',')) {
      const name = raw.trim();
      if (!isImbalanceMeasure(name)) throw invalid('--imbalance', `unknown measure '${name}' (choose from ${IMBALANCE_MEASURES.join(', ')})`);
      if (!out.includes(name)) out.push(name);
    }
  }
  if (out.length === 0) throw invalid('--imbalance', 'no measure given');
  return out;
}

/** `--balance-factor`: a decimal c from 1 to 1 000 000 with at most 9 decimals. */
function balanceFactorOption(value: string | number): number {
  const text = typeof value === 'number' ? numberToPlainText(value) : value.trim();
  if (!/^\d+(\.\d{1,9})?$/.test(text)) throw invalid('--balance-factor', `'${text}' is not a decimal number (at most 9 decimals)`);
  const c = Number(text);
  try {
    balanceFactorFraction(c);
  } catch {
    throw invalid('--balance-factor', `must be from 1 to 1000000, got ${text}`);
  }
  return c;
}

/**
 * The catalogue's parameters for `servers` servers from `options`; throws
 * OPTION_INVALID. `--weights` must give one weight per server and
 * `--maglev-size` be a prime of at least 100·N.
 */
export function resolvePolicyParams(options: ReplayOptions, servers: number): PolicyParams {
  const hashKey = options.hashKey ?? DEFAULTS.hashKey;
  if (!isHashKey(hashKey)) throw invalid('--hash-key', `'${hashKey}' is not one of ${HASH_KEYS.join(', ')}`);
  const hashFn = options.hashFn ?? DEFAULTS.hashFn;
  if (!isHashFn(hashFn)) throw invalid('--hash-fn', `'${hashFn}' is not one of ${HASH_FNS.join(', ')}`);
  const weights = options.weights === undefined ? undefined : weightsOption(options.weights, servers);
  const vnodes = integerOption('--vnodes', options.vnodes ?? DEFAULTS.vnodes, 1, MAX_VNODES);
  const maglevSize = options.maglevSize;
  if (maglevSize !== undefined) checkMaglevSize(maglevSize, servers);
  const balanceFactor = balanceFactorOption(options.balanceFactor ?? DEFAULTS.balanceFactor);
  return { hashKey, hashFn, weights, vnodes, maglevSize, balanceFactor };
}

/** Checks every --service value now, before any capture is read. */
function validServices(list: readonly string[]): string[] {
  parseServices(list);
  return [...list];
}

/**
 * The command line's checks of a value's form (the table's `parse`): they
 * throw OPTION_INVALID for text that is not a number of the right kind, and
 * leave ranges to `normalizeOptions` (whose messages name the limits).
 */
function wholeText(option: string, min: number): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text.trim())) throw invalid(option, `'${text}' is not a whole number`);
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) throw invalid(option, `must be a whole number ≥ ${min}`);
    return n;
  };
}

function secondsText(option: string): (text: string) => string {
  return (text) => {
    if (!/^\d+(\.\d{1,9})?$/.test(text.trim())) {
      throw invalid(option, `'${text}' is not a number of seconds (digits, at most 9 decimals)`);
    }
    return text.trim();
  };
}

/** A positive decimal's form (`--bin-width` and other widths). */
export function decimalText(option: string): (text: string) => string {
  return (text) => {
    if (!/^\d+(\.\d+)?$/.test(text.trim()) || !/[1-9]/.test(text)) throw invalid(option, `'${text}' is not a positive decimal number`);
    return text.trim();
  };
}

/** One flag of the table: what commander needs and the check of a value as text. */
export interface OptionSpec {
  /** Commander's flags text, e.g. `-n, --servers <n>`. */
  readonly flags: string;
  /** The --help line (the default and choices are added by the help formatter). */
  readonly description: string;
  /** The default, as the CLI hands it to the library (shown by --help). */
  readonly defaultValue?: string | number | boolean;
  readonly choices?: readonly string[];
  /**
   * Checks the form of one value given on the command line, throwing
   * ReplayError OPTION_INVALID, and returns it as `ReplayOptions` holds it
   * (ranges are checked by `normalizeOptions`).
   */
  readonly parse?: (text: string) => string | number;
}

/**
 * The flags of the replay and of every command that tracks connections, by
 * their ReplayOptions key (`--policy` and `--service` are lists: the CLI
 * accumulates them and checks each value with `resolvePolicies` and
 * `parseServices`).
 */
export const OPTION_TABLE = {
  servers: {
    flags: '-n, --servers <n>',
    description: 'number of servers',
    defaultValue: DEFAULTS.servers,
    parse: wholeText('--servers', 1),
  },
  seed: {
    flags: '--seed <n>',
    description: 'seed of the seeded policies (random, weighted-random, p2c)',
    defaultValue: DEFAULTS.seed,
    parse: wholeText('--seed', 0),
  },
  interval: {
    flags: '--interval <s>',
    description: 'sampling interval in seconds',
    defaultValue: DEFAULTS.interval,
    parse: secondsText('--interval'),
  },
  binWidth: {
    flags: '--bin-width <w>',
    description: 'width of the imbalance histogram bins',
    defaultValue: DEFAULTS.binWidth,
    parse: decimalText('--bin-width'),
  },
  direction: {
    flags: '--direction <dir>',
    description: 'payload bytes counted',
    defaultValue: DEFAULTS.direction,
    choices: ['both', 's2c', 'c2s'],
  },
  granularity: {
    flags: '--granularity <g>',
    // No defaultValue: the main command passes it only when given (batch has no such flag); normalizeOptions defaults it.
    description: `dispatch once per connection, or every packet on its own (round-robin, random and hash policies; default: ${DEFAULTS.granularity})`,
    choices: GRANULARITIES,
  },
  idleTimeout: {
    flags: '--idle-timeout <s>',
    description: 'close a connection after this many seconds without a packet; 0 = never',
    defaultValue: DEFAULTS.idleTimeout,
    parse: secondsText('--idle-timeout'),
  },
  synTimeout: {
    flags: '--syn-timeout <s>',
    description: 'close a connection that never got past its SYN after this many seconds; 0 = never',
    defaultValue: DEFAULTS.synTimeout,
    parse: secondsText('--syn-timeout'),
  },
  maxConnections: {
    flags: '--max-connections <n>',
    description: 'bound of the connection table; the longest-idle connection is evicted past it',
    defaultValue: DEFAULTS.maxConnections,
    parse: wholeText('--max-connections', 1),
  },
  proto: {
    flags: '--proto <proto>',
    description: 'transport protocols replayed: TCP connections, UDP flows or both',
    defaultValue: DEFAULTS.proto,
    choices: PROTO_NAMES,
  },
  udpTimeout: {
    flags: '--udp-timeout <s>',
    description: 'close a UDP flow after this many seconds without a packet; 0 = never',
    defaultValue: DEFAULTS.udpTimeout,
    parse: secondsText('--udp-timeout'),
  },
  inputFormat: {
    flags: '--input-format <format>',
    description: 'what the inputs are: packet captures, Zeek conn.logs (TSV or JSON) or connections CSVs; auto detects it from the content',
    defaultValue: DEFAULTS.inputFormat,
    choices: ['auto', ...INPUT_FORMATS],
  },
  reorderWindow: {
    flags: '--reorder-window <s>',
    description: 'flow logs: records up to this many seconds out of start order are replayed in order; later ones are counted and left out',
    defaultValue: DEFAULTS.reorderWindow,
    parse: secondsText('--reorder-window'),
  },
  from: {
    flags: '--from <s>',
    description: 'keep only records from this many seconds after the first record',
    parse: secondsText('--from'),
  },
  to: {
    flags: '--to <s>',
    description: 'keep only records before this many seconds after the first record',
    parse: secondsText('--to'),
  },
  hashKey: {
    flags: '--hash-key <key>',
    description: 'fields the hash policies (modulo, hash-threshold, hrw, ring, maglev, jump, bounded-load) hash',
    defaultValue: DEFAULTS.hashKey,
    choices: HASH_KEYS,
  },
  hashFn: {
    flags: '--hash-fn <fn>',
    description: 'hash function of the hash policies (toeplitz: RSS with the Microsoft key)',
    defaultValue: DEFAULTS.hashFn,
    choices: HASH_FNS,
  },
  weights: {
    flags: '--weights <list>',
    description: 'weights of the weighted-* policies, one whole number per server, e.g. 3,1,1,1,1 (default: all 1)',
    parse: (text: string) => text.trim(),
  },
  vnodes: {
    flags: '--vnodes <n>',
    description: 'points per server on the ring (ring, bounded-load)',
    defaultValue: DEFAULTS.vnodes,
    parse: wholeText('--vnodes', 1),
  },
  maglevSize: {
    flags: '--maglev-size <m>',
    description: 'maglev lookup table size, a prime ≥ 100 × servers (default: the smallest such prime)',
    parse: wholeText('--maglev-size', 1),
  },
  balanceFactor: {
    flags: '--balance-factor <c>',
    description: 'bounded-load: a server above ⌈c × average⌉ active connections passes new ones on',
    defaultValue: DEFAULTS.balanceFactor,
    parse: decimalText('--balance-factor'),
  },
  imbalance: {
    flags: '--imbalance <list>',
    // No defaultValue: the main command passes it only when given (batch has no such flag); normalizeOptions defaults it.
    description: `imbalance measures, comma list of ${IMBALANCE_MEASURES.join(', ')} (default: ${DEFAULTS.imbalance})`,
    parse: (text: string) => imbalanceOption(text).join(','),
  },
  strict: {
    flags: '--strict',
    description: 'fail (exit 1) on any warning: a cut capture, time jumping forward or back, files out of order, nothing measured',
    defaultValue: false,
  },
} as const satisfies Record<string, OptionSpec>;

export function normalizeOptions(options: ReplayOptions = {}): ResolvedOptions {
  const servers = integerOption('--servers', options.servers ?? DEFAULTS.servers, 1, MAX_SERVERS);
  const policies = resolvePolicies(options.policy ?? [DEFAULTS.policy]);
  const seed = integerOption('--seed', options.seed ?? DEFAULTS.seed, 0, 0xffffffff);
  const interval = secondsOption('--interval', options.interval ?? DEFAULTS.interval, false);
  const binWidth = binWidthOption(options.binWidth ?? DEFAULTS.binWidth);
  const direction = options.direction ?? DEFAULTS.direction;
  if (direction !== 'both' && direction !== 's2c' && direction !== 'c2s') {
    throw invalid('--direction', `'${String(direction)}' is not one of both, s2c, c2s`);
  }
  const idleTimeout = secondsOption('--idle-timeout', options.idleTimeout ?? DEFAULTS.idleTimeout, true);
  const synTimeout = secondsOption('--syn-timeout', options.synTimeout ?? DEFAULTS.synTimeout, true);
  const maxConnections = integerOption('--max-connections', options.maxConnections ?? DEFAULTS.maxConnections, 1, 2 ** 31 - 1);
  const proto = options.proto ?? DEFAULTS.proto;
  if (!PROTO_NAMES.includes(proto)) throw invalid('--proto', `'${String(proto)}' is not one of ${PROTO_NAMES.join(', ')}`);
  const udpTimeout = secondsOption('--udp-timeout', options.udpTimeout ?? DEFAULTS.udpTimeout, true);
  const from = options.from === undefined ? undefined : secondsOption('--from', options.from, true);
  const to = options.to === undefined ? undefined : secondsOption('--to', options.to, true);
  if (from !== undefined && to !== undefined && (to.sec < from.sec || (to.sec === from.sec && to.nsec <= from.nsec))) {
    throw invalid('--to', 'must be after --from');
  }
  const services = validServices(options.service ?? []);
  const policyParams = resolvePolicyParams(options, servers);
  const imbalance = imbalanceOption(options.imbalance ?? DEFAULTS.imbalance);
  const events = parseServerEvents(options.event, servers, policyParams.weights);
  const granularity = options.granularity ?? DEFAULTS.granularity;
  if (!GRANULARITIES.includes(granularity)) throw invalid('--granularity', `'${String(granularity)}' is not one of ${GRANULARITIES.join(', ')}`);
  if (granularity === 'packet') {
    const stateful = policies.filter((p) => packetRouting(p) === undefined);
    if (stateful.length > 0) {
      throw invalid(
        '--granularity',
        `packet cannot run ${stateful.join(', ')}, which count${stateful.length === 1 ? 's' : ''} active connections per server; choose --policy among round-robin, random, hash, weighted-round-robin, weighted-random and the hash schemes`,
      );
    }
    if (events.length > 0) throw invalid('--granularity', 'packet cannot run with --event: server changes count the connections on each server');
  }
  const inputFormat = options.inputFormat ?? DEFAULTS.inputFormat;
  if (inputFormat !== 'auto' && !INPUT_FORMATS.includes(inputFormat)) {
    throw invalid('--input-format', `'${String(inputFormat)}' is not one of auto, ${INPUT_FORMATS.join(', ')}`);
  }
  const reorderWindow = secondsOption('--reorder-window', options.reorderWindow ?? DEFAULTS.reorderWindow, true);
  const defaultWindow = reorderWindow.sec === Number(DEFAULTS.reorderWindow) && reorderWindow.nsec === 0;
  return {
    servers,
    policies,
    seed,
    interval,
    binWidth,
    direction,
    idleTimeout,
    synTimeout,
    maxConnections,
    proto,
    udpTimeout,
    services,
    from,
    to,
    strict: options.strict ?? false,
    policyParams,
    imbalance,
    ...(events.length > 0 ? { events } : {}),
    ...(granularity === 'packet' ? { granularity } : {}),
    ...(inputFormat !== 'auto' ? { inputFormat } : {}),
    ...(defaultWindow ? {} : { reorderWindow }),
  };
}

export { NS_PER_SEC };
