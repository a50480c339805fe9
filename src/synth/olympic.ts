/**
 * The Olympic profile (docs/synth.md "The Olympic profile"): a stand-in for
 * the 1996 Atlanta Olympic web server traces the paper replayed (§4.2: about
 * two weeks of tcpdump traces in 20-minute segments, about 60 million HTTP
 * requests from about 725,000 clients), which are not public.
 *
 * - The arrival rate follows a daily cycle (local time, EDT) times a factor per
 *   day, with peaks at events of the Games; scaled so that the profile's
 *   first 14 days hold 60 million connections (HTTP/1.0: one request each).
 * - Clients: 725,000, chosen per connection with a Zipf–Mandelbrot popularity
 *   (a few busy proxies, a long tail of single visits), each with a fixed
 *   1996 access link (modem, ISDN, T1, LAN) that sets its bandwidth and RTT.
 * - Arrivals are decided per one-second slot from a stream seeded by (seed,
 *   slot), and each connection draws from its own stream (seed, slot, rank):
 *   any stretch of time is simulated alone, with the connections that began
 *   up to `OLYMPIC_MAX_LIFETIME_SEC` earlier (no connection lasts longer).
 * - 4-tuples never repeat within `PORT_WINDOW_SEC` (longer than a lifetime
 *   plus the 300 s idle timeout): client ports come from a counter per server
 *   address that advances by a fixed allotment per slot (see `portAllotment`),
 *   so `connections` sees no port reuse and the ground truth stays exact.
 */
import { ReplayError } from '../errors.js';
import { exp, ln, Xoshiro128 } from './random.js';
import type { AccessLink, ArrivalSource, TrafficModel } from './web-traffic.js';

const NS_PER_SEC = 1_000_000_000;

/** The paper's figures (§4.2) and the profile's calendar. */
export const OLYMPIC = Object.freeze({
  /** 1996-07-19T04:00:00Z: midnight EDT (UTC−4) of the opening day in Atlanta. */
  startSec: 837_748_800,
  /** "approximately 2 weeks": the days over which `totalConnections` is spread. */
  days: 14,
  /** "approximately 60 million HTTP requests" (one connection each under HTTP/1.0). */
  totalConnections: 60_000_000,
  /** "from about 725,000 clients". */
  clients: 725_000,
  /** "collected ... in 20-minute segments". */
  segmentSec: 1_200,
  /** Header-only, as the paper's traces (tcpdump's default snaplen of the time). */
  snaplen: 68,
});

/** No Olympic connection lasts longer (a longer one stops, `unfinished`): the look-back of a segment. */
export const OLYMPIC_MAX_LIFETIME_SEC = 300;
/** Any two connections on one 4-tuple start at least this far apart: a lifetime + the 300 s idle timeout + a minute. */
export const PORT_WINDOW_SEC = OLYMPIC_MAX_LIFETIME_SEC + 300 + 60;
/** Client ports 1024–65535 (the registered and dynamic ranges). */
const PORT_MIN = 1_024;
const PORT_COUNT = 65_536 - PORT_MIN;

/** Server addresses (documentation prefixes, RFC 5737 / RFC 3849): one client-port counter each. */
export const OLYMPIC_SERVERS_V4 = Object.freeze(['192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.13']);
export const OLYMPIC_SERVERS_V6 = Object.freeze(['2001:db8::10', '2001:db8::11', '2001:db8::12', '2001:db8::13']);

/**
 * 1996 access links. Shares and RTTs are this project's assumptions (the
 * paper gives none): mostly dial-up modems at home (28.8 kbit/s, V.34),
 * some ISDN (2 B channels, 128 kbit/s), companies and universities on T1
 * lines (1.544 Mbit/s) or on a campus LAN (10 Mbit/s Ethernet) behind them.
 */
export const OLYMPIC_ACCESS_LINKS: readonly AccessLink[] = Object.freeze([
  { name: 'modem', share: 0.5, bandwidthMbps: 0.0288, rttMedianMs: 300, rttSigma: 0.4 },
  { name: 'isdn', share: 0.05, bandwidthMbps: 0.128, rttMedianMs: 150, rttSigma: 0.4 },
  { name: 't1', share: 0.25, bandwidthMbps: 1.544, rttMedianMs: 90, rttSigma: 0.5 },
  { name: 'lan', share: 0.2, bandwidthMbps: 10, rttMedianMs: 70, rttSigma: 0.6 },
]);

