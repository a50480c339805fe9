/**
 * One pass over a capture through the connection tracker (SPEC §1, §3): the
 * shared core of `connections` and the replay, which differ only in the
 * FlowListener that hears the connections' events.
 */
import { runPass, type CaptureStats } from './pass.js';
import type { ResolvedOptions } from './options.js';
import { ConnectionTracker } from './flows/tracker.js';
import type { FlowListener } from './flows/events.js';

export interface TrackHooks {
  /** Called once the tracker exists, before any packet (listeners read its table). */
  onTracker?: (tracker: ConnectionTracker) => void;
  /** Called at the first kept record with the base second of relative times. */
  onBase?: (baseSec: number) => void;
  onProgress?: (bytes: number, total: number | undefined, packets: number, connections: number) => void;
}

export interface TrackRun {
  tracker: ConnectionTracker;
  stats: CaptureStats;
}

/**
 * Reads `files` as one capture, feeding every usable packet of the protocols
 * asked for (`options.proto`: TCP, UDP or both) to a tracker
 * that reports to `listener`, and closes what is still open at the end
 * (`finish` at the last clock). The listener has heard everything when this resolves.
 */
export async function trackConnections(
  files: readonly string[],
  options: ResolvedOptions,
  listener: FlowListener,
  hooks: TrackHooks = {},
): Promise<TrackRun> {
  const tracker = new ConnectionTracker(
    {
      idleTimeout: options.idleTimeout,
      synTimeout: options.synTimeout,
      udpTimeout: options.udpTimeout,
      maxConnections: options.maxConnections,
    },
    listener,
  );
  hooks.onTracker?.(tracker);
  let statsRef: CaptureStats | undefined;
  const progress = hooks.onProgress;
  const stats = await runPass(
    files,
    {
      tcpPacket(decoded, clockSec, clockNsec, ownSec, ownNsec) {
        tracker.packet(decoded, clockSec, clockNsec, ownSec, ownNsec);
      },
      udpPacket(decoded, clockSec, clockNsec, ownSec, ownNsec) {
        tracker.udpPacket(decoded, clockSec, clockNsec, ownSec, ownNsec);
      },
      otherRecord(clockSec, clockNsec) {
        tracker.advanceClock(clockSec, clockNsec);
      },
    },
    {
      proto: options.proto,
      from: options.from,
      to: options.to,
      strict: options.strict,
      onStart: (s) => {
        statsRef = s;
      },
      onBase: hooks.onBase,
      onProgress: progress ? (b, t) => progress(b, t, statsRef?.packets ?? 0, tracker.opened) : undefined,
    },
  );
  if (stats.started) tracker.finish(stats.clockSec, stats.clockNsec);
  return { tracker, stats };
}
