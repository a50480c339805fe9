#!/usr/bin/env node
// `npm run bench` (after `npm run build`): generates the benchmark captures
// once into bench/data/ (git-ignored; reused while the generator and the
// options are unchanged), then times whole processes, phase by phase, against
// tcpdump, tshark and gzip, and prints the medians, the ratios and the
// targets of the issues as PASS / MISS. docs/performance.md explains the
// method and keeps the figures of a run.
//
//   node bench/run.mjs [--only PHASES] [--captures IDS] [--runs N] [--warmup N] [--regen] [--json FILE]
//                      [--baseline DIR]
//
// PHASES: read, decode, connections, replay, grid, flowlog, tcpdump, tshark, gzip (default all).
// flowlog: replays a generated Zeek conn.log of 10 M records (and 2 M, for memory), issue 12.
// --baseline DIR: a built checkout of an older version (its bin/anycast-replay.js);
// the `paired` phase then runs its replay and ours in turn (A B A B …) on the
// same captures and reports the CPU ratio pair by pair (docs/performance.md).
// IDS: 1g, 10min, 50min, 10min-gz (default all; a phase runs on the captures it needs).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, 'bench', 'data');
const MANIFEST = path.join(DATA, 'manifest.json');
const CLI = path.join(ROOT, 'bin', 'anycast-replay.js');
const NODE = process.execPath;
const TIME = '/usr/bin/time';

// ---------------------------------------------------------------------------
// Arguments

const PHASES = ['read', 'decode', 'connections', 'replay', 'grid', 'flowlog', 'paired', 'tcpdump', 'tshark', 'gzip'];
const CAPTURE_IDS = ['1g', '10min', '50min', '10min-gz', 'conn-10m', 'conn-2m'];

function parseArgs(argv) {
  const a = { only: new Set(PHASES), captures: new Set(CAPTURE_IDS), runs: 5, warmup: 1, regen: false, json: undefined, baseline: undefined };
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    const value = () => {
      const v = argv[++k];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    if (arg === '--only') a.only = listOf(value(), PHASES, '--only');
    else if (arg === '--captures') a.captures = listOf(value(), CAPTURE_IDS, '--captures');
    else if (arg === '--runs') a.runs = wholeNumber(value(), 1, '--runs');
    else if (arg === '--warmup') a.warmup = wholeNumber(value(), 0, '--warmup');
    else if (arg === '--regen') a.regen = true;
    else if (arg === '--json') a.json = value();
    else if (arg === '--baseline') a.baseline = path.resolve(value());
    else if (arg === '-h' || arg === '--help') usage();
    else usage(`unknown argument ${arg}`);
  }
  return a;
}

function listOf(text, allowed, name) {
  const set = new Set(text.split(',').map((s) => s.trim()).filter(Boolean));
  for (const s of set) if (!allowed.includes(s)) usage(`${name}: unknown '${s}' (choose from ${allowed.join(', ')})`);
  return set;
}

function wholeNumber(text, min, name) {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min) usage(`${name} must be a whole number ≥ ${min}`);
  return n;
}

