/**
 * Zeek's `conn.log` in its tab-separated form (Zeek's ASCII writer,
 * `LogAscii`): header lines starting with `#`, then one row per connection.
 *
 * Header directives (docs/flow-logs.md "Zeek TSV"):
 * - `#separator <sep>` — first line; the separator between the word and the
 *   value is a space, the value is escaped (`\x09` is a tab). It must be one
 *   byte after unescaping.
 * - `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#open`,
 *   `#fields`, `#types`, `#close` — word and values separated by the
 *   separator; values escaped the same way. `#fields` names the columns (the
 *   record's dotted names, `id.orig_h`), `#types` their Zeek types, checked
 *   for the fields used. `#close` ends a log; a new `#separator` may start
 *   another one (logs joined with cat).
 * - any other line starting with `#` is a comment and skipped.
 *
 * Rows are parsed from the bytes, field by field, into the reused FlowRecord;
 * only the columns used are looked at (their list and mapping are in
 * docs/flow-logs.md).
 */
import { ReplayError } from '../errors.js';
import { applyEndRuleWithDuration, type FlowTimeouts } from './end-rule.js';
import { FLOW_PROTO_ICMP, FLOW_PROTO_TCP, FLOW_PROTO_UDP, FLOW_PROTO_UNKNOWN, FlowState, type FlowRecord } from './record.js';
import { ascii, bytesEqual, parseAddress, parseCount, parseTime, quoteField, timeOut } from './text-fields.js';

/** The columns used, by name, with the Zeek type each must have. */
export const ZEEK_FIELDS = [
  ['ts', 'time'],
  ['id.orig_h', 'addr'],
  ['id.orig_p', 'port'],
  ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'],
  ['proto', 'enum'],
  ['duration', 'interval'],
  ['orig_bytes', 'count'],
  ['resp_bytes', 'count'],
  ['conn_state', 'string'],
  ['history', 'string'],
  ['orig_pkts', 'count'],
  ['resp_pkts', 'count'],
  ['orig_ip_bytes', 'count'],
  ['resp_ip_bytes', 'count'],
] as const;

const F_TS = 0;
const F_ORIG_H = 1;
const F_ORIG_P = 2;
const F_RESP_H = 3;
const F_RESP_P = 4;
const F_PROTO = 5;
const F_DURATION = 6;
const F_ORIG_BYTES = 7;
const F_RESP_BYTES = 8;
const F_CONN_STATE = 9;
const F_HISTORY = 10;
const F_ORIG_PKTS = 11;
const F_RESP_PKTS = 12;
const F_ORIG_IP_BYTES = 13;
const F_RESP_IP_BYTES = 14;
/** ts, the four endpoint fields and proto: a log without them cannot be replayed. */
const REQUIRED = [F_TS, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_PROTO];

const HASH = 0x23;
const CH_R = 0x52;
const CH_r = 0x72;

/** Up to 6 ASCII bytes packed into one number (base 256): a map key without making a string. */
function packBytes(buf: Uint8Array, start: number, end: number): number {
  if (end - start > 6) return -1;
  let v = 0;
  for (let i = start; i < end; i++) v = v * 256 + buf[i];
  return v;
}

const packText = (text: string): number => packBytes(ascii(text), 0, text.length);

/** `proto` values (Zeek's transport_proto enum) → IP protocol number. */
const PROTOS = new Map<number, number>([
  [packText('tcp'), FLOW_PROTO_TCP],
  [packText('udp'), FLOW_PROTO_UDP],
  [packText('icmp'), FLOW_PROTO_ICMP],
]);
const UNKNOWN_TRANSPORT = ascii('unknown_transport');

/** Zeek's conn_state values (main.zeek), text → FlowState. */
const ZEEK_STATES = new Map<number, number>(
  (['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'] as const).map((name) => [packText(name), FlowState[name]]),
);

/** `\xHH` escapes (and `\\`) of a Zeek header value, undone. */
export function unescapeZeek(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|\\)/g, (_, e: string) => (e === '\\' ? '\\' : String.fromCharCode(parseInt(e.slice(1), 16))));
}

/** The Zeek TSV parser of one file: header state plus the row parser. */
export class ZeekTsvParser {
  private sep = 0x09;
  private setSeparator = ',';
  private emptyField = ascii('(empty)');
  private unsetField = ascii('-');
  /** Per column of `#fields`: the index in ZEEK_FIELDS, or -1 for a column not used. */
  private columns: Int8Array | undefined;
  private columnNames: string[] = [];
  /** Whether the last log of the file ended with `#close`. */
  closed = false;
  /** Header lines and comments skipped. */
  headerLines = 0;