/** HTTP/1.0 in 1996: one request per connection, the server closing after the response; small objects, heavy tail. */
export const OLYMPIC_MODEL: Readonly<Partial<TrafficModel>> = Object.freeze({
  requestsMean: 1,
  requestMedianBytes: 250,
  requestSigma: 0.3,
  responseMedianBytes: 2_500,
  responseSigma: 1.0,
  responseTailFraction: 0.07,
  responseTailScaleBytes: 10_000,
  responseTailShape: 1.2,
  responseMaxBytes: 5_000_000,
  serverTimeMedianMs: 20,
  serverTimeSigma: 1.0,
  initialWindowSegments: 2,
  maxWindowSegments: 12,
  serverCloseFraction: 0.9,
  keepAliveTimeoutFraction: 0,
  rstFraction: 0.04,
  unfinishedFraction: 0.01,
  synOnlyFraction: 0.01,
});

/** Relative load by local hour (EDT), at the middle of each hour; mean 1 after normalization. */
const HOURLY = [
  0.55, 0.42, 0.34, 0.3, 0.3, 0.36, 0.5, 0.7, 0.92, 1.1, 1.22, 1.3, 1.35, 1.36, 1.35, 1.33, 1.3, 1.26, 1.22, 1.25, 1.32, 1.3, 1.08, 0.8,
];
const HOURLY_MEAN = HOURLY.reduce((a, b) => a + b, 0) / 24;

/** Load factor of each day of the Games from 19 July (17 days; later days repeat the last). */
const DAILY = [0.85, 1.15, 1.12, 1.05, 1.02, 1.05, 1.02, 1.0, 1.2, 1.1, 1.05, 1.02, 1.0, 1.05, 0.95, 0.9, 1.0];

/** Event peaks: center and width (hours from the opening day's midnight EDT) and the extra load at the center. */
const EVENTS: readonly { name: string; hour: number; widthHours: number; extra: number }[] = [
  { name: 'opening ceremony, 19 July evening', hour: 21, widthHours: 1.5, extra: 0.6 },
  { name: 'morning news after the Centennial Park bombing (27 July, 01:20)', hour: 8 * 24 + 9, widthHours: 3, extra: 0.8 },
  { name: "men's 100 m final, 27 July evening", hour: 8 * 24 + 21, widthHours: 1, extra: 0.5 },
  { name: "men's 200 m final, 1 August evening", hour: 13 * 24 + 20, widthHours: 1, extra: 0.5 },
];

/** The profile's relative load at `t` seconds after its origin (before scaling to the totals). */
export function olympicShape(t: number): number {
  // Daily cycle, linear between the middles of the hours.
  const h = t / 3_600 - 0.5;
  const hf = Math.floor(h);
  const frac = h - hf;
  const h0 = ((hf % 24) + 24) % 24;
  const h1 = (h0 + 1) % 24;
  const hourly = (HOURLY[h0] * (1 - frac) + HOURLY[h1] * frac) / HOURLY_MEAN;
  const day = Math.floor(t / 86_400);
  const daily = DAILY[day < 0 ? 0 : day >= DAILY.length ? DAILY.length - 1 : day];
  let events = 1;
  const hours = t / 3_600;
  for (const e of EVENTS) {
    const z = (hours - e.hour) / e.widthHours;
    if (z > -6 && z < 6) events += e.extra * exp(-0.5 * z * z); // random.ts exp: the same bits on every engine
  }
  return hourly * daily * events;
}

/** Expected arrivals per one-second slot: constant, or the Olympic curve scaled to a mean rate over the profile's days. */
export class RateCurve {
  /** Expected arrivals in slot s (the second starting `s` seconds after the origin). */
  readonly mu: (slot: number) => number;
  /** Largest slot rate the curve reaches over its days (a bound for the port check). */
  readonly peak: number;

