/**
 * The Zeek TSV reader's fast path (common forms read in the pass that finds a
 * field's end) against its general path (every field found first, then read
 * by text-fields' parsers): on any row, both give the same record or the same
 * error. The general path is forced by an `#empty_field` starting with a
 * letter, which could be mistaken for a value (see ZeekTsvParser `fast`); the
 * rows below never hold that text nor `(empty)`, so it changes nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/errors.js';
import { FlowRecord } from '../../src/flowlog/record.js';
import { ZeekTsvParser } from '../../src/flowlog/zeek-tsv.js';

const FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes'];
const TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'interval', 'count', 'count', 'string', 'string', 'count', 'count', 'count', 'count'];

function header(emptyField: string, unsetField: string): string[] {
  return ['#separator \\x09', '#set_separator\t,', `#empty_field\t${emptyField}`, `#unset_field\t${unsetField}`, '#path\tconn', `#fields\t${FIELDS.join('\t')}`, `#types\t${TYPES.join('\t')}`];
}

/** Reads `rows` after the header; per row, the record's fields or the error message. */
function readRows(emptyField: string, rows: readonly string[], unsetField = '-'): unknown[] {
  const rec = new FlowRecord();
  const T = { sec: 300, nsec: 0 };
  const parser = new ZeekTsvParser('conn.log', rec, { idle: T, syn: { sec: 60, nsec: 0 }, udp: { sec: 60, nsec: 0 } });
  const lines = header(emptyField, unsetField);
  lines.forEach((text, i) => {
    const buf = Buffer.from(text, 'latin1');
    parser.line(buf, 0, buf.length, i + 1);
  });
  return rows.map((text, i) => {
    // The row inside a larger buffer, as a chunk holds it.
    const buf = Buffer.from(`xx\t${text}\n-`, 'latin1');
    try {
      expect(parser.line(buf, 3, buf.length - 2, lines.length + 1 + i)).toBe(true);
      return { ...rec, clientAddr: [...rec.clientAddr], serverAddr: [...rec.serverAddr] };
    } catch (err) {
      if (!(err instanceof ReplayError)) throw err;
      return `${err.code}: ${err.message}`;
    }
  });
}

const digits = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
// Each field: mostly a usual value, so that a row's first odd field is often the only one.
const time = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(digits(1, 10), digits(1, 9)).map(([a, b]) => `${a}.${b}`) },
  { weight: 2, arbitrary: fc.tuple(digits(1, 17), digits(0, 12)).map(([a, b]) => (b === '' ? `${a}.` : `${a}.${b}`)) },
  { weight: 1, arbitrary: digits(0, 16) },
  { weight: 1, arbitrary: fc.constantFrom('-', '-R', '', '1700000000.5x', '.5', '1.2.3', '-1.5', '1e9', ' 1.0', '1700000000.123456', '123456789012345.5', '1234567890123456.5', '1.1234567891') },
);
const octet = fc.oneof({ weight: 20, arbitrary: fc.nat({ max: 255 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('', '00', '000', '0001', '256', '300', '999', 'a') });
const address = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')) },
  { weight: 1, arbitrary: fc.tuple(octet, octet, octet).map((o) => o.join('.')) },
  { weight: 1, arbitrary: fc.tuple(octet, octet, octet, octet, octet).map((o) => o.join('.')) },
  { weight: 3, arbitrary: fc.constantFrom('2001:db8::1', '::', '::ffff:10.0.0.1', 'fe80::1:2:3', '1:2:3:4:5:6:7:8', '-', '-R', '', '10.0.0.1:80', '10..0.1') },
);
const count = fc.oneof(
  { weight: 20, arbitrary: digits(1, 6) },
  { weight: 2, arbitrary: digits(1, 18) },
  { weight: 1, arbitrary: fc.constantFrom('-', '-R', '', '65535', '65536', '9007199254740991', '9007199254740992', '12a', '+1', ' 1', 'empty)', '123456789012345', '1234567890123456', '12345678901234567') },
);
const proto = fc.oneof({ weight: 10, arbitrary: fc.constantFrom('tcp', 'udp') }, { weight: 1, arbitrary: fc.constantFrom('icmp', 'unknown_transport', 'tcpx', 'TCP', 'tc', 'udpp', '-', '') });
const state = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('SF', 'S0', 'S1', 'S2', 'S3', 'REJ', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH') },
  { weight: 1, arbitrary: fc.constantFrom('SFX', 'sf', 'RSTOS00', '-', '-R', '') },
);
const history = fc.oneof(fc.string({ unit: fc.constantFrom(...'ShADadFfRrTtCc^'), maxLength: 10 }), fc.constantFrom('-', '-R', ''));

const row = fc
  .tuple(time, address, count, address, count, proto, time, count, count, state, history, count, count, count, count, fc.nat({ max: 20 }))
  .map(([ts, oh, op, rh, rp, pr, dur, ob, rb, st, hi, opk, oib, rpk, rib, cut]) => {
    const fields = [ts, 'CabcD1', oh, op, rh, rp, pr, dur, ob, rb, st, hi, opk, oib, rpk, rib];
    // Now and then a row with a field too many or too few.
    if (cut === 0) fields.push('extra');
    if (cut === 1) fields.pop();
    return fields.join('\t');
  });

describe('Zeek TSV fast path', () => {
  it('reads every row as the general path does: same record, or same error', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), fc.constantFrom('-', '-R'), (rows, unset) => {
        expect(readRows('(empty)', rows, unset)).toEqual(readRows('EMPTY', rows, unset));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a typical row to the nanosecond', () => {
    const [got] = readRows('(empty)', ['1700000000.123456789\tC1\t10.1.2.3\t51000\t192.0.2.80\t443\ttcp\t2.5\t400\t20000\tRSTO\tShADadR\t5\t660\t16\t20832']);
    expect(got).toMatchObject({
      startSec: 1_700_000_000,
      startNsec: 123_456_789,
      lastSec: 1_700_000_002,
      lastNsec: 623_456_789,
      clientAddr: [0x0a010203, 0, 0, 0],
      serverAddr: [0xc0000250, 0, 0, 0],
      clientPort: 51000,
      serverPort: 443,
      proto: 6,
      bytesC2s: 400,
      bytesS2c: 20000,
      packetsC2s: 5,
      ipBytesC2s: 660,
      packetsS2c: 16,
      ipBytesS2c: 20832,
      ipVersion: 4,
    });
  });
});