  constructor(
    private readonly file: string,
    private readonly rec: FlowRecord,
    private readonly timeouts: FlowTimeouts,
  ) {}

  /** The set separator of the current log (sets are not read; kept for completeness). */
  get setSeparatorText(): string {
    return this.setSeparator;
  }

  private fail(line: number, problem: string): never {
    throw new ReplayError('FLOWLOG_INVALID', `line ${line}: ${problem}`, { file: this.file });
  }

  /** Parses one line; true when it was a row and `rec` now holds it. */
  line(buf: Uint8Array, start: number, end: number, lineNo: number): boolean {
    if (end === start) return false;
    if (buf[start] === HASH) {
      this.header(buf, start, end, lineNo);
      return false;
    }
    const columns = this.columns;
    if (columns === undefined) this.fail(lineNo, 'a row before the #fields header');
    if (this.closed) this.fail(lineNo, 'a row after #close');
    const rec = this.rec;
    const sep = this.sep;
    const unset = this.unsetField;
    const ncol = columns.length;
    let hasReset = false;
    let durSec = 0;
    let durNsec = 0;
    let version = 0;
    rec.bytesC2s = 0;
    rec.bytesS2c = 0;
    rec.packetsC2s = -1;
    rec.packetsS2c = -1;
    rec.ipBytesC2s = -1;
    rec.ipBytesS2c = -1;
    rec.state = FlowState.UNSET;
    rec.line = lineNo;
    rec.seq = lineNo;
    let col = 0;
    let pos = start;
    for (;;) {
      let stop = pos;
      while (stop < end && buf[stop] !== sep) stop++;
      if (col >= ncol) this.fail(lineNo, `more fields than the ${ncol} of the #fields header`);
      const f = columns[col];
      if (f >= 0) {
        const isUnset = stop - pos === unset.length && buf[pos] === unset[0] && bytesEqual(buf, pos, stop, unset);
        switch (f) {
          case F_TS:
            if (isUnset || !parseTime(buf, pos, stop, false)) this.bad(lineNo, f, buf, pos, stop, 'is not a time');
            rec.startSec = timeOut.sec;
            rec.startNsec = timeOut.nsec;
            break;
          case F_ORIG_H:
          case F_RESP_H: {
            const v = isUnset ? 0 : parseAddress(buf, pos, stop, f === F_ORIG_H ? rec.clientAddr : rec.serverAddr);
            if (v === 0) this.bad(lineNo, f, buf, pos, stop, 'is not an address');
            if (version !== 0 && v !== version) this.bad(lineNo, f, buf, pos, stop, 'is not of the IP version of the other endpoint');
            version = v;
            rec.ipVersion = v;
            break;
          }
          case F_ORIG_P:
          case F_RESP_P: {
            const p = parseCount(buf, pos, stop);
            if (p < 0 || p > 65535) this.bad(lineNo, f, buf, pos, stop, 'is not a port');
            if (f === F_ORIG_P) rec.clientPort = p;
            else rec.serverPort = p;
            break;
          }
          case F_PROTO: {
            let proto = PROTOS.get(packBytes(buf, pos, stop));
            if (proto === undefined && bytesEqual(buf, pos, stop, UNKNOWN_TRANSPORT)) proto = FLOW_PROTO_UNKNOWN;
            if (proto === undefined) this.bad(lineNo, f, buf, pos, stop, 'is not tcp, udp, icmp or unknown_transport');
            rec.proto = proto;
            break;
          }
          case F_DURATION:
            // Unset when the duration is 0 (one packet, or all at one instant): Zeek's
            // set_conn writes duration, orig_bytes and resp_bytes only when duration > 0.
            if (!isUnset) {
              if (!parseTime(buf, pos, stop, false)) this.bad(lineNo, f, buf, pos, stop, 'is not a duration');
              durSec = timeOut.sec;
              durNsec = timeOut.nsec;
            }
            break;
          case F_CONN_STATE:
            if (!isUnset && !bytesEqual(buf, pos, stop, this.emptyField) && stop > pos) {
              const state = ZEEK_STATES.get(packBytes(buf, pos, stop));
              if (state === undefined) this.bad(lineNo, f, buf, pos, stop, 'is not a Zeek conn_state');
              rec.state = state;
            }
            break;
          case F_HISTORY:
            if (!isUnset) {
              for (let i = pos; i < stop; i++) {
                const c = buf[i];
                if (c === CH_R || c === CH_r) {
                  hasReset = true;
                  break;
                }
              }
            }
            break;
          default: {
            // The counts: orig/resp bytes, packets, IP bytes.
            if (isUnset) break;
            const n = parseCount(buf, pos, stop);
            if (n < 0) this.bad(lineNo, f, buf, pos, stop, 'is not a count');
            if (f === F_ORIG_BYTES) rec.bytesC2s = n;
            else if (f === F_RESP_BYTES) rec.bytesS2c = n;
            else if (f === F_ORIG_PKTS) rec.packetsC2s = n;
            else if (f === F_RESP_PKTS) rec.packetsS2c = n;
            else if (f === F_ORIG_IP_BYTES) rec.ipBytesC2s = n;
            else if (f === F_RESP_IP_BYTES) rec.ipBytesS2c = n;
          }
        }
      }
      col++;
      if (stop >= end) break;
      pos = stop + 1;
    }
    if (col !== ncol) this.fail(lineNo, `${col} fields, the #fields header names ${ncol}`);
    applyEndRuleWithDuration(rec, durSec, durNsec, this.timeouts, hasReset);
    return true;
  }

