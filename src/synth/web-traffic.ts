/**
 * A synthetic capture of a busy web server (docs/synth.md): Poisson
 * connection arrivals from many clients to a few server addresses on ports 80
 * and 443, with a three-way handshake, keep-alive request/response exchanges
 * separated by think times, heavy-tailed responses sent in slow-start rounds
 * and paced by each client's bottleneck, delayed ACKs, and FIN, RST or no
 * teardown at all. Frames are Ethernet, IPv4 or IPv6, written in timestamp
 * order through `PcapWriter` (or `PcapngWriter`).
 *
 * The capture point is the server's link: a server packet is seen when it
 * leaves, a client packet when it arrives, so every client reaction to a
 * server packet is seen one round-trip time later.
 *
 * Deterministic: one seeded xoshiro128** stream and arithmetic that every
 * engine rounds the same way (random.ts), so a seed gives the same bytes on
 * any machine. Streaming: memory holds the connections in progress, never
 * the capture. Fast: connections live in flat typed arrays, a binary heap of
 * slot numbers keyed by each connection's next packet time picks the next
 * packet, and a classic pcap record (header and frame) is encoded straight
 * into the sink's reused buffer, PcapWriter writing only the file header:
 * `PcapWriter.writePacket` (argument checks, then a copy of the frame) cost
 * about 230 ns a packet, as much as generating it. There is no object per
 * packet. `npm run bench` measures the rate (docs/performance.md).
 *
 * Payload bytes are zeros. IP and TCP headers carry the true lengths, so with
 * `snaplen` 68 (header-only, like the Olympic traces) the frames are cut while
 * the IP lengths still describe the whole packets.
 */
import fs from 'node:fs';
import { ReplayError } from '../errors.js';
import { formatAddress } from '../flows/address.js';
import { FdSink, PcapWriter, PcapngWriter, type CaptureSink } from '../reader/writer.js';
import { Xoshiro128 } from './random.js';
import { drain, type Slices } from './slices.js';
import type { ConnectionEnd, ConnectionTruth } from './truth.js';
import { grown } from '../typed-array.js';

export type { ConnectionEnd, ConnectionTruth } from './truth.js';
export { CONNECTION_ENDS, TRUTH_COLUMNS, truthRow } from './truth.js';

// ---------------------------------------------------------------------------
// Options

/**
 * The traffic model's parameters (docs/synth.md explains each). Times are in
 * the unit their name says; fractions are probabilities in [0, 1].
 */
export interface TrafficModel {
  /** Round-trip time between a client and the server: log-normal, median and σ of its logarithm, clamped. */
  rttMedianMs: number;
  rttSigma: number;
  rttMinMs: number;
  rttMaxMs: number;
  /** Bottleneck bandwidth of a client's path: log-normal, median and σ, clamped. */
  bandwidthMedianMbps: number;
  bandwidthSigma: number;
  bandwidthMinMbps: number;
  bandwidthMaxMbps: number;
  /** Initial congestion window and the window limit, in segments. */
  initialWindowSegments: number;
  maxWindowSegments: number;
  /** Fraction of clients whose MSS is below the Ethernet default (PPPoE, tunnels). */
  reducedMssFraction: number;
  /** HTTP requests per connection: 1 + geometric, with this mean. */
  requestsMean: number;
  /** Request size: log-normal median and σ, clamped. */
  requestMedianBytes: number;
  requestSigma: number;
  requestMaxBytes: number;
  /** Response body + headers: with probability 1 − tailFraction log-normal (median, σ), else Pareto (scale, shape); clamped. */
  responseMedianBytes: number;
  responseSigma: number;
  responseTailFraction: number;
  responseTailScaleBytes: number;
  responseTailShape: number;
  responseMaxBytes: number;
  /** Server time between a request and its response: log-normal median and σ. */
  serverTimeMedianMs: number;
  serverTimeSigma: number;
  /** Think time before the next request: with this probability short (embedded objects, log-normal), else user think (Pareto). */
  thinkShortFraction: number;
  thinkShortMedianMs: number;
  thinkShortSigma: number;
  thinkLongScaleSec: number;
  thinkLongShape: number;
  /** The server closes a connection idle this long (HTTP keep-alive timeout). */
  keepAliveSec: number;
  /** How the last exchange ends, as fractions of connections (the rest: the client closes). */
  serverCloseFraction: number;
  keepAliveTimeoutFraction: number;
  rstFraction: number;
  unfinishedFraction: number;
  /** Connections whose SYN is never answered (retransmitted after 1, 3 and 7 s). */
  synOnlyFraction: number;
  /** A connection comes from a recently seen client (same address, next ports) with this probability. */
  repeatClientFraction: number;
}

export const DEFAULT_TRAFFIC_MODEL: Readonly<TrafficModel> = Object.freeze({
  rttMedianMs: 50,
  rttSigma: 0.7,
  rttMinMs: 1,
  rttMaxMs: 2_000,
  bandwidthMedianMbps: 20,
  bandwidthSigma: 1.0,
  bandwidthMinMbps: 0.5,
  bandwidthMaxMbps: 1_000,
  initialWindowSegments: 10,
  maxWindowSegments: 64,
  reducedMssFraction: 0.1,
  requestsMean: 3,
  requestMedianBytes: 420,
  requestSigma: 0.4,
  requestMaxBytes: 16_384,
  responseMedianBytes: 3_000,
  responseSigma: 1.2,
  responseTailFraction: 0.08,
  responseTailScaleBytes: 12_000,
  responseTailShape: 1.2,
  responseMaxBytes: 50_000_000,
  serverTimeMedianMs: 2,
  serverTimeSigma: 1.2,
  thinkShortFraction: 0.7,
  thinkShortMedianMs: 20,
  thinkShortSigma: 1.0,
  thinkLongScaleSec: 1,
  thinkLongShape: 1.2,
  keepAliveSec: 15,
  serverCloseFraction: 0.3,
  keepAliveTimeoutFraction: 0.3,
  rstFraction: 0.03,
  unfinishedFraction: 0.02,
  synOnlyFraction: 0.005,
  repeatClientFraction: 0.4,
});

/** Link types the generator writes (docs/synth.md "Frames"). */
export type SynthLinkType = 'ethernet' | 'vlan' | 'sll' | 'raw';
export const SYNTH_LINK_TYPES: readonly SynthLinkType[] = ['ethernet', 'vlan', 'sll', 'raw'];

/**
 * A client access link: its share of the connections, its bottleneck
 * bandwidth and the round-trip time of its clients (log-normal, median and σ).
 */
export interface AccessLink {
  name: string;
  share: number;
  bandwidthMbps: number;
  rttMedianMs: number;
  rttSigma: number;
}

/**
 * Connection arrivals decided outside the generator (the Olympic profile,
 * src/synth/arrivals.ts): each arrival names its client and its own random
 * stream, so a connection's packets depend on nothing else and any stretch of
 * time can be simulated alone. `next()` advances to the next arrival and
 * returns its time in ns after `startSec` (negative: before the capture, a
 * pre-roll whose packets are simulated but not written), or Infinity.
 */
export interface ArrivalSource {
  next(): number;
  /** Keys of the arrival's random stream (with the seed): e.g. its time slot and its rank in it. */
  readonly keyA: number;
  readonly keyB: number;
  /** The client's number: its address is a bijection of it (per family), so a number is one address. */
  readonly clientKey: number;
  readonly ipv6: boolean;
  readonly clientPort: number;
  /** Index among the server addresses of the arrival's family. */
  readonly serverIndex: number;
  /** Index in `accessLinks` of the client's link (a client keeps its link), or -1 to draw one per connection. */
  readonly linkIndex: number;
}

export interface WebTrafficOptions {
  /** Seed of the generator (32-bit unsigned). Default 1. */
  seed?: number;
  /** Connections arrive during [0, durationSec); the capture ends at durationSec. Default 60. */
  durationSec?: number;
  /** Poisson arrival rate of connections, per second. Default 100. */
  connectionRate?: number;
  /** Fraction of connections over IPv6. Default 0.2. */
  ipv6Fraction?: number;
  /** Captured bytes per frame (68 = header-only); the file header's snaplen. Default 262144 (whole frames). */
  snaplen?: number;
  /** Epoch second of time 0. Default 886809600 (1998-02-07 00:00:00 UTC, the Nagano Olympics' opening day). */
  startSec?: number;
  /** Server addresses, IPv4 and IPv6 text; a connection picks one of its family at random. */
  servers?: readonly string[];
  /** Server ports; a connection picks one at random. 443 adds two TLS handshake exchanges. Default [80, 443]. */
  serverPorts?: readonly number[];
  /** Stop after this many packets (the connections in progress are cut). Default: no limit. */
  maxPackets?: number;
  /** Stop once the file holds this many bytes. Default: no limit. */
  maxBytes?: number;
  /** Classic pcap (default) or pcapng (one Ethernet interface). */
  format?: 'pcap' | 'pcapng';
  /** Nanosecond timestamps. Default false (microseconds, floored). */
  nanosecond?: boolean;
  /**
   * Write every classic pcap record through `PcapWriter.writePacket` instead
   * of encoding it in place in the sink's buffer. Same bytes (a test checks),
   * about twice as slow; for tests. Default false.
   */
  viaWriter?: boolean;
  /** Overrides of the traffic model. */
  model?: Partial<TrafficModel>;
  /** Link type of the frames. Default 'ethernet'. */
  linkType?: SynthLinkType;
  /** Client access links (bandwidth and RTT by class) instead of the model's log-normal RTT and bandwidth. */
  accessLinks?: readonly AccessLink[];
  /** No connection lasts longer: one still going this long after its SYN simply stops (`unfinished`). Default: no cap. */
  maxLifetimeSec?: number;
  /** Arrivals from outside (connectionRate is then unused); see ArrivalSource. */
  arrivals?: ArrivalSource;
  /**
   * Called with each connection's ground truth when its last packet is
   * written (or when the lifetime cap stops it, or at the end for the ones
   * cut), with the generator's clock then (ns after startSec).
   */
  onConnection?: (truth: ConnectionTruth, nowNs: number) => void;
  /** Called every 65,536 packets with the packets and the file bytes so far (a progress bar). */
  onProgress?: (packets: number, fileBytes: number) => void;
}

