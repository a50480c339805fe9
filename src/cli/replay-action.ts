/** The main command (the replay); wired once the dispatcher and sampler land. */
import type { ReplayOptions } from '../options.js';
import type { ReplayOutputs } from './program.js';
import { ReplayError } from '../errors.js';

export async function runReplayCommand(_files: string[], _options: ReplayOptions, _outputs: ReplayOutputs): Promise<number> {
  throw new ReplayError('OPTION_INVALID', 'the replay is not built yet (issue 5); use `info` or `connections`');
}
