/** The `connections` command: rows or distributions to a sink, a summary on stderr. */
import { runConnections, CONNECTION_COLUMNS } from '../connections.js';
import { normalizeOptions, type ReplayOptions } from '../options.js';
import { checkOutputTargets } from '../output/targets.js';
import type { ConnectionsFlags } from './program.js';
import { openSink } from '../output/atomic-file.js';
import { CsvWriter } from '../output/csv.js';
import { DISTRIBUTION_COLUMNS, distributionRows, distributionSummary } from '../output/distribution.js';
import { createProgress } from './progress.js';
import { CLOSE_REASON_NAMES } from '../flows/events.js';
import { ReplayError } from '../errors.js';

export async function runConnectionsCommand(files: string[], options: ReplayOptions, flags: ConnectionsFlags): Promise<number> {
  if (flags.bins === 'linear' && (flags.durationWidth === undefined || flags.bytesWidth === undefined) && flags.distribution) {
    throw new ReplayError('OPTION_INVALID', 'option --bins linear: give --duration-width and --bytes-width');
  }
  normalizeOptions(options);
  checkOutputTargets(files, [['--output', flags.output]]);
  const sink = openSink(flags.output);
  const progress = await createProgress(flags.quiet);
  try {
    const csv = flags.distribution ? undefined : new CsvWriter(sink, CONNECTION_COLUMNS);
    const result = await runConnections(files, options, {
      row: csv ? (fields) => csv.row(fields) : undefined,
      distribution: flags.distribution
        ? { bins: flags.bins, durationWidth: flags.durationWidth, bytesWidth: flags.bytesWidth }
        : undefined,
      onProgress: (b, t, p, c) => progress.update(b, t, p, c),
    });
    progress.stop();
    if (csv) csv.flush();
    if (flags.distribution) {
      const out = new CsvWriter(sink, DISTRIBUTION_COLUMNS);
      for (const r of distributionRows(result.duration!)) out.row(r);
      for (const r of distributionRows(result.bytes!)) out.row(r);
      out.flush();
    }
    sink.commit();
    if (!flags.quiet) {
      const reasons = CLOSE_REASON_NAMES.map((name, i) => [name, result.closedByReason[i]] as const)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ');
      let text = `connections: ${result.connections} (${reasons || 'none'}); packets ${result.stats.packets}, TCP ${result.stats.tcpPackets}`;
      if ((options.proto ?? 'tcp') !== 'tcp') text += `, UDP ${result.stats.udpPackets}`;
      const skipped = Object.entries(result.stats.skippedByName());
      if (skipped.length > 0) text += `; skipped ${skipped.map(([k, v]) => `${k} ${v}`).join(', ')}`;
      if (result.evictions > 0) text += `; evictions ${result.evictions}`;
      process.stderr.write(text + '\n');
      if (flags.distribution) {
        process.stderr.write(distributionSummary(result.duration!, 's'));
        process.stderr.write(distributionSummary(result.bytes!, 'bytes'));
      }
    }
    // Shown even with --quiet: the rows may be incomplete.
    for (const w of result.stats.warnings) process.stderr.write(`anycast-replay: warning: ${w}\n`);
    return 0;
  } catch (err) {
    progress.stop();
    sink.abort();
    throw err;
  }
}