export interface ResolvedWebTrafficOptions {
  seed: number;
  durationSec: number;
  connectionRate: number;
  ipv6Fraction: number;
  snaplen: number;
  startSec: number;
  servers: string[];
  serverPorts: number[];
  maxPackets: number;
  maxBytes: number;
  format: 'pcap' | 'pcapng';
  nanosecond: boolean;
  viaWriter: boolean;
  arrivals: ArrivalSource | undefined;
  model: TrafficModel;
  linkType: SynthLinkType;
  accessLinks: AccessLink[] | undefined;
  maxLifetimeSec: number;
}

export const WEB_TRAFFIC_DEFAULTS = Object.freeze({
  seed: 1,
  durationSec: 60,
  connectionRate: 100,
  ipv6Fraction: 0.2,
  snaplen: 262_144,
  startSec: 886_809_600,
  servers: Object.freeze(['192.0.2.80', '192.0.2.81', '2001:db8::80', '2001:db8::81']),
  serverPorts: Object.freeze([80, 443]),
  format: 'pcap' as const,
  nanosecond: false,
});

function invalid(problem: string): never {
  throw new ReplayError('OPTION_INVALID', `synth: ${problem}`);
}

function checkNumber(name: string, v: number, min: number, max: number, integer = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    invalid(`${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(v)}`);
  }
}

/** Fills every default and validates (STYLE options: one place). Throws ReplayError OPTION_INVALID. */
export function normalizeWebTrafficOptions(options: WebTrafficOptions = {}): ResolvedWebTrafficOptions {
  const d = WEB_TRAFFIC_DEFAULTS;
  const r: ResolvedWebTrafficOptions = {
    seed: options.seed ?? d.seed,
    durationSec: options.durationSec ?? d.durationSec,
    connectionRate: options.connectionRate ?? d.connectionRate,
    ipv6Fraction: options.ipv6Fraction ?? d.ipv6Fraction,
    snaplen: options.snaplen ?? d.snaplen,
    startSec: options.startSec ?? d.startSec,
    servers: [...(options.servers ?? d.servers)],
    serverPorts: [...(options.serverPorts ?? d.serverPorts)],
    maxPackets: options.maxPackets ?? Infinity,
    maxBytes: options.maxBytes ?? Infinity,
    format: options.format ?? d.format,
    nanosecond: options.nanosecond ?? d.nanosecond,
    viaWriter: options.viaWriter ?? false,
    arrivals: options.arrivals,
    model: { ...DEFAULT_TRAFFIC_MODEL, ...(options.model ?? {}) },
    linkType: options.linkType ?? 'ethernet',
    accessLinks: options.accessLinks === undefined ? undefined : options.accessLinks.map((a) => ({ ...a })),
    maxLifetimeSec: options.maxLifetimeSec ?? Infinity,
  };
  if (!SYNTH_LINK_TYPES.includes(r.linkType)) invalid(`linkType must be one of ${SYNTH_LINK_TYPES.join(', ')}, got ${String(r.linkType)}`);
  if (r.maxLifetimeSec !== Infinity) checkNumber('maxLifetimeSec', r.maxLifetimeSec, 1, 1e7);
  if (r.accessLinks !== undefined) {
    if (r.accessLinks.length === 0) invalid('accessLinks is empty');
    let total = 0;
    for (const a of r.accessLinks) {
      checkNumber(`accessLinks ${a.name} share`, a.share, 0, 1);
      checkNumber(`accessLinks ${a.name} bandwidthMbps`, a.bandwidthMbps, 0.001, 100_000);
      checkNumber(`accessLinks ${a.name} rttMedianMs`, a.rttMedianMs, 0.01, 10_000);
      checkNumber(`accessLinks ${a.name} rttSigma`, a.rttSigma, 0, 10);
      total += a.share;
    }
    if (Math.abs(total - 1) > 1e-9) invalid(`accessLinks shares must sum to 1, got ${total}`);
  }
  checkNumber('seed', r.seed, 0, 0xffffffff, true);
  checkNumber('durationSec', r.durationSec, 0, 1e7);
  checkNumber('connectionRate', r.connectionRate, 0, 1e7);
  checkNumber('ipv6Fraction', r.ipv6Fraction, 0, 1);
  checkNumber('snaplen', r.snaplen, 68, 262_144, true);
  checkNumber('startSec', r.startSec, 0, 0xffffffff - 1e7, true);
  if (r.maxPackets !== Infinity) checkNumber('maxPackets', r.maxPackets, 0, Number.MAX_SAFE_INTEGER, true);
  if (r.maxBytes !== Infinity) checkNumber('maxBytes', r.maxBytes, 0, Number.MAX_SAFE_INTEGER, true);
  if (r.format !== 'pcap' && r.format !== 'pcapng') invalid(`format must be pcap or pcapng, got ${String(r.format)}`);
  if (r.serverPorts.length === 0) invalid('serverPorts is empty');
  for (const p of r.serverPorts) checkNumber('server port', p, 1, 65_535, true);
  for (const s of r.servers) parseAddress(s);
  const v4 = r.servers.filter((s) => !s.includes(':')).length;
  const v6 = r.servers.length - v4;
  if (r.ipv6Fraction < 1 && v4 === 0) invalid('no IPv4 server address, but ipv6Fraction < 1');
  if (r.ipv6Fraction > 0 && v6 === 0) invalid('no IPv6 server address, but ipv6Fraction > 0');
  const m = r.model;
  for (const key of Object.keys(DEFAULT_TRAFFIC_MODEL) as (keyof TrafficModel)[]) {
    const v = m[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) invalid(`model.${key} must be a finite number ≥ 0, got ${String(v)}`);
  }
  for (const key of [
    'reducedMssFraction',
    'responseTailFraction',
    'thinkShortFraction',
    'serverCloseFraction',
    'keepAliveTimeoutFraction',
    'rstFraction',
    'unfinishedFraction',
    'synOnlyFraction',
    'repeatClientFraction',
  ] as const) {
    checkNumber(`model.${key}`, m[key], 0, 1);
  }
  if (m.serverCloseFraction + m.keepAliveTimeoutFraction + m.rstFraction + m.unfinishedFraction > 1) {
    invalid('model: serverCloseFraction + keepAliveTimeoutFraction + rstFraction + unfinishedFraction must be ≤ 1');
  }
  checkNumber('model.initialWindowSegments', m.initialWindowSegments, 2, 1_000, true);
  checkNumber('model.maxWindowSegments', m.maxWindowSegments, m.initialWindowSegments, 100_000, true);
  checkNumber('model.rttMinMs', m.rttMinMs, 0.01, m.rttMaxMs);
  checkNumber('model.bandwidthMinMbps', m.bandwidthMinMbps, 0.01, m.bandwidthMaxMbps);
  checkNumber('model.requestMaxBytes', m.requestMaxBytes, 1, 1e9, true);
  checkNumber('model.responseMaxBytes', m.responseMaxBytes, 1, 4e9, true);
  checkNumber('model.responseTailShape', m.responseTailShape, 0.05, 100);
  checkNumber('model.thinkLongShape', m.thinkLongShape, 0.05, 100);
  // A header-only snaplen must still hold the 14 TCP bytes a decoder needs (SPEC §2) after the link and IP headers.
  const needed = LINK_HEADER_BYTES[LINK_CODES[r.linkType] ?? 0] + (r.ipv6Fraction > 0 ? IPV6_HEADER : IPV4_HEADER) + 14;
  if (r.snaplen < needed) {
    invalid(`snaplen ${r.snaplen} cuts the TCP header of ${r.ipv6Fraction > 0 ? 'IPv6' : 'IPv4'} packets on link type ${r.linkType} (needs ≥ ${needed})`);
  }
  return r;
}

/** IPv4 dotted or IPv6 text → 4 network-order words (IPv4 in word 0) and the version. */
function parseAddress(text: string): { version: 4 | 6; words: number[] } {
  if (!text.includes(':')) {
    const parts = text.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) invalid(`not an IPv4 address: ${text}`);
    const w = parts.reduce((acc, p) => acc * 256 + Number(p), 0);
    return { version: 4, words: [w, 0, 0, 0] };
  }
  const halves = text.split('::');
  const groups = (s: string): number[] =>
    s === ''
      ? []
      : s.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) invalid(`not an IPv6 address: ${text}`);
          return parseInt(g, 16);
        });
  if (halves.length > 2) invalid(`not an IPv6 address: ${text}`);
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || (halves.length === 2 && fill < 1)) invalid(`not an IPv6 address: ${text}`);
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const words = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) words[i] = (all[2 * i] * 65_536 + all[2 * i + 1]) >>> 0;
  return { version: 6, words };
}

// ---------------------------------------------------------------------------
// Statistics

export interface WebTrafficStats {
  packets: number;
  packetsIpv6: number;
  /** Bytes of the capture file (header included). */
  fileBytes: number;
  /** Sum of the frames' lengths on the wire. */
  wireBytes: number;
  /** TCP payload bytes, both ways. */
  payloadBytes: number;
  /** Connections started (SYN written). */
  connections: number;
  connectionsIpv6: number;
  /** Most connections between their SYN and their last packet at one time. */
  maxOpenConnections: number;
  /** Connections by how they ended. */
  ends: Record<ConnectionEnd, number>;
  /** Time of the first and last packet, ns after startSec (NaN with no packet). */
  firstNs: number;
  lastNs: number;
  /** What ended the generation. */
  stoppedBy: 'duration' | 'packets' | 'bytes';
}

// ---------------------------------------------------------------------------
// Wire constants

const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;
const TCP_FLAG_FIN = 0x01;
const TCP_FLAG_SYN = 0x02;
const TCP_FLAG_RST = 0x04;
const TCP_FLAG_PSH = 0x08;
const TCP_FLAG_ACK = 0x10;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const TCP_HEADER = 20;
/** SYN and SYN-ACK options: MSS(4) NOP WS(3) NOP NOP SACK-permitted(2) = 12 bytes. */
const TCP_SYN_OPTIONS = 12;
/** Frames from clients arrive padded to Ethernet's 60-byte minimum (IEEE 802.3 without FCS); the IP length still says what is IP. */
const ETH_MIN_FRAME = 60;
/** Room for the largest frame (1514 bytes) and its headers however the snaplen cuts it. */
const FRAME_BUFFER_BYTES = 1_600;
const PCAP_RECORD_HEADER = 16;
/** Locally administered MACs 02:00:5e:10:00:01 (server) and 02:00:5e:10:00:fe (its router): only the last byte differs. */
const MAC_SERVER_LAST = 0x01;
/** Their first four bytes, 02:00:5e:10, as one big-endian word. */
const MAC_PREFIX = 0x02005e10;
const MAC_ROUTER_LAST = 0xfe;
const EPHEMERAL_PORT_MIN = 32_768;
const EPHEMERAL_PORT_COUNT = 61_000 - 32_768; // Linux ip_local_port_range 32768–60999
const NS_PER_SEC = 1_000_000_000;
const NS_PER_MS = 1_000_000;
/** Delayed-ACK timer (Linux's minimum, 40 ms). */
const DELAYED_ACK_NS = 40 * NS_PER_MS;
/** Unanswered SYNs are retransmitted at these offsets from the first (Linux: 1 s initial RTO, doubling). */
const SYN_RETRY_OFFSETS_NS = [1 * NS_PER_SEC, 3 * NS_PER_SEC, 7 * NS_PER_SEC];
/** Recently seen clients kept for repeat connections. */
const RECENT_CLIENTS = 4_096;