  private constructor(mu: (slot: number) => number, peak: number) {
    this.mu = mu;
    this.peak = peak;
  }

  static constant(rate: number): RateCurve {
    return new RateCurve(() => rate, rate);
  }

  /**
   * The Olympic curve with `meanRate` connections per second on average over
   * the profile's 14 days (default: 60 million over 14 days, 49.6 /s).
   */
  static olympic(meanRate = OLYMPIC.totalConnections / (OLYMPIC.days * 86_400)): RateCurve {
    const key = meanRate;
    const cached = olympicCache.get(key);
    if (cached !== undefined) return cached;
    let sum = 0;
    let peak = 0;
    for (let s = 0; s < DAILY.length * 86_400; s++) {
      const v = olympicShape(s + 0.5);
      if (s < OLYMPIC.days * 86_400) sum += v;
      if (v > peak) peak = v;
    }
    const scale = (meanRate * OLYMPIC.days * 86_400) / sum;
    const curve = new RateCurve((s) => olympicShape(s + 0.5) * scale, peak * scale);
    olympicCache.set(key, curve);
    return curve;
  }

  /** Expected connections in slots [fromSlot, toSlot). */
  expected(fromSlot: number, toSlot: number): number {
    let sum = 0;
    for (let s = fromSlot; s < toSlot; s++) sum += this.mu(s);
    return sum;
  }
}

const olympicCache = new Map<number, RateCurve>();

/**
 * Client ports each server address's counter advances by in a slot: enough
 * for the slot's arrivals up to 6 standard deviations above their mean (a
 * slot drawing more keeps only that many; the chance is below 10^-9).
 */
export function portAllotment(mu: number, servers: number): number {
  return Math.ceil((mu + 6 * Math.sqrt(mu) + 6) / servers);
}

/** Throws unless every 4-tuple is unique within PORT_WINDOW_SEC at the curve's peak. */
export function checkPortWindow(curve: RateCurve, servers: number): void {
  const perSec = portAllotment(curve.peak, servers);
  if (perSec * PORT_WINDOW_SEC > PORT_COUNT) {
    const limit = Math.floor(PORT_COUNT / PORT_WINDOW_SEC) * servers;
    throw new ReplayError(
      'OPTION_INVALID',
      `synth: a peak of ${curve.peak.toFixed(1)} connections/s is too many for unique client ports within ${PORT_WINDOW_SEC} s (about ${Math.floor(limit * 0.7)}/s at most)`,
    );
  }
}

export interface OlympicArrivalOptions {
  seed: number;
  curve: RateCurve;
  /** Slots (seconds after the curve's origin) whose arrivals are made: [fromSlot, toSlot). */
  fromSlot: number;
  toSlot: number;
  /** Second (after the origin) of the capture's time 0: arrival times are ns after it. */
  captureSlot: number;
  clients?: number;
  /** Fraction of clients on IPv6. */
  ipv6Fraction: number;
  /** Server addresses per family (the counters). */
  servers: number;
  accessLinks: readonly AccessLink[];
}

/** Zipf–Mandelbrot offset of the client popularity: the busiest client makes about 0.85 % of the connections. */
const POPULARITY_OFFSET = 10;

/** Olympic arrivals, slot by slot (see the module comment). */
export class OlympicArrivals implements ArrivalSource {
  keyA = 0;
  keyB = 0;
  clientKey = 0;
  ipv6 = false;
  clientPort = 0;
  serverIndex = 0;
  linkIndex = -1;
  /** Arrivals made so far. */
  count = 0;

  private readonly o: OlympicArrivalOptions;
  private readonly rng = new Xoshiro128(0);
  private readonly clients: number;
  private readonly logSpan: number;
  private readonly linkCut: number[];
  private readonly v6Cut: number;
  private slot: number;
  /** Port counter at the start of the current slot (ports handed out since the origin, per server address). */
  private portBase: number;
  private allot = 0;
  private inSlot = 0;
  private maxInSlot = 0;
  private cursorNs = 0;
  private gapNs = 0;

