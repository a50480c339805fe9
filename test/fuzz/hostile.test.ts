/**
 * Hostile captures (issue 8 item 7), the CI half: a fixed-seed sample of
 * mutated captures run in-process, a subset of them and every damaged corpus
 * file through the real CLI, a gzip bomb, a scaled-down SYN flood, and full
 * disks. The invariants are those of docs/fuzzing.md: no uncaught exception
 * (no exit 70), an exit code from the documented set, at most
 * MAX_STDERR_LINES lines on standard error, peak RSS under 256 MB, done
 * within a bound, no output file left behind by a failed run.
 *
 * The case builder and in-process runner (scripts/fuzz-cases.mjs) run over the
 * built library in dist/, as `npm run fuzz` does: `npm test` builds first.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOCUMENTED_EXIT_CODES,
  MAX_STDERR_LINES,
  RSS_LIMIT_BYTES,
  caseArb,
  checkCaptureFile,
  cliArgsOf,
  cliTrackingArgsOf,
  fc,
  hexDump,
  materialize,
  runCase,
  type FuzzCase,
} from '../../scripts/fuzz-cases.mjs';
import { CLI, RSS_PROBE, runFloodThroughCli, streamSynFlood } from '../../scripts/syn-flood.mjs';
import { CORPUS_PRESENT, SKIP_MESSAGE, loadManifest } from '../helpers/corpus.js';

/** Seed of the CI sample; `npm run fuzz -- --seed 20261206 --cases 600` runs the same cases. */
const SEED = 20261206;
const SAMPLE_CASES = 600;
const CLI_CASES = 24;

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-hostile-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface CliRun {
  exit: number;
  stderr: string;
  stderrLines: string[];
  rssBytes: number;
  ms: number;
}

/** Runs the CLI (built dist/) with the RSS probe preloaded. */
function runCli(args: string[], options: { input?: string } = {}): Promise<CliRun> {
  const rssFile = path.join(fs.mkdtempSync(path.join(dir, 'rss-')), 'rss');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RSS_PROBE, CLI, ...args], {
      stdio: [options.input !== undefined ? fs.openSync(options.input, 'r') : 'ignore', 'ignore', 'pipe'],
      env: { ...process.env, ANYCAST_RSS_FILE: rssFile, ANYCAST_REPLAY_DEBUG: '' },
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const rssBytes = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : Number.NaN;
      resolve({
        exit: code ?? (signal !== null ? 128 + os.constants.signals[signal] : -1),
        stderr,
        stderrLines: stderr.split('\n').filter((l) => l.length > 0),
        rssBytes,
        ms: Date.now() - started,
      });
    });
  });
}

/** The invariants every CLI run must keep, whatever its input. */
function expectWellBehaved(r: CliRun, what: string): void {
  expect(DOCUMENTED_EXIT_CODES, `${what}: exit ${r.exit}\n${r.stderr}`).toContain(r.exit);
  expect(r.stderrLines.length, `${what}: stderr\n${r.stderr}`).toBeLessThanOrEqual(MAX_STDERR_LINES);
  for (const line of r.stderrLines) expect(line, `${what}: stderr\n${r.stderr}`).toMatch(/^anycast-replay: /);
  expect(r.stderr, what).not.toMatch(/internal error|\n\s+at /);
  // One error line at most, and it is the last line.
  const errors = r.stderrLines.filter((l) => !l.startsWith('anycast-replay: warning: '));
  expect(errors.length, `${what}: stderr\n${r.stderr}`).toBeLessThanOrEqual(r.exit === 0 ? 0 : 1);
  expect(r.rssBytes, what).toBeLessThan(RSS_LIMIT_BYTES);
}

