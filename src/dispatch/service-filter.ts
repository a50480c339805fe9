/**
 * `--service ADDR[/PREFIX][:PORT]` (SPEC §4): the replay keeps only the
 * connections whose SERVER endpoint matches one of the given services; the
 * others are still tracked and counted, but never dispatched or sampled.
 *
 * Accepted forms (whitespace around the text is ignored):
 * - IPv4: `192.0.2.10`, `192.0.2.0/24`, `192.0.2.10:443`, `192.0.2.0/24:443`;
 * - IPv6: `2001:db8::1`, `2001:db8::/32` (no port), and in brackets when a
 *   port follows or for clarity: `[2001:db8::1]`, `[2001:db8::1]:443`,
 *   `[2001:db8::]/32`, `[2001:db8::]/32:443`;
 *   embedded IPv4 (`::ffff:192.0.2.1`) is accepted.
 * PREFIX defaults to the full address (32 or 128); PORT to any port. A prefix
 * with host bits set (`192.0.2.10/24`) is refused, as tcpdump's `net` does,
 * so a typo cannot silently widen the match. An IPv4 service never matches
 * an IPv6 server (IPv4-mapped addresses included) and vice versa.
 */
import { ReplayError } from '../errors.js';
import type { Endpoints } from './policy.js';

export interface ServiceSpec {
  /** The text as given (for the summary). */
  readonly text: string;
  readonly ipVersion: 4 | 6;
  /** Network address, four 32-bit words in network order (IPv4 in word 0), host bits zero. */
  readonly addr: Uint32Array;
  /** 0–32 for IPv4, 0–128 for IPv6. */
  readonly prefixLength: number;
  /** 0–65535, or -1 for any port. */
  readonly port: number;
}

function invalid(text: string, problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', `option --service: '${text}' ${problem}`);
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let word = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const byte = Number(part);
    if (byte > 255) return undefined;
    word = word * 256 + byte;
  }
  return word;
}

/** Parses IPv6 text (RFC 4291 §2.2, with `::` and a trailing dotted IPv4) into 8 groups. */
function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let tail = '';
  const doubleColon = text.indexOf('::');
  if (doubleColon >= 0) {
    if (text.indexOf('::', doubleColon + 1) >= 0) return undefined;
    head = text.slice(0, doubleColon);
    tail = text.slice(doubleColon + 2);
  }
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const before = groups(head);
  const after = groups(tail);
  if (before === undefined || after === undefined) return undefined;
  // A dotted IPv4 is only allowed at the very end, never before '::'.
  if (doubleColon >= 0 && head.includes('.')) return undefined;
  if (doubleColon < 0) return before.length === 8 ? before : undefined;
  const missing = 8 - before.length - after.length;
  if (missing < 1) return undefined;
  return [...before, ...new Array<number>(missing).fill(0), ...after];
}

function maskWord(prefixLength: number, word: number): number {
  const bits = Math.min(32, Math.max(0, prefixLength - 32 * word));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses one `--service` value; throws ReplayError OPTION_INVALID. */
export function parseService(rawText: string): ServiceSpec {
  const text = rawText.trim();
  let rest = text;
  let addrText: string;
  let prefixText: string | undefined;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw invalid(text, "has '[' without ']'");
    addrText = rest.slice(1, close);
    rest = rest.slice(close + 1);
    const inner = addrText.indexOf('/');
    if (inner >= 0) {
      prefixText = addrText.slice(inner + 1);
      addrText = addrText.slice(0, inner);
    }
    const m = /^(?:\/(\d+))?(?::(\d+))?$/.exec(rest);
    if (!m) throw invalid(text, 'is not ADDR[/PREFIX][:PORT]');
    if (m[1] !== undefined) {
      if (prefixText !== undefined) throw invalid(text, 'has two prefixes');
      prefixText = m[1];
    }
    portText = m[2];
  } else {
    const slash = rest.indexOf('/');
    const colons = (rest.match(/:/g) ?? []).length;
    if (slash >= 0) {
      addrText = rest.slice(0, slash);
      rest = rest.slice(slash + 1);
      const m = /^(\d+)(?::(\d+))?$/.exec(rest);
      if (!m) throw invalid(text, 'is not ADDR[/PREFIX][:PORT]');
      prefixText = m[1];
      portText = m[2];
      if (addrText.includes(':') && portText !== undefined) {
        throw invalid(text, 'needs brackets for an IPv6 address with a port: [ADDR]/PREFIX:PORT');
      }
    } else if (colons === 1) {
      const colon = rest.indexOf(':');
      addrText = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    } else {
      addrText = rest;
    }
  }
  if (portText !== undefined && !/^\d{1,5}$/.test(portText)) throw invalid(text, 'has a bad port');
  const port = portText === undefined ? -1 : Number(portText);
  if (port > 65535) throw invalid(text, 'has a port above 65535');

  const addr = new Uint32Array(4);
  let ipVersion: 4 | 6;
  const v4 = parseIpv4(addrText);
  if (v4 !== undefined) {
    ipVersion = 4;
    addr[0] = v4;
  } else {
    const groups = parseIpv6(addrText);
    if (groups === undefined) throw invalid(text, 'has no valid IPv4 or IPv6 address');
    ipVersion = 6;
    for (let w = 0; w < 4; w++) addr[w] = groups[2 * w] * 65536 + groups[2 * w + 1];
  }
  const maxPrefix = ipVersion === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) throw invalid(text, 'has a bad prefix length');
  const prefixLength = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (prefixLength > maxPrefix) throw invalid(text, `has a prefix length above ${maxPrefix}`);
  for (let w = 0; w < 4; w++) {
    if (((addr[w] & ~maskWord(prefixLength, w)) >>> 0) !== 0) {
      throw invalid(text, `has host bits set beyond /${prefixLength}`);
    }
  }
  return { text, ipVersion, addr, prefixLength, port };
}

/** Parses every `--service` value, in order. */
export function parseServices(texts: readonly string[]): ServiceSpec[] {
  return texts.map(parseService);
}

/** Whether a server endpoint falls in `spec`. */
export function serviceMatches(spec: ServiceSpec, endpoints: Endpoints): boolean {
  if (endpoints.ipVersion !== spec.ipVersion) return false;
  if (spec.port >= 0 && endpoints.serverPort !== spec.port) return false;
  const server = endpoints.serverAddr;
  for (let w = 0; w < 4; w++) {
    const mask = maskWord(spec.prefixLength, w);
    if (mask === 0) break;
    if (((server[w] & mask) >>> 0) !== spec.addr[w]) return false;
  }
  return true;
}

/** The `--service` list: empty keeps every connection. */
export class ServiceFilter {
  readonly specs: readonly ServiceSpec[];

  constructor(specs: readonly ServiceSpec[]) {
    this.specs = specs;
  }

  /** True when the connection is to be replayed (dispatched and sampled). */
  accepts(endpoints: Endpoints): boolean {
    const specs = this.specs;
    if (specs.length === 0) return true;
    for (let i = 0; i < specs.length; i++) if (serviceMatches(specs[i], endpoints)) return true;
    return false;
  }
}
