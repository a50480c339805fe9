/**
 * The tool's own `connections` CSV (docs/connections.md) as a flow log: the
 * header row exactly as the tool writes it, then one row per connection,
 * 16 comma-separated fields with no quoting (none of the columns ever needs
 * it); the 15-column form of versions before `active_until` is read too.
 * Rows come in the order connections left the table; the reorder window puts
 * them back in first-packet order, ties by `conn` (docs/flow-logs.md).
 *
 * With `active_until`, a connection is active exactly until that instant,
 * the capture replay's own (no timeout is added: the CSV already holds the
 * capture's); without it, the end rule adds the timeouts (end-rule.ts).
 */
import { ReplayError } from '../errors.js';
import { CONNECTION_COLUMNS } from '../flows/connection-row.js';
import { CLOSE_REASON_NAMES } from '../flows/events.js';
import { CONNECTIONS_CSV_HEADER, CONNECTIONS_CSV_HEADER_V1 } from './detect.js';
import { applyEndRule, type FlowTimeouts } from './end-rule.js';
import { FLOW_PROTO_TCP, FLOW_PROTO_UDP, FLOW_STATE_NAMES, FlowExpiry, type FlowRecord } from './record.js';
import { ascii, bytesEqual, parseAddress, parseCount, parseTime, quoteField, timeOut } from './text-fields.js';

const COMMA = 0x2c;
const NCOL = CONNECTION_COLUMNS.length;

const C_CONN = CONNECTION_COLUMNS.indexOf('conn');
const C_FIRST = CONNECTION_COLUMNS.indexOf('first_time');
const C_LAST = CONNECTION_COLUMNS.indexOf('last_time');
const C_CLIENT_ADDR = CONNECTION_COLUMNS.indexOf('client_addr');
const C_CLIENT_PORT = CONNECTION_COLUMNS.indexOf('client_port');
const C_SERVER_ADDR = CONNECTION_COLUMNS.indexOf('server_addr');
const C_SERVER_PORT = CONNECTION_COLUMNS.indexOf('server_port');
const C_PROTO = CONNECTION_COLUMNS.indexOf('proto');
const C_PACKETS_C2S = CONNECTION_COLUMNS.indexOf('packets_c2s');
const C_PACKETS_S2C = CONNECTION_COLUMNS.indexOf('packets_s2c');
const C_BYTES_C2S = CONNECTION_COLUMNS.indexOf('bytes_c2s');
const C_BYTES_S2C = CONNECTION_COLUMNS.indexOf('bytes_s2c');
const C_CLOSE = CONNECTION_COLUMNS.indexOf('close');
const C_ACTIVE_UNTIL = CONNECTION_COLUMNS.indexOf('active_until');

const TCP = ascii('tcp');
const UDP = ascii('udp');
/** `close` names as the tool writes them (CLOSE_REASON_NAMES but `open`, never in a row) → FlowState of the same name. */
const CLOSE_STATES: ReadonlyArray<readonly [Uint8Array, number]> = CLOSE_REASON_NAMES.slice(1).map(
  (name) => [ascii(name), FLOW_STATE_NAMES.indexOf(name)] as const,
);

/** Where each field of the current row starts and ends. */
const starts = new Int32Array(NCOL);
const ends = new Int32Array(NCOL);

export class ConnectionsCsvParser {
  private headerSeen = false;
  /** Columns of the header read: NCOL, or NCOL − 1 for the form without `active_until`. */
  private ncol: number = NCOL;

  constructor(
    private readonly file: string,
    private readonly rec: FlowRecord,
    private readonly timeouts: FlowTimeouts,
  ) {}

  private fail(line: number, problem: string): never {
    throw new ReplayError('FLOWLOG_INVALID', `line ${line}: ${problem}`, { file: this.file });
  }

  private bad(lineNo: number, c: number, buf: Uint8Array, what: string): never {
    this.fail(lineNo, `field ${CONNECTION_COLUMNS[c]}: ${quoteField(buf, starts[c], ends[c])} ${what}`);
  }