describe('fixed-seed sample of mutated captures, in-process', () => {
  it(`${SAMPLE_CASES} cases: failures are one-line ReplayErrors (never exit 70), the commands agree, pristine captures read whole`, async () => {
    const outcomes = new Map<string, number>();
    let pristine = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c: FuzzCase) => {
        const r = await runCase(c, dir);
        const key = r.results.replay.ok ? 'ok' : (r.results.replay.code ?? '?');
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        if (c.mutations.length === 0 && (!c.base.gzip || c.gzipMutations.length === 0)) pristine++;
        if (r.problems.length > 0) {
          throw new Error(`${r.problems.join('\n')}\ncase ${JSON.stringify(c)}\nbytes ${hexDump(r.bytes, 256)}`);
        }
      }),
      { seed: SEED, numRuns: SAMPLE_CASES, endOnFailure: true },
    );
    // The sample is not vacuous: many runs succeed, many fail, in many ways.
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(SAMPLE_CASES / 5);
    expect(pristine).toBeGreaterThan(5);
    const codes = [...outcomes.keys()].filter((k) => k !== 'ok');
    for (const code of ['CAPTURE_BAD_LENGTH', 'CAPTURE_BAD_TRAILER', 'CAPTURE_GZIP', 'CAPTURE_EMPTY', 'CAPTURE_BAD_MAGIC']) {
      expect(codes).toContain(code);
    }
  });

  it('more than 2^53 samples (a 1.8e13 s jump at --interval 0.000001) are refused with one line, exit 1 (was an internal error)', async () => {
    // Found by this harness: sample counts are doubles, exact below 2^53.
    const c = {
      base: { format: 'pcapng-multi', packets: 2, linkType: 101, ipv6: true, snaplen: 0, tsresol: 6, startSec: 1, gapUs: 2999999, gzip: false },
      mutations: [{ kind: 'time', record: 678734315, hi: 4209543377, lo: 2196373155 }],
      gzipMutations: [],
      options: { strict: false, maxConnections: 3, idleTimeout: null, window: ['0.5', undefined], interval: null },
    } as unknown as FuzzCase;
    const file = path.join(dir, 'sampler-2e53.pcapng');
    fs.writeFileSync(file, materialize(c).bytes);
    const r = await checkCaptureFile(file, { policy: ['all'], maxConnections: 3, from: '0.5', interval: '0.000001' });
    expect(r.results.info.ok).toBe(true);
    expect(r.results.replay.exit).toBe(1);
    expect(r.results.replay.line).toMatch(/^anycast-replay: the capture needs more than 9007199254740991 samples at an interval of 0\.000001000 s \(a jump of \d+ s\): give a longer --interval or a --from\/--to window$/);
  });
});

describe('a subset through the CLI', () => {
  it(`${CLI_CASES} cases (a third on standard input): exit code and error line as in-process, ≤ ${MAX_STDERR_LINES} stderr lines, RSS < 256 MB, no output left by a failed run`, async () => {
    const cases = fc.sample(caseArb, { seed: SEED + 1, numRuns: CLI_CASES });
    const work = async (c: FuzzCase, i: number): Promise<void> => {
      const sub = fs.mkdtempSync(path.join(dir, `cli-${i}-`));
      const r = await runCase(c, sub, 'capture');
      const out = path.join(sub, 'out.csv');
      const summary = path.join(sub, 'summary.json');
      // Every third case comes through standard input (`-`), read as a stream.
      const stdin = i % 3 === 2;
      const args = [stdin ? '-' : r.file, ...cliArgsOf(c.options), '-q', '-o', out, '--summary-json', summary];
      const run = await runCli(args, stdin ? { input: r.file } : {});
      const what = `CLI case ${i}${stdin ? ' (stdin)' : ''} ${JSON.stringify(c)}`;
      expectWellBehaved(run, what);
      expect(run.exit, what).toBe(r.results.replay.exit);
      if (run.exit !== 0) {
        const line = r.results.replay.line!;
        expect(run.stderrLines.at(-1), what).toBe(stdin ? line.replace(`: ${r.file}: `, ': -: ') : line);
        expect(fs.readdirSync(sub).sort(), what).toEqual(['capture']);
      } else {
        expect(fs.existsSync(out) && fs.existsSync(summary), what).toBe(true);
      }
      if (i < 6) {
        const conn = await runCli(['connections', r.file, ...cliTrackingArgsOf(c.options), '-q', '-o', path.join(sub, 'conn.csv')]);
        expectWellBehaved(conn, `connections ${what}`);
        expect(conn.exit, what).toBe(r.results.connections.exit);
        const info = await runCli(['info', '--json', r.file]);
        expectWellBehaved(info, `info ${what}`);
      }
    };
    // Two at a time (two cores).
    for (let i = 0; i < cases.length; i += 2) await Promise.all(cases.slice(i, i + 2).map((c, k) => work(c, i + k)));
  });
});

