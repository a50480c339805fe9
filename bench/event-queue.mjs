#!/usr/bin/env node
// Benchmark of the flow replay's pending events (issue 12): the 4-ary heap
// the driver used (src/engine/flow-replay.ts, copied here) against the
// calendar queue (src/engine/event-queue.ts) at several bucket widths and ring
// sizes, on one sequence of pushes and pops. Prints the CPU milliseconds of
// each structure for each round (structures in turn within a round) and the
// medians. Needs `npm run build` (imports dist/).
//
//   node bench/event-queue.mjs [--rounds N] [--configs heap,22/17,20/19,...] [--pollute K]
//   node bench/event-queue.mjs --trace FILE ...
//
// The sequence, by default, follows what the replay of bench/data/conn-1m.log
// pushes (measured there: 1.14 M events for 1 M records, up to 53 000
// pending): 1 M records at 2 000 per second (Poisson); each pushes its last
// packet, log-normal after its start (median 0.8 s, sigma 1.6, as the
// generator of bench/flowlog.mjs); 10 % (UDP) also push an end 60 s later,
// 5 % (unclosed TCP) one 300 s later; before each record, the events due at
// its start are popped. --trace FILE replays a recorded sequence instead:
// doubles in native byte order, a key (>= 0) for a push, -1 for a pop.
// --pollute K writes K random words of a 64 MB array after each operation,
// to stand for the rest of the replay evicting the structure from the cache.
// W/R in --configs: buckets of 2^W ns, a ring of 2^R buckets.
import fs from 'node:fs';
import { EventQueue } from '../dist/engine/event-queue.js';

const args = process.argv.slice(2);
function opt(name, def) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
}
const rounds = Number(opt('--rounds', '5'));
const configs = opt('--configs', 'heap,22/17,20/19,24/15,18/21').split(',');
const pollute = Number(opt('--pollute', '0'));
const trace = opt('--trace', undefined);

/** The driver's heap before the calendar queue: keys beside codes, four children side by side. */
class Heap4 {
  keys = new Float64Array(1024);
  codes = new Int32Array(1024);
  n = 0;
  get size() {
    return this.n;
  }
  peekKey() {
    return this.n > 0 ? this.keys[0] : Number.POSITIVE_INFINITY;
  }
  peekCode() {
    return this.codes[0];
  }
  push(key, code) {
    if (this.n === this.keys.length) {
      const k = new Float64Array(this.n * 2);
      k.set(this.keys);
      this.keys = k;
      const c = new Int32Array(this.n * 2);
      c.set(this.codes);
      this.codes = c;
    }
    const hk = this.keys;
    const hc = this.codes;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pk = hk[parent];
      if (pk <= key) break;
      hk[i] = pk;
      hc[i] = hc[parent];
      i = parent;
    }
    hk[i] = key;
    hc[i] = code;
  }
  pop() {
    const n = --this.n;
    if (n === 0) return;
    const hk = this.keys;
    const hc = this.codes;
    const lk = hk[n];
    const lc = hc[n];
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let c = first;
      let ck = hk[first];
      const end = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < end; k++) {
        const kk = hk[k];
        if (kk < ck) {
          c = k;
          ck = kk;
        }
      }
      if (ck >= lk) break;
      hk[i] = ck;
      hc[i] = hc[c];
      i = c;
    }
    hk[i] = lk;
    hc[i] = lc;
  }
}

/** A seeded generator (xorshift32), so every run replays the same sequence. */
let seed = 0x9e3779b9;
function uniform() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return ((seed >>> 0) + 0.5) / 4294967296;
}
function normal() {
  return Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** The synthetic sequence: pushes as keys (ns), pops as -1. */
function synthetic() {
  const RECORDS = 1_000_000;
  const RATE = 2000;
  const ops = [];
  const due = new Heap4(); // the keys pending, to know how many pops come before each record
  let t = 0;
  for (let r = 0; r < RECORDS; r++) {
    t += (-Math.log(uniform()) / RATE) * 1e9;
    const start = Math.round(t);
    while (due.size > 0 && due.peekKey() <= start) {
      due.pop();
      ops.push(-1);
    }
    const last = start + Math.round(0.8e9 * Math.exp(1.6 * normal()));
    const keys = [last];
    const u = uniform();
    if (u < 0.1) keys.push(last + 60e9);
    else if (u < 0.15) keys.push(last + 300e9);
    for (const k of keys) {
      due.push(k, 0);
      ops.push(k);
    }
  }
  while (due.size > 0) {
    due.pop();
    ops.push(-1);
  }
  return Float64Array.from(ops);
}

function load(file) {
  const b = fs.readFileSync(file);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

const ops = trace ? load(trace) : synthetic();
const junk = new Float64Array(8 << 20);
let junkSeed = 1;

/** Replays the sequence; returns a checksum of the popped keys (equal for every structure). */
function replay(q) {
  let sum = 0;
  let code = 0;
  for (let i = 0; i < ops.length; i++) {
    const x = ops[i];
    if (x >= 0) q.push(x, code++, 0);
    else {
      sum += q.peekKey();
      q.pop();
    }
    for (let p = 0; p < pollute; p++) {
      junkSeed = (junkSeed * 1103515245 + 12345) & 0x7fffffff;
      junk[junkSeed & (junk.length - 1)] += 1;
    }
  }
  return sum;
}

let pushes = 0;
for (const x of ops) if (x >= 0) pushes++;
console.log(`${trace ?? 'synthetic'}: ${pushes} pushes, ${ops.length - pushes} pops${pollute ? `, ${pollute} random writes per operation` : ''}`);
const times = new Map(configs.map((c) => [c, []]));
let reference;
for (let r = 0; r < rounds; r++) {
  const row = [];
  for (const c of configs) {
    const q = c === 'heap' ? new Heap4() : new EventQueue(...c.split('/').map(Number));
    const t0 = process.cpuUsage();
    const sum = replay(q);
    const u = process.cpuUsage(t0);
    const ms = (u.user + u.system) / 1000;
    if (reference === undefined) reference = sum;
    else if (sum !== reference) throw new Error(`${c}: popped keys differ from the first structure's`);
    times.get(c).push(ms);
    row.push(`${c} ${ms.toFixed(0)} ms`);
  }
  console.log(`round ${r + 1}: ${row.join('  ')}`);
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`medians: ${configs.map((c) => `${c} ${median(times.get(c)).toFixed(0)} ms`).join('  ')} (round 1 includes warm-up)`);
