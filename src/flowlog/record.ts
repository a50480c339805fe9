/**
 * One connection of a flow log, as the reader delivers it: a single reused
 * object, overwritten for every record (valid until the callback returns),
 * with numeric fields only, all initialized here so it keeps one shape
 * (STYLE hot path). docs/flow-logs.md maps every field to its source column.
 */
import { CLOSE_REASON_NAMES, CloseReason } from '../flows/events.js';

/** IP protocol numbers (IANA) of the `proto` field. */
export const FLOW_PROTO_ICMP = 1;
export const FLOW_PROTO_TCP = 6;
export const FLOW_PROTO_UDP = 17;
/** Zeek's `unknown_transport`, or a protocol the log names in no other way. */
export const FLOW_PROTO_UNKNOWN = 0;

/**
 * How the log says the connection ended: Zeek's `conn_state` values (a closed
 * list, Zeek's `base/protocols/conn/main.zeek`) and the `close` reasons of the
 * tool's own `connections` CSV (docs/connections.md). `UNSET` when the field
 * is absent or unset (`-`).
 */
/** FlowState of the CSV's close reason r is CSV_STATE_BASE + r (CloseReason, from 1). */
const CSV_STATE_BASE = 13;

export const FlowState = {
  UNSET: 0,
  /** Zeek S0: connection attempt seen, no reply. */
  S0: 1,
  /** Zeek S1: established, not terminated. */
  S1: 2,
  /** Zeek SF: normal establishment and termination. */
  SF: 3,
  /** Zeek REJ: connection attempt rejected. */
  REJ: 4,
  /** Zeek S2: established, close attempt by the originator only. */
  S2: 5,
  /** Zeek S3: established, close attempt by the responder only. */
  S3: 6,
  /** Zeek RSTO: established, the originator sent a RST. */
  RSTO: 7,
  /** Zeek RSTR: the responder sent a RST. */
  RSTR: 8,
  /** Zeek RSTOS0: the originator sent a SYN then a RST, no SYN-ACK seen. */
  RSTOS0: 9,
  /** Zeek RSTRH: the responder sent a SYN-ACK then a RST, no SYN seen. */
  RSTRH: 10,
  /** Zeek SH: the originator sent a SYN then a FIN, no SYN-ACK seen. */
  SH: 11,
  /** Zeek SHR: the responder sent a SYN-ACK then a FIN, no SYN seen. */
  SHR: 12,
  /** Zeek OTH: no SYN seen, midstream traffic. */
  OTH: 13,
  // The connections CSV's `close` reasons follow, in CloseReason order (src/flows/events.ts).
  FIN: CSV_STATE_BASE + CloseReason.FIN,
  RST: CSV_STATE_BASE + CloseReason.RST,
  PORT_REUSE: CSV_STATE_BASE + CloseReason.PORT_REUSE,
  IDLE: CSV_STATE_BASE + CloseReason.IDLE,
  SYN_TIMEOUT: CSV_STATE_BASE + CloseReason.SYN_TIMEOUT,
  EVICTED: CSV_STATE_BASE + CloseReason.EVICTED,
  END_OF_TRACE: CSV_STATE_BASE + CloseReason.END_OF_TRACE,
} as const;
export type FlowState = (typeof FlowState)[keyof typeof FlowState];

/** The text of each FlowState, by value; as the log writes it (the CSV's are CLOSE_REASON_NAMES). */
export const FLOW_STATE_NAMES: readonly string[] = [
  '-',
  'S0',
  'S1',
  'SF',
  'REJ',
  'S2',
  'S3',
  'RSTO',
  'RSTR',
  'RSTOS0',
  'RSTRH',
  'SH',
  'SHR',
  'OTH',
  ...CLOSE_REASON_NAMES.slice(1),
];

/** Which timeout, if any, the end rule added to the last packet time (`FlowRecord.expiry`). */
export const FlowExpiry = {
  /** The log says the connection closed at its last packet (FIN, RST, REJ…). */
  NONE: 0,
  /** Expired by inactivity, TCP: the idle timeout was added. */
  IDLE: 1,
  /** Expired with only SYNs seen (Zeek S0, CSV syn-timeout): the SYN timeout was added. */
  SYN: 2,
  /** UDP, ICMP and other flows, which only ever end by inactivity: the UDP timeout was added. */
  UDP: 3,
} as const;
export type FlowExpiry = (typeof FlowExpiry)[keyof typeof FlowExpiry];

export class FlowRecord {
  /** 4 or 6: the IP version of both endpoints. */
  ipVersion = 4;
  /** Client (Zeek: originator) address: four 32-bit words in network order, IPv4 in word 0 (as `DecodedPacket`). */
  readonly clientAddr = new Uint32Array(4);
  /** Server (Zeek: responder) address, same layout. */
  readonly serverAddr = new Uint32Array(4);
  clientPort = 0;
  serverPort = 0;
  /** IP protocol number: FLOW_PROTO_TCP, FLOW_PROTO_UDP, FLOW_PROTO_ICMP, or FLOW_PROTO_UNKNOWN. */
  proto = FLOW_PROTO_TCP;
  /** Start: the connection's first packet, epoch seconds and nanoseconds (Zeek `ts`, CSV `first_time`). */
  startSec = 0;
  startNsec = 0;
  /** Last packet: start + duration (Zeek), `last_time` (CSV); never before the start. */
  lastSec = 0;
  lastNsec = 0;
  /**
   * End for the balancer: the last packet, plus the timeout the end rule adds
   * when the log says the connection was expired by inactivity (`expiry`).
   * Infinity when that timeout is 0 (off): active until the log ends.
   */
  endSec = 0;
  endNsec = 0;
  /** Which timeout was added to make `end` (FlowExpiry). */
  expiry: number = FlowExpiry.NONE;
  /** Payload bytes sent by the client / by the server (Zeek `orig_bytes` / `resp_bytes`; 0 when unset). */
  bytesC2s = 0;
  bytesS2c = 0;
  /** Packets sent by the client / by the server; -1 when the log does not say. */
  packetsC2s = -1;
  packetsS2c = -1;
  /** IP-level bytes sent by the client / by the server (Zeek `orig_ip_bytes` / `resp_ip_bytes`); -1 when the log does not say. */
  ipBytesC2s = -1;
  ipBytesS2c = -1;
  /** How the log says the connection ended (FlowState). */
  state: number = FlowState.UNSET;
  /** Line of the log the record came from, from 1 (in the decompressed text). */
  line = 0;
  /**
   * Order among records with the same start (the reorder window's tie-break):
   * the line for Zeek logs (file order), the `conn` column for the
   * connections CSV (the capture's order of first packets, SPEC §3).
   */
  seq = 0;
}
