/**
 * The settings of a batch, validated once (issue 10): the grid and the replay
 * options, and their canonical form — the options that change results, as
 * text with one spelling each — which the manifest records and every result
 * file carries. A rerun or a merge compares canonical forms, so `--interval
 * 0.50` and `--interval 0.5` are the same run.
 */
import { normalizeOptions, type ReplayOptions, type ResolvedOptions } from '../options.js';
import { formatSeconds, type Duration } from '../time.js';
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

/**
 * The canonical form: the grid lists, then every resolved replay option
 * (normalizeOptions' result, so an option added to the library is covered
 * without a change here) under its snake_case name, keys sorted, durations
 * as seconds with 9 decimals, absent values as null.
 */
export interface CanonicalOptions {
  readonly servers: readonly number[];
  readonly seeds: readonly number[];
  readonly policies: readonly string[];
  readonly bin_width: string;
  readonly [option: string]: unknown;
}

/** Resolved fields the grid says, left out of the replay part. */
const GRID_FIELDS = new Set(['servers', 'policies', 'seed']);

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isDuration(value: object): value is Duration {
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes('sec') && keys.includes('nsec');
}

/** One spelling per value: durations as text, plain objects with sorted keys, undefined as null. */
function canonicalValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (value !== null && typeof value === 'object') {
    if (isDuration(value)) return formatSeconds(value);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[snakeCase(key)] = canonicalValue((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Validates the options (throws OPTION_INVALID, exit 2) and fixes the grid's configurations. */
export function makeSettings(grid: Grid, options: ReplayOptions): BatchSettings {
  const { servers: _s, policy: _p, seed: _d, ...rest } = options;
  const resolved = normalizeOptions({ ...rest, servers: grid.servers[0], seed: grid.seeds[0], policy: grid.policies });
  const replay: Record<string, unknown> = {};
  const fields = resolved as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields).sort()) {
    if (!GRID_FIELDS.has(key)) replay[snakeCase(key)] = canonicalValue(fields[key]);
  }
  const canonical: CanonicalOptions = {
    servers: [...grid.servers],
    seeds: [...grid.seeds],
    policies: [...grid.policies],
    ...replay,
    bin_width: resolved.binWidth,
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
