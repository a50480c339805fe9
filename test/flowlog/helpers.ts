/**
 * Helpers of the flow-log tests: hand-written logs in per-test temp
 * directories, and reading one into plain objects.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';
import { formatAddress } from '../../src/flows/address.js';
import { readFlowLog, type FlowLogOptions, type FlowLogResult } from '../../src/flowlog/index.js';
import { FLOW_STATE_NAMES, type FlowRecord } from '../../src/flowlog/record.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes `content` to a file in a fresh temp directory (removed after the test); returns its path. */
export function writeTemp(name: string, content: string | Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-replay-flowlog-'));
  dirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** A record as plain values (times as `sec.nsec` text, 9 decimals). */
export interface PlainRecord {
  client: string;
  server: string;
  proto: number;
  start: string;
  last: string;
  end: string;
  expiry: number;
  bytes: [number, number];
  packets: [number, number];
  ipBytes: [number, number];
  state: string;
  line: number;
}

const t = (sec: number, nsec: number): string => (sec === Number.POSITIVE_INFINITY ? 'inf' : `${sec}.${String(nsec).padStart(9, '0')}`);

export function plain(r: FlowRecord): PlainRecord {
  return {
    client: `${formatAddress(r.ipVersion, r.clientAddr)}:${r.clientPort}`,
    server: `${formatAddress(r.ipVersion, r.serverAddr)}:${r.serverPort}`,
    proto: r.proto,
    start: t(r.startSec, r.startNsec),
    last: t(r.lastSec, r.lastNsec),
    end: t(r.endSec, r.endNsec),
    expiry: r.expiry,
    bytes: [r.bytesC2s, r.bytesS2c],
    packets: [r.packetsC2s, r.packetsS2c],
    ipBytes: [r.ipBytesC2s, r.ipBytesS2c],
    state: FLOW_STATE_NAMES[r.state],
    line: r.line,
  };
}

/** Reads a flow log into plain records, in delivery order. */
export async function readAll(file: string, options: FlowLogOptions = {}): Promise<{ records: PlainRecord[]; result: FlowLogResult }> {
  const records: PlainRecord[] = [];
  const result = await readFlowLog(file, options, (r) => records.push(plain(r)));
  return { records, result };
}

/** The error `readFlowLog` rejects with (undefined when it resolves). */
export async function readError(file: string, options: FlowLogOptions = {}): Promise<unknown> {
  return readFlowLog(file, options, () => {}).then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** A Zeek TSV conn.log with the usual header and `rows` (tab-separated text each). */
export function zeekLog(rows: readonly string[], options: { fields?: string; types?: string; close?: boolean } = {}): string {
  const fields =
    options.fields ??
    'ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents';
  const types =
    options.types ?? 'time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]';
  const head = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    '#open\t2026-12-06-04-00-00',
    `#fields\t${fields}`,
    `#types\t${types}`,
  ];
  const tail = options.close === false ? [] : ['#close\t2026-12-06-05-00-00'];
  return `${[...head, ...rows, ...tail].join('\n')}\n`;
}
