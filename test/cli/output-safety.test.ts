/**
 * Issue 8, item 1: outputs never touch inputs or special files. Each case is
 * a command quoted in the issue, run through the built CLI; each refusal is a
 * usage error (exit 2, one line) before the capture is read, and the capture
 * is byte-identical afterwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI_BIN, PROJECT_ROOT, cliEnv, runCli, tempDir } from '../helpers/scenario.js';
import { checkOutputTargets } from '../../src/output/targets.js';
import { ReplayError } from '../../src/errors.js';

const FIXTURE = path.join(PROJECT_ROOT, 'fixtures', 'web-small.pcap');
const FIXTURE_BYTES = fs.readFileSync(FIXTURE);
const CSV_HEADER = 'metric,policy,bin_start,bin_end,count,probability,density,cdf\n';

let dir: string;
let cap: string;

beforeAll(() => {
  dir = tempDir();
  cap = path.join(dir, 'cap.pcap');
  fs.writeFileSync(cap, FIXTURE_BYTES);
});

/** Runs in `dir`, expecting a refusal: exit 2, one line naming the option, the capture untouched. */
function expectRefused(args: string[], option: string, problem: RegExp): void {
  const r = runCli(args, { cwd: dir });
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`option ${option}:`);
  expect(lines[0]).toMatch(problem);
  expect(lines[0]).toMatch(/ \(see --help\)$/);
  expect(fs.readFileSync(cap).equals(FIXTURE_BYTES)).toBe(true);
}

