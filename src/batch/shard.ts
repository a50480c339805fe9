/**
 * Sharding (issue 10): shard I of N holds the inputs whose SHA-256 of the
 * trace string, read as a big-endian integer, is I modulo N. Membership
 * depends on the trace alone, so reordering or extending the list never
 * moves a capture to another shard, and every shard can compute its members
 * without talking to the others. I counts from 0, as Slurm array task ids
 * and Kubernetes completion indices do.
 */
import { createHash } from 'node:crypto';
import { ReplayError } from '../errors.js';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

function usage(problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', `option --shard: ${problem}`);
}

/** SHA-256 of the trace (UTF-8) mod `count`. */
export function shardOf(trace: string, count: number): number {
  const hex = createHash('sha256').update(trace, 'utf8').digest('hex');
  return Number(BigInt(`0x${hex}`) % BigInt(count));
}

function whole(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text.trim())) throw usage(`${what} '${text ?? ''}' is not a whole number`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n)) throw usage(`${what} '${text}' is too large`);
  return n;
}

function checked(index: number, count: number): Shard {
  if (count < 1) throw usage('the shard count must be at least 1');
  if (index >= count) throw usage(`shard index ${index} is not below the count ${count}`);
  return { index, count };
}

/**
 * `I/N`, or `env`: Slurm's SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT,
 * else Kubernetes' JOB_COMPLETION_INDEX with `shardCount` (--shard-count,
 * which also overrides Slurm's count: an array `--array=1-8` has ids 1…8).
 */
export function parseShard(spec: string, env: NodeJS.ProcessEnv, shardCount: number | undefined): Shard {
  if (spec === 'env') {
    if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      const index = whole(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
      const count = shardCount ?? whole(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT');
      return checked(index, count);
    }
    if (env.JOB_COMPLETION_INDEX !== undefined) {
      if (shardCount === undefined) throw usage('JOB_COMPLETION_INDEX needs --shard-count N');
      return checked(whole(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX'), shardCount);
    }
    throw usage("'env' needs SLURM_ARRAY_TASK_ID (and SLURM_ARRAY_TASK_COUNT) or JOB_COMPLETION_INDEX in the environment");
  }
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (!m) throw usage(`'${spec}' is not I/N or env`);
  return checked(whole(m[1], 'index'), whole(m[2], 'count'));
}

/** Indices (into `traces`) of the shard's members, in list order. */
export function shardMembers(traces: readonly string[], shard: Shard | undefined): number[] {
  const out: number[] = [];
  for (let i = 0; i < traces.length; i++) {
    if (shard === undefined || shardOf(traces[i], shard.count) === shard.index) out.push(i);
  }
  return out;
}
