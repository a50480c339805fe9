/**
 * The commander program (STYLE options): one table of flags, parsed into the
 * library's option types and handed to the actions. `createProgram(actions)`
 * lets tests parse argv in-process against mocked actions.
 */
import { type Argument, Command, InvalidArgumentError, Option } from 'commander';
import { ALL_POLICY_NAMES, DEFAULTS, OPTION_TABLE, POLICY_NAMES, type OptionSpec, type ReplayOptions } from '../options.js';
import { VERSION } from '../version.js';
import { PLOT_KINDS, type PlotKindChoice } from '../plot/kinds.js';
import { USAGE_HINT } from './error-line.js';
import type { BatchFlags } from './batch-action.js';
import type { MergeFlags } from './merge-action.js';
import { parseSeedsList, parseServersList } from '../batch/grid.js';
import { ReplayError } from '../errors.js';

export type { BatchFlags, MergeFlags };

/** Options of the main command beyond the library's ReplayOptions: where outputs go. */
export interface ReplayOutputs {
  output?: string;
  summaryJson?: string;
  timeseries?: string;
  assignments?: string;
  /** `--events-output`: one row per server change and policy. */
  eventsOutput?: string;
  quiet: boolean;
}

export interface ConnectionsFlags {
  output?: string;
  distribution: boolean;
  bins: 'log' | 'linear';
  durationWidth?: string;
  bytesWidth?: string;
  quiet: boolean;
}

/** Options of `plot` (docs/plot.md). */
export interface PlotFlags {
  output?: string;
  kind: PlotKindChoice;
  policy?: string;
  title?: string;
  binWidth?: string;
  width?: number;
  height?: number;
}

export interface Actions {
  replay(files: string[], options: ReplayOptions, outputs: ReplayOutputs): Promise<number>;
  info(files: string[], flags: { json: boolean; strict: boolean }): Promise<number>;
  connections(files: string[], options: ReplayOptions, flags: ConnectionsFlags): Promise<number>;
  plot(file: string, flags: PlotFlags): Promise<number>;
  synth(flags: SynthFlags): Promise<number>;
  batch(captures: string[], options: ReplayOptions, flags: BatchFlags): Promise<number>;
  merge(dirs: string[], flags: MergeFlags): Promise<number>;
}

/** `synth` options as parsed (docs/synth.md); profile defaults are filled by the library. */
export interface SynthFlags {
  profile: 'web' | 'olympic';
  seed: number;
  rate?: number;
  duration?: number;
  start?: number;
  snaplen?: number;
  format: 'pcap' | 'pcap-ns' | 'pcapng';
  linktype: 'ethernet' | 'vlan' | 'sll' | 'raw';
  ipv6?: number;
  gzip: boolean;
  out?: string;
  truth?: string;
  series?: string;
  days?: number;
  segments?: [number, number];
  segment?: number;
  quiet: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0)) throw new InvalidArgumentError(`'${value}' is not a positive number`);
  return n;
}

function fraction(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n > 1) throw new InvalidArgumentError(`'${value}' is not a fraction in [0, 1]`);
  return n;
}

function segmentRange(value: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw new InvalidArgumentError(`'${value}' is not a segment range A-B (A ≤ B)`);
  return [Number(m[1]), Number(m[2])];
}

