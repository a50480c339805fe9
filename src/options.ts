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

import { POLICY_NAMES, type PolicyName } from './dispatch/policy.js';
import { parseServices } from './dispatch/service-filter.js';

export { POLICY_NAMES, type PolicyName };
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
} as const;

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
    } else if ((POLICY_NAMES as readonly string[]).includes(name)) {
      if (!out.includes(name as PolicyName)) out.push(name as PolicyName);
    } else {
      throw invalid('--policy', `unknown policy '${name}' (choose from ${POLICY_NAMES.join(', ')}, all)`);
    }
  }
  if (out.length === 0) throw invalid('--policy', 'no policy given');
  return out;
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
    description: 'seed of the random policy',
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
    services: validServices(options.service ?? []),
    from,
    to,
    strict: options.strict ?? false,
  };
}

export { NS_PER_SEC };
