import { ReplayError } from '../errors.js';

/** The words every usage error (exit 2) ends with. */
export const USAGE_HINT = '(see --help)';

/** Exit code of an unexpected error (STYLE: internal errors are 70, with a request to report). */
export const EXIT_INTERNAL = 70;

/** The one line printed for an error, and its exit code. */
export function errorLine(err: unknown): { line: string; code: number } {
  if (err instanceof ReplayError) {
    // Every usage error ends with the same hint as commander's (program.ts usageErrorLine).
    const hint = err.exitCode === 2 ? ` ${USAGE_HINT}` : '';
    return { line: `anycast-replay: ${err.message}${hint}`, code: err.exitCode };
  }
  const e = err as Error;
  const detail = process.env.ANYCAST_REPLAY_DEBUG ? `\n${e?.stack ?? String(err)}` : '';
  return { line: `anycast-replay: internal error: ${e?.message ?? String(err)}, please report${detail}`, code: EXIT_INTERNAL };
}
