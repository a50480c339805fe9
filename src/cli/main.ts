/**
 * The single error boundary (STYLE errors and exit codes): parses argv, runs
 * the action, and maps what escapes to one line on standard error and an exit
 * code — 0 ok, 1 failure, 2 usage, 70 internal, 128+n on a signal (SPEC §2a).
 */
import { CommanderError } from 'commander';
import { BrokenPipeError, removePendingTemps } from '../output/atomic-file.js';
import { createProgram, type Actions } from './program.js';
import { defaultActions } from './actions.js';
import { EXIT_INTERNAL, errorLine } from './error-line.js';
import { restoreTerminal } from './progress.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export { EXIT_INTERNAL };

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

let handlersInstalled = false;

/** Once per process: main() may run several times in one process (tests), and each install would add listeners. */
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, n] of Object.entries(SIGNAL_NUMBERS)) {
    process.once(signal as NodeJS.Signals, () => {
      restoreTerminal();
      removePendingTemps();
      process.exit(128 + n);
    });
  }
  // Every other way out (process.exit anywhere, an uncaught error) leaves the terminal usable too.
  process.on('exit', restoreTerminal);
  // A reader that went away (`| head`): end quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      removePendingTemps();
      process.exit(EXIT_OK);
    }
  });
}

/** Runs the CLI on `argv` (as process.argv: node, script, args…) and resolves to the exit code. */
export async function main(argv: string[], actions: Actions = defaultActions): Promise<number> {
  installSignalHandlers();
  const program = createProgram(actions);
  try {
    await program.parseAsync(argv);
    const code = program.getOptionValue('__exitCode');
    return typeof code === 'number' ? code : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; usage errors were printed by commander.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    removePendingTemps();
    if (err instanceof BrokenPipeError) return EXIT_OK;
    const { line, code } = errorLine(err);
    process.stderr.write(line + '\n');
    return code;
  }
}
