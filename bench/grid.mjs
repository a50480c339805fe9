#!/usr/bin/env node
// The `grid` phase of `npm run bench`: one pass over a capture feeding a grid
// of configurations through the library's runConfigurations (src/engine/),
// as `batch` runs it. GRID is POLICIES×SERVERS×SEEDS, e.g. 4x2x5 (the four
// policies, N = 5 and 10, seeds 1-5: 40 configurations) or 1x1x1 (hash, N = 5,
// seed 1). Prints the configuration count and the samples on standard error.
import { runConfigurations } from '../dist/engine/configurations.js';
import { POLICY_NAMES } from '../dist/dispatch/policy.js';

const [file, grid = '4x2x5'] = process.argv.slice(2);
const m = /^(\d+)x(\d+)x(\d+)$/.exec(grid);
if (file === undefined || !m || +m[1] < 1 || +m[1] > 4) {
  console.error('usage: node bench/grid.mjs FILE [PxSxK] (P policies 1-4, S server counts, K seeds)');
  process.exit(2);
}
// One policy: hash (the cheapest to compare with the main command's single-policy run).
const policies = +m[1] === 1 ? ['hash'] : POLICY_NAMES.slice(0, +m[1]);
const servers = Array.from({ length: +m[2] }, (_, i) => 5 * (i + 1));
const seeds = Array.from({ length: +m[3] }, (_, i) => i + 1);
const configs = [];
for (const n of servers) for (const seed of seeds) for (const policy of policies) configs.push({ policy, servers: n, seed });
const run = await runConfigurations([file], {}, configs);
console.error(`${run.results.length} configurations, ${run.results[0].connections.samples} samples`);
