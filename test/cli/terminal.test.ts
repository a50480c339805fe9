/**
 * Issue 8, item 4: the terminal after Ctrl-C. With the progress bar drawn on
 * a terminal (a pseudo-terminal made by util-linux `script`), SIGINT and
 * SIGTERM must leave the cursor shown and line wrap on, and end the bar's line.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CLI_BIN, PROJECT_ROOT, cliEnv, tempDir } from '../helpers/scenario.js';

const FIXTURE = path.join(PROJECT_ROOT, 'fixtures', 'web-small.pcap');
const HAVE_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_SCRIPT) console.warn('terminal.test.ts: util-linux `script` is not installed; the pseudo-terminal tests are skipped');

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const WRAP_OFF = '\x1b[?7l';
const WRAP_ON = '\x1b[?7h';

/**
 * Runs the replay on a pseudo-terminal, its capture on a pipe that stays open
 * after the first chunk (so the bar is drawn and the run waits), sends
 * `signal` once the bar is on the screen, and returns what the terminal got.
 */
async function interrupted(signal: NodeJS.Signals): Promise<{ screen: string; code: number | null }> {
  const dir = tempDir();
  const pidFile = path.join(dir, 'pid');
  // The capture comes through a FIFO held open by this test after its first bytes.
  const fifo = path.join(dir, 'capture.fifo');
  spawnSync('mkfifo', [fifo]);
  const writer = fs.createWriteStream(fifo);
  writer.write(fs.readFileSync(FIXTURE));
  const inner =
    `(echo $BASHPID > "${pidFile}"; exec "${process.execPath}" "${CLI_BIN}" "${fifo}" --policy hash -o "${path.join(dir, 'out.csv')}"); ` +
    `echo "status=$?"`;
  const child = spawn('script', ['-qfec', `bash -c '${inner.replace(/'/g, "'\\''")}'`, '/dev/null'], {
    env: { ...cliEnv(), TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (x: string) => (screen += x));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 20_000;
  while (!screen.includes(HIDE_CURSOR) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(screen).toContain(HIDE_CURSOR);
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  process.kill(pid, signal);
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await done;
  clearTimeout(guard);
  writer.destroy();
  const status = /status=(\d+)/.exec(screen);
  return { screen, code: status ? Number(status[1]) : null };
}

function expectRestored(screen: string): void {
  // Whatever hid the cursor or turned wrap off was undone after it.
  expect(screen.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(screen.lastIndexOf(HIDE_CURSOR));
  expect(screen.lastIndexOf(WRAP_ON)).toBeGreaterThan(screen.lastIndexOf(WRAP_OFF));
  // The bar's line is ended: the shell's next output starts on a line of its own.
  expect(screen).toMatch(/\x1b\[\?7h\r?\n(status=)/);
}

describe.skipIf(!HAVE_SCRIPT)('the terminal after an interrupted run with a progress bar', () => {
  it('SIGINT: exit 130, cursor shown, line wrap on, the bar line ended', async () => {
    const { screen, code } = await interrupted('SIGINT');
    expect(code).toBe(130);
    expectRestored(screen);
  });

  it('SIGTERM: exit 143, the same', async () => {
    const { screen, code } = await interrupted('SIGTERM');
    expect(code).toBe(143);
    expectRestored(screen);
  });
});
