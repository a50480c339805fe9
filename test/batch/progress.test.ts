/**
 * `batch` on a terminal (issue 10 item 7), on a pseudo-terminal made by
 * util-linux `script`: one bar for the whole batch with captures done/total,
 * `--verbose` lines above it, and the terminal restored (cursor shown, line
 * wrap on) at the end and after SIGINT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CLI_BIN, cliEnv, tempDir, writeScenario, type ScenarioPacket } from '../helpers/scenario.js';

const HAVE_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_SCRIPT) console.warn('test/batch/progress.test.ts: util-linux `script` is not installed; the batch progress-bar tests are skipped');

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const WRAP_OFF = '\x1b[?7l';
const WRAP_ON = '\x1b[?7h';

let dir: string;

beforeAll(() => {
  dir = tempDir();
  const packets: ScenarioPacket[] = [
    { t: '0', from: 'c1', to: 's1', flags: 'S' },
    { t: '0.1', from: 's1', to: 'c1', flags: 'SA' },
    { t: '1.2', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
    { t: '2.0', from: 'c1', to: 's1', flags: 'FA' },
  ];
  writeScenario(dir, 'a.pcap', packets);
  writeScenario(dir, 'b.pcap', packets);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `batch ARGS` on a pseudo-terminal; `signal` is sent once the bar is drawn. */
async function onTerminal(args: string[], signal?: NodeJS.Signals): Promise<{ screen: string; code: number | null }> {
  const pidFile = path.join(dir, 'pid');
  const quoted = args.map((a) => `"${a}"`).join(' ');
  const inner = `(echo $BASHPID > "${pidFile}"; cd "${dir}"; exec "${process.execPath}" "${CLI_BIN}" batch ${quoted}); echo "status=$?"`;
  const child = spawn('script', ['-qfec', `bash -c '${inner.replace(/'/g, "'\\''")}'`, '/dev/null'], {
    env: { ...cliEnv(), TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (x: string) => (screen += x));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  if (signal !== undefined) {
    const deadline = Date.now() + 20_000;
    while (!screen.includes(HIDE_CURSOR) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(screen).toContain(HIDE_CURSOR);
    process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), signal);
  }
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await done;
  clearTimeout(guard);
  const status = /status=(\d+)/.exec(screen);
  return { screen, code: status ? Number(status[1]) : null };
}

function expectRestored(screen: string): void {
  expect(screen.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(screen.lastIndexOf(HIDE_CURSOR));
  expect(screen.lastIndexOf(WRAP_ON)).toBeGreaterThan(screen.lastIndexOf(WRAP_OFF));
}

describe.skipIf(!HAVE_SCRIPT)('batch progress on a terminal', () => {
  it('one bar over the batch, captures done/total, --verbose lines, terminal restored', async () => {
    const { screen, code } = await onTerminal(['a.pcap', 'b.pcap', '-j', '1', '-n', '2', '--verbose', '-o', 'out.csv']);
    expect(code).toBe(0);
    expect(screen).toContain('captures 2/2');
    expect(screen).toContain('100%');
    expect(screen).toContain('anycast-replay: [1/2] a.pcap: replayed (4 packets, 1 connections)');
    expect(screen).toContain('anycast-replay: [2/2] b.pcap: replayed (4 packets, 1 connections)');
    expectRestored(screen);
  }, 40_000);

  it('SIGINT while a capture is read: exit 130, terminal restored, no output file', async () => {
    // The capture comes through a FIFO held open after its first bytes, so the run waits with its bar drawn.
    const fifo = path.join(dir, 'wait.fifo');
    spawnSync('mkfifo', [fifo]);
    const writer = fs.createWriteStream(fifo);
    writer.write(fs.readFileSync(path.join(dir, 'a.pcap')).subarray(0, 40));
    const { screen, code } = await onTerminal(['wait.fifo', '-n', '2', '-o', 'interrupted.csv'], 'SIGINT');
    writer.destroy();
    expect(code).toBe(130);
    expectRestored(screen);
    expect(fs.readdirSync(dir).filter((n) => n.includes('interrupted'))).toEqual([]);
  }, 40_000);
});
