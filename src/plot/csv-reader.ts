/**
 * Reads the tool's own CSV outputs back (issue 9): RFC 4180 records — fields
 * separated by `,`, a field quoted with `"` when it holds `,`, `"` or a line
 * break, `""` for a quote inside it — ended by LF or CRLF, a last record with
 * or without its line end. A UTF-8 byte-order mark at the start is skipped
 * (a file saved by a spreadsheet).
 *
 * The parser walks the bytes, not a decoded string, so every record is
 * reported with the byte offset of its first byte, and errors name it as the
 * capture errors do (`FILE: PROBLEM at byte N`). The delimiters are ASCII,
 * and no byte of a multi-byte UTF-8 sequence is ASCII, so splitting bytes is
 * safe for any UTF-8 text.
 */
import { ReplayError } from '../errors.js';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Called once per record with its fields and the offset of its first byte. */
export type CsvRecordHandler = (fields: string[], offset: number) => void;

function bad(file: string, problem: string, offset: number): ReplayError {
  return new ReplayError('CSV_INVALID', problem, { file, offset });
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Parses `bytes` as CSV, calling `onRecord` for every record in order. */
export function readCsv(bytes: Uint8Array, file: string, onRecord: CsvRecordHandler): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The tool's CSVs are ASCII: then a character index is a byte offset, and
  // lines split by the engine's own string functions (5–10× faster in a
  // short-lived process than a byte loop that has not been optimised yet).
  const text = buf.toString('latin1');
  if (!NON_ASCII.test(text)) {
    readAsciiCsv(text, buf, file, onRecord);
    return;
  }
  readCsvBytes(buf, 0, file, onRecord);
}

/** ASCII text: a line without a quote is split on commas; a line with one goes to the byte parser. */
function readAsciiCsv(text: string, buf: Buffer, file: string, onRecord: CsvRecordHandler): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const lf = text.indexOf('\n', i);
    const lineEnd = lf < 0 ? n : lf;
    let line = text.slice(i, lineEnd);
    if (line.includes('"')) {
      // Quoted fields may hold line breaks: parse from here to the end as bytes.
      readCsvBytes(buf, i, file, onRecord);
      return;
    }
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const cr = line.indexOf('\r');
    if (cr >= 0) throw bad(file, 'carriage return inside an unquoted field', i + cr);
    onRecord(line.split(','), i);
    i = lineEnd + 1;
  }
}

/** The byte parser, from offset `from`. */
function readCsvBytes(buf: Buffer, from: number, file: string, onRecord: CsvRecordHandler): void {
  const n = buf.length;
  let i = from === 0 && n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : from;
  while (i < n) {
    const recordStart = i;
    const fields: string[] = [];
    for (;;) {
      // One field starting at i.
      if (i < n && buf[i] === QUOTE) {
        const quoteAt = i;
        i++;
        let text = '';
        let from = i;
        for (;;) {
          if (i >= n) throw bad(file, 'quoted field not closed', quoteAt);
          if (buf[i] === QUOTE) {
            if (i + 1 < n && buf[i + 1] === QUOTE) {
              text += buf.toString('utf8', from, i + 1);
              i += 2;
              from = i;
              continue;
            }
            text += buf.toString('utf8', from, i);
            i++;
            break;
          }
          i++;
        }
        fields.push(text);
        if (i < n && buf[i] !== COMMA && buf[i] !== LF && !(buf[i] === CR && buf[i + 1] === LF)) {
          throw bad(file, 'unexpected character after a closing quote', i);
        }
      } else {
        const from = i;
        while (i < n && buf[i] !== COMMA && buf[i] !== LF) {
          if (buf[i] === QUOTE) throw bad(file, 'quote inside an unquoted field', i);
          if (buf[i] === CR) {
            if (buf[i + 1] === LF) break;
            throw bad(file, 'carriage return inside an unquoted field', i);
          }
          i++;
        }
        fields.push(buf.toString('utf8', from, i));
      }
      if (i < n && buf[i] === COMMA) {
        i++;
        continue;
      }
      // End of record: CRLF, LF or the end of the data.
      if (i < n && buf[i] === CR) i++;
      if (i < n && buf[i] === LF) i++;
      break;
    }
    onRecord(fields, recordStart);
  }
}