function wholeNumber(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not a whole number`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
    return n;
  };
}

function decimal(value: string): string {
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !/[1-9]/.test(value)) {
    throw new InvalidArgumentError(`'${value}' is not a positive decimal number`);
  }
  return value.trim();
}

/** The default of --policy; a repeated --policy adds to what was given, but replaces this default. */
const DEFAULT_POLICY_LIST: readonly string[] = Object.freeze([DEFAULTS.policy]);

function policyList(value: string, previous: readonly string[] | undefined): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) {
    if (n !== 'all' && !(ALL_POLICY_NAMES as readonly string[]).includes(n)) {
      throw new InvalidArgumentError(`unknown policy '${n}' (choose from ${ALL_POLICY_NAMES.join(', ')}, all)`);
    }
  }
  if (names.length === 0) throw new InvalidArgumentError('no policy given');
  return previous === undefined || previous === DEFAULT_POLICY_LIST ? names : [...previous, ...names];
}

/** --policy's help line: every name, and what `all` is. */
const POLICY_HELP = `comma list of ${ALL_POLICY_NAMES.join(', ')}, or all (= ${POLICY_NAMES.join(', ')}; repeatable)`;

/** The catalogue's parameters and the imbalance measures (docs/policies.md), from the option table. */
function addPolicyOptions(cmd: Command, keys: readonly (typeof POLICY_OPTION_KEYS)[number][] = POLICY_OPTION_KEYS): Command {
  for (const key of keys) cmd.addOption(tableOption(OPTION_TABLE[key]));
  return cmd;
}

const POLICY_OPTION_KEYS = ['hashKey', 'hashFn', 'weights', 'vnodes', 'maglevSize', 'balanceFactor', 'imbalance'] as const;

/** The part of ReplayOptions `addPolicyOptions` parsed. */
function policyOptions(o: Record<string, unknown>): ReplayOptions {
  const out: Record<string, unknown> = {};
  for (const key of POLICY_OPTION_KEYS) if (o[key] !== undefined) out[key] = o[key];
  return out as ReplayOptions;
}

/** A library parser as a commander one: its OPTION_INVALID message becomes the usage error. */
function fromLibrary<T>(parse: (value: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof ReplayError) throw new InvalidArgumentError(err.problem.replace(/^option \S+: /, ''));
      throw err;
    }
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A commander option from the library's option table (src/options.ts): flags, help, default, choices, check. */
function tableOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.choices !== undefined) option.choices(spec.choices);
  if (spec.parse !== undefined) option.argParser(fromLibrary(spec.parse));
  if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
  return option;
}

/** Flags shared by every command that tracks connections. */
function addTrackingOptions(cmd: Command): Command {
  return cmd
    .addOption(tableOption(OPTION_TABLE.idleTimeout))
    .addOption(tableOption(OPTION_TABLE.synTimeout))
    .addOption(tableOption(OPTION_TABLE.maxConnections))
    .addOption(tableOption(OPTION_TABLE.proto))
    .addOption(tableOption(OPTION_TABLE.udpTimeout))
    .addOption(tableOption(OPTION_TABLE.from))
    .addOption(tableOption(OPTION_TABLE.to))
    .addOption(tableOption(OPTION_TABLE.strict))
    .option('-q, --quiet', 'no progress bar and no summary on standard error', false);
}

/** Flags of the commands that replay flow logs too (the main command, batch): docs/flow-logs.md. */
function addInputOptions(cmd: Command): Command {
  return cmd.addOption(tableOption(OPTION_TABLE.inputFormat)).addOption(tableOption(OPTION_TABLE.reorderWindow));
}

/** What the main command and batch sample, and of which connections: the part of ReplayOptions they share. */
function samplingOptions(o: Record<string, unknown>): ReplayOptions {
  const out: ReplayOptions = {
    interval: o.interval as string,
    binWidth: o.binWidth as string,
    direction: o.direction as ReplayOptions['direction'],
  };
  if (o.service !== undefined) out.service = o.service as string[];
  return out;
}

/** The input part of ReplayOptions from commander's parsed values. */
function inputOptions(o: Record<string, unknown>): ReplayOptions {
  return { inputFormat: o.inputFormat as ReplayOptions['inputFormat'], reorderWindow: o.reorderWindow as string };
}

/** The tracking part of ReplayOptions from commander's parsed values. */
function trackingOptions(o: Record<string, unknown>): ReplayOptions {
  const out: ReplayOptions = {
    idleTimeout: o.idleTimeout as string,
    synTimeout: o.synTimeout as string,
    maxConnections: o.maxConnections as number,
    proto: o.proto as ReplayOptions['proto'],
    udpTimeout: o.udpTimeout as string,
    strict: o.strict as boolean,
  };
  if (o.from !== undefined) out.from = o.from as string;
  if (o.to !== undefined) out.to = o.to as string;
  return out;
}

/**
 * An option's line in --help: its description, then its choices and default
 * shown one way for every option — `(one of: a, b; default: x)`, values
 * unquoted, and no `default: false` for flags, which are off unless given.
 */
export function optionDescription(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`one of: ${option.argChoices.join(', ')}`);
  const value: unknown = option.defaultValue;
  if (value !== undefined && !(option.isBoolean() && value === false)) {
    extra.push(`default: ${option.defaultValueDescription ?? (Array.isArray(value) ? value.join(',') : String(value))}`);
  }
  if (extra.length === 0) return option.description;
  // A description that ends in a parenthesis takes the extras inside it.
  if (option.description.endsWith(')')) return `${option.description.slice(0, -1)}; ${extra.join('; ')})`;
  return `${option.description} (${extra.join('; ')})`;
}

/** An argument's line in --help, its default shown as options show theirs. */
export function argumentDescription(argument: Argument): string {
  const value: unknown = argument.defaultValue;
  if (value === undefined) return argument.description;
  return `${argument.description} (default: ${argument.defaultValueDescription ?? String(value)})`;
}

/** Commander's `error: …` message as the tool's one error line, with a pointer to --help. */
export function usageErrorLine(message: string): string {
  const text = message.replace(/^error: /, '').replace(/\s+/g, ' ').trim();
  return `anycast-replay: ${text} ${USAGE_HINT}\n`;
}

export function createProgram(actions: Actions): Command {
  const program = new Command();
  program
    .name('anycast-replay')
    .description(
      'Replay the TCP connections of a capture through anycast / ECMP / load-balancer dispatch policies ' +
        'and print the probability density of the load imbalance across N servers as CSV.',
    )
    // One way of showing defaults and choices in every command's --help (subcommands inherit it).
    .configureHelp({ optionDescription, argumentDescription })
    // `anycast-replay help [command]`: without it `help` would be taken for a capture file.
    .helpCommand('help [command]', 'show the help of the tool or of one command')
    .version(VERSION, '-V, --version')
    // Options after a subcommand name belong to the subcommand: `connections x -o f`
    // must not hand -o, -q, --strict, --from… to the main command, which has the same flags.
    .enablePositionalOptions()
    .exitOverride()
    // A usage error is one line, like every other error (SPEC §2a, STYLE errors).
    .configureOutput({ outputError: (str, write) => write(usageErrorLine(str)) })
    .argument('<files...>', "capture files (pcap, pcapng), or flow logs (Zeek conn.log, connections CSV; --input-format), optionally gzip-compressed, or '-' for standard input; several files are read as one capture or one log")
    .addOption(tableOption(OPTION_TABLE.servers))
    .addOption(
      new Option('-p, --policy <list>', POLICY_HELP)
        .argParser(policyList)
        .default(DEFAULT_POLICY_LIST, DEFAULTS.policy),
    )
    .addOption(tableOption(OPTION_TABLE.seed))
    .addOption(tableOption(OPTION_TABLE.interval))
    .addOption(tableOption(OPTION_TABLE.binWidth))
    .addOption(tableOption(OPTION_TABLE.direction))
    .option('--service <addr[/prefix][:port]>', 'replay only connections to this server endpoint (repeatable)', collect)
    .option('-o, --output <file>', 'write the CSV here (atomically) instead of standard output')
    .option('--summary-json <file>', 'write the summary as JSON here (atomically)')
    .option('--timeseries <file>', 'write per-sample, per-server connections and bytes as CSV here')
    .option('--assignments <file>', 'write conn,policy,server for every dispatched connection as CSV here')
    .option('--event <T:change>', 'a server change T seconds after the first packet: T:remove:K, T:add, T:fail:K, T:drain:K, T:weight:K=W (repeatable)', collect)
    .option('--events-output <file>', 'write per server change and policy the active, remapped and broken connections as CSV here')
    .addOption(tableOption(OPTION_TABLE.granularity));
  addPolicyOptions(program);
  addTrackingOptions(program);
  addInputOptions(program);
  program.action(async (files: string[], o: Record<string, unknown>) => {
    const options: ReplayOptions = {
      servers: o.servers as number,
      policy: o.policy as ReplayOptions['policy'],
      seed: o.seed as number,
      ...samplingOptions(o),
      ...policyOptions(o),
      ...trackingOptions(o),
      ...inputOptions(o),
    };
    if (o.event !== undefined) options.event = o.event as string[];
    if (o.granularity !== undefined) options.granularity = o.granularity as ReplayOptions['granularity'];
    const outputs: ReplayOutputs = { quiet: o.quiet as boolean };
    if (o.eventsOutput !== undefined) outputs.eventsOutput = o.eventsOutput as string;
    if (o.output !== undefined) outputs.output = o.output as string;
    if (o.summaryJson !== undefined) outputs.summaryJson = o.summaryJson as string;
    if (o.timeseries !== undefined) outputs.timeseries = o.timeseries as string;
    if (o.assignments !== undefined) outputs.assignments = o.assignments as string;
    program.setOptionValue('__exitCode', await actions.replay(files, options, outputs));
  });

  program
    .command('info')
    .description('describe capture files: format, link types, packets, TCP/UDP counts, time span, skipped packets, damage')
    .argument('<files...>', "capture files, or '-' for standard input")
    .option('--json', 'one JSON object per file per line', false)
    .option('--strict', 'fail (exit 1) on warnings', false)
    .exitOverride()
    .action(async (files: string[], o: { json: boolean; strict: boolean }) => {
      program.setOptionValue('__exitCode', await actions.info(files, { json: o.json, strict: o.strict }));
    });

  const conns = program
    .command('connections')
    .description('one CSV row per TCP connection (or UDP flow, with --proto), or (--distribution) the distributions of lifetime and bytes')
    .argument('<files...>', "capture files read as one capture, or '-' for standard input")
    .option('-o, --output <file>', 'write the CSV here (atomically) instead of standard output')
    .option('--distribution', 'write the distributions of connection lifetime and bytes instead of the rows', false)
    .addOption(new Option('--bins <kind>', 'bins of --distribution').choices(['log', 'linear']).default('log'))
    .option('--duration-width <s>', 'with --bins linear: width of the lifetime bins, seconds', decimal)
    .option('--bytes-width <n>', 'with --bins linear: width of the bytes bins', decimal)
    .exitOverride();
  addTrackingOptions(conns);
  conns.action(async (files: string[], o: Record<string, unknown>) => {
    const flags: ConnectionsFlags = {
      distribution: o.distribution as boolean,
      bins: o.bins as 'log' | 'linear',
      quiet: o.quiet as boolean,
    };
    if (o.output !== undefined) flags.output = o.output as string;
    if (o.durationWidth !== undefined) flags.durationWidth = o.durationWidth as string;
    if (o.bytesWidth !== undefined) flags.bytesWidth = o.bytesWidth as string;
    program.setOptionValue('__exitCode', await actions.connections(files, trackingOptions(o), flags));
  });

  program
    .command('plot')
    .description('draw a CSV of this tool as SVG: imbalance densities (Figure 4), --distribution (Figure 3) or --timeseries')
    .argument('[file]', "the CSV, or '-' for standard input", '-')
    .option('-o, --output <file>', 'write the SVG here (atomically) instead of standard output')
    .addOption(new Option('--kind <kind>', 'what the CSV is; auto = from its header').choices(['auto', ...PLOT_KINDS]).default('auto'))
    .option('--policy <name>', 'timeseries: the policy whose servers are drawn (default: the first in the file)')
    .option('--title <text>', 'title above the panels')
    .option('--bin-width <w>', "imbalance: draw bins this wide, a multiple of the CSV's (each the sum of the bins inside it)", decimal)
    .option('--width <px>', 'width in pixels (default by kind)', wholeNumber(200))
    .option('--height <px>', 'height in pixels (default by kind)', wholeNumber(150))
    .exitOverride()
    .action(async (file: string, o: Record<string, unknown>) => {
      const flags: PlotFlags = { kind: o.kind as PlotKindChoice };
      if (o.output !== undefined) flags.output = o.output as string;
      if (o.policy !== undefined) flags.policy = o.policy as string;
      if (o.title !== undefined) flags.title = o.title as string;
      if (o.binWidth !== undefined) flags.binWidth = o.binWidth as string;
      if (o.width !== undefined) flags.width = o.width as number;
      if (o.height !== undefined) flags.height = o.height as number;
      program.setOptionValue('__exitCode', await actions.plot(file, flags));
    });

  program
    .command('synth')
    .description('write a synthetic capture with known ground truth (web traffic, or the 1996 Olympic profile as one capture or a series of segments)')
    .addOption(new Option('--profile <name>', 'traffic profile').choices(['web', 'olympic']).default('web'))
    .option('--rate <conn/s>', 'connections per second (web: Poisson rate, default 100; olympic: mean load, default 49.6)', positiveNumber)
    .option('--duration <s>', 'seconds of capture (default 60)', positiveNumber)
    .option('--seed <n>', 'seed: the same seed and options give the same bytes', wholeNumber(0), 1)
    .option('--start <epoch>', 'epoch second of the start (web: 886809600; olympic: 837748800, 1996-07-19 00:00 EDT)', wholeNumber(0))
    .option('--snaplen <n>', 'bytes captured per frame (68 = header-only; web 262144, olympic 68)', wholeNumber(68))
    .addOption(new Option('--format <format>', 'capture format').choices(['pcap', 'pcap-ns', 'pcapng']).default('pcap'))
    .addOption(new Option('--linktype <type>', 'link layer').choices(['ethernet', 'vlan', 'sll', 'raw']).default('ethernet'))
    .option('--ipv6 <fraction>', 'fraction of clients on IPv6 (web 0.2, olympic 0)', fraction)
    .option('--gzip', 'compress the capture with gzip', false)
    .option('-o, --out <file>', "the capture ('-' = standard output, the default; a file is written atomically)")
    .option('--truth <file>', 'write the ground truth here as `connections` prints it')
    .option('--series <dir>', 'olympic: write consecutive segments named by start time into DIR, and a MANIFEST')
    .option('--days <d>', 'olympic series: this many days of segments from the start', wholeNumber(1))
    .option('--segments <A-B>', 'olympic series: segments A to B only (0 = the first)', segmentRange)
    .option('--segment <s>', 'olympic series: seconds per segment', wholeNumber(1), 1200)
    .option('-q, --quiet', 'no progress bar on standard error', false)
    .exitOverride()
    .action(async (o: Record<string, unknown>) => {
      const flags: SynthFlags = {
        profile: o.profile as SynthFlags['profile'],
        seed: o.seed as number,
        format: o.format as SynthFlags['format'],
        linktype: o.linktype as SynthFlags['linktype'],
        gzip: o.gzip as boolean,
        segment: o.segment as number,
        quiet: o.quiet as boolean,
      };
      for (const key of ['rate', 'duration', 'start', 'snaplen', 'ipv6', 'out', 'truth', 'series', 'days', 'segments'] as const) {
        if (o[key] !== undefined) (flags as unknown as Record<string, unknown>)[key] = o[key];
      }
      program.setOptionValue('__exitCode', await actions.synth(flags));
    });
  const batch = program
    .command('batch')
    .description('run a grid of server counts, seeds and policies over many captures, one pass per capture, into one tidy CSV (docs/batch.md)')
    .argument('[captures...]', 'capture files or globs (each file one capture)')
    .option('--list <file>', 'captures, one per line; tab-separated paths on a line are one capture of rotated files')
    .option('-n, --servers <list>', 'server counts, comma list or ranges A-B', fromLibrary(parseServersList), [DEFAULTS.servers])
    .addOption(
      new Option('-p, --policy <list>', POLICY_HELP)
        .argParser(policyList)
        .default(DEFAULT_POLICY_LIST, DEFAULTS.policy),
    )
    .option('--seeds <list>', 'seeds of the random policy, comma list or ranges A-B', fromLibrary(parseSeedsList), [DEFAULTS.seed])
    .addOption(tableOption(OPTION_TABLE.interval))
    .addOption(tableOption(OPTION_TABLE.binWidth))
    .addOption(tableOption(OPTION_TABLE.direction))
    .option('--service <addr[/prefix][:port]>', 'replay only connections to this server endpoint (repeatable)', collect)
    .option('-o, --output <file>', 'write the tidy CSV here (atomically) instead of standard output')
    .option('--summaries <file>', 'write one JSON summary per capture, server count and seed here (JSON lines, atomically)')
    .option('--pool', 'add the pooled histograms over all captures (trace *)', false)
    .option('-j, --jobs <n>', 'captures replayed at once, one per worker thread (default: the number of cores)', wholeNumber(1))
    .option('--out-dir <dir>', 'keep a manifest and one result per capture here; a rerun skips the captures done')
    .option('--force', 'with --out-dir: start over in a directory made with other options', false)
    .option('--shard <I/N|env>', 'replay only shard I of N (from 0) of the captures; env = from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX; needs --out-dir')
    .option('--shard-count <n>', 'the number of shards for --shard env (Kubernetes, or a Slurm array not numbered from 0)', wholeNumber(1))
    .option('--verbose', 'one line per finished capture on standard error', false)
    .exitOverride();
  // batch keeps the paper's measure (its stored results hold the range histograms).
  addPolicyOptions(batch, POLICY_OPTION_KEYS.filter((k) => k !== 'imbalance'));
  addTrackingOptions(batch);
  addInputOptions(batch);
  batch.action(async (captures: string[], o: Record<string, unknown>) => {
    const options: ReplayOptions = {
      ...samplingOptions(o),
      ...policyOptions(o),
      ...trackingOptions(o),
      ...inputOptions(o),
    };
    const flags: BatchFlags = {
      servers: o.servers as number[],
      seeds: o.seeds as number[],
      policy: o.policy as string[],
      pool: o.pool as boolean,
      force: o.force as boolean,
      verbose: o.verbose as boolean,
      quiet: o.quiet as boolean,
    };
    for (const key of ['list', 'output', 'summaries', 'jobs', 'outDir', 'shard', 'shardCount'] as const) {
      if (o[key] !== undefined) (flags as unknown as Record<string, unknown>)[key] = o[key];
    }
    program.setOptionValue('__exitCode', await actions.batch(captures, options, flags));
  });

  program
    .command('merge')
    .description('combine batch --out-dir directories (the shards of one batch) into the outputs of one unsharded run')
    .argument('<dirs...>', 'the --out-dir directories')
    .option('-o, --output <file>', 'write the tidy CSV here (atomically) instead of standard output')
    .option('--summaries <file>', 'write the JSON lines here (atomically)')
    .option('--pool', 'add the pooled histograms over all captures (trace *)', false)
    .exitOverride()
    .action(async (dirs: string[], o: Record<string, unknown>) => {
      const flags: MergeFlags = { pool: o.pool as boolean };
      if (o.output !== undefined) flags.output = o.output as string;
      if (o.summaries !== undefined) flags.summaries = o.summaries as string;
      program.setOptionValue('__exitCode', await actions.merge(dirs, flags));
    });
  return program;
}
