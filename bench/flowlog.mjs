#!/usr/bin/env node
// Benchmark of the flow-log reader (issue 12): a Zeek conn.log of 10 million
// records from a simple synthetic model, streamed to a temporary file, then
// read by readFlowLog (TSV parse, end rule, reorder window). Prints records/s
// and the resident memory as the read goes on (flat memory: the same at 1 M
// records as at 10 M). Needs `npm run build` (imports dist/).
//
//   node bench/flowlog.mjs                      generate 10 M records in a temp dir, read, delete
//   node bench/flowlog.mjs generate FILE [N]    write N records (default 10 M) to FILE
//   node bench/flowlog.mjs read FILE [WINDOW_S] read FILE with a reorder window (default 60 s)
//   node bench/flowlog.mjs read FILE WINDOW_S --hash
//                                               also print a hash of every field of every
//                                               delivered record, in order (to check that a
//                                               faster reader delivers exactly the same stream)
//
// The model: connections arrive as a Poisson process (2 000/s); durations are
// log-normal (median 0.8 s, sigma 1.6); bytes log-normal; 10 % are UDP (DNS-like,
// one packet each way), and TCP states are 80 % SF, 8 % S0, 4 % RSTO, 3 % REJ,
// 3 % S1, 2 % OTH. Each row is written when Zeek would write it: 5 s after the
// last packet for a closed TCP connection (tcp_close_delay), 5 minutes after it
// for an unclosed one (tcp_inactivity_timeout), 1 minute after it for UDP
// (udp_inactivity_timeout), so starts arrive out of order, as in a live log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFlowLog } from '../dist/flowlog/index.js';

const RATE = 2000;
const START = 1_700_000_000;

/** Deterministic generator (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2023-11-14-22-13-20',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
].join('\n');

function generate(file, n) {
  const rand = rng(12);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const fd = fs.openSync(file, 'w');
  let out = `${HEADER}\n`;
  const flush = (force) => {
    if (out.length > 1 << 20 || force) {
      fs.writeSync(fd, out);
      out = '';
    }
  };
  // Rows waiting for their write time: a binary heap on `write`.
  const heap = [];
  const push = (x) => {
    let i = heap.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p].write <= x.write) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = x;
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const c = l + 1 < heap.length && heap[l + 1].write < heap[l].write ? l + 1 : l;
        if (heap[c].write >= last.write) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  let t = 0;
  let written = 0;
  for (let k = 0; k < n; k++) {
    t += -Math.log(1 - rand()) / RATE;
    while (heap.length > 0 && heap[0].write <= t) {
      out += pop().line;
      written++;
      flush(false);
    }
    const udp = rand() < 0.1;
    const u = rand();
    const state = udp ? 'SF' : u < 0.8 ? 'SF' : u < 0.88 ? 'S0' : u < 0.92 ? 'RSTO' : u < 0.95 ? 'REJ' : u < 0.98 ? 'S1' : 'OTH';
    const dur = udp ? 0.02 * rand() : state === 'S0' || state === 'REJ' ? 3 * rand() : 0.8 * Math.exp(1.6 * normal());
    const ob = udp ? 40 + Math.floor(30 * rand()) : state === 'S0' || state === 'REJ' ? 0 : Math.floor(400 * Math.exp(normal()));
    const rb = udp ? 100 + Math.floor(400 * rand()) : state === 'S0' || state === 'REJ' ? 0 : Math.floor(20000 * Math.exp(1.5 * normal()));
    const op = udp ? 1 : 3 + Math.floor(ob / 1400);
    const rp = udp ? 1 : state === 'S0' ? 0 : 2 + Math.floor(rb / 1400);
    const v6 = rand() < 0.1;
    const client = v6
      ? `2001:db8:${Math.floor(rand() * 65536).toString(16)}::${Math.floor(rand() * 65536).toString(16)}`
      : `10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
    const server = v6 ? `2001:db8::${80 + Math.floor(rand() * 4)}` : `192.0.2.${80 + Math.floor(rand() * 4)}`;
    const ts = START + t;
    const closed = udp ? false : state !== 'S0' && state !== 'S1' && state !== 'OTH';
    const write = t + dur + (udp ? 60 : closed ? 5 : 300);
    const line = [
      ts.toFixed(6),
      `C${k.toString(36)}`,
      client,
      1024 + Math.floor(rand() * 64000),
      server,
      udp ? 53 : 443,
      udp ? 'udp' : 'tcp',
      udp ? 'dns' : 'ssl',
      dur > 0 ? dur.toFixed(6) : '-',
      ob,
      rb,
      state,
      'T',
      'F',
      0,
      udp ? 'Dd' : state === 'SF' ? 'ShADadFf' : state === 'S0' ? 'S' : state === 'RSTO' ? 'ShADadR' : state === 'REJ' ? 'Sr' : 'ShADad',
      op,
      ob + op * (udp ? 28 : 52),
      rp,
      rb + rp * (udp ? 28 : 52),
      '-',
    ].join('\t');
    push({ write, line: `${line}\n` });
  }
  while (heap.length > 0) {
    out += pop().line;
    written++;
    flush(false);
  }
  out += '#close\t2023-11-15-00-00-00\n';
  flush(true);
  fs.closeSync(fd);
  return written;
}

/** FNV-1a over 32-bit words; doubles go in as their two 32-bit halves (Infinity included). */
const hashF64 = new Float64Array(1);
const hashU32 = new Uint32Array(hashF64.buffer);
let hash = 0x811c9dc5;
function mixWord(w) {
  hash = Math.imul(hash ^ (w & 0xffff), 0x01000193);
  hash = Math.imul(hash ^ (w >>> 16), 0x01000193);
}
function mixNumber(x) {
  hashF64[0] = x;
  mixWord(hashU32[0]);
  mixWord(hashU32[1]);
}
function hashRecord(rec) {
  mixNumber(rec.startSec);
  mixNumber(rec.startNsec);
  mixNumber(rec.lastSec);
  mixNumber(rec.lastNsec);
  mixNumber(rec.endSec);
  mixNumber(rec.endNsec);
  mixNumber(rec.expiry);
  mixNumber(rec.bytesC2s);
  mixNumber(rec.bytesS2c);
  mixNumber(rec.packetsC2s);
  mixNumber(rec.packetsS2c);
  mixNumber(rec.ipBytesC2s);
  mixNumber(rec.ipBytesS2c);
  mixNumber(rec.state);
  mixNumber(rec.line);
  mixNumber(rec.seq);
  mixNumber(rec.ipVersion);
  mixNumber(rec.proto);
  mixNumber(rec.clientPort);
  mixNumber(rec.serverPort);
  for (let k = 0; k < 4; k++) mixWord(rec.clientAddr[k]);
  for (let k = 0; k < 4; k++) mixWord(rec.serverAddr[k]);
}