describe.skipIf(!CORPUS_PRESENT)('every malformed and fuzzed capture of ../shared/traces', () => {
  if (!CORPUS_PRESENT) console.warn(SKIP_MESSAGE);
  const rows = loadManifest().filter((r) => r.category === 'malformed' || r.category === 'fuzzed');

  it('in-process: the invariants hold; a malformed file ends as its damage column says', async () => {
    expect(rows.length).toBe(78);
    for (const row of rows) {
      const r = await checkCaptureFile(row.path, { policy: ['all'] });
      expect(r.problems, row.file).toEqual([]);
      if (row.category === 'fuzzed') expect(r.results.info.ok, `${row.file}: ${r.results.info.line}`).toBe(true);
      if (row.category === 'malformed') {
        expect(r.results.info.exit, row.file).toBe(row.damage.endsWith(':error') ? 1 : 0);
      }
    }
  });

  it('the 20 malformed files through the CLI: one line and exit 1 for an error, exit 0 for a warning, no output left', async () => {
    const malformed = rows.filter((r) => r.category === 'malformed');
    expect(malformed.length).toBe(20);
    const work = async (row: (typeof malformed)[number]): Promise<void> => {
      const sub = fs.mkdtempSync(path.join(dir, 'corpus-'));
      const out = path.join(sub, 'out.csv');
      const run = await runCli([row.path, '-q', '-o', out]);
      expectWellBehaved(run, row.file);
      const error = row.damage.endsWith(':error');
      expect(run.exit, `${row.file}\n${run.stderr}`).toBe(error ? 1 : 0);
      if (error) {
        expect(run.stderrLines.length, row.file).toBe(1);
        expect(fs.readdirSync(sub), row.file).toEqual([]);
      }
    };
    for (let i = 0; i < malformed.length; i += 2) await Promise.all(malformed.slice(i, i + 2).map(work));
  });
});

/** Writes `members` gzip members, each the deflate of `bytes`, after `head` as its own member. */
function writeGzipMembers(file: string, head: Uint8Array, bytes: Uint8Array, members: number): number {
  const fd = fs.openSync(file, 'w');
  try {
    if (head.length > 0) fs.writeSync(fd, zlib.gzipSync(head));
    const member = zlib.gzipSync(bytes, { level: 9 });
    for (let i = 0; i < members; i++) fs.writeSync(fd, member);
  } finally {
    fs.closeSync(fd);
  }
  return fs.statSync(file).size;
}

