/**
 * A progress bar on standard error, only when it is a terminal and the run is
 * not --quiet (issue 5): nothing of it reaches pipes or CI logs.
 */
import * as fs from 'node:fs';
import type cliProgressModule from 'cli-progress';

export interface Progress {
  /** Bytes so far (what they are: ProgressKind) and the total when known. */
  update(bytes: number, total: number | undefined, packets: number, connections: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

/**
 * Whether a bar is on the screen: it hid the cursor and turned line wrap off
 * (cli-progress's hideCursor and linewrap: false), which only its stop() undoes.
 */
let barShown = false;

/** Shows the cursor, turns line wrap back on, and ends the bar's line. */
const RESTORE = '\x1b[?25h\x1b[?7h\n';

/**
 * Puts the terminal back as it was if a bar is on the screen (issue 8): on
 * SIGINT/SIGTERM and any other exit the bar's stop() never runs, and the
 * shell would be left with no cursor and no line wrap. Synchronous, so it
 * can run just before process.exit(). Safe to call at any time.
 */
export function restoreTerminal(): void {
  if (!barShown) return;
  barShown = false;
  try {
    fs.writeSync(2, RESTORE);
  } catch {
    // standard error is gone: nothing to restore
  }
}
/** For a bar drawn by another module (batch's): it is on the screen or not, so restoreTerminal covers it too. */
export function setBarShown(shown: boolean): void {
  barShown = shown;
}

const REDRAW_MS = 200;

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

/**
 * What the bar's bytes are: a capture `read` (replay, connections: compressed
 * bytes for gzip), or one `written` (synth) or `generated` before gzip
 * compresses it (synth --gzip). The last two show packets instead of
 * connections.
 */
export type ProgressKind = 'read' | 'written' | 'generated';

/** cli-progress is loaded only when a bar will be drawn (start-up time of pipes and CI runs). */
export async function createProgress(quiet: boolean, kind: ProgressKind = 'read'): Promise<Progress> {
  if (quiet || !process.stderr.isTTY) return NONE;
  const cliProgress: typeof cliProgressModule = (await import('cli-progress')).default;
  const started = Date.now();
  let bar: cliProgressModule.SingleBar | undefined;
  let withTotal = false;
  let last = 0;
  return {
    update(bytes, total, packets, connections) {
      const now = Date.now();
      if (now - last < REDRAW_MS) return;
      last = now;
      const secs = Math.max((now - started) / 1000, 0.001);
      const payload = {
        mb: mb(bytes),
        rate: mb(bytes / secs),
        pps: Math.round(packets / secs).toLocaleString('en-US'),
        packets: packets.toLocaleString('en-US'),
        conns: connections.toLocaleString('en-US'),
      };
      if (bar === undefined) {
        withTotal = total !== undefined && total > 0;
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: withTotal
              ? '{bar} {percentage}% | {mb} MB | {rate} MB/s | {pps} packets/s | {conns} connections'
              : kind === 'read'
                ? '{mb} MB read | {rate} MB/s | {pps} packets/s | {conns} connections'
                : `{mb} MB ${kind} | {rate} MB/s | {packets} packets | {pps} packets/s`,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(withTotal ? total! : 1, 0, payload);
        barShown = true;
      }
      bar.update(withTotal ? Math.min(bytes, total!) : 0, payload);
    },
    stop() {
      bar?.stop();
      barShown = false;
    },
  };
}
