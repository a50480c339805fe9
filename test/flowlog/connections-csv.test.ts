/**
 * The tool's own `connections` CSV as a flow log (issue 12): a synthetic
 * capture's rows, read back, give every row's values exactly, in first-packet
 * order; plain and gzip; bad rows end with one line naming line and column.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONNECTION_COLUMNS, runConnections } from '../../src/connections.js';
import { CONNECTIONS_CSV_HEADER, CONNECTIONS_CSV_HEADER_V1 } from '../../src/flowlog/detect.js';
import { FlowExpiry } from '../../src/flowlog/record.js';
import { gzipBytes } from '../../src/reader/damage.js';
import { writeWebTrafficFile } from '../../src/synth/web-traffic.js';
import { readAll, readError, writeTemp } from './helpers.js';

const col = (name: (typeof CONNECTION_COLUMNS)[number]): number => CONNECTION_COLUMNS.indexOf(name);

async function captureRows(): Promise<string[][]> {
  const capture = writeTemp('web.pcap', '');
  // 20 s of web traffic, 40 connections/s, a fifth over IPv6, nanosecond times.
  writeWebTrafficFile(capture, { seed: 7, durationSec: 20, connectionRate: 40, nanosecond: true, startSec: 1_700_000_000 });
  const rows: string[][] = [];
  await runConnections([capture], {}, { row: (f) => rows.push([...f]) });
  fs.rmSync(capture);
  return rows;
}

describe('connections CSV as input', () => {
  it('round trip: every row read back exactly, in first-packet order, plain and gzip', async () => {
    const rows = await captureRows();
    expect(rows.length).toBeGreaterThan(700);
    const text = `${CONNECTIONS_CSV_HEADER}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
    // Rows come in the order connections leave the table; the reader gives first-packet order, ties by conn.
    const expected = rows
      .map((r, i) => ({ r, line: i + 2 }))
      .sort((a, b) =>
        a.r[col('first_time')] < b.r[col('first_time')] ? -1 : a.r[col('first_time')] > b.r[col('first_time')] ? 1 : Number(a.r[0]) - Number(b.r[0]),
      )
      .map(({ r, line }) => ({
        client: `${r[col('client_addr')]}:${r[col('client_port')]}`,
        server: `${r[col('server_addr')]}:${r[col('server_port')]}`,
        proto: 6,
        start: r[col('first_time')],
        last: r[col('last_time')],
        bytes: [Number(r[col('bytes_c2s')]), Number(r[col('bytes_s2c')])],
        packets: [Number(r[col('packets_c2s')]), Number(r[col('packets_s2c')])],
        ipBytes: [-1, -1],
        state: r[col('close')],
        line,
      }));
    for (const file of [writeTemp('conns.csv', text), writeTemp('conns.csv.gz', gzipBytes(Buffer.from(text)))]) {
      const { records, result } = await readAll(file);
      expect(result).toMatchObject({ format: 'connections-csv', late: 0, pushed: rows.length, delivered: rows.length });
      expect(records.map(({ end: _e, expiry: _x, ...r }) => r)).toEqual(expected);
      // Active until the capture replay's own instant, no timeout added.
      const until = new Map(rows.map((r) => [`${r[col('client_addr')]}:${r[col('client_port')]}`, r[col('active_until')]]));
      expect(records.map((r) => r.end)).toEqual(records.map((r) => until.get(r.client)));
      expect(new Set(records.map((r) => r.expiry))).toEqual(new Set([FlowExpiry.NONE]));
    }
  });

  it('without active_until (15 columns): idle + idle timeout, syn-timeout + SYN timeout, the others at the last packet', async () => {
    const reasons = ['fin', 'rst', 'port-reuse', 'idle', 'syn-timeout', 'evicted', 'end-of-trace'];
    const text = [
      CONNECTIONS_CSV_HEADER_V1,
      ...reasons.map((c, i) => `${i},10.000000000,12.500000000,2.500000000,10.0.0.1,${1000 + i},192.0.2.1,80,tcp,1,1,0,0,${c},1`),
      '7,10.000000000,12.500000000,2.500000000,10.0.0.1,2000,192.0.2.1,53,udp,1,1,0,0,idle,0',
      // A negative duration (timestamps going backwards): the last packet counts as the start.
      '8,10.000000000,9.200000000,-0.800000000,10.0.0.1,2001,192.0.2.1,80,tcp,2,0,0,0,fin,1',
    ].join('\n');
    const { records } = await readAll(writeTemp('c.csv', text), { idleTimeout: { sec: 100, nsec: 0 }, synTimeout: { sec: 10, nsec: 250 }, udpTimeout: { sec: 1, nsec: 0 } });
    expect(records.map((r) => `${r.state}:${r.last}:${r.end}:${r.expiry}`)).toEqual([
      `fin:12.500000000:12.500000000:${FlowExpiry.NONE}`,
      `rst:12.500000000:12.500000000:${FlowExpiry.NONE}`,
      `port-reuse:12.500000000:12.500000000:${FlowExpiry.NONE}`,
      `idle:12.500000000:112.500000000:${FlowExpiry.IDLE}`,
      `syn-timeout:12.500000000:22.500000250:${FlowExpiry.SYN}`,
      `evicted:12.500000000:12.500000000:${FlowExpiry.NONE}`,
      `end-of-trace:12.500000000:12.500000000:${FlowExpiry.NONE}`,
      `idle:12.500000000:13.500000000:${FlowExpiry.UDP}`,
      `fin:10.000000000:10.000000000:${FlowExpiry.NONE}`,
    ]);
  });

  it('names the line and the column it cannot read', async () => {
    const good = '0,10.000000000,12.500000000,2.500000000,10.0.0.1,1000,192.0.2.1,80,tcp,1,1,0,0,fin,1,12.400000000';
    const cases: [string, string][] = [
      [good.replace('10.0.0.1', '10.0.0'), "line 3: field client_addr: '10.0.0' is not an address"],
      [good.replace(',1000,', ',65536,'), "line 3: field client_port: '65536' is not a port"],
      [good.replace(',tcp,', ',sctp,'), "line 3: field proto: 'sctp' is not tcp or udp"],
      [good.replace(',fin,', ',closed,'), "line 3: field close: 'closed' is not a close reason"],
      [good.replace('12.500000000', 'soon'), "line 3: field last_time: 'soon' is not a time"],
      [good.replace(',0,0,fin', ',-1,0,fin'), "line 3: field bytes_c2s: '-1' is not a count"],
      [good.replace(',12.400000000', ',later'), "line 3: field active_until: 'later' is not a time"],
      [good.replace('0,10.000000000', 'x,10.000000000'), "line 3: field conn: 'x' is not a count"],
      [`${good},extra`, 'line 3: more than 16 fields'],
      ['"0",1', 'line 3: 2 fields, the header names 16'],
    ];
    for (const [bad, problem] of cases) {
      const file = writeTemp('c.csv', `${CONNECTIONS_CSV_HEADER}\n${good}\n${bad}\n`);
      expect(await readError(file)).toMatchObject({ code: 'FLOWLOG_INVALID', message: `${file}: ${problem}` });
    }
    const noHeader = writeTemp('c.csv', `${CONNECTIONS_CSV_HEADER}\n`);
    expect(await readError(noHeader, { inputFormat: 'connections-csv' })).toBeUndefined();
    const wrong = writeTemp('c.csv', 'a,b\n');
    expect(await readError(wrong, { inputFormat: 'connections-csv' })).toMatchObject({
      code: 'FLOWLOG_INVALID',
      message: `${wrong}: line 1: not the connections CSV header (${CONNECTIONS_CSV_HEADER})`,
    });
  });
});
