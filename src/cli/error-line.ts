import { ReplayError } from '../errors.js';

/** Exit code of an unexpected error (STYLE: internal errors are 70, with a request to report). */
export const EXIT_INTERNAL = 70;

/** The one line printed for an error, and its exit code. */
export function errorLine(err: unknown): { line: string; code: number } {
  if (err instanceof ReplayError) return { line: `anycast-replay: ${err.message}`, code: err.exitCode };
  const e = err as Error;
  const detail = process.env.ANYCAST_REPLAY_DEBUG ? `\n${e?.stack ?? String(err)}` : '';
  return { line: `anycast-replay: internal error: ${e?.message ?? String(err)}, please report${detail}`, code: EXIT_INTERNAL };
}