function usage(problem) {
  const text = `usage: node bench/run.mjs [--only ${PHASES.join(',')}] [--captures ${CAPTURE_IDS.join(',')}]
                         [--runs N (5)] [--warmup N (1)] [--regen] [--json FILE] [--baseline DIR]`;
  if (problem) {
    console.error(`bench: ${problem}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

const args = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------
// Captures

/**
 * The benchmark captures. The 10- and 50-minute ones share the model and the
 * seed: the first ten minutes of the long one are the short one, so their
 * memory should be the same (SPEC §1: memory depends on open connections,
 * never on the length of the capture).
 */
const CAPTURES = {
  '1g': {
    file: 'web-1g.pcap',
    what: 'about 1 GB of whole Ethernet frames, 1,000 connections/s (>= 5,000 open at once), 20 % IPv6',
    options: { seed: 1, durationSec: 600, connectionRate: 1_000, maxBytes: 1_000_000_000 },
  },
  '10min': {
    file: 'web-10min-h68.pcap',
    what: 'ten minutes at 400 connections/s, header-only (snaplen 68)',
    options: { seed: 2, durationSec: 600, connectionRate: 400, snaplen: 68 },
  },
  '50min': {
    file: 'web-50min-h68.pcap',
    what: 'fifty minutes of the same traffic, header-only (snaplen 68)',
    options: { seed: 2, durationSec: 3_000, connectionRate: 400, snaplen: 68 },
  },
  '10min-gz': {
    file: 'web-10min-h68.pcap.gz',
    what: 'the ten-minute capture, gzip -6',
    gzipOf: '10min',
  },
  // Flow logs (issue 12): Zeek conn.log TSV from bench/flowlog.mjs's model, rows in Zeek's write order.
  'conn-10m': {
    file: 'conn-10m.log',
    what: 'a Zeek conn.log of 10,000,000 records (2,000 connections/s, rows in end order)',
    flowLog: 10_000_000,
  },
  // Long enough (1 000 s of traffic) for the 400 s reorder window and the 300 s ends to reach their steady state.
  'conn-2m': {
    file: 'conn-2m.log',
    what: 'the first 2,000,000 records of the same model',
    flowLog: 2_000_000,
  },
};

function generatorHash() {
  const h = crypto.createHash('sha256');
  for (const f of ['synth/web-traffic.js', 'synth/random.js', 'reader/writer.js']) h.update(fs.readFileSync(path.join(ROOT, 'dist', f)));
  return h.digest('hex').slice(0, 16);
}

function readManifest() {
  try {
    return JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  } catch {
    return {};
  }
}

async function ensureCaptures(needed) {
  fs.mkdirSync(DATA, { recursive: true });
  const manifest = readManifest();
  const hash = generatorHash();
  const { writeWebTrafficFile } = await import(path.join(ROOT, 'dist', 'synth', 'web-traffic.js'));
  const ordered = [...needed].sort((a, b) => (CAPTURES[a].gzipOf ? 1 : 0) - (CAPTURES[b].gzipOf ? 1 : 0));
  for (const id of ordered) {
    const c = CAPTURES[id];
    const file = path.join(DATA, c.file);
    const source = c.gzipOf ? manifest[c.gzipOf] : undefined;
    const sourceFile = c.gzipOf ? path.join(DATA, CAPTURES[c.gzipOf].file) : undefined;
    const key = JSON.stringify(
      c.flowLog !== undefined
        ? { flowLog: c.flowLog, model: crypto.createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'bench', 'flowlog.mjs'))).digest('hex').slice(0, 16) }
        : c.gzipOf
          ? { gzipOf: source?.key, bytes: source?.fileBytes, mtimeMs: fs.statSync(sourceFile).mtimeMs }
          : { options: c.options, hash },
    );
    const known = manifest[id];
    if (!args.regen && known?.key === key && fs.existsSync(file) && fs.statSync(file).size === known.fileBytes) continue;
    const tmp = `${file}.tmp`;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    let entry;
    if (c.flowLog !== undefined) {
      process.stderr.write(`bench: generating ${c.file} … `);
      const r = spawnSync(NODE, [path.join(ROOT, 'bench', 'flowlog.mjs'), 'generate', tmp, String(c.flowLog)], { stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) throw new Error(`bench/flowlog.mjs generate failed (${r.status})`);
      entry = { records: c.flowLog, fileBytes: fs.statSync(tmp).size };
    } else if (c.gzipOf) {
      process.stderr.write(`bench: compressing ${CAPTURES[c.gzipOf].file} (gzip -6) … `);
      const out = fs.openSync(tmp, 'w');
      const r = spawnSync('gzip', ['-6', '-c', path.join(DATA, CAPTURES[c.gzipOf].file)], { stdio: ['ignore', out, 'inherit'] });
      fs.closeSync(out);
      if (r.status !== 0) throw new Error(`gzip failed (${r.status})`);
      entry = { packets: source.packets, connections: source.connections, fileBytes: fs.statSync(tmp).size, uncompressedBytes: source.fileBytes };
    } else {
      process.stderr.write(`bench: generating ${c.file} … `);
      const stats = writeWebTrafficFile(tmp, c.options);
      const cpu = process.cpuUsage(cpu0);
      entry = {
        options: c.options,
        packets: stats.packets,
        packetsIpv6: stats.packetsIpv6,
        fileBytes: stats.fileBytes,
        connections: stats.connections,
        connectionsIpv6: stats.connectionsIpv6,
        maxOpenConnections: stats.maxOpenConnections,
        payloadBytes: stats.payloadBytes,
        spanSec: (stats.lastNs - stats.firstNs) / 1e9,
        generationCpuSec: (cpu.user + cpu.system) / 1e6,
      };
    }
    fs.renameSync(tmp, file);
    entry.key = key;
    entry.generationWallSec = Number(process.hrtime.bigint() - t0) / 1e9;
    manifest[id] = entry;
    fs.writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
    const rate = !c.gzipOf && c.flowLog === undefined ? `, ${(entry.packets / entry.generationCpuSec / 1e6).toFixed(2)} M packets/s CPU` : '';
    process.stderr.write(`${(entry.fileBytes / 1e6).toFixed(0)} MB in ${entry.generationWallSec.toFixed(1)} s${rate}\n`);
  }
  return manifest;
}

// ---------------------------------------------------------------------------
// Timing

function available(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function cliHas(argv, needle) {
  if (!fs.existsSync(CLI) || !fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) return false;
  const r = spawnSync(NODE, [CLI, ...argv, '--help'], { encoding: 'utf8' });
  return r.status === 0 && (needle === undefined || r.stdout.includes(needle));
}

/**
 * Runs one command under /usr/bin/time (standard output to /dev/null: the
 * project's `-o` writes atomically through a rename, which must never target
 * a device). Returns CPU, wall and peak RSS.
 */
function timeOnce(cmd, argv) {
  const out = path.join(os.tmpdir(), `anycast-bench-time-${process.pid}`);
  const r = spawnSync(TIME, ['-o', out, '-f', '%U %S %e %M', cmd, ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 24,
    encoding: 'utf8',
  });
  const line = fs.readFileSync(out, 'utf8').trim().split('\n').pop();
  fs.rmSync(out, { force: true });
  const [user, sys, wall, rssKB] = line.split(/\s+/).map(Number);
  if (r.status !== 0) {
    const tail = (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    return { failed: `exit ${r.status}: ${tail}` };
  }
  return { user, sys, cpu: user + sys, wall, rssMB: rssKB / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results = [];

function measure(name, captureId, cmd, argv, runs, warmup) {
  const c = CAPTURES[captureId];
  const file = path.join(DATA, c.file);
  const realArgv = argv.map((a) => (a === 'FILE' ? file : a));
  process.stderr.write(`bench: ${name} on ${captureId}: `);
  const samples = [];
  for (let k = 0; k < warmup + runs; k++) {
    const s = timeOnce(cmd, realArgv);
    if (s.failed) {
      process.stderr.write(`failed (${s.failed})\n`);
      results.push({ name, capture: captureId, failed: s.failed });
      return undefined;
    }
    if (k >= warmup) samples.push(s);
    process.stderr.write(`${s.cpu.toFixed(2)}s `);
  }
  process.stderr.write('\n');
  const r = {
    name,
    capture: captureId,
    command: [path.basename(cmd), ...argv.map((a) => (a === 'FILE' ? c.file : path.relative(ROOT, a) || a))].join(' '),
    runs: samples.length,
    cpu: median(samples.map((s) => s.cpu)),
    user: median(samples.map((s) => s.user)),
    sys: median(samples.map((s) => s.sys)),
    wall: median(samples.map((s) => s.wall)),
    rssMB: median(samples.map((s) => s.rssMB)),
  };
  results.push(r);
  return r;
}

// ---------------------------------------------------------------------------
// Plan

const want = (phase) => args.only.has(phase);
const notes = [];
const plan = [];
const need = new Set();

function add(phase, name, captureId, cmd, argv, opts = {}) {
  if (!want(phase) || !args.captures.has(captureId)) return;
  need.add(captureId);
  if (CAPTURES[captureId].gzipOf) need.add(CAPTURES[captureId].gzipOf);
  plan.push({ phase, name, captureId, cmd, argv, runs: opts.runs ?? args.runs, warmup: opts.warmup ?? args.warmup });
}

// The 50-minute capture is only there for memory: one run each, no warm-up.
const once = { runs: 1, warmup: 0 };

if (want('read')) {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'reader', 'index.js'))) notes.push('read: dist/reader/index.js missing (npm run build): skipped');
  else {
    const argv = [path.join(ROOT, 'bench', 'read-only.mjs'), 'FILE'];
    add('read', 'read', '1g', NODE, argv);
    add('read', 'read', '10min', NODE, argv);
    add('read', 'read', '50min', NODE, argv, once);
    add('read', 'read', '10min-gz', NODE, argv);
  }
}
if (want('decode')) {
  if (!cliHas(['info'])) notes.push("decode: 'anycast-replay info' not available: skipped");
  else {
    const argv = [CLI, 'info', 'FILE'];
    add('decode', 'decode', '1g', NODE, argv);
    add('decode', 'decode', '10min', NODE, argv);
    add('decode', 'decode', '50min', NODE, argv, once);
    add('decode', 'decode', '10min-gz', NODE, argv);
  }
}
if (want('connections')) {
  if (!cliHas(['connections'])) notes.push("connections: 'anycast-replay connections' not available: skipped");
  else {
    const argv = [CLI, 'connections', 'FILE', '-q'];
    add('connections', 'connections', '1g', NODE, argv);
    add('connections', 'connections', '10min', NODE, argv);
    add('connections', 'connections', '50min', NODE, argv, once);
  }
}
if (want('replay')) {
  if (!cliHas([], '--servers')) notes.push("replay: 'anycast-replay FILE --servers N' not available: skipped");
  else {
    const all5 = [CLI, 'FILE', '--servers', '5', '--policy', 'all', '-q'];
    add('replay', 'replay-all-n5', '1g', NODE, all5);
    add('replay', 'replay-all-n5', '10min', NODE, all5);
    add('replay', 'replay-all-n5', '50min', NODE, all5, once);
    add('replay', 'replay-hash-n5', '10min', NODE, [CLI, 'FILE', '--servers', '5', '--policy', 'hash', '-q']);
    add('replay', 'replay-all-n500', '10min', NODE, [CLI, 'FILE', '--servers', '500', '--policy', 'all', '-q']);
    // Issue 11: twelve policies of the catalogue at once with one server change, against the paper's four.
    if (cliHas([], '--event')) {
      const twelve = 'round-robin,random,hash,least-active,weighted-round-robin,p2c,hash-threshold,hrw,ring,maglev,jump,bounded-load';
      add('replay', 'replay-12-event', '10min', NODE, [CLI, 'FILE', '--servers', '5', '--policy', twelve, '--event', '60:remove:2', '-q']);
    } else notes.push("replay-12-event: 'anycast-replay --event' not available: skipped");
  }
}
if (want('grid')) {
  // One pass feeding a grid (issue 10): 40 configurations against one.
  const grid = path.join(ROOT, 'bench', 'grid.mjs');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'engine', 'configurations.js'))) notes.push('grid: dist/engine/configurations.js missing: skipped');
  else {
    add('grid', 'grid-1', '10min', NODE, [grid, 'FILE', '1x1x1']);
    add('grid', 'grid-40', '10min', NODE, [grid, 'FILE', '4x2x5']);
    add('grid', 'grid-1', '1g', NODE, [grid, 'FILE', '1x1x1']);
    add('grid', 'grid-40', '1g', NODE, [grid, 'FILE', '4x2x5']);
  }
}
if (want('flowlog')) {
  // Issue 12: a conn.log replayed with the paper's four policies. The window of
  // 400 s takes in the rows Zeek writes 5 minutes after their last packet.
  if (!cliHas([], '--input-format')) notes.push("flowlog: 'anycast-replay --input-format' not available: skipped");
  else {
    const argv = [CLI, 'FILE', '--servers', '5', '--policy', 'all', '--proto', 'both', '--reorder-window', '400', '-q'];
    add('flowlog', 'flowlog-replay', 'conn-10m', NODE, argv, { runs: Math.min(args.runs, 3), warmup: 0 });
    add('flowlog', 'flowlog-replay', 'conn-2m', NODE, argv, { runs: Math.min(args.runs, 3), warmup: 0 });
    add('flowlog', 'flowlog-read', 'conn-10m', NODE, [path.join(ROOT, 'bench', 'flowlog.mjs'), 'read', 'FILE', '400'], { runs: Math.min(args.runs, 3), warmup: 0 });
  }
}
const pairedPlan = [];
if (want('paired')) {
  const old = args.baseline && path.join(args.baseline, 'bin', 'anycast-replay.js');
  if (old === undefined) notes.push('paired: no --baseline DIR given: skipped');
  else if (!fs.existsSync(old) || !fs.existsSync(path.join(args.baseline, 'dist', 'cli', 'main.js'))) notes.push(`paired: ${old} or its dist/ missing: skipped`);
  else {
    for (const id of ['1g', '10min']) {
      if (!args.captures.has(id)) continue;
      need.add(id);
      pairedPlan.push({ name: 'replay-all-n5', captureId: id, old, argv: ['FILE', '--servers', '5', '--policy', 'all', '-q'] });
    }
  }
}
if (want('tcpdump')) {
  if (!available('tcpdump')) notes.push('tcpdump: not installed: skipped');
  else {
    add('tcpdump', 'tcpdump', '1g', 'tcpdump', ['-nn', '-r', 'FILE', '-w', '/dev/null']);
    add('tcpdump', 'tcpdump', '10min', 'tcpdump', ['-nn', '-r', 'FILE', '-w', '/dev/null']);
  }
}
if (want('tshark')) {
  // Slow (minutes on the 1 GB capture): one run, no warm-up.
  if (!available('tshark')) notes.push('tshark: not installed: skipped');
  else add('tshark', 'tshark-conv', '1g', 'tshark', ['-r', 'FILE', '-q', '-z', 'conv,tcp'], once);
}
if (want('gzip')) {
  if (!available('gzip')) notes.push('gzip: not installed: skipped');
  else add('gzip', 'gzip-dc', '10min-gz', 'gzip', ['-dc', 'FILE']);
}

// ---------------------------------------------------------------------------
// Run

if (!fs.existsSync(TIME)) {
  console.error(`bench: ${TIME} (GNU time) is needed to measure CPU and peak RSS of child processes`);
  process.exit(1);
}
if (!fs.existsSync(path.join(ROOT, 'dist', 'synth', 'web-traffic.js'))) {
  console.error('bench: dist/ is missing: run npm run build (npm run bench does)');
  process.exit(1);
}

const started = new Date();
const load0 = os.loadavg();
const manifest = await ensureCaptures(need);
for (const p of plan) measure(p.name, p.captureId, p.cmd, p.argv, p.runs, p.warmup);
const paired = [];
for (const p of pairedPlan) {
  // Baseline and current in turn, so drift of the machine hits both alike.
  const file = path.join(DATA, CAPTURES[p.captureId].file);
  const argv = p.argv.map((a) => (a === 'FILE' ? file : a));
  process.stderr.write(`bench: paired ${p.name} on ${p.captureId} (baseline/current CPU): `);
  const ratios = [];
  const cpus = { old: [], cur: [] };
  for (let k = 0; k < args.warmup + args.runs; k++) {
    const a = timeOnce(NODE, [p.old, ...argv]);
    const b = timeOnce(NODE, [CLI, ...argv]);
    if (a.failed || b.failed) {
      process.stderr.write(`failed (${a.failed ?? b.failed})\n`);
      break;
    }
    if (k < args.warmup) continue;
    ratios.push(b.cpu / a.cpu);
    cpus.old.push(a.cpu);
    cpus.cur.push(b.cpu);
    process.stderr.write(`${a.cpu.toFixed(2)}/${b.cpu.toFixed(2)} `);
  }
  process.stderr.write('\n');
  if (ratios.length > 0) {
    paired.push({ name: p.name, capture: p.captureId, baseline: args.baseline, runs: ratios.length, baselineCpu: median(cpus.old), cpu: median(cpus.cur), ratio: median(ratios), minRatio: Math.min(...ratios), maxRatio: Math.max(...ratios) });
  }
}
const load1 = os.loadavg();

// ---------------------------------------------------------------------------
// Report

const get = (name, capture) => results.find((r) => r.name === name && r.capture === capture && !r.failed);
const packetsOf = (id) => manifest[id]?.packets;
const bytesOf = (id) => manifest[id]?.fileBytes;

function fmt(x, digits = 2) {
  return x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits);
}

function table(rows, header) {
  const all = [header, ...rows];
  const widths = header.map((_, k) => Math.max(...all.map((r) => String(r[k]).length)));
  return all.map((r) => r.map((v, k) => (k < 2 ? String(v).padEnd(widths[k]) : String(v).padStart(widths[k]))).join('  ')).join('\n');
}

console.log(`\nanycast-replay benchmark, ${started.toISOString()}`);
const cpus = os.cpus();
console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
console.log(`load average (1 min) at start ${load0[0].toFixed(2)}, at end ${load1[0].toFixed(2)}: other processes on the machine inflate wall times`);
console.log(`runs: median of ${args.runs} after ${args.warmup} warm-up (50-minute capture and tshark: 1 run); CPU = user + sys of the child\n`);

console.log('captures (bench/data/):');
for (const id of CAPTURE_IDS) {
  const m = manifest[id];
  if (!m || !need.has(id)) continue;
  const c = CAPTURES[id];
  const extra = c.flowLog !== undefined
    ? `${fmt(m.fileBytes / 1e6, 0)} MB, ${m.records} records`
    : c.gzipOf
    ? `${fmt(m.fileBytes / 1e6, 0)} MB (from ${fmt(m.uncompressedBytes / 1e6, 0)} MB)`
    : `${fmt(m.fileBytes / 1e6, 0)} MB, ${m.packets} packets, ${m.connections} connections (max ${m.maxOpenConnections} open), ${fmt(m.spanSec, 0)} s; generated at ${fmt(m.packets / m.generationCpuSec / 1e6)} M packets/s CPU`;
  console.log(`  ${id.padEnd(9)} ${c.file}: ${c.what}; ${extra}`);
}

const rows = results.map((r) => {
  if (r.failed) return [r.name, r.capture, 'failed', '', '', '', '', '', ''];
  // Flow logs: the per-"packet" columns count records.
  const packets = packetsOf(r.capture) ?? manifest[r.capture]?.records;
  const bytes = CAPTURES[r.capture].gzipOf ? manifest[r.capture].uncompressedBytes : bytesOf(r.capture);
  return [
    r.name,
    r.capture,
    r.runs,
    fmt(r.cpu),
    fmt(r.wall),
    fmt(bytes / 1e6 / r.wall, 0),
    fmt(packets / r.wall / 1e6),
    fmt((r.cpu / packets) * 1e9, 0),
    fmt(r.rssMB, 1),
  ];
});
console.log(`\n${table(rows, ['phase', 'capture', 'runs', 'CPU s', 'wall s', 'MB/s', 'Mpkt/s', 'CPU ns/pkt', 'RSS MB'])}`);
console.log('(MB/s: capture bytes, uncompressed for gzip, per wall second; Mpkt/s per wall second; for the conn.logs, records in place of packets)');

// Ratios and targets.
const checks = [];
function check(label, value, ok, detail) {
  checks.push({ label, value, ok, detail });
}
const ratio = (a, b) => (a && b ? a.cpu / b.cpu : undefined);

const tcp1g = get('tcpdump', '1g');
const tshark = get('tshark-conv', '1g');
const dec1g = get('decode', '1g');
const dec10 = get('decode', '10min');
const conn1g = get('connections', '1g');
const rep1g = get('replay-all-n5', '1g');
const rep10 = get('replay-all-n5', '10min');
const rep10one = get('replay-hash-n5', '10min');
const rep10n500 = get('replay-all-n500', '10min');
const gz = get('gzip-dc', '10min-gz');
const decGz = get('decode', '10min-gz');

if (dec1g && tcp1g) check('read+decode CPU / tcpdump CPU, 1 GB', ratio(dec1g, tcp1g), ratio(dec1g, tcp1g) <= 0.6, '≤ 0.6');
if (dec10) {
  const pps = packetsOf('10min') / dec10.wall;
  check('read+decode packets/s (wall), header-only 10 min', pps / 1e6, pps >= 2e6, '≥ 2 M/s');
}
if (decGz && gz) check('read+decode of the gzip capture, wall / gzip -dc wall', decGz.wall / gz.wall, decGz.wall / gz.wall <= 1.2, '≤ 1.2');
for (const name of ['read', 'decode', 'connections', 'replay-all-n5', 'replay-hash-n5', 'replay-all-n500']) {
  const r10 = get(name, '10min');
  if (r10) check(`${name}: peak RSS, header-only 10 min (MB)`, r10.rssMB, r10.rssMB < 100, '< 100 MB');
  const r50 = get(name, '50min');
  if (r10 && r50) {
    const d = r50.rssMB / r10.rssMB - 1;
    check(`${name}: peak RSS 50 min vs 10 min (MB, ${fmt(r10.rssMB, 1)} → ${fmt(r50.rssMB, 1)})`, d * 100, Math.abs(d) <= 0.1, '±10 %');
  }
}
if (conn1g && tshark) check('tshark conv,tcp CPU / connections CPU, 1 GB', tshark.cpu / conn1g.cpu, tshark.cpu / conn1g.cpu >= 30, '≥ 30');
if (conn1g && tcp1g) check('connections CPU / tcpdump CPU, 1 GB', ratio(conn1g, tcp1g), ratio(conn1g, tcp1g) <= 1, '≤ 1');
if (rep1g && tcp1g) check('replay (4 policies, N=5) CPU / tcpdump CPU, 1 GB', ratio(rep1g, tcp1g), ratio(rep1g, tcp1g) <= 0.7, '≤ 0.7');
if (rep1g && tshark) check('tshark conv,tcp CPU / replay CPU, 1 GB', tshark.cpu / rep1g.cpu, tshark.cpu / rep1g.cpu >= 30, '≥ 30');
if (rep10) {
  const ns = (rep10.cpu / packetsOf('10min')) * 1e9;
  check('replay CPU per packet, header-only 10 min (ns)', ns, ns <= 1_000, '≤ 1000 ns');
}
if (rep10 && rep10one) check('replay 4 policies / 1 policy (hash), CPU', ratio(rep10, rep10one), ratio(rep10, rep10one) <= 1.3, '≤ 1.3');
if (rep10 && rep10n500) check('replay N=500 / N=5, CPU', ratio(rep10n500, rep10), ratio(rep10n500, rep10) <= 1.0, '≤ 1.0');
const rep12 = get('replay-12-event', '10min');
if (rep10 && rep12) check('replay 12 policies + 1 event / 4 policies, CPU, 10 min', ratio(rep12, rep10), ratio(rep12, rep10) <= 2, '≤ 2');
if (rep1g && dec1g) check('replay (4 policies, N=5) CPU / info CPU, 1 GB', ratio(rep1g, dec1g), ratio(rep1g, dec1g) <= 1.6, '≤ 1.6');
for (const id of ['10min', '1g']) {
  const g1 = get('grid-1', id);
  const g40 = get('grid-40', id);
  if (g1 && g40) check(`grid of 40 configurations / 1 configuration in one pass, CPU, ${id}`, ratio(g40, g1), ratio(g40, g1) <= 2, '≤ 2');
}
for (const p of paired) {
  check(
    `${p.name} current / baseline CPU, paired median of ${p.runs} (${fmt(p.minRatio)}–${fmt(p.maxRatio)}), ${p.capture}`,
    p.ratio,
    p.ratio <= 1.02,
    '≤ 1.02: not slower',
  );
}

const fl10 = get('flowlog-replay', 'conn-10m');
const fl1 = get('flowlog-replay', 'conn-2m');
if (fl10) {
  // Issue 12: records per second of the run (wall); the parser runs on a second thread beside the replay.
  const rps = manifest['conn-10m'].records / fl10.wall;
  check('flow-log replay, records per second (wall), 10 M-record conn.log (4 policies)', rps / 1e6, rps >= 1e6, '≥ 1 M/s');
}
if (fl10 && fl1) {
  const d = fl10.rssMB / fl1.rssMB - 1;
  check(`flow-log replay: peak RSS 10 M vs 2 M records (MB, ${fmt(fl1.rssMB, 1)} → ${fmt(fl10.rssMB, 1)})`, d * 100, Math.abs(d) <= 0.1, '±10 %');
}

const tcp10 = get('tcpdump', '10min');
const extraRatios = [];
if (fl10) extraRatios.push(`flow-log replay, records per CPU second (both threads), 10 M: ${fmt(manifest['conn-10m'].records / fl10.cpu / 1e6)} M`);
const flRead = get('flowlog-read', 'conn-10m');
if (flRead) extraRatios.push(`flow-log reader alone (one thread), records per CPU second, 10 M: ${fmt(manifest['conn-10m'].records / flRead.cpu / 1e6)} M`);
if (dec10 && tcp10) extraRatios.push(`read+decode / tcpdump CPU, header-only 10 min: ${fmt(ratio(dec10, tcp10))}`);
const read10 = get('read', '10min');
if (read10 && dec10) extraRatios.push(`decode share of read+decode CPU, 10 min: ${fmt(100 * (1 - read10.cpu / dec10.cpu), 0)} %`);
if (gz && decGz) extraRatios.push(`read+decode of the gzip capture, CPU / gzip -dc CPU: ${fmt(decGz.cpu / gz.cpu)}`);

console.log('\ntargets:');
if (checks.length === 0) console.log('  (none measurable with the phases that ran)');
for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'MISS'}  ${c.label}: ${fmt(c.value)} (target ${c.detail})`);
if (extraRatios.length > 0) {
  console.log('\nother ratios:');
  for (const e of extraRatios) console.log(`  ${e}`);
}
if (notes.length > 0) {
  console.log('\nnotes:');
  for (const n of notes) console.log(`  ${n}`);
}

const jsonPath = args.json ?? path.join(DATA, 'results.json');
fs.mkdirSync(path.dirname(jsonPath), { recursive: true });
fs.writeFileSync(
  jsonPath,
  `${JSON.stringify({ started: started.toISOString(), load: [load0[0], load1[0]], runs: args.runs, warmup: args.warmup, captures: manifest, results, paired, checks, notes }, null, 2)}\n`,
);
const shown = path.relative(process.cwd(), jsonPath);
console.log(`\nresults: ${shown.startsWith('..') ? path.resolve(jsonPath) : shown}`);
