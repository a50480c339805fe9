/**
 * `anycast-replay synth` (docs/synth.md): one synthetic capture to a file
 * (atomically) or standard output, with its ground truth in the `connections`
 * format; or, with `--profile olympic --series DIR`, consecutive segments and
 * their MANIFEST.
 */
import fs from 'node:fs';
import { ReplayError } from '../errors.js';
import { atomicFileSink, openByteTarget, type TextSink } from '../output/atomic-file.js';
import { checkOutputTargets } from '../output/targets.js';
import { CaptureOutput } from '../synth/capture-output.js';
import { resolveSynthOptions, writeOlympicSeriesAsync, writeSynthCaptureAsync, type SynthOptions } from '../synth/series.js';
import { normalizeWebTrafficOptions } from '../synth/web-traffic.js';
import type { SynthFlags } from './program.js';
import { createProgress } from './progress.js';

function usage(problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', problem);
}

/** Checks the combinations commander cannot, before anything is opened. */
function checkFlags(f: SynthFlags): void {
  if (f.series === undefined) {
    if (f.days !== undefined || f.segments !== undefined) throw usage('synth: --days and --segments need --series');
    return;
  }
  if (f.profile !== 'olympic') throw usage('synth: --series needs --profile olympic');
  if (f.out !== undefined || f.truth !== undefined) throw usage('synth: --series writes its own files: no --out or --truth');
  if (f.duration !== undefined) throw usage('synth: a series is given by --days or --segments, not --duration');
  if ((f.days === undefined) === (f.segments === undefined)) throw usage('synth: --series needs one of --days D or --segments A-B');
  if (f.days !== undefined && (f.days * 86_400) % f.segment! !== 0) throw usage(`synth: --days ${f.days} is not a whole number of ${f.segment}-second segments`);
}

function options(f: SynthFlags): SynthOptions {
  const o: SynthOptions = { profile: f.profile, seed: f.seed, format: f.format, linkType: f.linktype, gzip: f.gzip };
  if (f.rate !== undefined) o.rate = f.rate;
  if (f.duration !== undefined) o.durationSec = f.duration;
  if (f.start !== undefined) o.startSec = f.start;
  if (f.snaplen !== undefined) o.snaplen = f.snaplen;
  if (f.ipv6 !== undefined) o.ipv6 = f.ipv6;
  return o;
}

export async function runSynthCommand(f: SynthFlags): Promise<number> {
  checkFlags(f);
  const o = options(f);
  // The generator's own checks (snaplen against the headers, ranges) as usage errors, before any output exists.
  const r = resolveSynthOptions(o);
  normalizeWebTrafficOptions({
    seed: r.seed,
    durationSec: r.durationSec,
    connectionRate: r.rate,
    snaplen: r.snaplen,
    startSec: r.startSec,
    ipv6Fraction: r.ipv6,
    linkType: r.linkType,
    servers: r.ipv6 > 0 ? ['192.0.2.1', '2001:db8::1'] : ['192.0.2.1'],
  });
  // The bar counts the capture's bytes as generated: with --gzip, before compression.
  const progress = await createProgress(f.quiet, f.gzip ? 'generated' : 'written');
  if (f.series !== undefined) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(f.series);
    } catch {
      stat = undefined;
    }
    if (stat === undefined) {
      // A new series directory is made (its parent must exist), as `tcpdump -w` makes its file.
      try {
        fs.mkdirSync(f.series);
        stat = fs.statSync(f.series);
      } catch (err) {
        throw usage(`option --series: cannot create '${f.series}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    if (!stat.isDirectory()) throw usage(`option --series: '${f.series}' is not a directory`);
    const segmentSec = f.segment!;
    const [first, last] = f.segments ?? [0, (f.days! * 86_400) / segmentSec - 1];
    // Totals of the segments already written: each segment's own counts start at 0.
    let donePackets = 0;
    let doneBytes = 0;
    try {
      const rows = await writeOlympicSeriesAsync(o, {
        dir: f.series,
        first,
        last,
        segmentSec,
        onProgress: (p, bytes) => progress.update(doneBytes + bytes, undefined, donePackets + p, 0),
        onSegment: (_done, _total, _name, stats) => {
          donePackets += stats.packets;
          doneBytes += stats.fileBytes;
        },
      });
      progress.stop();
      if (!f.quiet) {
        const sum = (k: 'connections' | 'packets' | 'wireBytes'): number => rows.reduce((a, x) => a + x[k], 0);
        process.stderr.write(
          `synth: ${rows.length} segments of ${segmentSec} s in ${f.series}; ${sum('connections')} connections, ${sum('packets')} packets, ${sum('wireBytes')} bytes on the wire\n`,
        );
      }
    } catch (err) {
      progress.stop();
      throw err;
    }
    return 0;
  }
  checkOutputTargets([], [
    ['--out', f.out],
    ['--truth', f.truth],
  ]);
  if ((f.out === undefined || f.out === '-') && process.stdout.isTTY) {
    throw usage('synth: refusing to write a capture to a terminal: give -o FILE or a pipe');
  }
  const target = openByteTarget(f.out);
  let truth: TextSink | undefined;
  try {
    truth = f.truth !== undefined ? atomicFileSink(f.truth) : undefined;
    const t = truth;
    const out = new CaptureOutput(target.fd, target.name, f.gzip);
    // Asynchronous: a turn of the event loop between slices lets SIGINT/SIGTERM remove the temporary file at once.
    const run = await writeSynthCaptureAsync(out, o, {
      truth: t !== undefined ? (text) => t.write(text) : undefined,
      onProgress: (p, bytes) => progress.update(bytes, undefined, p, 0),
    });
    progress.stop();
    target.commit();
    truth?.commit();
    if (!f.quiet) {
      const s = run.stats;
      const what = f.profile === 'olympic' ? `olympic profile at ${Number(r.rate.toFixed(3))} connections/s (steady state)` : `web profile at ${r.rate} connections/s`;
      process.stderr.write(`synth: ${what}, ${r.durationSec} s: ${s.connections} connections, ${s.packets} packets, ${s.wireBytes} bytes on the wire\n`);
    }
    return 0;
  } catch (err) {
    progress.stop();
    target.abort();
    truth?.abort();
    throw err;
  }
}
