/**
 * The CLI parsed in-process (STYLE tests: argv → the exact options handed to a
 * mocked action), and the error boundary of src/cli/main.ts: usage errors exit
 * 2 with one line naming the option, failures 1, internal errors 70.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProgram, type Actions, type ConnectionsFlags, type ReplayOutputs } from '../../src/cli/program.js';
import { main } from '../../src/cli/main.js';
import type { ReplayOptions } from '../../src/options.js';
import { ReplayError } from '../../src/errors.js';
import { BrokenPipeError } from '../../src/output/atomic-file.js';
import { PROJECT_ROOT } from '../helpers/scenario.js';

interface Calls {
  replay: [string[], ReplayOptions, ReplayOutputs][];
  info: [string[], { json: boolean; strict: boolean }][];
  connections: [string[], ReplayOptions, ConnectionsFlags][];
}

function mockActions(result = 0): { actions: Actions; calls: Calls } {
  const calls: Calls = { replay: [], info: [], connections: [] };
  const actions: Actions = {
    async replay(files, options, outputs) {
      calls.replay.push([files, options, outputs]);
      return result;
    },
    async info(files, flags) {
      calls.info.push([files, flags]);
      return result;
    },
    async connections(files, options, flags) {
      calls.connections.push([files, options, flags]);
      return result;
    },
    async plot() {
      return result;
    },
    async synth() {
      return result;
    },
    async batch() {
      return result;
    },
    async merge() {
      return result;
    },
  };
  return { actions, calls };
}

const argv = (...args: string[]): string[] => ['node', 'anycast-replay', ...args];

async function parse(...args: string[]): Promise<Calls> {
  const { actions, calls } = mockActions();
  await createProgram(actions).parseAsync(argv(...args));
  return calls;
}

/** What the program passes for the tracking options when none is given. */
const TRACKING_DEFAULTS = { idleTimeout: '300', synTimeout: '60', maxConnections: 4_000_000, proto: 'tcp', udpTimeout: '60', strict: false } as const;

/** The main command's options with every default filled as the program passes them. */
const REPLAY_DEFAULTS: ReplayOptions = {
  servers: 5,
  policy: ['all'],
  seed: 1,
  interval: '0.5',
  binWidth: '0.01',
  direction: 'both',
  // The catalogue's parameters (docs/policies.md); --weights, --maglev-size and --imbalance only when given.
  hashKey: 'src-port',
  hashFn: 'crc32',
  vnodes: 100,
  balanceFactor: '1.25',
  ...TRACKING_DEFAULTS,
  inputFormat: 'auto',
  reorderWindow: '60',
};

