/**
 * The settings of a batch, validated once (issue 10): the grid and the replay
 * options, and their canonical form — the options that change results, as
 * text with one spelling each — which the manifest records and every result
 * file carries. A rerun or a merge compares canonical forms, so `--interval
 * 0.50` and `--interval 0.5` are the same run.
 */
import { normalizeOptions, type ReplayOptions, type ResolvedOptions } from '../options.js';
import { formatSeconds } from '../time.js';
import { gridConfigurations, gridGroups, type Configuration, type Grid, type Group } from './grid.js';

export interface BatchSettings {
  readonly grid: Grid;
  /** Replay options; their servers, policy and seed are ignored (the grid says them). */
  readonly options: ReplayOptions;
  readonly resolved: ResolvedOptions;
  readonly configurations: readonly Configuration[];
  readonly groups: readonly Group[];
  readonly canonical: CanonicalOptions;
}

export interface CanonicalOptions {
  readonly servers: readonly number[];
  readonly seeds: readonly number[];
  readonly policies: readonly string[];
  readonly interval: string;
  readonly bin_width: string;
  readonly direction: string;
  readonly idle_timeout: string;
  readonly syn_timeout: string;
  readonly max_connections: number;
  readonly services: readonly string[];
  readonly from: string | null;
  readonly to: string | null;
  readonly strict: boolean;
}

/** Validates the options (throws OPTION_INVALID, exit 2) and fixes the grid's configurations. */
export function makeSettings(grid: Grid, options: ReplayOptions): BatchSettings {
  const { servers: _s, policy: _p, seed: _d, ...rest } = options;
  const resolved = normalizeOptions({ ...rest, servers: grid.servers[0], seed: grid.seeds[0], policy: grid.policies });
  const canonical: CanonicalOptions = {
    servers: [...grid.servers],
    seeds: [...grid.seeds],
    policies: [...grid.policies],
    interval: formatSeconds(resolved.interval),
    bin_width: resolved.binWidth,
    direction: resolved.direction,
    idle_timeout: formatSeconds(resolved.idleTimeout),
    syn_timeout: formatSeconds(resolved.synTimeout),
    max_connections: resolved.maxConnections,
    services: [...resolved.services],
    from: resolved.from === undefined ? null : formatSeconds(resolved.from),
    to: resolved.to === undefined ? null : formatSeconds(resolved.to),
    strict: resolved.strict,
  };
  return { grid, options: rest, resolved, configurations: gridConfigurations(grid), groups: gridGroups(grid), canonical };
}

/** One text per canonical form, for equality. */
export function canonicalKey(options: CanonicalOptions): string {
  return JSON.stringify(options);
}

/** What differs between two canonical forms, for the error message ("servers, interval"). */
export function differingOptions(a: CanonicalOptions, b: CanonicalOptions): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    const x = (a as unknown as Record<string, unknown>)[k];
    const y = (b as unknown as Record<string, unknown>)[k];
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(k.replace(/_/g, '-'));
  }
  return out;
}
