/**
 * Zeek's `conn.log` in its JSON-lines form (`LogAscii::use_json=T`): one
 * object per line with the same field names as the TSV columns (`id.orig_h`),
 * or, with nested records, an `id` object holding `orig_h`…; unset fields are
 * left out. `ts` is a number of epoch seconds, or an ISO 8601 text
 * (`JSON::TS_ISO8601`). Numbers are read from their own digits, not from the
 * double JSON.parse makes, so `ts` and `duration` stay exact to the
 * nanosecond (docs/flow-logs.md "Zeek JSON").
 */
import { ReplayError } from '../errors.js';
import { applyEndRuleWithDuration, type FlowTimeouts } from './end-rule.js';
import { FLOW_PROTO_ICMP, FLOW_PROTO_TCP, FLOW_PROTO_UDP, FLOW_PROTO_UNKNOWN, FlowState, type FlowRecord } from './record.js';
import { parseAddress, parseTime, timeOut } from './text-fields.js';

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

const PROTOS: Record<string, number> = { tcp: FLOW_PROTO_TCP, udp: FLOW_PROTO_UDP, icmp: FLOW_PROTO_ICMP, unknown_transport: FLOW_PROTO_UNKNOWN };
const STATES: Record<string, number> = {
  S0: FlowState.S0,
  S1: FlowState.S1,
  SF: FlowState.SF,
  REJ: FlowState.REJ,
  S2: FlowState.S2,
  S3: FlowState.S3,
  RSTO: FlowState.RSTO,
  RSTR: FlowState.RSTR,
  RSTOS0: FlowState.RSTOS0,
  RSTRH: FlowState.RSTRH,
  SH: FlowState.SH,
  SHR: FlowState.SHR,
  OTH: FlowState.OTH,
};

/** The digits of a JSON number as it appears after `"key":` in the line, or undefined. */
function numberText(line: string, key: string): string | undefined {
  const m = new RegExp(`"${key.replace('.', '\\.')}"\\s*:\\s*(-?[0-9][0-9.eE+-]*)`).exec(line);
  return m ? m[1] : undefined;
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return `'${s.length > 40 ? `${s.slice(0, 40)}…` : s}'`;
}

export class ZeekJsonParser {
  constructor(
    private readonly file: string,
    private readonly rec: FlowRecord,
    private readonly timeouts: FlowTimeouts,
  ) {}

  private fail(line: number, problem: string): never {
    throw new ReplayError('FLOWLOG_INVALID', `line ${line}: ${problem}`, { file: this.file });
  }

  /** Parses one line; true when it was a record and `rec` now holds it (blank lines are skipped). */
  line(buf: Uint8Array, start: number, end: number, lineNo: number): boolean {
    const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    if (text.trim() === '') return false;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (err) {
      this.fail(lineNo, `not a JSON object (${(err as Error).message})`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) this.fail(lineNo, 'not a JSON object');
    const obj = o as Record<string, unknown>;
    const id = typeof obj.id === 'object' && obj.id !== null ? (obj.id as Record<string, unknown>) : undefined;
    const get = (name: string): unknown => (name.startsWith('id.') && id !== undefined ? id[name.slice(3)] : obj[name]);
    const rec = this.rec;
    rec.line = lineNo;
    rec.seq = lineNo;

    this.time(lineNo, text, 'ts', get('ts'), false);
    rec.startSec = timeOut.sec;
    rec.startNsec = timeOut.nsec;
    let durSec = 0;
    let durNsec = 0;
    const duration = get('duration');
    if (duration !== undefined && duration !== null) {
      this.time(lineNo, text, 'duration', duration, true);
      durSec = timeOut.sec;
      durNsec = timeOut.nsec;
    }
    const v1 = this.address(lineNo, 'id.orig_h', get('id.orig_h'), rec.clientAddr);
    const v2 = this.address(lineNo, 'id.resp_h', get('id.resp_h'), rec.serverAddr);
    if (v1 !== v2) this.fail(lineNo, `field id.resp_h: ${show(get('id.resp_h'))} is not of the IP version of id.orig_h`);
    rec.ipVersion = v1;
    rec.clientPort = this.port(lineNo, 'id.orig_p', get('id.orig_p'));
    rec.serverPort = this.port(lineNo, 'id.resp_p', get('id.resp_p'));
    const proto = get('proto');
    if (typeof proto !== 'string' || !(proto in PROTOS)) this.fail(lineNo, `field proto: ${show(proto)} is not tcp, udp, icmp or unknown_transport`);
    rec.proto = PROTOS[proto];
    rec.bytesC2s = this.count(lineNo, 'orig_bytes', get('orig_bytes'), 0);
    rec.bytesS2c = this.count(lineNo, 'resp_bytes', get('resp_bytes'), 0);
    rec.packetsC2s = this.count(lineNo, 'orig_pkts', get('orig_pkts'), -1);
    rec.packetsS2c = this.count(lineNo, 'resp_pkts', get('resp_pkts'), -1);
    rec.ipBytesC2s = this.count(lineNo, 'orig_ip_bytes', get('orig_ip_bytes'), -1);
    rec.ipBytesS2c = this.count(lineNo, 'resp_ip_bytes', get('resp_ip_bytes'), -1);
    const state = get('conn_state');
    if (state === undefined || state === null || state === '') {
      rec.state = FlowState.UNSET;
    } else {
      if (typeof state !== 'string' || !(state in STATES)) this.fail(lineNo, `field conn_state: ${show(state)} is not a Zeek conn_state`);
      rec.state = STATES[state];
    }
    const history = get('history');
    const hasReset = typeof history === 'string' && /[Rr]/.test(history);
    applyEndRuleWithDuration(rec, durSec, durNsec, this.timeouts, hasReset);
    return true;
  }

  /** A time (`ts`) or an interval (`duration`) into timeOut, exactly. */
  private time(lineNo: number, line: string, name: string, value: unknown, isInterval: boolean): void {
    if (typeof value === 'number') {
      // The number's own digits; the double agrees with them unless the key is repeated.
      const digits = numberText(line, name);
      const text = digits !== undefined && Number(digits) === value ? digits : String(value);
      const bytes = Buffer.from(text, 'latin1');
      if (parseTime(bytes, 0, bytes.length, false)) return;
    } else if (typeof value === 'string' && !isInterval) {
      const m = ISO_TIME.exec(value);
      if (m) {
        let sec = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
        if (m[8] !== undefined) sec -= (m[8] === '-' ? -1 : 1) * (+m[9] * 3600 + +m[10] * 60);
        const frac = m[7] ?? '';
        timeOut.sec = sec;
        timeOut.nsec = frac === '' ? 0 : Number(frac.slice(0, 9).padEnd(9, '0'));
        if (Number.isFinite(sec) && sec >= 0) return;
      }
    }
    this.fail(lineNo, `field ${name}: ${show(value)} is not ${isInterval ? 'a duration' : 'a time'}`);
  }

  private address(lineNo: number, name: string, value: unknown, words: Uint32Array): number {
    if (typeof value === 'string') {
      const bytes = Buffer.from(value, 'latin1');
      const v = parseAddress(bytes, 0, bytes.length, words);
      if (v !== 0) return v;
    }
    this.fail(lineNo, `field ${name}: ${show(value)} is not an address`);
  }

  private port(lineNo: number, name: string, value: unknown): number {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return value;
    this.fail(lineNo, `field ${name}: ${show(value)} is not a port`);
  }

  private count(lineNo: number, name: string, value: unknown, unset: number): number {
    if (value === undefined || value === null) return unset;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    this.fail(lineNo, `field ${name}: ${show(value)} is not a count`);
  }
}
