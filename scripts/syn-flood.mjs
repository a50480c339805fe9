/**
 * SYN flood (issue 8 item 7): N SYNs from N distinct pseudo-random sources,
 * written by the project's pcap writer and streamed into the CLI's standard
 * input (never to disk), replayed with a bounded connection table. Prints
 * packets, evictions, peak RSS and time, for N and for N/10 (time linear in
 * packets: the per-packet times should match).
 *
 *   npm run build && node scripts/syn-flood.mjs [--packets 10000000] [--max-connections 100000]
 *
 * `streamSynFlood` and `runFloodThroughCli` are also used by
 * test/fuzz/hostile.test.ts on a scaled-down flood.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MemorySink, PcapWriter } from '../dist/reader/writer.js';
import { buildTcpFrame } from '../dist/synth/frames.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'bin', 'anycast-replay.js');
export const RSS_PROBE = pathToFileURL(path.join(ROOT, 'scripts', 'rss-probe.mjs')).href;

/** Offsets in the Ethernet + IPv4 + TCP SYN frame (54 bytes). */
const IP_SRC = 26;
const TCP_SRC_PORT = 34;
const TCP_SEQ = 38;
const FLUSH_BYTES = 1 << 20;

function write(out, chunk) {
  return new Promise((resolve, reject) => {
    const ok = out.write(chunk, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else out.once('drain', resolve);
  });
}

/**
 * Writes a pcap of `packets` SYNs to `out` (a Writable), one every `stepNs`
 * from 1700000000 s. Source i has address (i + seed)·0x9E3779B1 mod 2^32 — a
 * bijection, so all sources differ and every SYN opens a connection — and a
 * port and sequence number drawn from it; the server is 192.0.2.80:443.
 */
export async function streamSynFlood(out, { packets, seed = 1, stepNs = 1000 }) {
  const sink = new MemorySink();
  const writer = new PcapWriter(sink, { linkType: 1 });
  const frame = Uint8Array.from(
    buildTcpFrame({ src: '10.0.0.1', dst: '192.0.2.80', srcPort: 1024, dstPort: 443, flags: 0x02, seq: 1 }).data,
  );
  const startSec = 1_700_000_000;
  for (let i = 0; i < packets; i++) {
    const a = Math.imul(i + seed, 0x9e3779b1) >>> 0;
    frame[IP_SRC] = a >>> 24;
    frame[IP_SRC + 1] = (a >>> 16) & 0xff;
    frame[IP_SRC + 2] = (a >>> 8) & 0xff;
    frame[IP_SRC + 3] = a & 0xff;
    const port = 1024 + (Math.imul(a, 0x85ebca6b) >>> 16) % 64_000;
    frame[TCP_SRC_PORT] = port >>> 8;
    frame[TCP_SRC_PORT + 1] = port & 0xff;
    frame[TCP_SEQ] = a & 0xff;
    frame[TCP_SEQ + 1] = a >>> 24;
    const ns = i * stepNs;
    writer.writePacket(startSec + Math.floor(ns / 1e9), ns % 1e9, frame);
    if (sink.pos >= FLUSH_BYTES) {
      await write(out, Buffer.from(sink.buf.subarray(0, sink.pos)));
      sink.pos = 0;
    }
  }
  if (sink.pos > 0) await write(out, Buffer.from(sink.buf.subarray(0, sink.pos)));
  sink.pos = 0;
}

/**
 * Streams a flood into `anycast-replay - --max-connections M --summary-json F`
 * and returns { exitCode, stderr, summary, peakRssBytes, seconds }.
 */
export async function runFloodThroughCli({ packets, maxConnections, seed = 1, extraArgs = [] }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-flood-'));
  try {
    const summaryFile = path.join(dir, 'summary.json');
    const rssFile = path.join(dir, 'rss');
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      ['--import', RSS_PROBE, CLI, '-', '--max-connections', String(maxConnections), '--summary-json', summaryFile, '-q', ...extraArgs],
      { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, ANYCAST_RSS_FILE: rssFile } },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      stderr += s;
    });
    const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0))));
    child.stdin.on('error', () => undefined);
    await streamSynFlood(child.stdin, { packets, seed });
    child.stdin.end();
    const exitCode = await exited;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : undefined;
    const peakRssBytes = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : undefined;
    return { exitCode, stderr, summary, peakRssBytes, seconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function mainCli() {
  const packets = arg('--packets', 10_000_000);
  const maxConnections = arg('--max-connections', 100_000);
  const runs = [Math.max(1, Math.round(packets / 10)), packets];
  const results = [];
  for (const n of runs) {
    const r = await runFloodThroughCli({ packets: n, maxConnections });
    const byReason = r.summary?.capture?.connections_by_reason ?? {};
    const line = {
      packets: n,
      exit: r.exitCode,
      read: r.summary?.capture?.packets,
      evicted: byReason.evicted ?? 0,
      endOfTrace: byReason['end-of-trace'] ?? 0,
      expectedEvicted: Math.max(0, n - maxConnections),
      peakRssMB: r.peakRssBytes !== undefined ? +(r.peakRssBytes / 1048576).toFixed(1) : undefined,
      seconds: +r.seconds.toFixed(2),
      usPerPacket: +((r.seconds / n) * 1e6).toFixed(3),
    };
    results.push(line);
    console.log(JSON.stringify(line));
    if (r.exitCode !== 0) console.log(r.stderr);
  }
  const [small, large] = results;
  console.log(`time per packet, ${large.packets} vs ${small.packets} packets: ${(large.usPerPacket / small.usPerPacket).toFixed(2)}x`);
  const ok = results.every((r) => r.exit === 0 && r.evicted === r.expectedEvicted && r.read === r.packets);
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await mainCli();
