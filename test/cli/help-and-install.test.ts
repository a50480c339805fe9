/**
 * Issue 8, item 5: `help [command]`, one way of showing defaults, the same
 * hint after every usage error, and a packed tarball that installs globally
 * without an install-script warning.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, runCli, tempDir } from '../helpers/scenario.js';
import { createProgram } from '../../src/cli/program.js';

const COMMANDS = ['info', 'connections', 'plot', 'synth'];

describe('help', () => {
  it('`help` prints the main help and exits 0', () => {
    const r = runCli(['help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: anycast-replay \[options\] \[command\] <files\.\.\.>/);
    expect(r.stdout).toContain('help [command]');
  });

  it.each(COMMANDS)('`help %s` prints that command’s help, the same as its --help', (command) => {
    const viaHelp = runCli(['help', command]);
    const viaFlag = runCli([command, '--help']);
    expect(viaHelp.status).toBe(0);
    expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: anycast-replay ${command} `));
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  it('defaults and choices are shown one way: unquoted, inside one parenthesis, never "default: false"', () => {
    const program = createProgram({} as never);
    // Wrapped lines joined, so a phrase split over two lines still matches.
    const texts = [program.helpInformation(), ...program.commands.map((c) => c.helpInformation())].join('\n').replace(/\s+/g, ' ');
    expect(texts).not.toMatch(/default: "/);
    expect(texts).not.toContain('default: false');
    expect(texts).not.toContain('choices:');
    expect(texts).not.toMatch(/\) \(/);
    expect(texts).toContain('(default: 0.5)');
    expect(texts).toContain('(one of: both, s2c, c2s; default: both)');
  });

  it('the description is whole sentences (no line break inside one)', () => {
    const program = createProgram({} as never);
    const d = program.description();
    expect(d).not.toContain('\n');
    expect(d).toMatch(/\.$/);
  });
});

describe('usage errors end with the same hint', () => {
  it.each([
    [['--no-such-option']],
    [['x.pcap', '--servers', 'zero']],
    [['x.pcap', '--policy', 'fastest']],
    [['x.pcap', '--idle-timeout', 'soon']],
    [['connections', 'x.pcap', '--bins', 'square']],
    [['info']],
    [['x.pcap', '-o', 'no/such/dir/out.csv']],
    [['x.pcap', '--service', '300.1.1.1']],
  ])('%j', (args) => {
    const r = runCli(args);
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^anycast-replay: .* \(see --help\)$/);
  });
});

const HAVE_NPM = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_NPM) console.warn('help-and-install.test.ts: npm is not on PATH; the packaging test is skipped');

describe.skipIf(!HAVE_NPM)('the packed tarball', () => {
  it('ships dist/ and LICENSE, and installs globally with no install-script warning', () => {
    const dir = tempDir();
    // --ignore-scripts: the suite has built dist/ already (npm test builds first).
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
    const files = info.files.map((f) => f.path);
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('LICENSE');
    expect(files).toContain('bin/anycast-replay.js');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
    const prefix = path.join(dir, 'global');
    const install = spawnSync('npm', ['install', '-g', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', prefix, path.join(dir, info.filename)], {
      encoding: 'utf8',
    });
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/install-scripts|allowScripts|prepare/);
    const version = spawnSync(path.join(prefix, 'bin', 'anycast-replay'), ['--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version);
  });

  it('LICENSE matches package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('BSD-3-Clause');
    expect(fs.readFileSync(path.join(PROJECT_ROOT, 'LICENSE'), 'utf8')).toMatch(/^BSD 3-Clause License\n/);
  });
});