  /** Parses one line; true when it was a row and `rec` now holds it. */
  line(buf: Uint8Array, start: number, end: number, lineNo: number): boolean {
    if (!this.headerSeen) {
      const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
      if (text === CONNECTIONS_CSV_HEADER_V1) this.ncol = C_ACTIVE_UNTIL;
      else if (text !== CONNECTIONS_CSV_HEADER) this.fail(lineNo, `not the connections CSV header (${CONNECTIONS_CSV_HEADER})`);
      this.headerSeen = true;
      return false;
    }
    if (end === start) return false;
    const ncol = this.ncol;
    let c = 0;
    let pos = start;
    for (;;) {
      let stop = pos;
      while (stop < end && buf[stop] !== COMMA) stop++;
      if (c === ncol) this.fail(lineNo, `more than ${ncol} fields`);
      starts[c] = pos;
      ends[c] = stop;
      c++;
      if (stop >= end) break;
      pos = stop + 1;
    }
    if (c !== ncol) this.fail(lineNo, `${c} fields, the header names ${ncol}`);
    const rec = this.rec;
    rec.line = lineNo;
    rec.seq = this.count(lineNo, C_CONN, buf);
    if (!parseTime(buf, starts[C_FIRST], ends[C_FIRST], false)) this.bad(lineNo, C_FIRST, buf, 'is not a time');
    rec.startSec = timeOut.sec;
    rec.startNsec = timeOut.nsec;
    if (!parseTime(buf, starts[C_LAST], ends[C_LAST], false)) this.bad(lineNo, C_LAST, buf, 'is not a time');
    rec.lastSec = timeOut.sec;
    rec.lastNsec = timeOut.nsec;
    const v1 = parseAddress(buf, starts[C_CLIENT_ADDR], ends[C_CLIENT_ADDR], rec.clientAddr);
    if (v1 === 0) this.bad(lineNo, C_CLIENT_ADDR, buf, 'is not an address');
    const v2 = parseAddress(buf, starts[C_SERVER_ADDR], ends[C_SERVER_ADDR], rec.serverAddr);
    if (v2 === 0) this.bad(lineNo, C_SERVER_ADDR, buf, 'is not an address');
    if (v1 !== v2) this.bad(lineNo, C_SERVER_ADDR, buf, 'is not of the IP version of client_addr');
    rec.ipVersion = v1;
    rec.clientPort = this.port(lineNo, C_CLIENT_PORT, buf);
    rec.serverPort = this.port(lineNo, C_SERVER_PORT, buf);
    if (bytesEqual(buf, starts[C_PROTO], ends[C_PROTO], TCP)) rec.proto = FLOW_PROTO_TCP;
    else if (bytesEqual(buf, starts[C_PROTO], ends[C_PROTO], UDP)) rec.proto = FLOW_PROTO_UDP;
    else this.bad(lineNo, C_PROTO, buf, 'is not tcp or udp');
    rec.packetsC2s = this.count(lineNo, C_PACKETS_C2S, buf);
    rec.packetsS2c = this.count(lineNo, C_PACKETS_S2C, buf);
    rec.bytesC2s = this.count(lineNo, C_BYTES_C2S, buf);
    rec.bytesS2c = this.count(lineNo, C_BYTES_S2C, buf);
    rec.ipBytesC2s = -1;
    rec.ipBytesS2c = -1;
    let state = -1;
    for (const [name, value] of CLOSE_STATES) {
      if (bytesEqual(buf, starts[C_CLOSE], ends[C_CLOSE], name)) {
        state = value;
        break;
      }
    }
    if (state < 0) this.bad(lineNo, C_CLOSE, buf, 'is not a close reason');
    rec.state = state;
    applyEndRule(rec, this.timeouts, false);
    if (ncol === NCOL) {
      // The capture replay's own instant: it replaces the rule's end.
      if (!parseTime(buf, starts[C_ACTIVE_UNTIL], ends[C_ACTIVE_UNTIL], false)) this.bad(lineNo, C_ACTIVE_UNTIL, buf, 'is not a time');
      rec.endSec = timeOut.sec;
      rec.endNsec = timeOut.nsec;
      rec.expiry = FlowExpiry.NONE;
    }
    return true;
  }

  private port(lineNo: number, c: number, buf: Uint8Array): number {
    const p = parseCount(buf, starts[c], ends[c]);
    if (p < 0 || p > 65535) this.bad(lineNo, c, buf, 'is not a port');
    return p;
  }

  private count(lineNo: number, c: number, buf: Uint8Array): number {
    const n = parseCount(buf, starts[c], ends[c]);
    if (n < 0) this.bad(lineNo, c, buf, 'is not a count');
    return n;
  }
}