describe('an output on an input is refused, by identity', () => {
  it('through a symbolic link: alias.pcap -o cap.pcap', () => {
    fs.symlinkSync('cap.pcap', path.join(dir, 'alias.pcap'));
    expectRefused(['alias.pcap', '-o', 'cap.pcap', '-q'], '--output', /'cap\.pcap' is the same file as the input 'alias\.pcap'/);
  });

  it('through a hard link', () => {
    fs.linkSync(cap, path.join(dir, 'hard.pcap'));
    expectRefused(['hard.pcap', '--summary-json', 'cap.pcap', '-q'], '--summary-json', /same file as the input 'hard\.pcap'/);
  });

  it('./x against x', () => {
    expectRefused(['./cap.pcap', '--timeseries', 'cap.pcap', '-q'], '--timeseries', /same file as the input '\.\/cap\.pcap'/);
  });

  it('through /proc/self/fd/N: the input is the open descriptor', () => {
    // The shell opens cap.pcap as descriptor 3; /proc/self/fd/3 in the tool is that file.
    const r = spawnSync('bash', ['-c', `exec 3<cap.pcap; "${process.execPath}" "${CLI_BIN}" /proc/self/fd/3 --assignments cap.pcap -q`], {
      cwd: dir,
      encoding: 'utf8',
      env: cliEnv(),
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^anycast-replay: option --assignments: 'cap\.pcap' is the same file as the input '\/proc\/self\/fd\/3'/);
    expect(fs.readFileSync(cap).equals(FIXTURE_BYTES)).toBe(true);
  });

  it('standard input redirected from the output file', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI_BIN}" - -o cap.pcap -q < cap.pcap`], { cwd: dir, encoding: 'utf8', env: cliEnv() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/option --output: 'cap\.pcap' is the same file as standard input/);
    expect(fs.readFileSync(cap).equals(FIXTURE_BYTES)).toBe(true);
  });

  it('two outputs on one file, one of them through a link', () => {
    fs.writeFileSync(path.join(dir, 'out.csv'), 'old\n');
    fs.symlinkSync('out.csv', path.join(dir, 'out-link.csv'));
    expectRefused(['cap.pcap', '-o', 'out.csv', '--timeseries', 'out-link.csv', '-q'], '--timeseries', /same file as the output of --output/);
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe('old\n');
  });

  it('connections -o on its input', () => {
    const r = runCli(['connections', 'alias.pcap', '-o', './cap.pcap'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^anycast-replay: option --output: '\.\/cap\.pcap' is the same file as the input 'alias\.pcap'/);
    expect(fs.readFileSync(cap).equals(FIXTURE_BYTES)).toBe(true);
  });

  it('two outputs on /dev/null are allowed (a device is written in place)', () => {
    const r = runCli(['cap.pcap', '-o', '/dev/null', '--summary-json', '/dev/null', '--policy', 'hash', '-q'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe('directories are checked before reading', () => {
  it('-o some/dir: the path is a directory', () => {
    fs.mkdirSync(path.join(dir, 'some', 'dir'), { recursive: true });
    expectRefused(['cap.pcap', '-o', 'some/dir', '-q'], '--output', /'some\/dir' is a directory/);
  });

  it('-o x/: names a directory', () => {
    expectRefused(['cap.pcap', '-o', 'x/', '-q'], '--output', /'x\/' names a directory, not a file/);
  });

  it('-o missing/out.csv: its directory does not exist', () => {
    expectRefused(['cap.pcap', '--summary-json', 'missing/s.json', '-q'], '--summary-json', /its directory '.*missing' does not exist/);
  });

  it('-o file/out.csv: its directory is a file', () => {
    expectRefused(['cap.pcap', '-o', 'cap.pcap/out.csv', '-q'], '--output', /'.*cap\.pcap' is not a directory/);
  });
});

describe('links and special files as outputs', () => {
  it('-o /dev/stdout > out.csv writes in place and leaves /dev/stdout a link', () => {
    const before = fs.lstatSync('/dev/stdout');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI_BIN}" cap.pcap -o /dev/stdout --policy hash -q > from-stdout.csv`], {
      cwd: dir,
      encoding: 'utf8',
      env: cliEnv(),
    });
    expect(r.status).toBe(0);
    expect(fs.lstatSync('/dev/stdout').isSymbolicLink()).toBe(before.isSymbolicLink());
    const plain = runCli(['cap.pcap', '--policy', 'hash', '-q'], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, 'from-stdout.csv'), 'utf8')).toBe(plain.stdout);
    expect(plain.stdout.startsWith(CSV_HEADER)).toBe(true);
  });

  it('through a link to a regular file: the file is replaced, the link stays', () => {
    const target = path.join(dir, 'real.csv');
    fs.writeFileSync(target, 'old\n');
    fs.chmodSync(target, 0o640);
    fs.symlinkSync('real.csv', path.join(dir, 'link.csv'));
    const r = runCli(['cap.pcap', '-o', 'link.csv', '--policy', 'hash', '-q'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(path.join(dir, 'link.csv'))).toBe('real.csv');
    expect(fs.readFileSync(target, 'utf8').startsWith(CSV_HEADER)).toBe(true);
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('through a dangling link: the file is created where the link points', () => {
    fs.symlinkSync('made-by-link.csv', path.join(dir, 'dangling.csv'));
    const r = runCli(['cap.pcap', '-o', 'dangling.csv', '--policy', 'hash', '-q'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'dangling.csv')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'made-by-link.csv'), 'utf8').startsWith(CSV_HEADER)).toBe(true);
  });

  it("'-' is standard output", () => {
    const r = runCli(['cap.pcap', '-o', '-', '--policy', 'hash', '-q'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith(CSV_HEADER)).toBe(true);
    expect(fs.existsSync(path.join(dir, '-'))).toBe(false);
  });
});

describe('checkOutputTargets (library)', () => {
  it('throws OPTION_INVALID naming the option and the clash', () => {
    let caught: unknown;
    try {
      checkOutputTargets([cap], [['--output', path.join(dir, '.', 'cap.pcap')]]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ReplayError);
    expect((caught as ReplayError).code).toBe('OPTION_INVALID');
    expect((caught as ReplayError).exitCode).toBe(2);
  });

  it('accepts a new file in an existing directory and standard output', () => {
    expect(() => checkOutputTargets([cap], [['--output', path.join(dir, 'new.csv')], ['--summary-json', '-'], ['--timeseries', undefined]])).not.toThrow();
  });
});