// Connection phases.
const PH_SYN = 0;
const PH_SYN_RETRY = 1;
const PH_SYNACK = 2;
const PH_HANDSHAKE_ACK = 3;
const PH_TRANSFER = 4;
const PH_CLOSE = 5;

// What follows a response (and the ending a connection was given at its start).
const NEXT_REQUEST = 0;
const NEXT_CLIENT_FIN = 1;
const NEXT_SERVER_FIN = 2;
const NEXT_CLIENT_RST = 3;
const NEXT_SERVER_RST = 4;
/** FIN on the response's last segment (HTTP/1.0 or `Connection: close`): the client answers FIN-ACK, the server ACKs. */
const NEXT_FIN_IN_RESPONSE = 5;
const NEXT_NONE = 6;

// Per-slot fields, Float64 (f) and Int32 (i), in one flat array each (index slot·N + field).
const F_ID = 0;
const F_FIRST = 1;
const F_LAST = 2;
const F_RTT = 3;
const F_DELTA = 4; // pacing interval of a full segment at the bottleneck, ns (fractional)
const F_SRV_EPS = 5; // server's reaction time, ns
const F_CSEQ = 6; // next sequence number of the client / server (unsigned 32-bit)
const F_SSEQ = 7;
const F_PKT_C = 8;
const F_PKT_S = 9;
const F_BYTES_C = 10;
const F_BYTES_S = 11;
const F_X_BASE = 12; // sequence number of the transfer's first byte
const F_X_BYTES = 13;
const F_A_START = 14; // send cursor: start of its round
const F_B_START = 15; // ack cursor: start of its round
const F_NEXT_SEG = 16;
const F_NEXT_ACK = 17;
const F_X_GAP = 18; // from the transfer's last segment to the next phase's first packet
const F_X_LAST_SEG = 19;
const F_ISN_C = 20;
const F_LAST_RAW = 21; // time of the last packet written, unquantized
const F_ARRIVAL = 22; // time of the SYN (written or not)
const F_CLOSE = 23; // time of the written packet that closed it (second side's FIN, or a RST), NaN until then
const NF = 24;
/** Per-slot random stream (scheduled arrivals): 4 state words and the cached normal (Xoshiro128.saveState). */
const NR = 5;

const I_PHASE = 0;
const I_STEP = 1;
const I_V6 = 2;
const I_CLIENT_PORT = 3;
const I_SERVER_PORT = 4;
const I_SERVER = 5;
const I_MSS = 6;
const I_TTL = 7;
const I_IPID_C = 8;
const I_IPID_S = 9;
const I_FLOW_C = 10;
const I_FLOW_S = 11;
const I_EXCHANGES_LEFT = 12;
const I_EXCHANGES = 13;
const I_ENDING = 14;
const I_X_C2S = 15; // 1: the transfer goes client → server
const I_X_SEGS = 16;
const I_X_SENT = 17;
const I_A_SIZE = 18;
const I_A_IDX = 19;
const I_B_SIZE = 20;
const I_B_IDX = 21;
const I_B_POS = 22;
const I_X_ACKS = 23;
const I_X_ACKS_DONE = 24;
const I_X_NEXT = 25; // NEXT_* after this transfer
const I_X_FIN = 26;
const I_CLOSE_KIND = 27;
const I_TLS = 28;
const I_CLOSING = 29; // CLOSING_* bits: what the packets written so far say about the close
const I_CONN = 30; // order of the first written packet (ConnectionTruth.conn)
const I_SYN_SEEN = 31; // first written packet a client SYN without ACK
const I_SYN_STATE = 32; // every written packet so far a client SYN without ACK
const NI = 33;

const CLOSING_FIN_CLIENT = 1;
const CLOSING_FIN_SERVER = 2;
const CLOSING_BOTH_FINS = 3;
const CLOSING_RST = 4;
/** Who sent the first FIN or the RST. */
const CLOSING_BY_CLIENT = 8;
const CLOSING_BY_SERVER = 16;

// Running counts (WebTrafficGenerator.c).
const C_PACKETS = 0;
const C_PACKETS_V6 = 1;
const C_FILE_BYTES = 2;
const C_WIRE_BYTES = 3;
const C_PAYLOAD_BYTES = 4;
const C_FIRST = 5;
const C_LAST = 6;
const C_OPEN = 7;
const C_MAX_OPEN = 8;
/** Time of the packet being written: no connection is ever rescheduled before it (timestamp order). */
const C_NOW = 9;
const C_NEXT_ARRIVAL = 10;
/** Connections with a written packet (the next `conn`). */
const C_WRITTEN_CONNS = 11;
/**
 * Sequence and acknowledgment numbers of the packet `emit` writes. They (and
 * the time, C_NOW) are handed over here rather than as arguments: a call V8
 * does not inline passes a number that is not a small integer as a new heap
 * object, and these are 32-bit unsigned values and nanosecond times, three
 * objects a packet (young-generation collections for 2.7 M packets: 148
 * before, 124 after; docs/synth.md "Speed").
 */
const C_SEQ = 12;
const C_ACK = 13;
const C_COUNT = 14;

/** LINKTYPE_* values (tcpdump.org link-layer header types) and header lengths of SynthLinkType. */
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINK_ETHERNET = 0;
const LINK_VLAN = 1;
const LINK_SLL = 2;
const LINK_RAW = 3;
const LINK_CODES: Record<SynthLinkType, number> = { ethernet: LINK_ETHERNET, vlan: LINK_VLAN, sll: LINK_SLL, raw: LINK_RAW };
const LINK_HEADER_BYTES = [14, 18, 16, 0];
const LINK_TYPE_NUMBERS = [LINKTYPE_ETHERNET, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_RAW];
/** 802.1Q tag of the VLAN link type: TPID 0x8100, priority 0, VLAN 100. */
const ETHERTYPE_VLAN = 0x8100;
const VLAN_ID = 100;
/** SLL packet types (packet(7)): PACKET_HOST for frames to the server, PACKET_OUTGOING for its own. */
const SLL_HOST = 0;
const SLL_OUTGOING = 4;
const ARPHRD_ETHER = 1;

/**
 * Writes a synthetic web capture into `sink` and returns what it wrote.
 * Throws ReplayError OPTION_INVALID on a bad option.
 */
export function generateWebTraffic(sink: CaptureSink, options: WebTrafficOptions = {}): WebTrafficStats {
  return drain(webTrafficSlices(sink, options));
}

/**
 * `generateWebTraffic` in slices of 65,536 packets (src/synth/slices.ts): the
 * options are checked at the first `next()`, each later one writes a slice.
 */
export function* webTrafficSlices(sink: CaptureSink, options: WebTrafficOptions = {}): Slices<WebTrafficStats> {
  const o = normalizeWebTrafficOptions(options);
  const g = new WebTrafficGenerator(sink, o, options.onConnection, options.onProgress);
  g.begin();
  while (g.advance()) yield;
  return g.complete();
}

/** `generateWebTraffic` into a file, through one 8 MiB buffer. */
export function writeWebTrafficFile(path: string, options: WebTrafficOptions = {}): WebTrafficStats {
  const o = normalizeWebTrafficOptions(options);
  const fd = fs.openSync(path, 'w');
  try {
    const sink = new FdSink(fd);
    const g = new WebTrafficGenerator(sink, o, options.onConnection, options.onProgress);
    g.begin();
    while (g.advance());
    const stats = g.complete();
    sink.flush();
    return stats;
  } finally {
    fs.closeSync(fd);
  }
}

class WebTrafficGenerator {
  private readonly o: ResolvedWebTrafficOptions;
  private readonly m: TrafficModel;
  private readonly rng: Xoshiro128;
  private readonly onConnection: ((truth: ConnectionTruth, nowNs: number) => void) | undefined;
  private readonly pcap: PcapWriter | undefined;
  private readonly pcapng: PcapngWriter | undefined;
  private readonly sink: CaptureSink;

  // Connection slots.
  private cap = 0;
  private f = new Float64Array(0);
  private i = new Int32Array(0);
  private clientWords = new Uint32Array(0);
  private freeList = new Int32Array(0);
  private freeCount = 0;
  private used = 0;
  // Heap of slots keyed by next packet time: heapKey[k] is the key of heap[k],
  // beside it rather than indexed by slot, so a sift reads one array
  // sequentially instead of chasing each child's slot (measured: docs/synth.md "Speed").
  private heap = new Int32Array(0);
  private heapKey = new Float64Array(0);
  private heapSize = 0;

  // Servers.
  private readonly serverWords: number[][] = [];
  private readonly servers4: number[] = [];
  private readonly servers6: number[] = [];

  // Clients.
  private fresh4 = 0;
  private fresh6 = 0;
  private readonly recentV6 = new Int32Array(RECENT_CLIENTS);
  private readonly recentKey = new Float64Array(RECENT_CLIENTS);
  private readonly recentPort = new Int32Array(RECENT_CLIENTS);
  private recentCount = 0;
  private readonly addrMix: number;

  /** Records are encoded in place in the sink's buffer (classic pcap, not `viaWriter`). */
  private readonly direct: boolean;
  /** Otherwise: the frame is encoded here, and `views[n]` is its first n bytes. */
  private readonly frame = new Uint8Array(FRAME_BUFFER_BYTES);
  private readonly frameView = new DataView(this.frame.buffer);
  private readonly views: Uint8Array[] = [];
  /** The sink's buffer the last record went into, and a DataView of it (direct encoding). */
  private sinkBuf: Uint8Array = new Uint8Array(0);
  private sinkView: DataView = new DataView(new ArrayBuffer(0));

  // Derived constants.
  private readonly durationNs: number;
  private readonly meanGapNs: number;
  private readonly quantum: number;
  private readonly snaplen: number;
  private readonly recordOverhead: number;

  private nextId = 0;

