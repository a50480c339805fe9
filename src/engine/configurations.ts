/**
 * Many configurations in one pass (issue 10): each (policy, servers, seed)
 * gets its own policy instance — its own dispatcher state and per-server
 * counters — and every instance hears the same connection events from one
 * read of the capture. The result per configuration is integer histogram
 * counts and its summary, ready for `batch` to render (src/output/histogram-rows.ts)
 * or to store and merge.
 *
 * Configurations whose outcome cannot differ share one instance: the seed
 * only matters to `random`, so `hash` with N = 5 runs once for any number
 * of seeds; exact duplicates run once too.
 */
import { integerOption, normalizeOptions, resolvePolicies, resolvePolicyParams, MAX_SERVERS, type ReplayOptions } from '../options.js';
import { isPolicyName, usesSeed, type PolicyConfig, type PolicyName, type PolicyParams } from '../dispatch/policy.js';
import { checkSomethingMeasured, replayPass } from './replay-pass.js';
import type { PolicyResult, ReplayResults } from './replay-engine.js';
import { buildReplaySummary, type PolicySummary, type ReplaySummary } from '../output/replay-summary.js';
import type { WarningJson } from '../warnings.js';
import { ReplayError } from '../errors.js';

export interface Configuration {
  readonly policy: PolicyName;
  readonly servers: number;
  readonly seed: number;
}

/** One metric of one configuration: samples, idle samples, and counts per bin k (bin = [k·w, (k+1)·w)). */
export interface MetricCounts {
  readonly samples: number;
  readonly idle: number;
  /** counts.length = last non-empty bin + 1 (0 when none). */
  readonly counts: readonly number[];
}

/** One configuration's result: integer histogram counts and summary numbers. */
export interface ConfigurationResult {
  readonly config: Configuration;
  /** Label for the `policy` column (the policy name). */
  readonly label: string;
  readonly connections: MetricCounts;
  readonly bytes: MetricCounts;
  /** This configuration's entry of `policies` in `--summary-json` (the run with its servers and seed). */
  readonly summary: PolicySummary;
}

export interface ConfigurationsRun {
  /** Canonical decimal text. */
  readonly binWidth: string;
  /** In the order of `configs`. */
  readonly results: readonly ConfigurationResult[];
  /** The capture-level part of the summary. */
  readonly capture: ReplaySummary['capture'];
  /** The run's warnings as one-line texts (what the main command prints after `warning: `). */
  readonly warnings: readonly string[];
  /** The replay part of the summary, without `seed` (the configuration's). */
  readonly replay: Omit<ReplaySummary['replay'], 'seed'>;
  /** The warnings as `--summary-json` holds them. */
  readonly warningsJson: readonly WarningJson[];
}

export interface ConfigurationsHooks {
  onProgress?: (bytes: number, total: number | undefined, packets: number, connections: number) => void;
}

function invalid(problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', problem);
}

/**
 * Checks one configuration; throws ReplayError OPTION_INVALID. With
 * `options`, also the catalogue's parameters for its server count (one
 * weight per server for the weighted policies, the Maglev table size);
 * returns those parameters.
 */
export function validateConfiguration(c: Configuration, options: ReplayOptions = {}): PolicyParams {
  // The checks of normalizeOptions (src/options.ts), one configuration at a time.
  if (!isPolicyName(c.policy)) resolvePolicies([String(c.policy)]);
  integerOption('--servers', c.servers, 1, MAX_SERVERS);
  integerOption('--seed', c.seed, 0, 0xffffffff);
  const weighted = c.policy.startsWith('weighted-');
  return resolvePolicyParams(
    {
      ...options,
      weights: weighted ? options.weights : undefined,
      maglevSize: c.policy === 'maglev' ? options.maglevSize : undefined,
    },
    c.servers,
  );
}

/** The key under which configurations with the same outcome share an instance. */
function instanceKey(c: Configuration): string {
  return usesSeed(c.policy) ? `${c.policy}/${c.servers}/${c.seed}` : `${c.policy}/${c.servers}`;
}

function metricCounts(stats: PolicyResult['connections']): MetricCounts {
  return { samples: stats.samples, idle: stats.idle, counts: Array.from(stats.histogram.binCounts()) };
}

/**
 * One pass over `files` (one capture, rotated files in order) feeding every
 * configuration. `options.policy`, `options.servers` and `options.seed` are
 * ignored: the configurations say them.
 */
