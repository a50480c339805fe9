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

/** A column the reader does not use. */
const NOT_USED = -1;
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
const CH_0 = 0x30;
const CH_DOT = 0x2e;
const CH_c = 0x63;
const CH_d = 0x64;
const CH_p = 0x70;
const CH_t = 0x74;
const CH_u = 0x75;

/** Nanoseconds per unit of the last of n decimals (n = 1…9). */
const DECIMAL_SCALE = [0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

/** A byte that may start a value of a used field (a digit or a letter), or be part of a number (a point, a colon). */
function valueByte(c: number | undefined): boolean {
  return c === undefined || (c >= 0x30 && c <= 0x3a) || c === CH_DOT || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

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

const P_SF = packText('SF');
const P_S0 = packText('S0');
const P_S1 = packText('S1');
const P_REJ = packText('REJ');
const P_RSTO = packText('RSTO');
const P_OTH = packText('OTH');

/** A conn_state packed by packBytes → FlowState; UNSET when it is not one (ZEEK_STATES has them all). */
function zeekState(packed: number): number {
  // The frequent ones first, without the map.
  if (packed === P_SF) return FlowState.SF;
  if (packed === P_S0) return FlowState.S0;
  if (packed === P_REJ) return FlowState.REJ;
  if (packed === P_RSTO) return FlowState.RSTO;
  if (packed === P_S1) return FlowState.S1;
  if (packed === P_OTH) return FlowState.OTH;
  return ZEEK_STATES.get(packed) ?? FlowState.UNSET;
}

/** `\xHH` escapes (and `\`) of a Zeek header value, undone. */
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
  /**
   * Whether rows take the fast path (`line`): the separator, the unset and
   * the empty texts cannot be mistaken for a value (the usual tab, `-` and
   * `(empty)`). Otherwise every field takes the general way.
   */
  private fast = true;
  // Per row, while it is read.
  private hasReset = false;
  private durSec = 0;
  private durNsec = 0;
  private version = 0;
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
    const fast = this.fast;
    const ncol = columns.length;
    this.hasReset = false;
    this.durSec = 0;
    this.durNsec = 0;
    this.version = 0;
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
      if (col >= ncol) this.fail(lineNo, `more fields than the ${ncol} of the #fields header`);
      const f = columns[col];
      // `stop`: where the field ends (its separator, or the end of the line);
      // -1 when the fast path below did not take the field (an unset field,
      // an IPv6 address, an error…): then the general `field` reads it.
      let stop = -1;
      if (fast || f < 0) {
        // The common forms, read in the same pass that finds the field's end.
        switch (f) {
          case NOT_USED:
            stop = pos;
            while (stop < end && buf[stop] !== sep) stop++;
            break;
          case F_TS:
          case F_DURATION: {
            // Digits, a point, 1 to 9 decimals: parseTime's result, exactly.
            let p = pos;
            let sec = 0;
            while (p < end) {
              const d = buf[p] - CH_0;
              if (d < 0 || d > 9) break;
              sec = sec * 10 + d;
              p++;
            }
            if (p === pos || p - pos > 15 || p === end || buf[p] !== CH_DOT) break;
            const fracStart = ++p;
            let frac = 0;
            while (p < end) {
              const d = buf[p] - CH_0;
              if (d < 0 || d > 9) break;
              frac = frac * 10 + d;
              p++;
            }
            const decimals = p - fracStart;
            if (decimals === 0 || decimals > 9 || (p < end && buf[p] !== sep)) break;
            const nsec = frac * DECIMAL_SCALE[decimals];
            if (f === F_TS) {
              rec.startSec = sec;
              rec.startNsec = nsec;
            } else {
              this.durSec = sec;
              this.durNsec = nsec;
            }
            stop = p;
            break;
          }
          case F_ORIG_H:
          case F_RESP_H: {
            // A dotted quad, as parseAddress reads it.
            let p = pos;
            let word = 0;
            let part = 0;
            let digits = 0;
            let dots = 0;
            for (; p < end; p++) {
              const c = buf[p];
              if (c === CH_DOT) {
                if (digits === 0 || dots === 3) break;
                word = word * 256 + part;
                part = 0;
                digits = 0;
                dots++;
                continue;
              }
              const d = c - CH_0;
              if (d < 0 || d > 9 || digits === 3) break;
              part = part * 10 + d;
              if (part > 255) break;
              digits++;
            }
            if (dots !== 3 || digits === 0 || (p < end && buf[p] !== sep)) break;
            if (this.version === 6) this.bad(lineNo, f, buf, pos, p, 'is not of the IP version of the other endpoint');
            const words = f === F_ORIG_H ? rec.clientAddr : rec.serverAddr;
            words[0] = word * 256 + part;
            words[1] = 0;
            words[2] = 0;
            words[3] = 0;
            this.version = 4;
            rec.ipVersion = 4;
            stop = p;
            break;
          }
          case F_PROTO: {
            // tcp, udp (icmp and unknown_transport take the general way).
            if (pos + 3 > end || (pos + 3 < end && buf[pos + 3] !== sep)) break;
            const a = buf[pos];
            const b = buf[pos + 1];
            const c = buf[pos + 2];
            if (a === CH_t && b === CH_c && c === CH_p) rec.proto = FLOW_PROTO_TCP;
            else if (a === CH_u && b === CH_d && c === CH_p) rec.proto = FLOW_PROTO_UDP;
            else break;
            stop = pos + 3;
            break;
          }
          case F_CONN_STATE: {
            let p = pos;
            while (p < end && buf[p] !== sep) p++;
            const state = zeekState(packBytes(buf, pos, p));
            if (state === FlowState.UNSET) break;
            rec.state = state;
            stop = p;
            break;
          }
          case F_HISTORY: {
            let p = pos;
            let reset = false;
            for (; p < end; p++) {
              const c = buf[p];
              if (c === sep) break;
              // R or r.
              if ((c | 0x20) === CH_r) reset = true;
            }
            // An unset history (whatever the #unset_field text holds) says nothing.
            if (reset && !this.isUnset(buf, pos, p)) this.hasReset = true;
            stop = p;
            break;
          }
          default: {
            // Ports and counts: digits only, as parseCount reads them.
            let p = pos;
            let n = 0;
            while (p < end) {
              const d = buf[p] - CH_0;
              if (d < 0 || d > 9) break;
              n = n * 10 + d;
              p++;
            }
            // Up to 15 digits (16 take the general way, which checks 2^53).
            if (p === pos || p - pos > 15 || (p < end && buf[p] !== sep)) break;
            switch (f) {
              case F_ORIG_P:
              case F_RESP_P:
                if (n > 65535) this.bad(lineNo, f, buf, pos, p, 'is not a port');
                if (f === F_ORIG_P) rec.clientPort = n;
                else rec.serverPort = n;
                break;
              case F_ORIG_BYTES:
                rec.bytesC2s = n;
                break;
              case F_RESP_BYTES:
                rec.bytesS2c = n;
                break;
              case F_ORIG_PKTS:
                rec.packetsC2s = n;
                break;
              case F_RESP_PKTS:
                rec.packetsS2c = n;
                break;
              case F_ORIG_IP_BYTES:
                rec.ipBytesC2s = n;
                break;
              default:
                rec.ipBytesS2c = n;
            }
            stop = p;
          }
        }
      }
      if (stop < 0) {
        stop = pos;
        while (stop < end && buf[stop] !== sep) stop++;
        this.field(f, buf, pos, stop, lineNo);
      }
      col++;
      if (stop >= end) break;
      pos = stop + 1;
    }
    if (col !== ncol) this.fail(lineNo, `${col} fields, the #fields header names ${ncol}`);
    applyEndRuleWithDuration(rec, this.durSec, this.durNsec, this.timeouts, this.hasReset);
    return true;
  }

  /** buf[start, end) is the #unset_field text. */
  private isUnset(buf: Uint8Array, start: number, end: number): boolean {
    const unset = this.unsetField;
    return end - start === unset.length && buf[start] === unset[0] && bytesEqual(buf, start, end, unset);
  }

  /** Reads used field `f` = buf[pos, stop) into the record, any form; throws on a bad value. */
  private field(f: number, buf: Uint8Array, pos: number, stop: number, lineNo: number): void {
    const rec = this.rec;
    const isUnset = this.isUnset(buf, pos, stop);
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
        if (this.version !== 0 && v !== this.version) this.bad(lineNo, f, buf, pos, stop, 'is not of the IP version of the other endpoint');
        this.version = v;
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
          this.durSec = timeOut.sec;
          this.durNsec = timeOut.nsec;
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
              this.hasReset = true;
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

  /** See `fast`. */
  private fastPossible(): boolean {
    return !valueByte(this.sep) && !valueByte(this.unsetField[0]) && !valueByte(this.emptyField[0]);
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
      this.fast = this.fastPossible();
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
        this.fast = this.fastPossible();
        return;
      case '#unset_field':
        this.unsetField = Buffer.from(unescapeZeek(rest), 'latin1');
        this.fast = this.fastPossible();
        return;
      case '#fields': {
        const names = rest.split(sepChar).map(unescapeZeek);
        if (names.length > 127 * 1024) this.fail(lineNo, '#fields: too many columns');
        const columns = new Int8Array(names.length).fill(NOT_USED);
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