describe('main command: argv → ReplayOptions and outputs', () => {
  it('fills every default', async () => {
    const calls = await parse('trace.pcap');
    expect(calls.replay).toEqual([[['trace.pcap'], REPLAY_DEFAULTS, { quiet: false }]]);
    expect(calls.info).toEqual([]);
    expect(calls.connections).toEqual([]);
  });

  it('passes every option, numbers as numbers and seconds as decimal text', async () => {
    const calls = await parse(
      'a.pcap',
      'b.pcap.gz',
      '-n',
      '7',
      '--policy',
      'hash,random',
      '--seed',
      '42',
      '--interval',
      '0.25',
      '--bin-width',
      '0.05',
      '--direction',
      's2c',
      '--idle-timeout',
      '30',
      '--syn-timeout',
      '0',
      '--max-connections',
      '1000',
      '--service',
      '192.0.2.10:80',
      '--service',
      '[2001:db8::1]:443',
      '--from',
      '60',
      '--to',
      '300.5',
      '-o',
      'out.csv',
      '--summary-json',
      'summary.json',
      '--timeseries',
      'ts.csv',
      '--assignments',
      'asg.csv',
      '-q',
      '--strict',
      '--proto',
      'both',
      '--udp-timeout',
      '10.5',
      '--hash-key',
      '4-tuple',
      '--hash-fn',
      'toeplitz',
      '--weights',
      '3,1,1,1,1,1,1',
      '--vnodes',
      '50',
      '--maglev-size',
      '701',
      '--balance-factor',
      '1.5',
      '--imbalance',
      'cv,range',
      '--input-format',
      'zeek-conn',
      '--reorder-window',
      '30.5',
    );
    expect(calls.replay).toEqual([
      [
        ['a.pcap', 'b.pcap.gz'],
        {
          servers: 7,
          policy: ['hash', 'random'],
          seed: 42,
          interval: '0.25',
          binWidth: '0.05',
          direction: 's2c',
          idleTimeout: '30',
          synTimeout: '0',
          maxConnections: 1000,
          proto: 'both',
          udpTimeout: '10.5',
          strict: true,
          from: '60',
          to: '300.5',
          service: ['192.0.2.10:80', '[2001:db8::1]:443'],
          hashKey: '4-tuple',
          hashFn: 'toeplitz',
          weights: '3,1,1,1,1,1,1',
          vnodes: 50,
          maglevSize: 701,
          balanceFactor: '1.5',
          imbalance: 'cv,range',
          inputFormat: 'zeek-conn',
          reorderWindow: '30.5',
        },
        { quiet: true, output: 'out.csv', summaryJson: 'summary.json', timeseries: 'ts.csv', assignments: 'asg.csv' },
      ],
    ]);
  });

  it('long forms and options before the files', async () => {
    const calls = await parse('--servers', '3', '--quiet', '--output', '-', '-p', 'all', '-');
    expect(calls.replay).toEqual([[['-'], { ...REPLAY_DEFAULTS, servers: 3 }, { quiet: true, output: '-' }]]);
  });

  it('--policy all, a comma list, and repeated --policy (which adds, replacing the default)', async () => {
    expect((await parse('x', '--policy', 'all')).replay[0][1].policy).toEqual(['all']);
    expect((await parse('x', '-p', 'least-active, round-robin')).replay[0][1].policy).toEqual(['least-active', 'round-robin']);
    expect((await parse('x', '-p', 'hash', '-p', 'random,round-robin')).replay[0][1].policy).toEqual([
      'hash',
      'random',
      'round-robin',
    ]);
  });

  it('does not hand the caller a shared array it could mutate into the next run', async () => {
    const first = (await parse('x')).replay[0][1];
    expect(() => (first.policy as string[]).push('hash')).toThrow();
    expect((await parse('x')).replay[0][1].policy).toEqual(['all']);
  });
});

describe('subcommands', () => {
  it('info --json a b', async () => {
    const calls = await parse('info', '--json', 'a.pcap', 'b.pcapng');
    expect(calls.info).toEqual([[['a.pcap', 'b.pcapng'], { json: true, strict: false }]]);
    expect(calls.replay).toEqual([]);
  });

  it('info --strict belongs to info, not to the main command', async () => {
    const calls = await parse('info', 'a.pcap', '--strict');
    expect(calls.info).toEqual([[['a.pcap'], { json: false, strict: true }]]);
  });

  it('connections --distribution --bins linear --duration-width 0.5 --bytes-width 1000', async () => {
    const calls = await parse('connections', 'x.pcap', '--distribution', '--bins', 'linear', '--duration-width', '0.5', '--bytes-width', '1000');
    expect(calls.connections).toEqual([
      [['x.pcap'], TRACKING_DEFAULTS, { distribution: true, bins: 'linear', quiet: false, durationWidth: '0.5', bytesWidth: '1000' }],
    ]);
  });

  it('connections: -o, -q, --strict, --from/--to and timeouts after the files reach the subcommand', async () => {
    // The main command has flags of the same names; they must not swallow these.
    const calls = await parse('connections', 'x.pcap', '-o', 'conns.csv', '-q', '--strict', '--from', '0', '--to', '240', '--idle-timeout', '2', '--max-connections', '10', '--proto', 'udp', '--udp-timeout', '0');
    expect(calls.connections).toEqual([
      [
        ['x.pcap'],
        { idleTimeout: '2', synTimeout: '60', maxConnections: 10, proto: 'udp', udpTimeout: '0', strict: true, from: '0', to: '240' },
        { distribution: false, bins: 'log', quiet: true, output: 'conns.csv' },
      ],
    ]);
    expect(calls.replay).toEqual([]);
  });
});

