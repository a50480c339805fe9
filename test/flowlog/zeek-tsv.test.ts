/**
 * Zeek conn.log, TSV and JSON forms, hand-written (issue 12): field mapping,
 * header escapes, unset and empty values, gzip, chunk boundaries, several
 * logs in one file, the end rule per conn_state, and one exact error per kind
 * of bad line.
 */
import { describe, expect, it } from 'vitest';
import { gzipBytes } from '../../src/reader/damage.js';
import { FlowExpiry } from '../../src/flowlog/record.js';
import { readAll, readError, writeTemp, zeekLog } from './helpers.js';

/** One row of zeekLog's default columns. */
function row(
  ts: string,
  orig: string,
  resp: string,
  more: { proto?: string; dur?: string; bytes?: [string, string]; state?: string; history?: string; pkts?: [string, string]; ip?: [string, string] } = {},
): string {
  const [oh, op] = splitEndpoint(orig);
  const [rh, rp] = splitEndpoint(resp);
  const b = more.bytes ?? ['100', '2000'];
  const p = more.pkts ?? ['5', '4'];
  const ip = more.ip ?? ['300', '2160'];
  return [ts, 'Cuid', oh, op, rh, rp, more.proto ?? 'tcp', '-', more.dur ?? '1.500000', b[0], b[1], more.state ?? 'SF', '0', more.history ?? 'ShADadFf', p[0], ip[0], p[1], ip[1], '-'].join('\t');
}

function splitEndpoint(e: string): [string, string] {
  const i = e.lastIndexOf(':');
  return [e.slice(0, i).replace(/^\[|\]$/g, ''), e.slice(i + 1)];
}

const BASIC = zeekLog([
  row('1324071333.493287', '192.168.1.79:51880', '131.159.21.1:22'),
  row('1324071334.000001', '[2001:db8::1]:40000', '[2001:db8::80]:443', { dur: '0.999999', state: 'S1', history: 'ShAD' }),
]);

const BASIC_RECORDS = [
  {
    client: '192.168.1.79:51880',
    server: '131.159.21.1:22',
    proto: 6,
    start: '1324071333.493287000',
    last: '1324071334.993287000',
    end: '1324071334.993287000',
    expiry: FlowExpiry.NONE,
    bytes: [100, 2000],
    packets: [5, 4],
    ipBytes: [300, 2160],
    state: 'SF',
    line: 9,
  },
  {
    client: '2001:db8::1:40000',
    server: '2001:db8::80:443',
    proto: 6,
    start: '1324071334.000001000',
    last: '1324071335.000000000',
    // S1: never closed, so the balancer keeps it until the idle timeout (300 s).
    end: '1324071635.000000000',
    expiry: FlowExpiry.IDLE,
    bytes: [100, 2000],
    packets: [5, 4],
    ipBytes: [300, 2160],
    state: 'S1',
    line: 10,
  },
];

