/**
 * `batch --out-dir` survives SIGKILL (issue 10 item 4): a run killed after
 * some captures finished, then rerun, ends byte-identical to an uninterrupted
 * run, and the rerun replays exactly the captures that had no result yet.
 * The fourth capture is large, so the kill lands while it is being read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI_BIN, cliEnv, runCli, tempDir } from '../helpers/scenario.js';

let dir: string;
const NAMES = ['r1.pcap', 'r2.pcap', 'r3.pcap', 'big.pcap', 'r5.pcap'];
const RESULT = /^\d{6}\.json$/;

beforeAll(() => {
  dir = tempDir();
  NAMES.forEach((name, i) => {
    const big = name === 'big.pcap';
    const args = ['synth', '--duration', big ? '120' : '10', '--rate', big ? '100' : '10', '--snaplen', '68', '--seed', String(i + 1), '-q', '-o', name];
    const r = runCli(args, { cwd: dir });
    expect(r.status).toBe(0);
  });
  fs.writeFileSync(path.join(dir, 'list.txt'), NAMES.join('\n') + '\n');
}, 60_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function results(): string[] {
  const d = path.join(dir, 'out', 'results');
  return fs.existsSync(d) ? fs.readdirSync(d).filter((n) => RESULT.test(n)).sort() : [];
}

const BATCH = ['batch', '--list', 'list.txt', '-n', '2,3', '--seeds', '1-2', '--pool', '-j', '1', '-q'];

describe('resume after SIGKILL', () => {
  it('loses no finished capture, redoes only the unfinished ones, ends byte-identical', async () => {
    const whole = runCli([...BATCH, '-o', 'whole.csv', '--summaries', 'whole.jsonl'], { cwd: dir });
    expect([whole.status, whole.stderr]).toEqual([0, '']);

    const child = spawn(process.execPath, [CLI_BIN, ...BATCH, '--out-dir', 'out', '-o', 'killed.csv'], { cwd: dir, env: cliEnv(), stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 30_000;
    while (results().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const done = results();
    // Some captures finished, not all: the big one was being read.
    expect(done.length).toBeGreaterThanOrEqual(3);
    expect(done.length).toBeLessThan(NAMES.length);
    expect(fs.existsSync(path.join(dir, 'killed.csv'))).toBe(false);
    // Every result file present is whole JSON (written by rename).
    for (const name of done) expect(() => JSON.parse(fs.readFileSync(path.join(dir, 'out', 'results', name), 'utf8'))).not.toThrow();

    const rerun = runCli([...BATCH, '--out-dir', 'out', '--verbose', '-o', 'resumed.csv', '--summaries', 'resumed.jsonl'], { cwd: dir });
    expect(rerun.status).toBe(0);
    const skipped = [...rerun.stderr.matchAll(/\] (\S+): done before, skipped/g)].map((m) => m[1]);
    const replayed = [...rerun.stderr.matchAll(/\] (\S+): replayed/g)].map((m) => m[1]);
    const doneNames = done.map((n) => NAMES[Number(n.slice(0, 6))]);
    expect(skipped).toEqual(doneNames);
    expect(replayed).toEqual(NAMES.filter((n) => !doneNames.includes(n)));
    expect(fs.readFileSync(path.join(dir, 'resumed.csv'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'whole.csv'), 'utf8'));
    expect(fs.readFileSync(path.join(dir, 'resumed.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'whole.jsonl'), 'utf8'));
    expect(results().length).toBe(NAMES.length);
  }, 60_000);
});