describe('main(): exit codes and the one error line', () => {
  let stderr: MockInstance;
  let stdout: MockInstance;
  const errText = (): string => stderr.mock.calls.map((c) => String(c[0])).join('');
  const outText = (): string => stdout.mock.calls.map((c) => String(c[0])).join('');

  beforeEach(() => {
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Runs main with mocked actions; returns the exit code, stderr, and whether an action ran. */
  async function run(...args: string[]): Promise<{ code: number; err: string; called: boolean }> {
    const { actions, calls } = mockActions();
    const code = await main(argv(...args), actions);
    const called = calls.replay.length + calls.info.length + calls.connections.length > 0;
    return { code, err: errText(), called };
  }

  it.each([
    [['x.pcap', '--bogus'], "unknown option '--bogus'"],
    [['x.pcap', '--policy', 'fastest'], "unknown policy 'fastest'"],
    [['x.pcap', '--policy', ','], 'no policy given'],
    [['x.pcap', '--servers', '0'], "'-n, --servers <n>' argument '0' is invalid"],
    [['x.pcap', '--servers', 'x'], "'-n, --servers <n>' argument 'x' is invalid"],
    [['x.pcap', '-n', '2.5'], "'-n, --servers <n>' argument '2.5' is invalid"],
    [['x.pcap', '--interval', '1e-3'], "'--interval <s>' argument '1e-3' is invalid"],
    [['x.pcap', '--interval', '0.0000000001'], "'--interval <s>' argument '0.0000000001' is invalid"],
    [['x.pcap', '--bin-width', '0'], "'--bin-width <w>' argument '0' is invalid"],
    [['x.pcap', '--seed', '-1'], "'--seed <n>' argument '-1' is invalid"],
    [['x.pcap', '--direction', 'up'], "'--direction <dir>' argument 'up' is invalid"],
    [['x.pcap', '--servers'], "option '-n, --servers <n>' argument missing"],
    [[], "missing required argument 'files'"],
    [['info'], "missing required argument 'files'"],
    [['info', '--bogus', 'x'], "unknown option '--bogus'"],
    [['connections', 'x', '--bins', 'cubic'], "'--bins <kind>' argument 'cubic' is invalid"],
  ])('%j → exit 2, one line naming the problem', async (args, fragment) => {
    const { code, err, called } = await run(...args);
    expect(code).toBe(2);
    expect(called).toBe(false);
    expect(err).toContain(fragment);
    expect(err.endsWith('\n')).toBe(true);
    expect(err.split('\n')).toHaveLength(2);
    expect(err.startsWith('anycast-replay: ')).toBe(true);
    expect(err).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });

  it('--version prints the package.json version and exits 0', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      stdout.mockClear();
      const { code, called } = await run(flag);
      expect(code).toBe(0);
      expect(called).toBe(false);
      expect(outText()).toBe(`${pkg.version}\n`);
    }
    expect(errText()).toBe('');
  });

  it('--help exits 0 and lists the options with their defaults', async () => {
    const { code, called } = await run('--help');
    expect(code).toBe(0);
    expect(called).toBe(false);
    const help = outText();
    expect(help).toMatch(/^Usage: anycast-replay/);
    for (const flag of ['--servers', '--policy', '--seed', '--interval', '--bin-width', '--direction', '--service', '--output', '--summary-json', '--timeseries', '--assignments', '--idle-timeout', '--syn-timeout', '--max-connections', '--from', '--to', '--strict', '--quiet']) {
      expect(help).toContain(flag);
    }
    expect(help).toContain('(default: 5)');
    expect(errText()).toBe('');
  });

  it('info --help and connections --help exit 0', async () => {
    expect((await run('info', '--help')).code).toBe(0);
    expect((await run('connections', '--help')).code).toBe(0);
    expect(outText()).toContain('--distribution');
  });

  it("returns the action's exit code", async () => {
    const { actions } = mockActions(1);
    expect(await main(argv('x.pcap'), actions)).toBe(1);
    expect(await main(argv('info', 'x.pcap'), actions)).toBe(1);
  });

  async function failWith(err: unknown): Promise<number> {
    const actions: Actions = {
      replay: async () => {
        throw err;
      },
      info: async () => 0,
      connections: async () => 0,
      plot: async () => 0,
      synth: async () => 0,
      batch: async () => 0,
      merge: async () => 0,
    };
    return main(argv('x.pcap'), actions);
  }

  it('a ReplayError from the action → its line and exit 1', async () => {
    const code = await failWith(new ReplayError('CAPTURE_BAD_LENGTH', 'record length 300000 over the cap', { file: 'x.pcap', offset: 40 }));
    expect(code).toBe(1);
    expect(errText()).toBe('anycast-replay: x.pcap: record length 300000 over the cap at byte 40\n');
  });

  it('an OPTION_INVALID ReplayError (found by the library) → exit 2', async () => {
    const code = await failWith(new ReplayError('OPTION_INVALID', 'option --service: bad prefix'));
    expect(code).toBe(2);
    expect(errText()).toBe('anycast-replay: option --service: bad prefix (see --help)\n');
  });

  it('anything else is an internal error: exit 70, one line asking for a report, no stack', async () => {
    const saved = process.env.ANYCAST_REPLAY_DEBUG;
    delete process.env.ANYCAST_REPLAY_DEBUG;
    try {
      const code = await failWith(new TypeError('x is undefined'));
      expect(code).toBe(70);
      expect(errText()).toBe('anycast-replay: internal error: x is undefined, please report\n');
    } finally {
      if (saved !== undefined) process.env.ANYCAST_REPLAY_DEBUG = saved;
    }
  });

  it('a closed output pipe ends quietly with 0', async () => {
    expect(await failWith(new BrokenPipeError())).toBe(0);
    expect(errText()).toBe('');
  });

  it('two outputs on one path, or an output on an input, are usage errors (exit 2) and nothing is created', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-replay-cli-'));
    try {
      const input = path.join(d, 'in.pcap');
      fs.writeFileSync(input, 'not read');
      const out = path.join(d, 'out.csv');
      const cases: [string[], string][] = [
        [[input, '-o', out, '--timeseries', out], `anycast-replay: option --timeseries: '${out}' is the same file as the output of --output (see --help)\n`],
        [[input, '--summary-json', out, '--assignments', `${d}/./out.csv`], `anycast-replay: option --assignments: '${d}/./out.csv' is the same file as the output of --summary-json (see --help)\n`],
        [[input, '-o', input], `anycast-replay: option --output: '${input}' is the same file as the input '${input}' (see --help)\n`],
      ];
      for (const [args, line] of cases) {
        stderr.mockClear();
        expect(await main(argv(...args, '-q'))).toBe(2);
        expect(errText()).toBe(line);
      }
      expect(fs.readdirSync(d)).toEqual(['in.pcap']);
      expect(fs.readFileSync(input, 'utf8')).toBe('not read');
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('library option errors: the real action refuses bad values with exit 2 before reading anything', async () => {
    // Values commander accepts but normalizeOptions refuses (one place validates, STYLE options).
    for (const args of [
      ['/nonexistent/x.pcap', '--servers', '70000'],
      ['/nonexistent/x.pcap', '--seed', '4294967296'],
      ['/nonexistent/x.pcap', '--interval', '0'],
      ['/nonexistent/x.pcap', '--from', '10', '--to', '5'],
      ['/nonexistent/x.pcap', '--service', '192.0.2.10/24'],
    ]) {
      stderr.mockClear();
      const code = await main(argv(...args, '-q'));
      expect(code, args.join(' ')).toBe(2);
      const err = errText();
      expect(err.split('\n'), err).toHaveLength(2);
      expect(err).toMatch(/^anycast-replay: option --(servers|seed|interval|to|service): /);
    }
  });
});
