/**
 * The grid of a batch (issue 10): server counts × seeds × policies, in that
 * nesting, so a capture's configurations come in the order the tidy CSV
 * prints them. A (servers, seed) pair is a group: its policies share bins
 * exactly as the main command's CSV for `--servers N --seed S --policy LIST`.
 */
import { ReplayError } from '../errors.js';
import { MAX_SERVERS, resolvePolicies, type PolicyName } from '../options.js';
import type { Configuration } from '../engine/configurations.js';

export type { Configuration };

export interface Grid {
  readonly servers: readonly number[];
  readonly seeds: readonly number[];
  readonly policies: readonly PolicyName[];
}

/** One (servers, seed) pair and the index of its first configuration; its policies follow in grid order. */
export interface Group {
  readonly servers: number;
  readonly seed: number;
  readonly first: number;
}

const MAX_SEED = 0xffffffff;
/** Largest number of configurations a grid may hold (each keeps per-server arrays in one pass). */
export const MAX_CONFIGURATIONS = 10_000;

function invalid(option: string, problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', `option ${option}: ${problem}`);
}

function wholeIn(option: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw invalid(option, `'${text}' is not a whole number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(option, `${text} is not a whole number from ${min} to ${max}`);
  return n;
}

/**
 * A comma list of whole numbers and ranges `A-B` (A ≤ B), in the order
 * given, duplicates dropped: `2,5,10`, `1-10`, `1-3,7`.
 */
export function parseNumberList(option: string, text: string, min: number, max: number): number[] {
  const out: number[] = [];
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (item === '') throw invalid(option, `'${text}' has an empty item`);
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) {
      const a = wholeIn(option, range[1], min, max);
      const b = wholeIn(option, range[2], min, max);
      if (b < a) throw invalid(option, `range '${item}' ends before it starts`);
      if (b - a >= MAX_CONFIGURATIONS) throw invalid(option, `range '${item}' has more than ${MAX_CONFIGURATIONS} values`);
      for (let v = a; v <= b; v++) if (!out.includes(v)) out.push(v);
    } else {
      const v = wholeIn(option, item, min, max);
      if (!out.includes(v)) out.push(v);
    }
  }
  return out;
}

export function parseServersList(text: string): number[] {
  return parseNumberList('--servers', text, 1, MAX_SERVERS);
}

export function parseSeedsList(text: string): number[] {
  return parseNumberList('--seeds', text, 0, MAX_SEED);
}

/** Builds the grid; policies as `--policy` takes them ('all' expanded, duplicates dropped). */
export function makeGrid(servers: readonly number[], seeds: readonly number[], policies: readonly string[]): Grid {
  if (servers.length === 0) throw invalid('--servers', 'no server count given');
  if (seeds.length === 0) throw invalid('--seeds', 'no seed given');
  const resolved = resolvePolicies(policies);
  const count = servers.length * seeds.length * resolved.length;
  if (count > MAX_CONFIGURATIONS) {
    throw invalid('--servers', `the grid has ${count} configurations, more than ${MAX_CONFIGURATIONS}`);
  }
  return { servers: [...servers], seeds: [...seeds], policies: resolved };
}

/** The configurations in output order: servers → seeds → policies. */
export function gridConfigurations(grid: Grid): Configuration[] {
  const out: Configuration[] = [];
  for (const servers of grid.servers) {
    for (const seed of grid.seeds) {
      for (const policy of grid.policies) out.push({ policy, servers, seed });
    }
  }
  return out;
}

/** The (servers, seed) groups in output order. */
export function gridGroups(grid: Grid): Group[] {
  const out: Group[] = [];
  let first = 0;
  for (const servers of grid.servers) {
    for (const seed of grid.seeds) {
      out.push({ servers, seed, first });
      first += grid.policies.length;
    }
  }
  return out;
}
