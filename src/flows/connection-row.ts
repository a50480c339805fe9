/**
 * The `connections` CSV row of a connection (SPEC §3, docs/connections.md),
 * built when the connection leaves the table (`FlowListener.remove`): once per
 * connection, so strings are fine here.
 */
import { formatPair, formatPairDifference } from '../time.js';
import { CLOSE_REASON_NAMES } from './events.js';
import { IPPROTO_TCP, IPPROTO_UDP } from '../decode/packet.js';
import { formatAddress } from './address.js';
import type { ConnectionTable } from './table.js';

/** The columns, in output order. Each is defined in docs/connections.md. */
export const CONNECTION_COLUMNS = [
  /** Order of the connection's first packet, from 0 (ties in file order). */
  'conn',
  /** Own timestamp of its first packet in file order: epoch seconds, exactly 9 decimals. */
  'first_time',
  /** Own timestamp of its last packet in file order: epoch seconds, exactly 9 decimals. */
  'last_time',
  /**
   * last_time − first_time in seconds, exactly 9 decimals; negative (a leading
   * `-`) only when the capture's timestamps go backwards within the connection.
   */
  'duration',
  /** Client address: dotted IPv4 or RFC 5952 IPv6. */
  'client_addr',
  'client_port',
  /** Server address: dotted IPv4 or RFC 5952 IPv6. */
  'server_addr',
  'server_port',
  /** Transport protocol name: `tcp`. */
  'proto',
  /** Packets sent by the client / by the server. */
  'packets_c2s',
  'packets_s2c',
  /** TCP payload bytes sent by the client / by the server, counted per packet. */
  'bytes_c2s',
  'bytes_s2c',
  /** Close reason (CLOSE_REASON_NAMES). */
  'close',
  /** 1 when the first packet was a SYN without ACK, else 0. */
  'syn_seen',
  /**
   * When the connection stopped being active for the balancer and the
   * sampler (SPEC §3; `FlowListener.deactivate`), on the replay clock, epoch
   * seconds with exactly 9 decimals: its closing FIN or RST, its expiry
   * instant (idle or SYN timeout), the SYN that reused its port, its
   * eviction, or the capture's last packet (`end-of-trace`). What a replay
   * of this CSV needs to be exact (docs/flow-logs.md).
   */
  'active_until',
] as const;

const addrWords = new Uint32Array(4);

function protoName(proto: number): string {
  if (proto === IPPROTO_TCP) return 'tcp';
  if (proto === IPPROTO_UDP) return 'udp';
  return String(proto);
}

/**
 * Fills `out` (reused; its length becomes the number of columns) with the row
 * of the connection in `slot`, times relative to `baseSec` written as epoch
 * seconds; (activeUntilSec, activeUntilNsec) is the instant of its
 * `deactivate`, relative to `baseSec` too. Returns `out`.
 */
export function connectionRow(
  table: ConnectionTable,
  slot: number,
  baseSec: number,
  activeUntilSec: number,
  activeUntilNsec: number,
  out: string[],
): string[] {
  const firstSec = table.firstSec(slot);
  const firstNsec = table.firstNsec(slot);
  const lastSec = table.lastSec(slot);
  const lastNsec = table.lastNsec(slot);
  const version = table.ipVersion(slot);
  out.length = CONNECTION_COLUMNS.length;
  out[0] = String(table.conn(slot));
  out[1] = formatPair(baseSec, firstSec, firstNsec);
  out[2] = formatPair(baseSec, lastSec, lastNsec);
  out[3] = formatPairDifference(firstSec, firstNsec, lastSec, lastNsec);
  table.clientAddr(slot, addrWords);
  out[4] = formatAddress(version, addrWords);
  out[5] = String(table.clientPort(slot));
  table.serverAddr(slot, addrWords);
  out[6] = formatAddress(version, addrWords);
  out[7] = String(table.serverPort(slot));
  out[8] = protoName(table.proto(slot));
  out[9] = String(table.packetsC2s(slot));
  out[10] = String(table.packetsS2c(slot));
  out[11] = String(table.bytesC2s(slot));
  out[12] = String(table.bytesS2c(slot));
  out[13] = CLOSE_REASON_NAMES[table.closeReason(slot)];
  out[14] = table.synSeen(slot) ? '1' : '0';
  out[15] = formatPair(baseSec, activeUntilSec, activeUntilNsec);
  return out;
}