describe('Zeek TSV', () => {
  it('maps every field used', async () => {
    const { records, result } = await readAll(writeTemp('conn.log', BASIC));
    expect(records).toEqual(BASIC_RECORDS);
    expect(result).toMatchObject({ format: 'zeek-conn', gzip: false, lines: 11, closed: true, pushed: 2, delivered: 2, late: 0 });
  });

  it('reads gzip, and concatenated gzip members, the same', async () => {
    const gz = writeTemp('conn.log.gz', gzipBytes(Buffer.from(BASIC)));
    const one = await readAll(gz);
    expect(one.records).toEqual(BASIC_RECORDS);
    expect(one.result.gzip).toBe(true);
    const half = BASIC.indexOf('\n1324071334');
    const two = writeTemp('x', Buffer.concat([gzipBytes(Buffer.from(BASIC.slice(0, half))), gzipBytes(Buffer.from(BASIC.slice(half)))]));
    expect((await readAll(two)).records).toEqual(BASIC_RECORDS);
  });

  it('gives the same records at any read size (lines across chunks)', async () => {
    const file = writeTemp('conn.log', BASIC);
    for (const chunkSize of [1, 7, 64]) expect((await readAll(file, { chunkSize })).records).toEqual(BASIC_RECORDS);
  });

  it('reads CRLF line ends', async () => {
    expect((await readAll(writeTemp('conn.log', BASIC.replace(/\n/g, '\r\n')))).records).toEqual(BASIC_RECORDS);
  });

  it('undoes the header escapes: a comma separator, custom unset and empty markers', async () => {
    const text = [
      '#separator \\x2c',
      '#set_separator,\\x3b',
      '#empty_field,[none]',
      '#unset_field,\\x3f',
      '#fields,ts,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,duration,orig_bytes,resp_bytes,conn_state,history',
      '#types,time,addr,port,addr,port,enum,interval,count,count,string,string',
      '10.5,10.0.0.1,1234,10.0.0.2,80,tcp,?,?,?,S0,[none]',
    ].join('\n');
    const { records } = await readAll(writeTemp('conn.log', text));
    expect(records).toEqual([
      {
        client: '10.0.0.1:1234',
        server: '10.0.0.2:80',
        proto: 6,
        start: '10.500000000',
        // duration unset: Zeek leaves it (and the bytes) unset when it is 0.
        last: '10.500000000',
        // S0: the SYN timeout (60 s).
        end: '70.500000000',
        expiry: FlowExpiry.SYN,
        bytes: [0, 0],
        packets: [-1, -1],
        ipBytes: [-1, -1],
        state: 'S0',
        line: 7,
      },
    ]);
  });

  it('reads unset and empty values: duration and bytes 0, packets unknown, conn_state unset (idle rule)', async () => {
    const text = zeekLog([row('100', '10.0.0.1:1', '10.0.0.2:2', { dur: '-', bytes: ['-', '-'], state: '-', history: '(empty)', pkts: ['-', '-'], ip: ['-', '-'] })]);
    const { records } = await readAll(writeTemp('conn.log', text));
    expect(records[0]).toMatchObject({ start: '100.000000000', last: '100.000000000', end: '400.000000000', bytes: [0, 0], packets: [-1, -1], ipBytes: [-1, -1], state: '-', expiry: FlowExpiry.IDLE });
  });

  it('applies the end rule per conn_state and protocol', async () => {
    const states = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'];
    const rows = states.map((s, i) => row(String(1000 + i), `10.0.0.1:${1000 + i}`, '10.0.0.2:80', { dur: '1', state: s, history: 'Dd' }));
    rows.push(row('1100', '10.0.0.1:2000', '10.0.0.2:80', { dur: '1', state: 'OTH', history: 'DdR' }));
    rows.push(row('1101', '10.0.0.1:2001', '10.0.0.2:53', { dur: '1', state: 'SF', proto: 'udp', history: 'Dd' }));
    rows.push(row('1102', '10.0.0.1:8', '10.0.0.2:0', { dur: '1', state: 'OTH', proto: 'icmp', history: '-' }));
    const { records } = await readAll(writeTemp('conn.log', zeekLog(rows)), { udpTimeout: { sec: 30, nsec: 500_000_000 } });
    expect(records.map((r) => `${r.state}/${r.proto}:${r.end}`)).toEqual([
      'S0/6:1061.000000000', // last 1001 + SYN timeout 60
      'S1/6:1302.000000000', // last 1002 + idle 300
      'SF/6:1003.000000000',
      'REJ/6:1004.000000000',
      'S2/6:1305.000000000',
      'S3/6:1306.000000000',
      'RSTO/6:1007.000000000',
      'RSTR/6:1008.000000000',
      'RSTOS0/6:1009.000000000',
      'RSTRH/6:1010.000000000',
      'SH/6:1311.000000000',
      'SHR/6:1312.000000000',
      'OTH/6:1313.000000000',
      'OTH/6:1101.000000000', // a RST in history: closed
      'SF/17:1132.500000000', // UDP: + udp timeout, whatever the state
      'OTH/1:1133.500000000',
    ]);
  });

  it('a timeout of 0 keeps the connection active until the log ends (end = inf)', async () => {
    const text = zeekLog([row('5', '10.0.0.1:1', '10.0.0.2:2', { state: 'S1' })]);
    const { records } = await readAll(writeTemp('conn.log', text), { idleTimeout: { sec: 0, nsec: 0 } });
    expect(records[0].end).toBe('inf');
  });

  it('reads several logs in one file (cat of rotated logs), each with its own header', async () => {
    const second = zeekLog(['1324071340\t10.0.0.1\t1\t10.0.0.2\t2\ttcp'], {
      fields: 'ts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
      types: 'time\taddr\tport\taddr\tport\tenum',
    });
    const { records, result } = await readAll(writeTemp('conn.log', BASIC + second));
    expect(records.map((r) => r.start)).toEqual(['1324071333.493287000', '1324071334.000001000', '1324071340.000000000']);
    expect(records[2]).toMatchObject({ line: 20, last: '1324071340.000000000', bytes: [0, 0], packets: [-1, -1], state: '-' });
    expect(result.closed).toBe(true);
  });

  it('skips comment lines such as the btest banner', async () => {
    const { records } = await readAll(writeTemp('conn.log', `### BTest baseline data generated by btest-diff.\n${BASIC}`));
    expect(records.map((r) => r.line)).toEqual([10, 11]);
  });

  it('delivers records written up to 30 s out of start order in start order (window 60 s)', async () => {
    // Written as connections end: starts go back by up to 30 s.
    const starts = [100, 130, 101, 120, 131, 102, 160, 135, 190, 161];
    const rows = starts.map((s, i) => row(String(s), `10.0.0.1:${1000 + i}`, '10.0.0.2:80'));
    const { records, result } = await readAll(writeTemp('conn.log', zeekLog(rows)));
    expect(records.map((r) => Number(r.start.split('.')[0]))).toEqual([...starts].sort((a, b) => a - b));
    expect(result).toMatchObject({ pushed: 10, delivered: 10, late: 0, forced: 0 });
  });

  it('counts and reports records beyond the window, and does not deliver them', async () => {
    const starts = [100, 200, 230, 139.5, 170];
    const rows = starts.map((s, i) => row(s.toFixed(6), `10.0.0.1:${1000 + i}`, '10.0.0.2:80'));
    const { records, result } = await readAll(writeTemp('conn.log', zeekLog(rows)));
    // Window 60 s: at 200 the horizon is 140 and 100 goes; at 230 it is 170, and nothing
    // else starts before it. 139.5 arrives 90.5 s behind the newest start, but nothing
    // starting after it was delivered yet: it is still in order. The rest go at the end.
    expect(records.map((r) => r.start)).toEqual(['100.000000000', '139.500000000', '170.000000000', '200.000000000', '230.000000000']);
    expect(result.late).toBe(0);
    const narrow = await readAll(writeTemp('conn.log', zeekLog(rows)), { reorderWindow: { sec: 20, nsec: 0 } });
    // Window 20 s: at 200, 100 goes; at 230, 200 goes (200 < 210). 139.5 is then 60.5 s
    // behind the last delivered start (200): late; 170 too (30 s).
    expect(narrow.records.map((r) => r.start)).toEqual(['100.000000000', '200.000000000', '230.000000000']);
    expect(narrow.result).toMatchObject({ pushed: 5, delivered: 3, late: 2, maxLateNs: 60_500_000_000, firstLateLine: 12 });
  });
});