async function read(file, windowSec, withHash) {
  const rssAt = [];
  let n = 0;
  let mark = 1_000_000;
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const result = await readFlowLog(file, { reorderWindow: { sec: windowSec, nsec: 0 } }, (rec) => {
    n++;
    bytes += rec.bytesC2s;
    if (withHash) hashRecord(rec);
    if (n === mark) {
      rssAt.push([n, process.memoryUsage().rss]);
      mark += 1_000_000;
    }
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const mb = (x) => (x / 1048576).toFixed(0);
  // CPU time as well as wall time: on a shared machine the wall time includes waiting for a core.
  console.log(
    `read ${result.lines} lines (${(result.bytes / 1e9).toFixed(2)} GB) in ${s.toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU: ` +
      `${(result.pushed / s / 1e6).toFixed(2)} M records/s wall, ${(result.pushed / cpuS / 1e6).toFixed(2)} M records/CPU-s`,
  );
  console.log(`window ${windowSec} s: pushed ${result.pushed}, delivered ${result.delivered}, late ${result.late} (max ${(result.maxLateNs / 1e9).toFixed(1)} s), peak held ${result.peakBuffered}, forced ${result.forced}`);
  console.log(`RSS (MB) after ${rssAt.map(([k, r]) => `${k / 1e6}M: ${mb(r)}`).join(', ')}; peak ${mb(process.resourceUsage().maxRSS * 1024)}`);
  if (withHash) console.log(`hash of the ${n} delivered records: ${(hash >>> 0).toString(16).padStart(8, '0')}`);
  if (bytes < 0) console.log(bytes);
}

const [cmd, file, arg, flag] = process.argv.slice(2);
if (cmd === 'generate' && file !== undefined) {
  const t0 = Date.now();
  const n = generate(file, arg === undefined ? 10_000_000 : Number(arg));
  console.log(`wrote ${n} records to ${file} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} else if (cmd === 'read' && file !== undefined) {
  await read(file, arg === undefined ? 60 : Number(arg), flag === '--hash');
} else if (cmd === undefined) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowlog-bench-'));
  try {
    const f = path.join(dir, 'conn.log');
    const n = generate(f, 10_000_000);
    console.log(`wrote ${n} records`);
    await read(f, 60, false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
} else {
  console.error('usage: node bench/flowlog.mjs [generate FILE [N] | read FILE [WINDOW_S [--hash]]]');
  process.exit(2);
}
