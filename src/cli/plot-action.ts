/** The `plot` command: one of the tool's CSVs in (a file or standard input), an SVG out through an atomic sink. */
import * as fs from 'node:fs';
import { ReplayError } from '../errors.js';
import { openSink } from '../output/atomic-file.js';
import { checkOutputTargets } from '../output/targets.js';
import { plotCsv } from '../plot/plot.js';
import type { PlotFlags } from './program.js';

/** Largest --width / --height: a bound against a typo making a gigapixel render. */
const MAX_PIXELS = 20_000;

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  } catch (err) {
    throw new ReplayError('FILE_READ', `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: '-' });
  }
  return Buffer.concat(chunks);
}

function readInput(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReplayError('FILE_READ', code !== undefined ? `cannot open (${code})` : 'cannot open', { file });
  }
}

export async function runPlotCommand(file: string, flags: PlotFlags): Promise<number> {
  for (const [option, value] of [['--width', flags.width], ['--height', flags.height]] as const) {
    if (value !== undefined && value > MAX_PIXELS) throw new ReplayError('OPTION_INVALID', `option ${option}: ${value} is over ${MAX_PIXELS} pixels`);
  }
  checkOutputTargets([file], [['--output', flags.output]]);
  // Opened first, as the other commands do, so an unwritable -o fails before any reading;
  // a CSV that cannot be drawn aborts it and leaves nothing behind.
  const sink = openSink(flags.output);
  try {
    const bytes = file === '-' ? await readStdin() : readInput(file);
    sink.write(plotCsv(bytes, file, flags).svg);
    sink.commit();
  } catch (err) {
    sink.abort();
    throw err;
  }
  return 0;
}
