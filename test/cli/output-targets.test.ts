/**
 * `-o` on something that is not a regular file (a FIFO here; /dev/null in
 * practice) is written in place: renaming a temporary file over it would
 * replace the device node or FIFO with a regular file (found by the
 * benchmark, which first wanted `-o /dev/null`).
 */
import { describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_BIN, PROJECT_ROOT, cliEnv, runCli, tempDir } from '../helpers/scenario.js';

const FIXTURE = path.join(PROJECT_ROOT, 'fixtures', 'web-small.pcap');

describe('output targets that are not regular files', () => {
  it('writes into a FIFO given to -o and leaves it a FIFO', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
    });
    const readerDone = new Promise<number | null>((resolve) => reader.on('exit', resolve));
    const run = spawn(process.execPath, [CLI_BIN, FIXTURE, '--policy', 'hash', '-q', '-o', fifo], { env: cliEnv() });
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    expect(code).toBe(0);
    expect(await readerDone).toBe(0);
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['out.fifo']);
    // The same bytes as standard output gives.
    const plain = runCli([FIXTURE, '--policy', 'hash', '-q']);
    expect(received).toBe(plain.stdout);
    expect(received.startsWith('metric,policy,bin_start,bin_end,count,probability,density,cdf\n')).toBe(true);
  });
});
