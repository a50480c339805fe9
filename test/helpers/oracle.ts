/**
 * tshark's per-stream oracle (../shared/traces/oracle/F.streams.tsv, written by
 * oracle/make_streams.py): one row per tcp.stream with its endpoints, first and
 * last time, and packets and payload each way (a = sender of its first packet).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TRACES_DIR } from './corpus.js';

export interface OracleStream {
  stream: number;
  aAddr: string;
  aPort: number;
  bAddr: string;
  bPort: number;
  firstTime: string;
  lastTime: string;
  packetsAB: number;
  packetsBA: number;
  payloadAB: number;
  payloadBA: number;
  syn: number;
  finA: number;
  finB: number;
  rst: number;
}

export function loadOracleStreams(file: string): OracleStream[] {
  const p = path.join(TRACES_DIR, 'oracle', `${file}.streams.tsv`);
  const lines = fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.length > 0);
  return lines.slice(1).map((line) => {
    const f = line.split('\t');
    return {
      stream: Number(f[0]),
      aAddr: canonicalAddress(f[1]),
      aPort: Number(f[2]),
      bAddr: canonicalAddress(f[3]),
      bPort: Number(f[4]),
      firstTime: f[5],
      lastTime: f[6],
      packetsAB: Number(f[7]),
      packetsBA: Number(f[8]),
      payloadAB: Number(f[9]),
      payloadBA: Number(f[10]),
      syn: Number(f[11]),
      finA: Number(f[12]),
      finB: Number(f[13]),
      rst: Number(f[14]),
    };
  });
}

/** An address in one spelling (IPv6 fully expanded, lowercase), so two tools' texts compare. */
export function canonicalAddress(text: string): string {
  if (!text.includes(':')) return text;
  let s = text.toLowerCase();
  // An embedded dotted IPv4 tail becomes two hex groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    s = s.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}