  private bad(lineNo: number, f: number, buf: Uint8Array, start: number, end: number, what: string): never {
    this.fail(lineNo, `field ${ZEEK_FIELDS[f][0]}: ${quoteField(buf, start, end)} ${what}`);
  }

  private header(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    this.headerLines++;
    const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    if (text.startsWith('#separator ')) {
      const sep = unescapeZeek(text.slice('#separator '.length));
      if (sep.length !== 1 || sep.charCodeAt(0) > 0x7f) {
        this.fail(lineNo, `#separator: ${JSON.stringify(sep)} is not a one-byte separator (the only kind read)`);
      }
      // A new log starts: forget the previous header.
      this.sep = sep.charCodeAt(0);
      this.columns = undefined;
      this.columnNames = [];
      this.closed = false;
      return;
    }
    const sepChar = String.fromCharCode(this.sep);
    let cut = text.indexOf(sepChar);
    // The test suite's canonifier writes `#open XXXX` and `#close XXXX` with a space.
    if (cut < 0) cut = text.indexOf(' ');
    const word = cut < 0 ? text : text.slice(0, cut);
    const rest = cut < 0 ? '' : text.slice(cut + 1);
    switch (word) {
      case '#set_separator':
        this.setSeparator = unescapeZeek(rest);
        return;
      case '#empty_field':
        this.emptyField = Buffer.from(unescapeZeek(rest), 'latin1');
        return;
      case '#unset_field':
        this.unsetField = Buffer.from(unescapeZeek(rest), 'latin1');
        return;
      case '#fields': {
        const names = rest.split(sepChar).map(unescapeZeek);
        if (names.length > 127 * 1024) this.fail(lineNo, '#fields: too many columns');
        const columns = new Int8Array(names.length).fill(-1);
        for (let f = 0; f < ZEEK_FIELDS.length; f++) {
          const at = names.indexOf(ZEEK_FIELDS[f][0]);
          if (at >= 0) columns[at] = f;
        }
        for (const f of REQUIRED) {
          if (!names.includes(ZEEK_FIELDS[f][0])) this.fail(lineNo, `#fields: no ${ZEEK_FIELDS[f][0]} column`);
        }
        this.columns = columns;
        this.columnNames = names;
        this.closed = false;
        return;
      }
      case '#types': {
        if (this.columns === undefined) this.fail(lineNo, '#types before #fields');
        const types = rest.split(sepChar).map(unescapeZeek);
        if (types.length !== this.columnNames.length) {
          this.fail(lineNo, `#types: ${types.length} types for the ${this.columnNames.length} #fields`);
        }
        for (let c = 0; c < types.length; c++) {
          const f = this.columns[c];
          if (f >= 0 && types[c] !== ZEEK_FIELDS[f][1]) {
            this.fail(lineNo, `#types: field ${ZEEK_FIELDS[f][0]} is of type ${types[c]}, not ${ZEEK_FIELDS[f][1]}`);
          }
        }
        return;
      }
      case '#close':
        this.closed = true;
        return;
      default:
        // #path, #open, and any other comment line.
        return;
    }
  }
}