  // Link layer.
  private readonly link: number;
  private readonly linkHeader: number;
  /** Client frames are padded to this length on Ethernet (60), not on SLL or raw IP (0). */
  private readonly minFrame: number;

  // Scheduled arrivals (ArrivalSource): each connection draws from its own stream.
  private readonly source: ArrivalSource | undefined;
  private rs = new Float64Array(0);
  /** The slot whose step is running (scheduled arrivals), -1 otherwise, and whether its stream is loaded in `rng`. */
  private rngSlot = -1;
  private rngLoaded = false;
  private readonly lifetimeCapNs: number;
  private readonly accessLinks: AccessLink[] | undefined;
  /**
   * Running counts and clocks, in one Float64Array (C_* indices) rather than
   * object fields: a field that starts as a small integer and later holds a
   * large one changes the object's hidden class and throws away the
   * optimized code that used it.
   */
  private readonly c = new Float64Array(C_COUNT);
  private readonly stats: WebTrafficStats;

  constructor(
    sink: CaptureSink,
    o: ResolvedWebTrafficOptions,
    onConnection: ((truth: ConnectionTruth, nowNs: number) => void) | undefined,
    private readonly onProgress?: (packets: number, fileBytes: number) => void,
  ) {
    this.o = o;
    this.m = o.model;
    this.sink = sink;
    this.rng = new Xoshiro128(o.seed);
    this.onConnection = onConnection;
    this.addrMix = this.rng.nextU32();
    this.durationNs = Math.round(o.durationSec * NS_PER_SEC);
    this.meanGapNs = o.connectionRate > 0 ? NS_PER_SEC / o.connectionRate : Infinity;
    this.quantum = o.nanosecond ? 1 : 1_000;
    this.snaplen = o.snaplen;
    this.direct = o.format === 'pcap' && !o.viaWriter;
    this.link = LINK_CODES[o.linkType];
    this.linkHeader = LINK_HEADER_BYTES[this.link];
    this.minFrame = this.link === LINK_ETHERNET || this.link === LINK_VLAN ? ETH_MIN_FRAME : 0;
    this.source = o.arrivals;
    this.lifetimeCapNs = o.maxLifetimeSec === Infinity ? Infinity : Math.round(o.maxLifetimeSec * NS_PER_SEC);
    this.accessLinks = o.accessLinks;
    const linkType = LINK_TYPE_NUMBERS[this.link];
    const startPos = sink.pos;
    if (o.format === 'pcapng') {
      this.pcapng = new PcapngWriter(sink);
      this.pcapng.addInterface({ linkType, snaplen: o.snaplen, tsresol: o.nanosecond ? { base: 10, exp: 9 } : { base: 10, exp: 6 } });
      this.recordOverhead = 32;
    } else {
      this.pcap = new PcapWriter(sink, { linkType, snaplen: o.snaplen, nanosecond: o.nanosecond });
      this.recordOverhead = 16;
    }
    for (const s of o.servers) {
      const a = parseAddress(s);
      (a.version === 4 ? this.servers4 : this.servers6).push(this.serverWords.length);
      this.serverWords.push(a.words);
    }
    this.stats = {
      packets: 0,
      packetsIpv6: 0,
      fileBytes: 0,
      wireBytes: 0,
      payloadBytes: 0,
      connections: 0,
      connectionsIpv6: 0,
      maxOpenConnections: 0,
      ends: { fin: 0, rst: 0, unfinished: 0, 'syn-only': 0, cut: 0 },
      firstNs: Number.NaN,
      lastNs: Number.NaN,
      stoppedBy: 'duration',
    };
    this.c[C_FILE_BYTES] = sink.pos - startPos;
    this.grow(1_024);
  }

  // -------------------------------------------------------------------------
  // Slots and heap

  private grow(cap: number): void {
    const f = grown(this.f, cap * NF);
    const i = grown(this.i, cap * NI);
    const cw = grown(this.clientWords, cap * 4);
    const heapKey = grown(this.heapKey, cap);
    const heap = grown(this.heap, cap);
    const free = new Int32Array(cap);
    free.set(this.freeList.subarray(0, this.freeCount));
    if (this.source !== undefined) {
      this.rs = grown(this.rs, cap * NR);
    }
    this.f = f;
    this.i = i;
    this.clientWords = cw;
    this.heapKey = heapKey;
    this.heap = heap;
    this.freeList = free;
    this.cap = cap;
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.freeList[--this.freeCount];
    if (this.used === this.cap) this.grow(this.cap * 2);
    return this.used++;
  }

