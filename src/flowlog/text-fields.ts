/**
 * Field parsers that read a flow log's text straight from the bytes of a line
 * (ASCII), without making a string per field: the reader's hot path parses
 * every record this way (STYLE hot path: no strings per record). Each parser
 * returns false (or -1) when the bytes are not a value of its kind; the caller
 * turns that into a `FLOWLOG_INVALID` error naming the line and the field.
 */
import { NS_PER_SEC } from '../time.js';

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_DOT = 0x2e;
const CH_COLON = 0x3a;
const CH_MINUS = 0x2d;

/** Largest whole number a field may hold: 2^53 − 1, exact in a double. */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * A non-negative decimal integer in buf[start, end) (digits only), or -1.
 * Zeek's `count` and `port` fields, the CSV's counters.
 */
export function parseCount(buf: Uint8Array, start: number, end: number): number {
  if (start >= end || end - start > 16) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] - CH_0;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= MAX_COUNT ? v : -1;
}

/** Where `parseTime` puts its result: whole seconds and nanoseconds (0 ≤ nsec < 1e9). */
export const timeOut = { sec: 0, nsec: 0 };

/**
 * A decimal number of seconds in buf[start, end): digits, optionally a point
 * and up to any number of decimals (beyond the 9th they are floored, as finer
 * capture resolutions are, SPEC §1), optionally a leading `-` when `signed`.
 * No exponent form. Writes `timeOut` (for a negative value: sec < 0 and
 * 0 ≤ nsec < 1e9, so −0.25 is (−1, 750000000)) and returns true, or returns
 * false. Exact: never goes through a double of seconds.
 */
export function parseTime(buf: Uint8Array, start: number, end: number, signed: boolean): boolean {
  let i = start;
  let negative = false;
  if (signed && i < end && buf[i] === CH_MINUS) {
    negative = true;
    i++;
  }
  const intStart = i;
  let sec = 0;
  while (i < end) {
    const c = buf[i];
    if (c < CH_0 || c > CH_9) break;
    sec = sec * 10 + (c - CH_0);
    i++;
  }
  if (i === intStart || i - intStart > 15) return false;
  let nsec = 0;
  if (i < end) {
    if (buf[i] !== CH_DOT) return false;
    i++;
    const fracStart = i;
    let scale = 100_000_000;
    while (i < end) {
      const c = buf[i];
      if (c < CH_0 || c > CH_9) return false;
      nsec += (c - CH_0) * scale;
      scale = scale / 10;
      if (scale < 1) scale = 0;
      i++;
    }
    if (i === fracStart) return false;
  }
  if (negative && (sec !== 0 || nsec !== 0)) {
    if (nsec === 0) {
      sec = -sec;
    } else {
      sec = -sec - 1;
      nsec = NS_PER_SEC - nsec;
    }
  }
  timeOut.sec = sec;
  timeOut.nsec = nsec;
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Dotted-quad IPv4 in buf[start, end) as one 32-bit word, or -1. */
function parseIPv4Word(buf: Uint8Array, start: number, end: number): number {
  let word = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === CH_DOT) {
      if (digits === 0 || dots === 3) return -1;
      word = word * 256 + part;
      part = 0;
      digits = 0;
      dots++;
      continue;
    }
    const d = c - CH_0;
    if (d < 0 || d > 9 || digits === 3) return -1;
    part = part * 10 + d;
    if (part > 255) return -1;
    digits++;
  }
  if (dots !== 3 || digits === 0) return -1;
  return word * 256 + part;
}

const groups = new Uint16Array(8);

/**
 * An IPv4 (dotted quad) or IPv6 (RFC 4291 §2.2 text: hex groups, one `::`,
 * an IPv4 tail) address in buf[start, end) into `words` (four 32-bit words in
 * network order, IPv4 in word 0 and the others 0, as `DecodedPacket`).
 * Returns 4 or 6, or 0 when the text is not an address.
 */
export function parseAddress(buf: Uint8Array, start: number, end: number, words: Uint32Array): number {
  // IPv4 first (the common case, one pass); any colon means IPv6.
  const w = parseIPv4Word(buf, start, end);
  if (w >= 0) {
    words[0] = w;
    words[1] = 0;
    words[2] = 0;
    words[3] = 0;
    return 4;
  }
  let hasColon = false;
  for (let i = start; i < end; i++) {
    if (buf[i] === CH_COLON) {
      hasColon = true;
      break;
    }
  }
  if (!hasColon) return 0;
  // IPv6: groups before `::` fill from the front, the ones after it are moved to the back.
  let n = 0;
  let gap = -1;
  let i = start;
  if (end - start >= 2 && buf[start] === CH_COLON && buf[start + 1] === CH_COLON) {
    gap = 0;
    i = start + 2;
    if (i === end) {
      words.fill(0);
      return 6;
    }
  } else if (buf[start] === CH_COLON) {
    return 0;
  }
  for (;;) {
    // One group, or an IPv4 tail.
    const gStart = i;
    let v = 0;
    let digits = 0;
    let isV4 = false;
    while (i < end && buf[i] !== CH_COLON) {
      if (buf[i] === CH_DOT) isV4 = true;
      i++;
    }
    if (isV4) {
      if (i !== end || n > 6) return 0;
      const w = parseIPv4Word(buf, gStart, i);
      if (w < 0) return 0;
      groups[n++] = w >>> 16;
      groups[n++] = w & 0xffff;
      break;
    }
    for (let j = gStart; j < i; j++) {
      const h = hexValue(buf[j]);
      if (h < 0) return 0;
      v = v * 16 + h;
      digits++;
    }
    if (digits === 0 || digits > 4 || n === 8) return 0;
    groups[n++] = v;
    if (i === end) break;
    i++; // the colon
    if (i < end && buf[i] === CH_COLON) {
      if (gap >= 0) return 0;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return 0;
    }
  }
  if (gap < 0) {
    if (n !== 8) return 0;
  } else {
    if (n > 7) return 0;
    const tail = n - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k];
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  for (let k = 0; k < 4; k++) words[k] = ((groups[2 * k] << 16) | groups[2 * k + 1]) >>> 0;
  return 6;
}

/** buf[start, end) holds exactly the ASCII bytes of `text` (header words, enum values). */
export function bytesEqual(buf: Uint8Array, start: number, end: number, text: Uint8Array): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[start + i] !== text[i]) return false;
  return true;
}

/** The ASCII bytes of a constant. */
export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/**
 * A field's text for an error message: at most 40 characters, non-printable
 * bytes as `\xHH` (Zeek's own escape), so a message stays one line.
 */
export function quoteField(buf: Uint8Array, start: number, end: number): string {
  let out = '';
  const stop = Math.min(end, start + 40);
  for (let i = start; i < stop; i++) {
    const c = buf[i];
    out += c >= 0x20 && c < 0x7f && c !== 0x27 && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  if (end > stop) out += '…';
  return `'${out}'`;
}