describe('Zeek JSON lines', () => {
  const json = [
    '{"ts":1324071333.493287,"uid":"C1","id.orig_h":"192.168.1.79","id.orig_p":51880,"id.resp_h":"131.159.21.1","id.resp_p":22,"proto":"tcp","duration":1.5,"orig_bytes":100,"resp_bytes":2000,"conn_state":"SF","missed_bytes":0,"history":"ShADadFf","orig_pkts":5,"orig_ip_bytes":300,"resp_pkts":4,"resp_ip_bytes":2160}',
    // Nested id record, ISO 8601 time.
    '{"ts":"2011-12-16T21:35:34.000001Z","uid":"C2","id":{"orig_h":"2001:db8::1","orig_p":40000,"resp_h":"2001:db8::80","resp_p":443},"proto":"tcp","duration":0.999999,"orig_bytes":100,"resp_bytes":2000,"conn_state":"S1","history":"ShAD","orig_pkts":5,"orig_ip_bytes":300,"resp_pkts":4,"resp_ip_bytes":2160}',
  ];

  it('reads the same records as the TSV form', async () => {
    const { records, result } = await readAll(writeTemp('conn.json', `${json.join('\n')}\n`));
    expect(records).toEqual(BASIC_RECORDS.map((r, i) => ({ ...r, line: i + 1 })));
    expect(result.format).toBe('zeek-conn');
  });

  it('leaves out unset fields: duration 0, bytes 0, packets unknown', async () => {
    const line = '{"ts":7.25,"uid":"C3","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":53,"proto":"udp","conn_state":"S0"}';
    const { records } = await readAll(writeTemp('conn.json', line));
    expect(records).toEqual([
      { client: '10.0.0.1:1', server: '10.0.0.2:53', proto: 17, start: '7.250000000', last: '7.250000000', end: '67.250000000', expiry: FlowExpiry.UDP, bytes: [0, 0], packets: [-1, -1], ipBytes: [-1, -1], state: 'S0', line: 1 },
    ]);
  });

  it('names the line and field it cannot read', async () => {
    const file = writeTemp('conn.json', `${json[0]}\n${json[0].replace('"id.orig_p":51880', '"id.orig_p":"x"')}\n`);
    expect(await readError(file)).toMatchObject({ code: 'FLOWLOG_INVALID', message: `${file}: line 2: field id.orig_p: '"x"' is not a port` });
    const bad = writeTemp('conn.json', `${json[0]}\n{"ts":1,\n`);
    expect(await readError(bad)).toMatchObject({ code: 'FLOWLOG_INVALID' });
    expect((await readError(bad)) as Error).toHaveProperty('message', expect.stringMatching(/^.*conn\.json: line 2: not a JSON object \(/));
  });
});

describe('errors: one line naming the file, the line and the field', () => {
  const cases: [string, string, string][] = [
    ['ts unset', row('-', '10.0.0.1:1', '10.0.0.2:2'), "line 9: field ts: '-' is not a time"],
    ['ts masked', row('XXXXXXXXXX.XXXXXX', '10.0.0.1:1', '10.0.0.2:2'), "line 9: field ts: 'XXXXXXXXXX.XXXXXX' is not a time"],
    ['ts exponent', row('1.3e9', '10.0.0.1:1', '10.0.0.2:2'), "line 9: field ts: '1.3e9' is not a time"],
    ['address', row('1', '10.0.0.256:1', '10.0.0.2:2'), "line 9: field id.orig_h: '10.0.0.256' is not an address"],
    ['families', row('1', '10.0.0.1:1', '[::1]:2'), "line 9: field id.resp_h: '::1' is not of the IP version of the other endpoint"],
    ['port', row('1', '10.0.0.1:70000', '10.0.0.2:2'), "line 9: field id.orig_p: '70000' is not a port"],
    ['proto', row('1', '10.0.0.1:1', '10.0.0.2:2', { proto: 'sctp' }), "line 9: field proto: 'sctp' is not tcp, udp, icmp or unknown_transport"],
    ['duration', row('1', '10.0.0.1:1', '10.0.0.2:2', { dur: '-1.0' }), "line 9: field duration: '-1.0' is not a duration"],
    ['count', row('1', '10.0.0.1:1', '10.0.0.2:2', { bytes: ['12a', '0'] }), "line 9: field orig_bytes: '12a' is not a count"],
    ['state', row('1', '10.0.0.1:1', '10.0.0.2:2', { state: 'S9' }), "line 9: field conn_state: 'S9' is not a Zeek conn_state"],
    ['escaped tab', row('1\\x09', '10.0.0.1:1', '10.0.0.2:2'), "line 9: field ts: '1\\x5cx09' is not a time"],
    ['too few fields (a cut line)', row('1', '10.0.0.1:1', '10.0.0.2:2').split('\t').slice(0, 10).join('\t'), 'line 9: 10 fields, the #fields header names 19'],
    ['too many fields', `${row('1', '10.0.0.1:1', '10.0.0.2:2')}\textra`, 'line 9: more fields than the 19 of the #fields header'],
  ];
  it.each(cases)('%s', async (_name, bad, problem) => {
    const file = writeTemp('conn.log', zeekLog([bad]));
    expect(await readError(file)).toMatchObject({ code: 'FLOWLOG_INVALID', message: `${file}: ${problem}` });
  });

  it('header problems', async () => {
    const noTs = writeTemp('conn.log', zeekLog([], { fields: 'uid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto', types: 'string\taddr\tport\taddr\tport\tenum' }));
    expect(await readError(noTs)).toMatchObject({ message: `${noTs}: line 7: #fields: no ts column` });
    const badType = writeTemp('conn.log', zeekLog([], { fields: 'ts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto', types: 'double\taddr\tport\taddr\tport\tenum' }));
    expect(await readError(badType)).toMatchObject({ message: `${badType}: line 8: #types: field ts is of type double, not time` });
    const early = writeTemp('conn.log', `#separator \\x09\n${row('1', '10.0.0.1:1', '10.0.0.2:2')}\n`);
    expect(await readError(early)).toMatchObject({ message: `${early}: line 2: a row before the #fields header` });
    const wide = writeTemp('conn.log', '#separator \\x09\\x09\n');
    expect(await readError(wide)).toMatchObject({ message: `${wide}: line 1: #separator: "\\t\\t" is not a one-byte separator (the only kind read)` });
  });

  it('content that is no flow log, a capture, an empty file, a missing file', async () => {
    const text = writeTemp('notes.txt', 'hello\n');
    expect(await readError(text)).toMatchObject({ code: 'FLOWLOG_FORMAT', message: `${text}: not a Zeek conn.log (TSV or JSON) nor a connections CSV` });
    const pcap = writeTemp('x.pcap', Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]));
    expect(await readError(pcap)).toMatchObject({ code: 'FLOWLOG_FORMAT', message: `${pcap}: a packet capture, not a flow log (--input-format pcap reads it)` });
    const empty = writeTemp('empty.log', '');
    expect(await readError(empty)).toMatchObject({ code: 'FLOWLOG_FORMAT', message: `${empty}: empty file: not a flow log` });
    expect(await readError(`${empty}.missing`)).toMatchObject({ code: 'FILE_READ', message: `${empty}.missing: cannot open (ENOENT)` });
    const corrupt = writeTemp('conn.log.gz', Buffer.concat([gzipBytes(Buffer.from(BASIC)).subarray(0, 20), Buffer.alloc(40, 0x55)]));
    expect(await readError(corrupt)).toMatchObject({ code: 'FLOWLOG_FORMAT' });
  });
});