export async function runConfigurations(
  files: readonly string[],
  options: ReplayOptions,
  configs: readonly Configuration[],
  hooks: ConfigurationsHooks = {},
): Promise<ConfigurationsRun> {
  if (configs.length === 0) throw invalid('no configuration to run');
  // Server changes name servers of one server count: the main command's alone.
  if (options.event !== undefined && options.event.length > 0) throw invalid('--event is for the main command only, not for configurations (batch)');
  if (options.granularity !== undefined && options.granularity !== 'connection') {
    throw invalid('--granularity packet is for the main command only, not for configurations (batch)');
  }
  const params = configs.map((c) => validateConfiguration(c, options));
  const resolved = normalizeOptions({
    ...options,
    policy: undefined,
    servers: undefined,
    seed: undefined,
    // Checked per configuration above, against its own server count.
    weights: undefined,
    maglevSize: undefined,
  });
  const instanceOf = new Map<string, number>();
  const instances: PolicyConfig[] = [];
  const index = configs.map((c, k) => {
    const key = instanceKey(c);
    let i = instanceOf.get(key);
    if (i === undefined) {
      i = instances.length;
      instanceOf.set(key, i);
      instances.push({ policy: c.policy, servers: c.servers, seed: c.seed, label: key, params: params[k] });
    }
    return i;
  });
  const pass = await replayPass(files, resolved, instances, { onProgress: hooks.onProgress });
  const { results, stats } = pass;
  // The replay and capture parts are the same for every configuration.
  const whole = buildReplaySummary({
    results,
    capture: pass.capture,
    direction: resolved.direction,
    seed: 0,
    services: resolved.services,
  });
  checkSomethingMeasured(pass, whole.capture.duration ?? '0', whole.replay.interval);
  const summaries = results.policies.map((p) => policySummary(results, p, p.info.policy));
  const out: ConfigurationResult[] = configs.map((config, k) => {
    const p = results.policies[index[k]];
    return {
      config: { policy: config.policy, servers: config.servers, seed: config.seed },
      label: config.policy,
      connections: metricCounts(p.connections),
      bytes: metricCounts(p.bytes),
      summary: summaries[index[k]],
    };
  });
  const { seed: _seed, ...replay } = whole.replay;
  return {
    binWidth: results.binWidth.text,
    results: out,
    capture: whole.capture,
    warnings: stats.warnings,
    replay,
    warningsJson: stats.warningLog.toJSON(),
  };
}

function policySummary(results: ReplayResults, p: PolicyResult, label: string): PolicySummary {
  const one: ReplayResults = { ...results, policies: [{ ...p, info: { ...p.info, label } }] };
  const capture = { packets: 0, bytes: 0, connectionsByReason: {}, skippedByReason: {}, backwards: 0, tso: 0, baseSec: 0, firstSec: 0, firstNsec: 0, clockSec: 0, clockNsec: 0 };
  return buildReplaySummary({ results: one, capture, direction: '', seed: 0, services: [] }).policies[0];
}

/**
 * A run's summary put together from its parts: the capture and replay parts
 * every configuration shares, one group's seed and policy summaries, the
 * warnings. Field order as buildReplaySummary writes it, so JSON texts match
 * byte for byte. The parts are used as given (copy what must not be shared).
 */
export function assembleSummary(
  capture: ReplaySummary['capture'],
  replay: Omit<ReplaySummary['replay'], 'seed' | 'granularity'> & { granularity?: string },
  seed: number,
  policies: ReplaySummary['policies'],
  warnings: ReplaySummary['warnings'],
): ReplaySummary {
  return {
    capture,
    replay: {
      interval: replay.interval,
      bin_width: replay.bin_width,
      direction: replay.direction,
      seed,
      services: replay.services,
      // Results stored before --granularity existed lack it: they were per connection.
      granularity: replay.granularity ?? 'connection',
      connections_replayed: replay.connections_replayed,
      connections_not_replayed: replay.connections_not_replayed,
      samples: replay.samples,
      idle_samples: replay.idle_samples,
    },
    policies,
    warnings,
  };
}

/**
 * The `--summary-json` object of the main command run with `results`'
 * configurations (one servers and seed, policies in order) on the same
 * capture and options: what `batch --summaries` writes per group.
 */
export function groupSummary(run: ConfigurationsRun, results: readonly ConfigurationResult[]): ReplaySummary {
  if (results.length === 0) throw new RangeError('a group needs at least one configuration');
  return assembleSummary(
    structuredClone(run.capture),
    structuredClone(run.replay),
    results[0].config.seed,
    results.map((r) => structuredClone(r.summary)),
    structuredClone([...run.warningsJson]),
  );
}