describe('gzip bombs: bounded memory, bounded time', () => {
  const MEMBER = Buffer.alloc(64 << 20);

  it('4 GiB of zeros in 4 MB of gzip (ratio > 1000): exit 1 with the bad-magic line, RSS < 256 MB', async () => {
    const file = path.join(dir, 'bomb-zeros.gz');
    const size = writeGzipMembers(file, new Uint8Array(0), MEMBER, 64);
    expect((64 * MEMBER.length) / size).toBeGreaterThan(1000);
    const run = await runCli([file, '-q']);
    expectWellBehaved(run, 'zero bomb');
    expect(run.exit).toBe(1);
    expect(run.stderrLines).toEqual([`anycast-replay: ${file}: not a pcap or pcapng capture (unknown magic) at byte 0`]);
    expect(run.ms).toBeLessThan(60_000);
  });

  it('a pcap header then 256 MiB of zeros: 16 777 216 empty records, read in flat memory', async () => {
    const file = path.join(dir, 'bomb-records.pcap.gz');
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65_535, 16);
    header.writeUInt32LE(1, 20);
    writeGzipMembers(file, header, MEMBER, 4);
    const summary = path.join(dir, 'bomb-records.json');
    const run = await runCli([file, '-q', '--summary-json', summary]);
    expectWellBehaved(run, 'record bomb');
    expect(run.exit).toBe(0);
    const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
    expect(s.capture.packets).toBe((4 * MEMBER.length) / 16);
    expect(s.capture.connections).toBe(0);
    expect(run.ms).toBeLessThan(60_000);
  });
});

describe('SYN flood, scaled down (node scripts/syn-flood.mjs runs 10 million)', () => {
  it('300 000 SYNs from distinct sources, --max-connections 10000: 290 000 evicted, 10 000 end-of-trace, RSS < 256 MB', async () => {
    const r = await runFloodThroughCli({ packets: 300_000, maxConnections: 10_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.summary!.capture.packets).toBe(300_000);
    expect(r.summary!.capture.connections).toBe(300_000);
    expect(r.summary!.capture.connections_by_reason).toEqual({ evicted: 290_000, 'end-of-trace': 10_000 });
    expect(r.peakRssBytes).toBeLessThan(RSS_LIMIT_BYTES);
  });
});

describe('a full disk', () => {
  let capture = '';
  beforeAll(async () => {
    // 3000 SYN-only connections: a `connections` CSV of about 300 kB.
    capture = path.join(dir, 'syns.pcap');
    const out = fs.createWriteStream(capture);
    await streamSynFlood(out, { packets: 3000 });
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  });

  it.each([
    ['replay -o /dev/full', ['CAPTURE', '-q', '-o', '/dev/full']],
    ['replay --summary-json /dev/full', ['CAPTURE', '-q', '--summary-json', '/dev/full']],
    ['connections -o /dev/full', ['connections', 'CAPTURE', '-q', '-o', '/dev/full']],
  ])('%s: one line naming ENOSPC, exit 1', async (_name, args) => {
    const run = await runCli(args.map((a) => (a === 'CAPTURE' ? capture : a)));
    expectWellBehaved(run, _name);
    expect(run.exit).toBe(1);
    expect(run.stderrLines.length).toBe(1);
    expect(run.stderrLines[0]).toMatch(/^anycast-replay: \/dev\/full: .*ENOSPC/);
  });

  describe('a 64 KiB tmpfs', () => {
    const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-tmpfs-'));
    const mounted = process.platform === 'linux' && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]).status === 0;
    if (!mounted) console.warn('cannot mount a tmpfs (needs root and mount(8)); skipping the small-tmpfs full-disk tests');
    afterAll(() => {
      if (mounted) spawnSync('umount', [mountPoint]);
      fs.rmSync(mountPoint, { recursive: true, force: true });
    });

    it.skipIf(!mounted).each([
      ['connections -o', ['connections', 'CAPTURE', '-q', '-o', 'TARGET']],
      ['replay --assignments', ['CAPTURE', '-q', '-p', 'all', '--assignments', 'TARGET']],
    ])('%s into it: one line, exit 1, nothing left in the file system', async (_name, args) => {
      const target = path.join(mountPoint, 'out.csv');
      const run = await runCli(args.map((a) => (a === 'CAPTURE' ? capture : a === 'TARGET' ? target : a)));
      expectWellBehaved(run, _name);
      expect(run.exit).toBe(1);
      expect(run.stderrLines.length).toBe(1);
      expect(run.stderrLines[0]).toMatch(new RegExp(`^anycast-replay: ${target}: .*ENOSPC`));
      expect(fs.readdirSync(mountPoint)).toEqual([]);
    });
  });
});