  constructor(o: OlympicArrivalOptions) {
    this.o = o;
    this.clients = o.clients ?? OLYMPIC.clients;
    this.logSpan = ln((this.clients + POPULARITY_OFFSET) / POPULARITY_OFFSET);
    let acc = 0;
    this.linkCut = o.accessLinks.map((l) => (acc += l.share) * 4_294_967_296);
    this.v6Cut = o.ipv6Fraction * 4_294_967_296;
    this.slot = o.fromSlot - 1;
    this.portBase = portCounterAt(o.curve, o.fromSlot, o.servers);
    this.allot = 0;
  }

  next(): number {
    for (;;) {
      if (this.inSlot < this.maxInSlot) {
        this.cursorNs += this.rng.exponential(this.gapNs);
        if (this.cursorNs < NS_PER_SEC) return this.arrival();
      }
      // Next slot.
      this.portBase += this.allot;
      this.slot++;
      if (this.slot >= this.o.toSlot) return Infinity;
      const mu = this.o.curve.mu(this.slot);
      this.allot = portAllotment(mu, this.o.servers);
      this.maxInSlot = this.allot * this.o.servers;
      this.inSlot = 0;
      this.cursorNs = 0;
      this.gapNs = mu > 0 ? NS_PER_SEC / mu : Infinity;
      this.rng.reseed(this.o.seed, this.slot >>> 0, 0xffffffff);
      if (mu <= 0) this.maxInSlot = 0;
    }
  }

  private arrival(): number {
    const rng = this.rng;
    const j = this.inSlot++;
    this.count++;
    this.keyA = this.slot >>> 0;
    this.keyB = j;
    // Client: Zipf–Mandelbrot rank by inversion of its continuous CDF.
    const u = rng.uniform();
    let rank = Math.floor(POPULARITY_OFFSET * exp(u * this.logSpan) - POPULARITY_OFFSET);
    if (rank >= this.clients) rank = this.clients - 1;
    this.clientKey = rank;
    // A client's family and access link are properties of the client: hashes of its rank and the seed.
    const h1 = mix(rank, this.o.seed, 0x51ed27);
    this.ipv6 = h1 < this.v6Cut;
    const h2 = mix(rank, this.o.seed, 0x2545f4);
    let k = 0;
    while (k < this.linkCut.length - 1 && h2 >= this.linkCut[k]) k++;
    this.linkIndex = k;
    const servers = this.o.servers;
    this.serverIndex = j % servers;
    this.clientPort = PORT_MIN + ((this.portBase + Math.floor(j / servers)) % PORT_COUNT);
    return (this.slot - this.o.captureSlot) * NS_PER_SEC + Math.round(this.cursorNs);
  }
}

function mix(a: number, b: number, c: number): number {
  let x = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ c, 0xc2b2ae35)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

const HOUR = 3_600;
const prefixCache = new WeakMap<RateCurve, Map<string, number[]>>();

/** Ports handed out per server address before `slot` (negative before the origin), mod PORT_COUNT. */
export function portCounterAt(curve: RateCurve, slot: number, servers: number): number {
  if (slot <= 0) {
    let c = 0;
    for (let s = slot; s < 0; s++) c -= portAllotment(curve.mu(s), servers);
    return ((c % PORT_COUNT) + PORT_COUNT) % PORT_COUNT;
  }
  // Hourly checkpoints, so a segment late in a series does not sum from the origin.
  let byServers = prefixCache.get(curve);
  if (byServers === undefined) {
    byServers = new Map();
    prefixCache.set(curve, byServers);
  }
  let prefix = byServers.get(String(servers));
  if (prefix === undefined) {
    prefix = [0];
    byServers.set(String(servers), prefix);
  }
  const hour = Math.floor(slot / HOUR);
  while (prefix.length <= hour) {
    const h = prefix.length - 1;
    let c = prefix[h];
    for (let s = h * HOUR; s < (h + 1) * HOUR; s++) c += portAllotment(curve.mu(s), servers);
    prefix.push(c % PORT_COUNT);
  }
  let c = prefix[hour];
  for (let s = hour * HOUR; s < slot; s++) c += portAllotment(curve.mu(s), servers);
  return c % PORT_COUNT;
}
