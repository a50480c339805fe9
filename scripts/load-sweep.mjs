#!/usr/bin/env node
// The load sweep behind docs/reproduction.md (issue 9 item 4): the imbalance
// of the non-adaptive policies shrinks roughly as 1/√(active connections per
// server), so a claim about it holds at one load only. For each rate this
// writes a constant-rate Olympic-style capture with `synth`, replays it
// through all four policies, and prints one CSV row per (metric, policy,
// rate): the mean active connections per server and the summary's imbalance
// figures. `anycast-replay plot` draws the CSV (kind `sweep`).
//
// Runs the built CLI (bin/ over dist/; `npm run build` first). Deterministic:
// the same arguments give the same CSV bytes.
//
//   node scripts/load-sweep.mjs [--rates 6.25,12.5,25,50,100,200] [--duration 600]
//        [--seed 1] [--servers 5] [--work DIR] [-o FILE]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(root, 'bin', 'anycast-replay.js');

const USAGE = `usage: node scripts/load-sweep.mjs [options]
  --rates LIST    comma list of connections per second (default 6.25,12.5,25,50,100,200)
  --duration S    seconds of each capture (default 600)
  --seed N        seed of synth and of the random policy (default 1)
  --servers N     servers of the replay (default 5)
  --work DIR      keep the captures, summaries and timeseries here (default: a temporary directory, removed)
  -o FILE         write the CSV here (atomically); default standard output`;

const HEADER = 'metric,policy,rate,mean_active_per_server,mean,p50,p90,p99,max';
const METRICS = ['connections', 'bytes'];

function fail(message, code = 2) {
  process.stderr.write(`load-sweep: ${message}\n`);
  process.exit(code);
}

function positive(name, text) {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) fail(`${name}: '${text}' is not a positive number\n${USAGE}`);
  return v;
}

function whole(name, text, min) {
  if (!/^\d+$/.test(text) || Number(text) < min) fail(`${name}: '${text}' is not a whole number of at least ${min}\n${USAGE}`);
  return Number(text);
}

function parse(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rates: { type: 'string', default: '6.25,12.5,25,50,100,200' },
        duration: { type: 'string', default: '600' },
        seed: { type: 'string', default: '1' },
        servers: { type: 'string', default: '5' },
        work: { type: 'string' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(`${err.message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  // Rates as numbers, printed back in the shortest form (12.50 → 12.5), in the order given.
  const rates = values.rates.split(',').map((r) => String(positive('--rates', r)));
  if (new Set(rates).size !== rates.length) fail(`--rates: a rate is given twice in '${values.rates}'\n${USAGE}`);
  return {
    rates,
    duration: String(positive('--duration', values.duration)),
    seed: String(whole('--seed', values.seed, 0)),
    servers: whole('--servers', values.servers, 1),
    work: values.work,
    output: values.output,
  };
}

/** Runs the CLI; its stderr is passed through only when it fails. */
function run(args) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    fail(`anycast-replay ${args.join(' ')}: exit ${r.status ?? r.signal}`, 1);
  }
}

/**
 * Mean over samples and servers of the timeseries' `connections`, per policy:
 * the samples the timeseries leaves out (idle for both metrics) count as 0,
 * so the sum is divided by the summary's total sample count times N.
 */
function meanActivePerServer(timeseriesText, samples, servers) {
  const lines = timeseriesText.split('\n');
  const header = lines[0].split(',');
  const iPolicy = header.indexOf('policy');
  const iConnections = header.indexOf('connections');
  if (iPolicy < 0 || iConnections < 0) throw new Error(`timeseries header '${lines[0]}' lacks policy or connections`);
  const sums = new Map();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const f = lines[i].split(',');
    sums.set(f[iPolicy], (sums.get(f[iPolicy]) ?? 0) + Number(f[iConnections]));
  }
  const means = new Map();
  for (const [policy, sum] of sums) means.set(policy, samples > 0 ? sum / (samples * servers) : 0);
  return means;
}

/** A summary figure as the JSON gives it (a decimal string), or empty for null. */
function figure(v) {
  return v === null || v === undefined ? '' : String(v);
}

function main() {
  const o = parse(process.argv.slice(2));
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) fail('dist/ is missing: run `npm run build` first', 1);
  const work = o.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-replay-sweep-'));
  fs.mkdirSync(work, { recursive: true });
  const rows = [HEADER];
  const started = Date.now();
  try {
    for (const rate of o.rates) {
      const capture = path.join(work, `olympic-${rate}.pcap`);
      const summaryPath = path.join(work, `summary-${rate}.json`);
      const timeseriesPath = path.join(work, `timeseries-${rate}.csv`);
      const histogramPath = path.join(work, `imbalance-${rate}.csv`);
      process.stderr.write(`load-sweep: rate ${rate}/s: synth ${o.duration} s (seed ${o.seed})\n`);
      run(['synth', '--profile', 'olympic', '--rate', rate, '--duration', o.duration, '--seed', o.seed, '-q', '-o', capture]);
      process.stderr.write(`load-sweep: rate ${rate}/s: replay over ${o.servers} servers\n`);
      run([capture, '--servers', String(o.servers), '--policy', 'all', '--seed', o.seed, '-q', '-o', histogramPath, '--summary-json', summaryPath, '--timeseries', timeseriesPath]);
      const summary = JSON.parse(fs.readFileSync(summaryPath, 'utf8'));
      const samples = summary.replay.samples;
      const active = meanActivePerServer(fs.readFileSync(timeseriesPath, 'utf8'), samples, o.servers);
      for (const metric of METRICS) {
        for (const p of summary.policies) {
          const m = p[metric];
          const mean = (active.get(p.policy) ?? 0).toFixed(3);
          rows.push([metric, p.policy, rate, mean, figure(m.mean_imbalance), figure(m.p50), figure(m.p90), figure(m.p99), figure(m.max_imbalance)].join(','));
        }
      }
      const c = summary.policies.map((p) => `${p.policy} ${figure(p.connections.p90)}`).join(', ');
      process.stderr.write(
        `load-sweep: rate ${rate}/s: ${summary.replay.connections_replayed} connections, ${samples} samples, ` +
          `${(active.values().next().value ?? 0).toFixed(3)} active per server; p90 (connections) ${c}; ${((Date.now() - started) / 1000).toFixed(0)} s so far\n`,
      );
    }
  } finally {
    if (o.work === undefined) fs.rmSync(work, { recursive: true, force: true });
  }
  // Rows sorted by metric (file order of METRICS), then policy (the replay's order), then rate (as given).
  const body = [rows[0]];
  for (const metric of METRICS) {
    const ofMetric = rows.slice(1).filter((r) => r.startsWith(metric + ','));
    const policies = [...new Set(ofMetric.map((r) => r.split(',')[1]))];
    for (const policy of policies) body.push(...ofMetric.filter((r) => r.split(',')[1] === policy));
  }
  const text = body.join('\n') + '\n';
  if (o.output === undefined) {
    process.stdout.write(text);
  } else {
    const tmp = path.join(path.dirname(path.resolve(o.output)), `.${path.basename(o.output)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, o.output);
    process.stderr.write(`load-sweep: wrote ${o.output} (${body.length - 1} rows)\n`);
  }
}

main();
