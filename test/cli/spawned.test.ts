/**
 * Spawned runs of bin/anycast-replay.js (built by `npm run build`, which
 * `npm test` runs first): exit codes, the one-line error on standard error,
 * atomic outputs (SPEC §2a: no output file and no temporary file after a
 * failure or a signal, the previous content at the path untouched), `| head`,
 * `info` over a good and a damaged file, and `--strict` on a cut capture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CLI_BIN, PROJECT_ROOT, cliEnv, runCli, scenarioCapture, scenarioFrames, tempDir, type ScenarioPacket } from '../helpers/scenario.js';
import { cutBytes, gzipBytes, withU32 } from '../../src/reader/damage.js';

/** Three overlapping connections over ~2.5 s. */
const PACKETS: ScenarioPacket[] = [
  { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
  { t: '0.2', from: 's1', to: 'c1', flags: 'SA' },
  { t: '0.3', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
  { t: '0.4', from: 'c2', to: 's1', flags: 'S' },
  { t: '0.5', from: 's1', to: 'c2', flags: 'SA' },
  { t: '0.9', from: 's1', to: 'c1', flags: 'PA', payload: 1400 },
  { t: '1.2', from: 'c3', to: 's2', flags: 'S' },
  { t: '1.3', from: 's2', to: 'c3', flags: 'SA' },
  { t: '1.6', from: 's1', to: 'c2', flags: 'PA', payload: 700 },
  { t: '1.8', from: 'c1', to: 's1', flags: 'FA' },
  { t: '1.9', from: 's1', to: 'c1', flags: 'FA' },
  { t: '2.2', from: 's2', to: 'c3', flags: 'PA', payload: 300 },
  { t: '2.6', from: 'c2', to: 's1', flags: 'R' },
];

/** Offset of each record in a classic pcap of `packets`: 24-byte file header, then 16-byte record headers. */
function recordOffsets(packets: readonly ScenarioPacket[]): number[] {
  const offsets: number[] = [];
  let off = 24;
  for (const f of scenarioFrames(packets)) {
    offsets.push(off);
    off += 16 + f.data.length;
  }
  return offsets;
}

let dir: string;
let good: string;
let goodBytes: Buffer;
let damaged: string;
let damagedOffset: number;
let cut: string;
let cutOffset: number;
let empty: string;

beforeAll(() => {
  dir = tempDir();
  goodBytes = scenarioCapture(PACKETS);
  good = path.join(dir, 'good.pcap');
  fs.writeFileSync(good, goodBytes);
  // The 5th record's captured length (bytes 8–11 of its header) set far over the 262 144 cap.
  damagedOffset = recordOffsets(PACKETS)[4];
  damaged = path.join(dir, 'damaged.pcap');
  fs.writeFileSync(damaged, withU32(goodBytes, damagedOffset + 8, 0xfffffff0));
  // Cut 10 bytes into the last record: a killed capture.
  cutOffset = recordOffsets(PACKETS)[PACKETS.length - 1];
  cut = path.join(dir, 'cut.pcap');
  fs.writeFileSync(cut, cutBytes(goodBytes, cutOffset + 10));
  empty = path.join(dir, 'empty.pcap');
  fs.writeFileSync(empty, Buffer.alloc(0));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory per test for outputs, so "no temporary file left" can list it. */
function outDir(): string {
  return fs.mkdtempSync(path.join(dir, 'out-'));
}

function expectOneErrorLine(stderr: string, file: string, offset: number | undefined): void {
  expect(stderr.split('\n'), stderr).toHaveLength(2);
  expect(stderr.endsWith('\n')).toBe(true);
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const tail = offset === undefined ? '' : ` at byte ${offset}`;
  expect(stderr).toMatch(new RegExp(`^anycast-replay: ${escaped}: [^\\n]+${tail}\\n$`));
  if (offset === undefined) expect(stderr).not.toContain(' at byte ');
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('exit codes and outputs of spawned runs', () => {
  it('a good capture: exit 0, the CSV on standard output', () => {
    const r = runCli([good, '--servers', '2', '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf');
    expect(lines.at(-1)).toBe('');
    expect(lines.length).toBeGreaterThan(2);
    expect(r.stdout).not.toContain('\r');
  });

  it('without -q the summary goes to standard error, never to standard output', () => {
    const quiet = runCli([good, '-q']);
    const loud = runCli([good]);
    expect(loud.status).toBe(0);
    expect(loud.stdout).toBe(quiet.stdout);
    expect(loud.stderr.length).toBeGreaterThan(0);
  });

  it('-o writes the file atomically and nothing to standard output', () => {
    const d = outDir();
    const out = path.join(d, 'out.csv');
    const r = runCli([good, '-q', '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toBe(runCli([good, '-q']).stdout);
    expect(fs.readdirSync(d)).toEqual(['out.csv']);
  });

  it('a damaged capture: exit 1, one line naming file and offset, no output and no temporary file', () => {
    const d = outDir();
    const out = path.join(d, 'out.csv');
    const r = runCli([damaged, '-o', out, '--timeseries', path.join(d, 'ts.csv'), '--assignments', path.join(d, 'asg.csv'), '--summary-json', path.join(d, 's.json')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expectOneErrorLine(r.stderr, damaged, damagedOffset);
    expect(r.stderr).toBe(`anycast-replay: ${damaged}: bad record length 4294967280 (cap 262144) at byte ${damagedOffset}\n`);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('a damaged capture to standard output: exit 1, the one line, no CSV', () => {
    const r = runCli([damaged]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expectOneErrorLine(r.stderr, damaged, damagedOffset);
  });

  it('the offset of gzip input is counted in the decompressed stream', () => {
    const gz = path.join(dir, 'damaged.pcap.gz');
    fs.writeFileSync(gz, gzipBytes(fs.readFileSync(damaged)));
    const r = runCli([gz, '-q']);
    expect(r.status).toBe(1);
    expectOneErrorLine(r.stderr, gz, damagedOffset);
  });

  it('an empty file names no offset; a missing file is exit 1', () => {
    const r = runCli([empty, '-q']);
    expect(r.status).toBe(1);
    expectOneErrorLine(r.stderr, empty, undefined);
    const missing = path.join(dir, 'missing.pcap');
    const m = runCli([missing, '-q']);
    expect(m.status).toBe(1);
    expectOneErrorLine(m.stderr, missing, undefined);
  });

  it('an existing output file is left untouched when the run fails', () => {
    const d = outDir();
    const out = path.join(d, 'out.csv');
    const ts = path.join(d, 'ts.csv');
    fs.writeFileSync(out, 'previous result\n');
    fs.writeFileSync(ts, 'previous timeseries\n');
    const before = fs.statSync(out).mtimeMs;
    const r = runCli([good, damaged, '-q', '-o', out, '--timeseries', ts]);
    expect(r.status).toBe(1);
    expectOneErrorLine(r.stderr, damaged, damagedOffset);
    expect(fs.readFileSync(out, 'utf8')).toBe('previous result\n');
    expect(fs.readFileSync(ts, 'utf8')).toBe('previous timeseries\n');
    expect(fs.statSync(out).mtimeMs).toBe(before);
    expect(fs.readdirSync(d).sort()).toEqual(['out.csv', 'ts.csv']);
  });

  it('an existing output file is replaced when the run succeeds', () => {
    const d = outDir();
    const out = path.join(d, 'out.csv');
    fs.writeFileSync(out, 'previous result\n');
    expect(runCli([good, '-q', '-o', out]).status).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^metric,policy,/);
    expect(fs.readdirSync(d)).toEqual(['out.csv']);
  });

  it('an output in a missing directory: a usage error (exit 2), one line naming it (issue 8)', () => {
    const out = path.join(dir, 'no-such-dir', 'out.csv');
    const r = runCli([good, '-q', '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`anycast-replay: option --output: '${out}' cannot be created: its directory '${path.dirname(out)}' does not exist (see --help)\n`);
  });

  it('an unwritable output fails before the capture is read (standard input left open)', async () => {
    for (const [flag, name] of [['-o', '--output'], ['--summary-json', '--summary-json'], ['--timeseries', '--timeseries']]) {
      const out = path.join(dir, 'no-such-dir', 'out');
      const child = spawn(process.execPath, [CLI_BIN, '-', '-q', flag, out], { stdio: ['pipe', 'pipe', 'pipe'], env: cliEnv() });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (x: string) => (stderr += x));
      child.stdin.on('error', () => undefined);
      // Nothing is written and the pipe stays open: only a check made up front can end the run.
      const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      clearTimeout(guard);
      child.stdin.destroy();
      expect(code, flag).toBe(2);
      expect(stderr).toBe(`anycast-replay: option ${name}: '${out}' cannot be created: its directory '${path.dirname(out)}' does not exist (see --help)\n`);
    }
  });

  it('unknown option → exit 2, one line', () => {
    const r = runCli([good, '--no-such-option']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("anycast-replay: unknown option '--no-such-option' (see --help)\n");
  });

  it('--version and --help exit 0', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    const v = runCli(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout).toBe(`${pkg.version}\n`);
    const h = runCli(['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: anycast-replay/);
    expect(h.stderr).toBe('');
  });
});

describe('info over several files', () => {
  it('a good and a damaged file: one JSON line for the good one, one error line, exit 1', () => {
    const r = runCli(['info', '--json', good, damaged]);
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const report = JSON.parse(lines[0]);
    expect(report.file).toBe(good);
    expect(report.packets).toBe(PACKETS.length);
    expect(report.tcp_packets).toBe(PACKETS.length);
    expectOneErrorLine(r.stderr, damaged, damagedOffset);
  });

  it('the damaged file first does not stop the good one', () => {
    const r = runCli(['info', '--json', damaged, good]);
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).file)).toEqual([good]);
    expectOneErrorLine(r.stderr, damaged, damagedOffset);
  });
});

describe('a cut capture (SPEC §2a)', () => {
  it('is a warning naming the byte offset, exit 0, the whole records replayed', () => {
    const r = runCli([cut, '--servers', '2']);
    expect(r.status).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('anycast-replay: warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(cut);
    expect(warnings[0]).toContain(`at byte ${cutOffset}`);
    // The same as the capture without its last record.
    const whole = path.join(dir, 'without-last.pcap');
    fs.writeFileSync(whole, cutBytes(goodBytes, cutOffset));
    expect(r.stdout).toBe(runCli([whole, '--servers', '2', '-q']).stdout);
  });

  it('the warning is shown with --quiet too (the result may be incomplete)', () => {
    const r = runCli([cut, '-q']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`anycast-replay: warning: ${cut}: capture cut inside the record at byte ${cutOffset}\n`);
    const c = runCli(['connections', cut, '-q']);
    expect(c.status).toBe(0);
    expect(c.stderr).toBe(`anycast-replay: warning: ${cut}: capture cut inside the record at byte ${cutOffset}\n`);
  });

  it('--strict makes it a failure: exit 1, one line with the offset, no output file', () => {
    const d = outDir();
    const r = runCli([cut, '--strict', '-o', path.join(d, 'out.csv')]);
    expect(r.status).toBe(1);
    expectOneErrorLine(r.stderr, cut, cutOffset);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('info reports the cut and, with --strict, fails', () => {
    const r = runCli(['info', '--json', cut]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.truncated).toBe(true);
    expect(report.warnings.join(' ')).toContain(`at byte ${cutOffset}`);
    const s = runCli(['info', '--json', '--strict', cut]);
    expect(s.status).toBe(1);
    expectOneErrorLine(s.stderr, cut, cutOffset);
  });
});

describe('a forward time jump of more than one day (SPEC §1)', () => {
  it('is a warning naming the offset; --strict makes it a failure', () => {
    const packets: ScenarioPacket[] = [
      { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
      { t: '0.2', from: 's1', to: 'c1', flags: 'SA' },
      { t: '172800.7', from: 'c1', to: 's1', flags: 'R' },
    ];
    const file = path.join(dir, 'jump.pcap');
    fs.writeFileSync(file, scenarioCapture(packets));
    const offset = recordOffsets(packets)[2];
    const r = runCli([file, '-q']);
    expect(r.status).toBe(0);
    // One line for the jump; the capture carries no payload, so the bytes metric measured nothing (issue 8).
    expect(r.stderr).toBe(
      `anycast-replay: warning: ${file}: time jumps forward by more than a day once (172800.500000000 s at byte ${offset})\n` +
        'anycast-replay: warning: nothing measured for bytes: all 345601 samples had no payload bytes in their interval\n',
    );
    const d = outDir();
    const s = runCli([file, '--strict', '-o', path.join(d, 'out.csv')]);
    expect(s.status).toBe(1);
    expectOneErrorLine(s.stderr, file, offset);
    expect(fs.readdirSync(d)).toEqual([]);
  });
});

/**
 * A capture whose CSV is tens of megabytes: 5 servers, bin width 0.0001, and a
 * sample with one active connection (imbalance 5, bin 50 000), so every
 * policy has 50 001 bins per metric. Far more than a pipe holds.
 */
function bigCsvCapture(): string {
  const file = path.join(dir, 'big-csv.pcap');
  if (!fs.existsSync(file)) fs.writeFileSync(file, scenarioCapture(PACKETS));
  return file;
}

describe('a closed output pipe (| head)', () => {
  const args = (file: string): string[] => [file, '--bin-width', '0.0001'];

  it('bash: anycast-replay … | head -1 → exit 0, nothing on standard error', () => {
    const file = bigCsvCapture();
    const script = `node "${CLI_BIN}" ${args(file).map((a) => `"${a}"`).join(' ')} 2>"${path.join(dir, 'head.err')}" | head -1; echo "status=\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: cliEnv() });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf\nstatus=0\n');
    expect(fs.readFileSync(path.join(dir, 'head.err'), 'utf8')).toBe('');
  });

  it('a pipe read for one line and destroyed → exit 0, nothing on standard error', async () => {
    const file = bigCsvCapture();
    const child = spawn(process.execPath, [CLI_BIN, ...args(file)], { stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv() });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    const firstLine = await new Promise<string>((resolve) => {
      let buf = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (s: string) => {
        buf += s;
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          child.stdout.destroy();
          resolve(buf.slice(0, nl));
        }
      });
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    expect(firstLine).toBe('metric,policy,bin_start,bin_end,count,probability,density,cdf');
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('signals during a run (SPEC §2a: 130 / 143, temporary files removed, previous output untouched)', () => {
  /**
   * Starts a replay reading standard input and keeps the pipe open: with
   * `flowing`, records keep arriving (the run is busy when the signal comes);
   * without, half a capture is written and the run waits for more.
   */
  async function interrupted(
    signal: 'SIGINT' | 'SIGTERM',
    flowing = false,
  ): Promise<{ code: number | null; killedBy: NodeJS.Signals | null; stderr: string; d: string }> {
    const d = outDir();
    const out = path.join(d, 'out.csv');
    const ts = path.join(d, 'ts.csv');
    fs.writeFileSync(out, 'previous result\n');
    fs.writeFileSync(ts, 'previous timeseries\n');
    const child = spawn(process.execPath, [CLI_BIN, '-', '-o', out, '--timeseries', ts, '--assignments', path.join(d, 'asg.csv')], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: cliEnv(),
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    const done = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    let exited = false;
    child.on('exit', () => (exited = true));
    child.stdin.on('error', () => undefined); // EPIPE once the child is gone
    if (flowing) {
      // The header, then the capture's records over and over until the child exits.
      const records = goodBytes.subarray(24);
      const chunk = Buffer.concat(Array.from({ length: 200 }, () => records));
      child.stdin.write(goodBytes.subarray(0, 24));
      const feed = (): void => {
        while (!exited && child.stdin.write(chunk));
        if (!exited) child.stdin.once('drain', feed);
      };
      feed();
    } else {
      // Half the capture: the run has started and waits for more.
      child.stdin.write(goodBytes.subarray(0, recordOffsets(PACKETS)[6]));
    }
    // The temporary files of --timeseries / --assignments exist once the run is under way.
    const deadline = Date.now() + 20_000;
    while (fs.readdirSync(d).filter((n) => n.endsWith('.tmp')).length < 2) {
      if (Date.now() > deadline) throw new Error(`no temporary files appeared in ${d}: ${fs.readdirSync(d).join(', ')}; stderr ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill(signal);
    const [code, killedBy] = await done;
    child.stdin.destroy();
    return { code, killedBy, stderr, d };
  }

  it.each([
    ['SIGINT', 130, 'waiting for input'],
    ['SIGTERM', 143, 'waiting for input'],
    ['SIGINT', 130, 'flowing'],
    ['SIGTERM', 143, 'flowing'],
  ] as const)('%s → exit %d (%s)', async (signal, expected, flowing) => {
    const { code, killedBy, stderr, d } = await interrupted(signal, flowing === 'flowing');
    expect(killedBy).toBeNull();
    expect(code).toBe(expected);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
    expect(fs.readdirSync(d).sort()).toEqual(['out.csv', 'ts.csv']);
    expect(fs.readFileSync(path.join(d, 'out.csv'), 'utf8')).toBe('previous result\n');
    expect(fs.readFileSync(path.join(d, 'ts.csv'), 'utf8')).toBe('previous timeseries\n');
  });
});