  private heapPush(slot: number, t: number): void {
    const heap = this.heap;
    const key = this.heapKey;
    let k = this.heapSize++;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      const pt = key[parent];
      if (pt <= t) break;
      heap[k] = heap[parent];
      key[k] = pt;
      k = parent;
    }
    heap[k] = slot;
    key[k] = t;
  }

  /** Restores the heap after the top's key changed (or after the last element was moved to the top). */
  private siftDownTop(): void {
    const heap = this.heap;
    const key = this.heapKey;
    const n = this.heapSize;
    const slot = heap[0];
    const t = key[0];
    let k = 0;
    for (;;) {
      let c = 2 * k + 1;
      if (c >= n) break;
      let ct = key[c];
      const r = c + 1;
      if (r < n) {
        const rt = key[r];
        if (rt < ct) {
          c = r;
          ct = rt;
        }
      }
      if (ct >= t) break;
      heap[k] = heap[c];
      key[k] = ct;
      k = c;
    }
    heap[k] = slot;
    key[k] = t;
  }

  private heapPopTop(): void {
    const n = --this.heapSize;
    if (n > 0) {
      this.heap[0] = this.heap[n];
      this.heapKey[0] = this.heapKey[n];
      this.siftDownTop();
    }
  }

  // -------------------------------------------------------------------------
  // Main loop

  /** Draws the first arrival; then `advance()` until it returns false, then `complete()`. */
  begin(): void {
    this.c[C_NEXT_ARRIVAL] = this.source !== undefined ? this.source.next() : Math.round(this.rng.exponential(this.meanGapNs));
  }

  /**
   * Writes one slice of packets; false once the capture is complete. Slices of
   * a bounded number of packets: a function that returns often is optimized
   * as a whole by V8, where one long loop would only get on-stack
   * replacement, measured at less than half the speed.
   */
  advance(): boolean {
    if (!this.slice(65_536)) return false;
    this.onProgress?.(this.c[C_PACKETS], this.c[C_FILE_BYTES]);
    return true;
  }

  /** Ends the capture: the connections still in progress are cut. Returns what was written. */
  complete(): WebTrafficStats {
    // Whatever is still in progress is cut by the end of the capture, reported in id order.
    const cut: number[] = [];
    for (let k = 0; k < this.heapSize; k++) cut.push(this.heap[k]);
    cut.sort((a, b) => this.f[a * NF + F_ID] - this.f[b * NF + F_ID]);
    // (One with not a single packet written never existed: report() drops it.)
    for (const slot of cut) this.report(slot, 'cut');
    this.heapSize = 0;
    const c = this.c;
    const stats = this.stats;
    stats.packets = c[C_PACKETS];
    stats.packetsIpv6 = c[C_PACKETS_V6];
    stats.fileBytes = c[C_FILE_BYTES];
    stats.wireBytes = c[C_WIRE_BYTES];
    stats.payloadBytes = c[C_PAYLOAD_BYTES];
    stats.maxOpenConnections = c[C_MAX_OPEN];
    stats.firstNs = c[C_PACKETS] > 0 ? c[C_FIRST] : Number.NaN;
    stats.lastNs = c[C_PACKETS] > 0 ? c[C_LAST] : Number.NaN;
    return stats;
  }

  /** Writes up to `budget` packets; false once the capture is complete. */
  private slice(budget: number): boolean {
    const rng = this.rng;
    const stats = this.stats;
    const durationNs = this.durationNs;
    const maxPackets = this.o.maxPackets;
    const maxBytes = this.o.maxBytes;
    const c = this.c;
    const source = this.source;
    const capNs = this.lifetimeCapNs;
    let nextArrival = c[C_NEXT_ARRIVAL];
    for (;;) {
      const top = this.heapSize > 0 ? this.heapKey[0] : Infinity;
      if (nextArrival <= top && nextArrival < durationNs) {
        this.startConnection(nextArrival);
        if (source !== undefined) nextArrival = source.next();
        else nextArrival += Math.max(1, Math.round(rng.exponential(this.meanGapNs)));
        continue;
      }
      if (top >= durationNs) break;
      if (c[C_PACKETS] >= maxPackets) {
        stats.stoppedBy = 'packets';
        break;
      }
      if (c[C_FILE_BYTES] >= maxBytes) {
        stats.stoppedBy = 'bytes';
        break;
      }
      if (budget-- === 0) {
        c[C_NEXT_ARRIVAL] = nextArrival;
        return true;
      }
      c[C_NOW] = top;
      const slot = this.heap[0];
      if (source === undefined) {
        this.step(slot);
        continue;
      }
      if (top - this.f[slot * NF + F_ARRIVAL] >= capNs) {
        // The lifetime cap (series segments rely on it): the connection just stops.
        this.heapPopTop();
        this.report(slot, 'unfinished');
        continue;
      }
      // The connection's own stream is loaded only if the step draws (most packets do not: stream()).
      this.rngSlot = slot;
      this.step(slot);
      this.rngSlot = -1;
      if (this.rngLoaded) {
        rng.saveState(this.rs, slot * NR);
        this.rngLoaded = false;
      }
    }
    c[C_NEXT_ARRIVAL] = nextArrival;
    return false;
  }

  // -------------------------------------------------------------------------
  // Connections

  private startConnection(t: number): void {
    const rng = this.rng;
    const m = this.m;
    const o = this.o;
    const slot = this.allocSlot();
    const fb = slot * NF;
    const ib = slot * NI;
    const f = this.f;
    const i = this.i;

    const source = this.source;
    let v6: number;
    let serverPort: number;
    if (source !== undefined) {
      // Scheduled: the client and port come with the arrival, every draw from the connection's own stream.
      rng.reseed(o.seed, source.keyA, source.keyB);
      v6 = source.ipv6 ? 1 : 0;
      this.clientAddress(slot, v6, source.clientKey);
      i[ib + I_V6] = v6;
      i[ib + I_CLIENT_PORT] = source.clientPort;
      const servers = v6 === 1 ? this.servers6 : this.servers4;
      i[ib + I_SERVER] = servers[source.serverIndex % servers.length];
      serverPort = o.serverPorts[rng.below(o.serverPorts.length)];
    } else {
      // Client: a recent one (same address, its next ports) or a new one.
      let clientKey: number;
      let port: number;
      if (this.recentCount > 0 && rng.chance(m.repeatClientFraction)) {
        const r = rng.below(Math.min(this.recentCount, RECENT_CLIENTS));
        v6 = this.recentV6[r];
        clientKey = this.recentKey[r];
        port = this.recentPort[r];
        this.recentPort[r] = port + 1 + rng.below(4);
      } else {
        v6 = rng.chance(o.ipv6Fraction) ? 1 : 0;
        clientKey = v6 === 1 ? this.fresh6++ : this.fresh4++;
        port = rng.below(EPHEMERAL_PORT_COUNT);
        const r = this.recentCount++ % RECENT_CLIENTS;
        this.recentV6[r] = v6;
        this.recentKey[r] = clientKey;
        this.recentPort[r] = port + 1 + rng.below(4);
      }
      this.clientAddress(slot, v6, clientKey);
      i[ib + I_V6] = v6;
      i[ib + I_CLIENT_PORT] = EPHEMERAL_PORT_MIN + (port % EPHEMERAL_PORT_COUNT);
      const servers = v6 === 1 ? this.servers6 : this.servers4;
      i[ib + I_SERVER] = servers[rng.below(servers.length)];
      serverPort = o.serverPorts[rng.below(o.serverPorts.length)];
    }
    i[ib + I_SERVER_PORT] = serverPort;

    // Path: the model's log-normals, or the client's access link.
    let rttMs: number;
    let mbps: number;
    const links = this.accessLinks;
    if (links === undefined) {
      rttMs = clamp(rng.logNormal(m.rttMedianMs, m.rttSigma), m.rttMinMs, m.rttMaxMs);
      mbps = clamp(rng.logNormal(m.bandwidthMedianMbps, m.bandwidthSigma), m.bandwidthMinMbps, m.bandwidthMaxMbps);
    } else {
      let k = 0;
      if (source !== undefined && source.linkIndex >= 0) {
        k = Math.min(source.linkIndex, links.length - 1);
      } else {
        let u = rng.uniform();
        while (k < links.length - 1 && (u -= links[k].share) >= 0) k++;
      }
      const link = links[k];
      rttMs = clamp(rng.logNormal(link.rttMedianMs, link.rttSigma), m.rttMinMs, m.rttMaxMs);
      mbps = link.bandwidthMbps;
    }
    f[fb + F_RTT] = Math.round(rttMs * NS_PER_MS);
    f[fb + F_DELTA] = (1_514 * 8 * 1_000) / mbps;
    f[fb + F_SRV_EPS] = 15_000 + rng.below(30_000);
    let mss = v6 === 1 ? 1_440 : 1_460;
    if (rng.chance(m.reducedMssFraction)) mss -= [8, 60, 100][rng.below(3)];
    i[ib + I_MSS] = mss;
    // Client TTL: an initial 64 or 128 less 6–25 hops.
    i[ib + I_TTL] = (rng.chance(0.7) ? 64 : 128) - 6 - rng.below(20);
    i[ib + I_IPID_C] = rng.below(65_536);
    i[ib + I_IPID_S] = rng.below(65_536);
    i[ib + I_FLOW_C] = rng.below(1 << 20);
    i[ib + I_FLOW_S] = rng.below(1 << 20);
    const isnC = rng.nextU32();
    f[fb + F_ISN_C] = isnC;
    f[fb + F_CSEQ] = isnC;
    f[fb + F_SSEQ] = rng.nextU32();

    // Exchanges and ending.
    const tls = serverPort === 443 ? 1 : 0;
    i[ib + I_TLS] = tls;
    i[ib + I_EXCHANGES_LEFT] = 2 * tls + 1 + rng.geometric(Math.max(0, m.requestsMean - 1));
    i[ib + I_EXCHANGES] = 0;
    let ending: number;
    if (rng.chance(m.synOnlyFraction)) {
      ending = -1;
    } else {
      let u = rng.uniform();
      if ((u -= m.serverCloseFraction) < 0) ending = NEXT_FIN_IN_RESPONSE;
      else if ((u -= m.keepAliveTimeoutFraction) < 0) ending = NEXT_SERVER_FIN;
      else if ((u -= m.rstFraction) < 0) ending = rng.chance(0.7) ? NEXT_CLIENT_RST : NEXT_SERVER_RST;
      else if ((u -= m.unfinishedFraction) < 0) ending = NEXT_NONE;
      else ending = NEXT_CLIENT_FIN;
    }
    i[ib + I_ENDING] = ending;

    f[fb + F_ID] = this.nextId++;
    f[fb + F_ARRIVAL] = t;
    i[ib + I_CONN] = -1;
    f[fb + F_FIRST] = Number.NaN;
    f[fb + F_LAST] = Number.NaN;
    f[fb + F_CLOSE] = Number.NaN;
    f[fb + F_LAST_RAW] = t;
    f[fb + F_PKT_C] = 0;
    f[fb + F_PKT_S] = 0;
    f[fb + F_BYTES_C] = 0;
    f[fb + F_BYTES_S] = 0;
    i[ib + I_PHASE] = PH_SYN;
    i[ib + I_STEP] = 0;
    i[ib + I_CLOSING] = 0;
    this.stats.connections++;
    if (v6 === 1) this.stats.connectionsIpv6++;
    if (source !== undefined) rng.saveState(this.rs, slot * NR);
    this.heapPush(slot, t);
  }

  /** The client address of the k-th new client: a bijection of k, so new clients never repeat an address. */
  private clientAddress(slot: number, v6: number, k: number): void {
    const w = this.clientWords;
    const b = slot * 4;
    if (v6 === 0) {
      // 10.0.0.0/8: a 24-bit bijection (xor-shifts and odd multipliers mod 2^24).
      let x = (k + this.addrMix) & 0xffffff;
      x ^= x >>> 12;
      x = Math.imul(x, 0x9e3779) & 0xffffff;
      x ^= x >>> 11;
      x = Math.imul(x, 0x7feb35) & 0xffffff;
      x ^= x >>> 12;
      w[b] = (0x0a000000 | x) >>> 0;
      w[b + 1] = 0;
      w[b + 2] = 0;
      w[b + 3] = 0;
    } else {
      // 2001:db8::/32, a /48-style site prefix from k's hash, interface id a 32-bit bijection of k.
      let x = (k ^ this.addrMix) >>> 0;
      x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
      x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
      x = (x ^ (x >>> 16)) >>> 0;
      const h = Math.imul(x ^ 0x5bd1e995, 0x27d4eb2f) >>> 0;
      w[b] = 0x20010db8;
      w[b + 1] = (h & 0xffff0000) >>> 0;
      w[b + 2] = (Math.imul(h, 0x165667b1) & 0x0000ffff) >>> 0;
      w[b + 3] = x;
    }
  }

  /** Writes the packet the connection in `slot` has due at `t` and schedules its next one. */
  private step(slot: number): void {
    const c = this.c;
    const t = c[C_NOW];
    const f = this.f;
    const i = this.i;
    const fb = slot * NF;
    const ib = slot * NI;
    switch (i[ib + I_PHASE]) {
      case PH_SYN: {
        c[C_SEQ] = f[fb + F_CSEQ];
        c[C_ACK] = 0;
        this.emit(slot, true, TCP_FLAG_SYN, 0);
        f[fb + F_CSEQ] = (f[fb + F_CSEQ] + 1) >>> 0;
        if (i[ib + I_ENDING] === -1) {
          i[ib + I_PHASE] = PH_SYN_RETRY;
          i[ib + I_STEP] = 0;
          this.reschedule(t + SYN_RETRY_OFFSETS_NS[0]);
        } else {
          i[ib + I_PHASE] = PH_SYNACK;
          this.reschedule(t + f[fb + F_SRV_EPS]);
        }
        return;
      }
      case PH_SYN_RETRY: {
        c[C_SEQ] = f[fb + F_ISN_C];
        c[C_ACK] = 0;
        this.emit(slot, true, TCP_FLAG_SYN, 0);
        const k = ++i[ib + I_STEP];
        if (k < SYN_RETRY_OFFSETS_NS.length) this.reschedule(f[fb + F_FIRST] + SYN_RETRY_OFFSETS_NS[k]);
        else this.finish(slot, 'syn-only');
        return;
      }
      case PH_SYNACK: {
        c[C_SEQ] = f[fb + F_SSEQ];
        c[C_ACK] = f[fb + F_CSEQ];
        this.emit(slot, false, TCP_FLAG_SYN | TCP_FLAG_ACK, 0);
        f[fb + F_SSEQ] = (f[fb + F_SSEQ] + 1) >>> 0;
        i[ib + I_PHASE] = PH_HANDSHAKE_ACK;
        this.reschedule(t + f[fb + F_RTT]);
        return;
      }
      case PH_HANDSHAKE_ACK: {
        c[C_SEQ] = f[fb + F_CSEQ];
        c[C_ACK] = f[fb + F_SSEQ];
        this.emit(slot, true, TCP_FLAG_ACK, 0);
        // The request follows the ACK closely (the client had it ready).
        this.beginRequest(slot, t + 20_000 + Math.round(this.stream().logNormal(200_000, 0.5)));
        return;
      }
      case PH_TRANSFER:
        this.transferStep(slot);
        return;
      case PH_CLOSE:
        this.closeStep(slot);
        return;
    }
  }

  /**
   * The random stream to draw from: the generator's, or with scheduled
   * arrivals the stepping connection's, loaded at its first draw. Most steps
   * (a data segment, a handshake packet) draw nothing, and loading and saving
   * the 5 words on every packet cost measurable time.
   */
  private stream(): Xoshiro128 {
    const slot = this.rngSlot;
    if (slot >= 0 && !this.rngLoaded) {
      this.rng.loadState(this.rs, slot * NR);
      this.rngLoaded = true;
    }
    return this.rng;
  }

  /** Moves the top connection to its next packet time. */
  private reschedule(t: number): void {
    const now = this.c[C_NOW];
    const slot = this.heap[0];
    // Never past the lifetime cap (Infinity without one): the connection is stopped there, not later.
    const cap = this.f[slot * NF + F_ARRIVAL] + this.lifetimeCapNs;
    if (t > cap) t = cap;
    this.heapKey[0] = t > now ? t : now;
    this.siftDownTop();
  }

  // -------------------------------------------------------------------------
  // Exchanges

  private beginRequest(slot: number, start: number): void {
    const rng = this.stream();
    const m = this.m;
    const ib = slot * NI;
    const fb = slot * NF;
    const idx = this.i[ib + I_EXCHANGES]++;
    const tls = this.i[ib + I_TLS] === 1 && idx < 2;
    let bytes: number;
    if (tls) bytes = idx === 0 ? 200 + rng.below(400) : 93 + rng.below(40); // ClientHello; ClientKeyExchange + Finished
    else bytes = Math.round(clamp(rng.logNormal(m.requestMedianBytes, m.requestSigma), 60, m.requestMaxBytes));
    const serverNs = tls
      ? 100_000 + rng.below(900_000)
      : Math.round(clamp(rng.logNormal(m.serverTimeMedianMs, m.serverTimeSigma), 0.05, 30_000) * NS_PER_MS);
    const gap = this.f[fb + F_SRV_EPS] + serverNs;
    this.startTransfer(slot, true, bytes, start, gap, gap, NEXT_REQUEST, false);
  }

  private beginResponse(slot: number, start: number): void {
    const rng = this.stream();
    const m = this.m;
    const ib = slot * NI;
    const fb = slot * NF;
    const i = this.i;
    const rtt = this.f[fb + F_RTT];
    const idx = i[ib + I_EXCHANGES] - 1;
    const tls = i[ib + I_TLS] === 1 && idx < 2;
    let bytes: number;
    if (tls) {
      bytes = idx === 0 ? 2_500 + rng.below(3_000) : 51 + rng.below(250); // ServerHello … ServerHelloDone; ticket + Finished
    } else if (rng.chance(m.responseTailFraction)) {
      bytes = Math.round(Math.min(rng.pareto(m.responseTailScaleBytes, m.responseTailShape), m.responseMaxBytes));
    } else {
      bytes = Math.round(clamp(rng.logNormal(m.responseMedianBytes, m.responseSigma), 150, m.responseMaxBytes));
    }
    const left = --i[ib + I_EXCHANGES_LEFT];
    const keepAliveNs = Math.round(m.keepAliveSec * NS_PER_SEC);
    let next: number;
    let gap: number;
    let receiverGap: number;
    if (left > 0) {
      // Another request, after the client's think time, unless the server gives up first.
      let thinkNs: number;
      if (tls) thinkNs = 100_000 + rng.below(2_000_000);
      else if (rng.chance(m.thinkShortFraction)) thinkNs = rng.logNormal(m.thinkShortMedianMs, m.thinkShortSigma) * NS_PER_MS;
      else thinkNs = rng.pareto(m.thinkLongScaleSec, m.thinkLongShape) * NS_PER_SEC;
      if (thinkNs < keepAliveNs) {
        next = NEXT_REQUEST;
        gap = rtt + Math.round(thinkNs);
        receiverGap = gap;
      } else {
        next = rng.chance(m.rstFraction) ? NEXT_SERVER_RST : NEXT_SERVER_FIN;
        gap = rtt + keepAliveNs;
        receiverGap = gap + rtt;
      }
    } else {
      next = i[ib + I_ENDING];
      if (next === NEXT_CLIENT_FIN || next === NEXT_CLIENT_RST) {
        // The browser closes an idle connection after a while, before the server's timeout.
        const closeNs = clamp(rng.logNormal(1_000, 1.5), 1, m.keepAliveSec * 900) * NS_PER_MS;
        gap = rtt + Math.round(closeNs);
        receiverGap = gap;
      } else if (next === NEXT_SERVER_FIN || next === NEXT_SERVER_RST) {
        gap = rtt + keepAliveNs;
        receiverGap = gap + rtt;
      } else {
        gap = 0;
        receiverGap = Infinity;
      }
    }
    this.startTransfer(slot, false, bytes, start, gap, receiverGap, next, next === NEXT_FIN_IN_RESPONSE);
  }

  /**
   * One message of `bytes` from one side, in segments of at most MSS: slow
   * start from the initial window (doubling per round trip up to the window
   * limit), paced at the client's bottleneck; the receiver ACKs every second
   * segment at once and a lone last one after the delayed-ACK timer, unless
   * its own next packet (`receiverGap` after the last segment) comes first and
   * carries the ACK. `gap` is from the last segment to the next phase.
   */
  private startTransfer(
    slot: number,
    c2s: boolean,
    bytes: number,
    start: number,
    gap: number,
    receiverGap: number,
    next: number,
    fin: boolean,
  ): void {
    const f = this.f;
    const i = this.i;
    const fb = slot * NF;
    const ib = slot * NI;
    const lastRaw = f[fb + F_LAST_RAW];
    if (start < lastRaw) start = lastRaw;
    const mss = i[ib + I_MSS];
    const n = Math.ceil(bytes / mss);
    const w0 = this.m.initialWindowSegments;
    i[ib + I_PHASE] = PH_TRANSFER;
    i[ib + I_X_C2S] = c2s ? 1 : 0;
    i[ib + I_X_SEGS] = n;
    i[ib + I_X_SENT] = 0;
    i[ib + I_A_SIZE] = w0;
    i[ib + I_A_IDX] = 0;
    i[ib + I_B_SIZE] = w0;
    i[ib + I_B_IDX] = 0;
    i[ib + I_B_POS] = 0;
    i[ib + I_X_NEXT] = next;
    i[ib + I_X_FIN] = fin ? 1 : 0;
    i[ib + I_X_ACKS_DONE] = 0;
    f[fb + F_X_BASE] = c2s ? f[fb + F_CSEQ] : f[fb + F_SSEQ];
    f[fb + F_X_BYTES] = bytes;
    f[fb + F_A_START] = start;
    f[fb + F_B_START] = start;
    f[fb + F_NEXT_SEG] = start;
    f[fb + F_X_GAP] = gap;
    const ackDelay = c2s ? f[fb + F_SRV_EPS] : f[fb + F_RTT];
    const oddSuppressed = !fin && receiverGap < ackDelay + DELAYED_ACK_NS;
    const acks = (n >> 1) + ((n & 1) === 1 && !oddSuppressed ? 1 : 0);
    i[ib + I_X_ACKS] = acks;
    f[fb + F_NEXT_ACK] = acks > 0 ? this.ackTime(slot, 0, -Infinity) : Infinity;
    this.reschedule(start);
  }

  /** Advances the ack cursor to the segment ACK number `j` answers and returns that ACK's time. */
  private ackTime(slot: number, j: number, previous: number): number {
    const f = this.f;
    const i = this.i;
    const fb = slot * NF;
    const ib = slot * NI;
    const n = i[ib + I_X_SEGS];
    const target = 2 * j + 1 < n ? 2 * j + 1 : n - 1;
    const delta = f[fb + F_DELTA];
    const loop = f[fb + F_RTT] + f[fb + F_SRV_EPS];
    const maxWin = this.m.maxWindowSegments;
    let pos = i[ib + I_B_POS];
    let idx = i[ib + I_B_IDX];
    let size = i[ib + I_B_SIZE];
    let roundStart = f[fb + F_B_START];
    while (pos < target) {
      pos++;
      if (++idx >= size) {
        const a = roundStart + delta + loop;
        const b = roundStart + size * delta;
        roundStart = Math.round(a > b ? a : b);
        size = size * 2 > maxWin ? maxWin : size * 2;
        idx = 0;
      }
    }
    i[ib + I_B_POS] = pos;
    i[ib + I_B_IDX] = idx;
    i[ib + I_B_SIZE] = size;
    f[fb + F_B_START] = roundStart;
    const c2s = i[ib + I_X_C2S] === 1;
    const ackDelay = c2s ? f[fb + F_SRV_EPS] : f[fb + F_RTT];
    const lone = (target & 1) === 0 && i[ib + I_X_FIN] === 0; // odd last segment: delayed ACK
    let t = roundStart + Math.round(idx * delta) + ackDelay + (lone ? DELAYED_ACK_NS : 0);
    t += this.stream().below(Math.floor(delta * 0.25) + 1);
    return t > previous ? t : previous + 1;
  }

  private transferStep(slot: number): void {
    const c = this.c;
    const t = c[C_NOW];
    const f = this.f;
    const i = this.i;
    const fb = slot * NF;
    const ib = slot * NI;
    const c2s = i[ib + I_X_C2S] === 1;
    const n = i[ib + I_X_SEGS];
    const sent = i[ib + I_X_SENT];
    const acks = i[ib + I_X_ACKS];
    const acksDone = i[ib + I_X_ACKS_DONE];
    const mss = i[ib + I_MSS];
    const bytes = f[fb + F_X_BYTES];
    const base = f[fb + F_X_BASE];
    if (sent < n && (acksDone >= acks || f[fb + F_NEXT_SEG] <= f[fb + F_NEXT_ACK])) {
      const last = sent === n - 1;
      const payload = last ? bytes - sent * mss : mss;
      let flags = TCP_FLAG_ACK;
      if (last) flags |= TCP_FLAG_PSH;
      if (last && i[ib + I_X_FIN] === 1) flags |= TCP_FLAG_FIN;
      const seq = (base + sent * mss) >>> 0;
      const ack = c2s ? f[fb + F_SSEQ] : f[fb + F_CSEQ];
      c[C_SEQ] = seq;
      c[C_ACK] = ack;
      this.emit(slot, c2s, flags, payload);
      i[ib + I_X_SENT] = sent + 1;
      if (last) {
        f[fb + F_X_LAST_SEG] = t;
        f[fb + F_NEXT_SEG] = Infinity;
      } else {
        // Send cursor: the next segment of this round, or the first of the next.
        const delta = f[fb + F_DELTA];
        let idx = i[ib + I_A_IDX] + 1;
        let size = i[ib + I_A_SIZE];
        let roundStart = f[fb + F_A_START];
        if (idx >= size) {
          const a = roundStart + delta + f[fb + F_RTT] + f[fb + F_SRV_EPS];
          const b = roundStart + size * delta;
          roundStart = Math.round(a > b ? a : b);
          const maxWin = this.m.maxWindowSegments;
          size = size * 2 > maxWin ? maxWin : size * 2;
          idx = 0;
          i[ib + I_A_SIZE] = size;
          f[fb + F_A_START] = roundStart;
        }
        i[ib + I_A_IDX] = idx;
        const ts = roundStart + Math.round(idx * delta);
        f[fb + F_NEXT_SEG] = ts > t ? ts : t;
      }
    } else {
      // An ACK from the receiver, for segments up to the cursor's position.
      const finalAck = acksDone === acks - 1;
      const fin = finalAck && i[ib + I_X_FIN] === 1;
      const pos = i[ib + I_B_POS];
      const end = (pos + 1) * mss;
      const ackNo = (base + (end < bytes ? end : bytes) + (fin ? 1 : 0)) >>> 0;
      const seq = c2s ? f[fb + F_SSEQ] : f[fb + F_CSEQ];
      c[C_SEQ] = seq;
      c[C_ACK] = ackNo;
      this.emit(slot, !c2s, fin ? TCP_FLAG_FIN | TCP_FLAG_ACK : TCP_FLAG_ACK, 0);
      i[ib + I_X_ACKS_DONE] = acksDone + 1;
      f[fb + F_NEXT_ACK] = finalAck ? Infinity : this.ackTime(slot, acksDone + 1, t);
    }
    if (i[ib + I_X_SENT] < n || i[ib + I_X_ACKS_DONE] < acks) {
      const ns = f[fb + F_NEXT_SEG];
      const na = f[fb + F_NEXT_ACK];
      this.reschedule(ns < na ? ns : na);
      return;
    }
    this.endTransfer(slot, t);
  }

  private endTransfer(slot: number, t: number): void {
    const f = this.f;
    const i = this.i;
    const fb = slot * NF;
    const ib = slot * NI;
    const c2s = i[ib + I_X_C2S] === 1;
    const fin = i[ib + I_X_FIN] === 1;
    const bytes = f[fb + F_X_BYTES];
    if (c2s) f[fb + F_CSEQ] = (f[fb + F_CSEQ] + bytes) >>> 0;
    else f[fb + F_SSEQ] = (f[fb + F_SSEQ] + bytes + (fin ? 1 : 0)) >>> 0;
    const start = f[fb + F_X_LAST_SEG] + f[fb + F_X_GAP];
    if (c2s) {
      this.beginResponse(slot, start);
      return;
    }
    const next = i[ib + I_X_NEXT];
    switch (next) {
      case NEXT_REQUEST:
        this.beginRequest(slot, start);
        return;
      case NEXT_FIN_IN_RESPONSE:
        // The client's FIN-ACK was the transfer's last ACK; the server ACKs it.
        f[fb + F_CSEQ] = (f[fb + F_CSEQ] + 1) >>> 0;
        this.beginClose(slot, NEXT_FIN_IN_RESPONSE, t + f[fb + F_SRV_EPS]);
        return;
      case NEXT_NONE:
        this.finish(slot, 'unfinished');
        return;
      default:
        this.beginClose(slot, next, start);
    }
  }

  // -------------------------------------------------------------------------
  // Teardown

  private beginClose(slot: number, kind: number, start: number): void {
    const ib = slot * NI;
    this.i[ib + I_PHASE] = PH_CLOSE;
    this.i[ib + I_CLOSE_KIND] = kind;
    this.i[ib + I_STEP] = 0;
    const last = this.f[slot * NF + F_LAST_RAW];
    this.reschedule(start > last ? start : last);
  }

  private closeStep(slot: number): void {
    const c = this.c;
    const t = c[C_NOW];
    const f = this.f;
    const i = this.i;
    const fb = slot * NF;
    const ib = slot * NI;
    const step = i[ib + I_STEP]++;
    const cseq = f[fb + F_CSEQ];
    const sseq = f[fb + F_SSEQ];
    const rtt = f[fb + F_RTT];
    const eps = f[fb + F_SRV_EPS];
    const FA = TCP_FLAG_FIN | TCP_FLAG_ACK;
    switch (i[ib + I_CLOSE_KIND]) {
      case NEXT_FIN_IN_RESPONSE:
        c[C_SEQ] = sseq;
        c[C_ACK] = cseq;
        this.emit(slot, false, TCP_FLAG_ACK, 0);
        this.finish(slot, 'cut');
        return;
      case NEXT_CLIENT_FIN:
        // Client FIN; the server's FIN-ACK at once; the client's last ACK a round trip later.
        if (step === 0) {
          c[C_SEQ] = cseq;
          c[C_ACK] = sseq;
          this.emit(slot, true, FA, 0);
          f[fb + F_CSEQ] = (cseq + 1) >>> 0;
          this.reschedule(t + eps);
        } else if (step === 1) {
          c[C_SEQ] = sseq;
          c[C_ACK] = cseq;
          this.emit(slot, false, FA, 0);
          f[fb + F_SSEQ] = (sseq + 1) >>> 0;
          this.reschedule(t + rtt);
        } else {
          c[C_SEQ] = cseq;
          c[C_ACK] = sseq;
          this.emit(slot, true, TCP_FLAG_ACK, 0);
          this.finish(slot, 'cut');
        }
        return;
      case NEXT_SERVER_FIN:
        // Server FIN (keep-alive timeout); the client's kernel ACKs it, the browser closes a little later.
        if (step === 0) {
          c[C_SEQ] = sseq;
          c[C_ACK] = cseq;
          this.emit(slot, false, FA, 0);
          f[fb + F_SSEQ] = (sseq + 1) >>> 0;
          this.reschedule(t + rtt);
        } else if (step === 1) {
          c[C_SEQ] = cseq;
          c[C_ACK] = sseq;
          this.emit(slot, true, TCP_FLAG_ACK, 0);
          this.reschedule(t + 50_000 + Math.round(this.stream().logNormal(2 * NS_PER_MS, 1)));
        } else if (step === 2) {
          c[C_SEQ] = cseq;
          c[C_ACK] = sseq;
          this.emit(slot, true, FA, 0);
          f[fb + F_CSEQ] = (cseq + 1) >>> 0;
          this.reschedule(t + eps);
        } else {
          c[C_SEQ] = sseq;
          c[C_ACK] = cseq;
          this.emit(slot, false, TCP_FLAG_ACK, 0);
          this.finish(slot, 'cut');
        }
        return;
      case NEXT_CLIENT_RST:
        c[C_SEQ] = cseq;
        c[C_ACK] = sseq;
        this.emit(slot, true, TCP_FLAG_RST | TCP_FLAG_ACK, 0);
        this.finish(slot, 'cut');
        return;
      case NEXT_SERVER_RST:
        c[C_SEQ] = sseq;
        c[C_ACK] = cseq;
        this.emit(slot, false, TCP_FLAG_RST | TCP_FLAG_ACK, 0);
        this.finish(slot, 'cut');
        return;
    }
  }

  /**
   * The connection at the top of the heap wrote its last packet. Its end is
   * what its packets say (both FINs: `fin`; a RST: `rst`), else `otherwise`.
   */
  private finish(slot: number, otherwise: ConnectionEnd): void {
    this.heapPopTop();
    this.report(slot, otherwise);
  }

  private report(slot: number, otherwise: ConnectionEnd): void {
    const f = this.f;
    const i = this.i;
    const fb = slot * NF;
    const ib = slot * NI;
    if (f[fb + F_FIRST] !== f[fb + F_FIRST]) {
      // Not a single packet written (cut before its SYN, or wholly in a pre-roll): it never existed.
      this.stats.connections--;
      if (i[ib + I_V6] === 1) this.stats.connectionsIpv6--;
      this.freeList[this.freeCount++] = slot;
      return;
    }
    const closing = i[ib + I_CLOSING];
    const end: ConnectionEnd =
      (closing & CLOSING_RST) !== 0 ? 'rst' : (closing & CLOSING_BOTH_FINS) === CLOSING_BOTH_FINS ? 'fin' : otherwise;
    const closedBy = (closing & CLOSING_BY_CLIENT) !== 0 ? 'client' : (closing & CLOSING_BY_SERVER) !== 0 ? 'server' : 'none';
    this.stats.ends[end]++;
    this.c[C_OPEN]--;
    const cb = this.onConnection;
    if (cb !== undefined) {
      const v6 = i[ib + I_V6] === 1;
      const version = v6 ? 6 : 4;
      const cw = this.clientWords.subarray(slot * 4, slot * 4 + 4);
      cb({
        id: f[fb + F_ID],
        ipVersion: version,
        clientAddr: formatAddress(version, cw),
        clientPort: i[ib + I_CLIENT_PORT],
        serverAddr: formatAddress(version, this.serverWords[i[ib + I_SERVER]]),
        serverPort: i[ib + I_SERVER_PORT],
        firstNs: f[fb + F_FIRST],
        lastNs: f[fb + F_LAST],
        closeNs: f[fb + F_CLOSE],
        packetsC2s: f[fb + F_PKT_C],
        packetsS2c: f[fb + F_PKT_S],
        bytesC2s: f[fb + F_BYTES_C],
        bytesS2c: f[fb + F_BYTES_S],
        end,
        closedBy,
        exchanges: i[ib + I_EXCHANGES],
        rttNs: f[fb + F_RTT],
        conn: i[ib + I_CONN],
        synSeen: i[ib + I_SYN_SEEN] === 1,
        synOnly: i[ib + I_SYN_STATE] === 1,
      }, this.c[C_NOW]);
    }
    this.freeList[this.freeCount++] = slot;
  }

  // -------------------------------------------------------------------------
  // Frames

  /**
   * Encodes one TCP segment and writes its record at time t (ns after
   * startSec). For classic pcap the record is encoded in place in the sink's
   * buffer (its header, then the frame); otherwise the frame is encoded into
   * one reused buffer and handed to the writer. Only the captured bytes are
   * written: the headers, then zeros for the payload and Ethernet padding.
   */
  private emit(slot: number, fromClient: boolean, flags: number, payload: number): void {
    const c = this.c;
    const t = c[C_NOW];
    const seq = c[C_SEQ];
    const ack = c[C_ACK];
    const f = this.f;
    const i = this.i;
    const fb = slot * NF;
    const ib = slot * NI;
    const v6 = i[ib + I_V6] === 1;
    if (t < 0) {
      // Pre-roll (scheduled arrivals before the capture): simulated, not written.
      // The IP ID counters still move, so later packets carry the IDs they would in a continuous run.
      if (!v6) {
        if (fromClient) i[ib + I_IPID_C] = (i[ib + I_IPID_C] + 1) & 0xffff;
        else i[ib + I_IPID_S] = (i[ib + I_IPID_S] + 1) & 0xffff;
      }
      f[fb + F_LAST_RAW] = t;
      return;
    }
    const syn = (flags & TCP_FLAG_SYN) !== 0;
    const tcpLen = syn ? TCP_HEADER + TCP_SYN_OPTIONS : TCP_HEADER;
    const segLen = tcpLen + payload;
    const lh = this.linkHeader;
    const headerEnd = lh + (v6 ? IPV6_HEADER : IPV4_HEADER) + tcpLen;
    let wireLength = headerEnd + payload;
    if (fromClient && wireLength < this.minFrame) wireLength = this.minFrame;
    const capLength = wireLength < this.snaplen ? wireLength : this.snaplen;

    // Time at the file's resolution.
    const q = this.quantum;
    const tq = q === 1 ? t : Math.floor(t / q) * q; // (a float % is a libm call)
    const whole = Math.floor(tq / NS_PER_SEC);
    const sec = this.o.startSec + whole;
    const nsec = tq - whole * NS_PER_SEC;

    const direct = this.direct;
    let b: DataView;
    let p0: number;
    if (direct) {
      const sink = this.sink;
      sink.reserve(PCAP_RECORD_HEADER + FRAME_BUFFER_BYTES);
      const buf = sink.buf;
      if (buf !== this.sinkBuf) {
        // The sink swapped its buffer (MemorySink grows by reallocating): a view of the new one.
        this.sinkBuf = buf;
        this.sinkView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      b = this.sinkView;
      p0 = sink.pos + PCAP_RECORD_HEADER;
    } else {
      b = this.frameView;
      p0 = 0;
    }

    // Fields go in as 16- and 32-bit big-endian stores (DataView, which V8
    // compiles to one bounds check and a byte-swapped store) rather than byte
    // by byte: a third of the stores (measured: docs/synth.md "Speed").
    const link = this.link;
    const ethertype = v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP;
    if (link === LINK_ETHERNET || link === LINK_VLAN) {
      // Ethernet: the server's MAC and the router's (02:00:5e:10:00:01 and …:fe), by direction.
      b.setUint32(p0, MAC_PREFIX);
      b.setUint16(p0 + 4, fromClient ? MAC_SERVER_LAST : MAC_ROUTER_LAST);
      b.setUint32(p0 + 6, MAC_PREFIX);
      b.setUint16(p0 + 10, fromClient ? MAC_ROUTER_LAST : MAC_SERVER_LAST);
      if (link === LINK_ETHERNET) {
        b.setUint16(p0 + 12, ethertype);
      } else {
        // 802.1Q tag (IEEE 802.1Q §9.6): TPID, then PCP 0, DEI 0, VID; then the inner EtherType.
        b.setUint32(p0 + 12, (ETHERTYPE_VLAN << 16) | VLAN_ID);
        b.setUint16(p0 + 16, ethertype);
      }
    } else if (link === LINK_SLL) {
      // Linux cooked header (LINKTYPE_LINUX_SLL): packet type, ARPHRD type, address length, 8 address bytes, protocol.
      b.setUint32(p0, ((fromClient ? SLL_HOST : SLL_OUTGOING) << 16) | ARPHRD_ETHER);
      b.setUint16(p0 + 4, 6);
      // The sender's MAC: the router's for frames from clients, the server's own otherwise; two bytes of padding.
      b.setUint32(p0 + 6, MAC_PREFIX);
      b.setUint32(p0 + 10, (fromClient ? MAC_ROUTER_LAST : MAC_SERVER_LAST) << 16);
      b.setUint16(p0 + 14, ethertype);
    }

    const cw = this.clientWords;
    const cb = slot * 4;
    const sw = this.serverWords[i[ib + I_SERVER]];
    const srcPort = fromClient ? i[ib + I_CLIENT_PORT] : i[ib + I_SERVER_PORT];
    const dstPort = fromClient ? i[ib + I_SERVER_PORT] : i[ib + I_CLIENT_PORT];
    // Pseudo-header sum for the TCP checksum (RFC 9293 §3.1, RFC 8200 §8.1).
    let sum = IPPROTO_TCP + segLen;
    let p: number;
    if (!v6) {
      const ip = p0 + lh;
      const src = fromClient ? cw[cb] : sw[0];
      const dst = fromClient ? sw[0] : cw[cb];
      const totalLength = IPV4_HEADER + segLen;
      let id: number;
      let ttl: number;
      if (fromClient) {
        id = i[ib + I_IPID_C];
        i[ib + I_IPID_C] = (id + 1) & 0xffff;
        ttl = i[ib + I_TTL];
      } else {
        id = i[ib + I_IPID_S];
        i[ib + I_IPID_S] = (id + 1) & 0xffff;
        ttl = 64;
      }
      // Header checksum (RFC 791, RFC 1071) over the ten 16-bit words.
      const addrSum = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
      let h = 0x4500 + totalLength + id + 0x4000 + ((ttl << 8) | IPPROTO_TCP) + addrSum;
      h = (h & 0xffff) + (h >>> 16);
      h = (h & 0xffff) + (h >>> 16);
      h = ~h & 0xffff;
      // Version 4, IHL 5, DSCP 0, total length; ID, DF, offset 0; TTL, protocol, checksum; addresses.
      b.setUint32(ip, 0x45000000 | totalLength);
      b.setUint32(ip + 4, (id << 16) | 0x4000);
      b.setUint32(ip + 8, (ttl << 24) | (IPPROTO_TCP << 16) | h);
      b.setUint32(ip + 12, src);
      b.setUint32(ip + 16, dst);
      sum += addrSum;
      p = ip + IPV4_HEADER;
    } else {
      const ip = p0 + lh;
      const flow = fromClient ? i[ib + I_FLOW_C] : i[ib + I_FLOW_S];
      // Version 6 and the 20-bit `flow` in the next three bytes (as this generator has always
      // placed it: one byte higher than RFC 8200's flow label field); payload length, next header, hop limit.
      b.setUint32(ip, 0x60000000 | (flow << 8));
      b.setUint32(ip + 4, (segLen << 16) | (IPPROTO_TCP << 8) | (fromClient ? i[ib + I_TTL] : 64));
      for (let k = 0; k < 4; k++) {
        const s = fromClient ? cw[cb + k] : sw[k];
        const d = fromClient ? sw[k] : cw[cb + k];
        b.setUint32(ip + 8 + 4 * k, s);
        b.setUint32(ip + 24 + 4 * k, d);
        sum += (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff);
      }
      p = ip + IPV6_HEADER;
    }
    // TCP header.
    const window = syn ? (fromClient ? 64_240 : 65_160) : fromClient ? 502 : 509;
    const offFlags = ((tcpLen >>> 2) << 12) | flags;
    b.setUint32(p, (srcPort << 16) | dstPort);
    b.setUint32(p + 4, seq);
    b.setUint32(p + 8, ack);
    b.setUint32(p + 12, (offFlags << 16) | window);
    sum += srcPort + dstPort + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + offFlags + window;
    if (syn) {
      // MSS, NOP, window scale 7, NOP, NOP, SACK permitted.
      const mss = i[ib + I_MSS];
      const o = p + TCP_HEADER;
      b.setUint32(o, 0x02040000 | mss);
      b.setUint32(o + 4, 0x01030307);
      b.setUint32(o + 8, 0x01010402);
      sum += 0x0204 + mss + 0x0103 + 0x0307 + 0x0101 + 0x0402;
    }
    // The payload is zeros: it adds nothing to the checksum. Checksum, then urgent pointer 0.
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    const csum = ~sum & 0xffff;
    b.setUint32(p + 16, csum << 16);

    // Zero payload and padding, as far as captured.
    const capEnd = p0 + capLength;
    let z = p0 + headerEnd;
    if (capEnd - z > 32) {
      (direct ? this.sinkBuf : this.frame).fill(0, z, capEnd);
    } else {
      for (; z + 4 <= capEnd; z += 4) b.setUint32(z, 0);
      for (; z < capEnd; z++) b.setUint8(z, 0);
    }

    if (direct) {
      // Classic pcap record header, little-endian (the file header came from PcapWriter).
      const r = p0 - PCAP_RECORD_HEADER;
      b.setUint32(r, sec, true);
      b.setUint32(r + 4, q === 1 ? nsec : nsec / 1_000, true);
      b.setUint32(r + 8, capLength, true);
      b.setUint32(r + 12, wireLength, true);
      this.sink.pos = capEnd;
    } else {
      let view = this.views[capLength];
      if (view === undefined) {
        view = this.frame.subarray(0, capLength);
        this.views[capLength] = view;
      }
      if (this.pcap !== undefined) this.pcap.writePacket(sec, nsec, view, wireLength);
      else this.pcapng!.writeEnhancedPacket(0, sec, nsec, view, wireLength);
    }

    // Counts.
    if (c[C_PACKETS]++ === 0) c[C_FIRST] = tq;
    if (v6) c[C_PACKETS_V6]++;
    c[C_FILE_BYTES] += this.recordOverhead + (this.pcapng !== undefined ? (capLength + 3) & ~3 : capLength);
    c[C_WIRE_BYTES] += wireLength;
    c[C_PAYLOAD_BYTES] += payload;
    c[C_LAST] = tq;
    if (fromClient) {
      f[fb + F_PKT_C]++;
      f[fb + F_BYTES_C] += payload;
    } else {
      f[fb + F_PKT_S]++;
      f[fb + F_BYTES_S] += payload;
    }
    const clientSyn = fromClient && (flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) === TCP_FLAG_SYN ? 1 : 0;
    if (f[fb + F_FIRST] !== f[fb + F_FIRST]) {
      f[fb + F_FIRST] = tq;
      i[ib + I_CONN] = c[C_WRITTEN_CONNS]++;
      i[ib + I_SYN_SEEN] = clientSyn;
      i[ib + I_SYN_STATE] = clientSyn;
      if (++c[C_OPEN] > c[C_MAX_OPEN]) c[C_MAX_OPEN] = c[C_OPEN];
    } else if (clientSyn === 0) {
      i[ib + I_SYN_STATE] = 0;
    }
    f[fb + F_LAST] = tq;
    f[fb + F_LAST_RAW] = t;
    if ((flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) !== 0) {
      let closing = i[ib + I_CLOSING];
      if ((closing & (CLOSING_BY_CLIENT | CLOSING_BY_SERVER)) === 0) closing |= fromClient ? CLOSING_BY_CLIENT : CLOSING_BY_SERVER;
      if ((flags & TCP_FLAG_RST) !== 0) closing |= CLOSING_RST;
      else closing |= fromClient ? CLOSING_FIN_CLIENT : CLOSING_FIN_SERVER;
      i[ib + I_CLOSING] = closing;
      // The tracker closes at the second side's FIN or at a RST (SPEC §3): the first packet that makes it so.
      if (f[fb + F_CLOSE] !== f[fb + F_CLOSE] && ((closing & CLOSING_RST) !== 0 || (closing & CLOSING_BOTH_FINS) === CLOSING_BOTH_FINS)) {
        f[fb + F_CLOSE] = tq;
      }
    }
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
