/**
 * One pass over a capture (one or several files read as one, SPEC §1): read
 * records, decode headers, keep the replay clock and the capture-level counts,
 * and hand every usable TCP packet (and, when asked, UDP packet) to a consumer. `info`, `connections` and
 * the replay are all built on it.
 */
import { readCapture } from './reader/index.js';
import type { CaptureFileInfo, CaptureRecord } from './reader/record.js';
import { decodePacket } from './decode/decoder.js';
import { DecodedPacket } from './decode/packet.js';
import { SKIP_REASON_COUNT, SKIP_REASON_NAMES } from './decode/skip-reasons.js';
import { type Duration, NS_PER_SEC, formatPairDifference } from './time.js';
import { ReplayError } from './errors.js';
import { WarningLog } from './warnings.js';

/** A forward jump of the clock above one day is reported (SPEC §1: usually a damaged timestamp). */
export const FORWARD_JUMP_WARNING_SEC = 86_400;

/** A step back of the clock above one second is reported (issue 8: beyond multi-queue NIC jitter). */
export const BACKWARD_STEP_WARNING_SEC = 1;

const stepOut = { sec: 0, nsec: 0 };

/** (s2, n2) − (s1, n1) as a normalized pair (s2, n2 not earlier); the returned object is reused. */
function pairStep(s1: number, n1: number, s2: number, n2: number): { sec: number; nsec: number } {
  let sec = s2 - s1;
  let nsec = n2 - n1;
  if (nsec < 0) {
    sec -= 1;
    nsec += NS_PER_SEC;
  }
  stepOut.sec = sec;
  stepOut.nsec = nsec;
  return stepOut;
}

/** What the pass reports to its consumer, in record order. */
export interface PacketConsumer {
  /**
   * A usable TCP packet (decoded.skip === 0 && decoded.isTcp), at the replay
   * clock and at its own time, each a (sec, nsec) pair relative to the base
   * second (src/flows/events.ts).
   */
  tcpPacket(decoded: DecodedPacket, clockSec: number, clockNsec: number, ownSec: number, ownNsec: number): void;
  /**
   * A usable UDP packet (decoded.skip === 0 && decoded.isUdp), with the same
   * times; only when the pass is asked for UDP (`PassOptions.proto`), which
   * needs this method.
   */
  udpPacket?(decoded: DecodedPacket, clockSec: number, clockNsec: number, ownSec: number, ownNsec: number): void;
  /** Any other kept record (skipped, non-TCP, a protocol not asked for): it still moves the clock. */
  otherRecord(clockSec: number, clockNsec: number): void;
}

/** Capture-level counts (SPEC §6 summary, `info`). */
export class CaptureStats {
  /** Records kept (inside --from/--to). */
  packets = 0;
  /** Records read but left out by --from/--to. */
  outsideWindow = 0;
  bytesCaptured = 0;
  bytesOriginal = 0;
  tcpPackets = 0;
  udpPackets = 0;
  otherPackets = 0;
  /** TCP payload bytes of usable TCP packets (0 when the pass is asked for UDP only). */
  tcpPayloadBytes = 0;
  /** UDP payload bytes (UDP length − 8) of usable UDP packets handed on (0 unless asked for UDP). */
  udpPayloadBytes = 0;
  readonly skipped = new Float64Array(SKIP_REASON_COUNT);
  backwards = 0;
  tso = 0;
  /** Whole second that relative times count from (the first kept record's). */
  baseSec = 0;
  /** Whether a record has been kept yet. */
  started = false;
  /** First kept record's time and the replay clock (largest time so far), as pairs relative to baseSec. */
  firstSec = 0;
  firstNsec = 0;
  clockSec = 0;
  clockNsec = 0;
  truncated = false;
  /** Warnings, one entry per (file, kind) with its counts (src/warnings.ts). */
  readonly warningLog = new WarningLog();

  /** The warnings as lines, one per (file, kind). */
  get warnings(): string[] {
    return this.warningLog.lines();
  }

  /** Skip reasons with a non-zero count, by name. */
  skippedByName(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 1; i < SKIP_REASON_COUNT; i++) if (this.skipped[i] > 0) out[SKIP_REASON_NAMES[i]] = this.skipped[i];
    return out;
  }
}

export interface PassOptions {
  /** Which usable packets go to the consumer (issue 12): `tcp` (the default), `udp` or `both`. */
  proto?: 'tcp' | 'udp' | 'both';
  /** Keep the records in [first + from, first + to) (SPEC §1); any size up to MAX_SECONDS. */
  from?: Duration | undefined;
  to?: Duration | undefined;
  strict?: boolean;
  onProgress?: (compressedBytes: number, totalBytes: number | undefined) => void;
  /** Called after each file with what the reader learned (info reports files on their own). */
  onFile?: (info: CaptureFileInfo, stats: CaptureStats) => void;
  /** Called once, before reading, with the stats object the pass fills. */
  onStart?: (stats: CaptureStats) => void;
  /** Called once, at the first kept record, with the base second of relative times. */
  onBase?: (baseSec: number) => void;
}

/**
 * Reads `files` in order as one capture, feeding `consumer`. Returns the
 * capture-level counts. Throws ReplayError on damage; with `strict`, a cut
 * capture or a forward time jump becomes STRICT_WARNING.
 */
export async function runPass(files: readonly string[], consumer: PacketConsumer, options: PassOptions = {}): Promise<CaptureStats> {
  const stats = new CaptureStats();
  const decoded = new DecodedPacket();
  const from = options.from;
  const to = options.to;
  const filtering = from !== undefined || to !== undefined;
  const wantTcp = options.proto !== 'udp';
  const wantUdp = options.proto === 'udp' || options.proto === 'both';
  if (wantUdp && consumer.udpPacket === undefined) throw new TypeError('runPass: proto includes udp but the consumer has no udpPacket');
  // The first record of the whole capture fixes the base; with --from/--to,
  // the window is measured from it, and the first kept record becomes t0.
  let haveFirstRecord = false;
  // The window's edges as time pairs relative to the base second, set at the
  // first record: each record is then two integer pair compares, exact however
  // long the window and the capture (no ns count, no BigInt per record).
  let fromSec = 0;
  let fromNsec = 0;
  let toSec = 0;
  let toNsec = 0;
  let currentFile = '';
  /** Records kept from the current file so far. */
  let recordsInFile = 0;
  /** Whether the current file started behind the clock (files out of order). */
  let fileOutOfOrder = false;
  /** The file whose record set the clock last (named when files are out of order). */
  let clockFile = '';
  options.onStart?.(stats);
  const onBase = options.onBase;

  const handler = (rec: CaptureRecord): void => {
    if (!haveFirstRecord) {
      haveFirstRecord = true;
      stats.baseSec = rec.tsSec;
      if (from !== undefined) {
        fromSec = from.sec + (rec.tsNsec + from.nsec >= NS_PER_SEC ? 1 : 0);
        fromNsec = (rec.tsNsec + from.nsec) % NS_PER_SEC;
      }
      if (to !== undefined) {
        toSec = to.sec + (rec.tsNsec + to.nsec >= NS_PER_SEC ? 1 : 0);
        toNsec = (rec.tsNsec + to.nsec) % NS_PER_SEC;
      }
    }
    const ownSec = rec.tsSec - stats.baseSec;
    const ownNsec = rec.tsNsec;
    if (filtering) {
      if (
        (from !== undefined && (ownSec < fromSec || (ownSec === fromSec && ownNsec < fromNsec))) ||
        (to !== undefined && (ownSec > toSec || (ownSec === toSec && ownNsec >= toNsec)))
      ) {
        stats.outsideWindow++;
        return;
      }
    }
    stats.packets++;
    recordsInFile++;
    stats.bytesCaptured += rec.capturedLength;
    stats.bytesOriginal += rec.originalLength;
    if (!stats.started) {
      stats.started = true;
      stats.firstSec = stats.clockSec = ownSec;
      stats.firstNsec = stats.clockNsec = ownNsec;
      clockFile = currentFile;
      onBase?.(stats.baseSec);
    } else if (ownSec < stats.clockSec || (ownSec === stats.clockSec && ownNsec < stats.clockNsec)) {
      stats.backwards++;
      // Small steps back are multi-queue capture jitter, counted only; more than
      // a second back is a merge gone wrong or files given out of order (issue 8).
      const backSec = stats.clockSec - ownSec;
      if (backSec > BACKWARD_STEP_WARNING_SEC || (backSec === BACKWARD_STEP_WARNING_SEC && ownNsec < stats.clockNsec)) {
        backwardStep(rec.fileOffset, ownSec, ownNsec);
      }
    } else {
      const jumpSec = ownSec - stats.clockSec;
      if (jumpSec > FORWARD_JUMP_WARNING_SEC || (jumpSec === FORWARD_JUMP_WARNING_SEC && ownNsec > stats.clockNsec)) {
        if (options.strict) {
          const jump = formatPairDifference(stats.clockSec, stats.clockNsec, ownSec, ownNsec);
          throw new ReplayError('STRICT_WARNING', `time jumps forward by ${jump} s (--strict)`, { file: currentFile, offset: rec.fileOffset });
        }
        const d = pairStep(stats.clockSec, stats.clockNsec, ownSec, ownNsec);
        stats.warningLog.step('forward-jump', currentFile, rec.fileOffset, d.sec, d.nsec);
      }
      stats.clockSec = ownSec;
      stats.clockNsec = ownNsec;
      clockFile = currentFile;
    }
    decodePacket(rec.linkType, rec.data, rec.start, rec.capturedLength, rec.originalLength, decoded);
    if (decoded.isTcp) stats.tcpPackets++;
    else if (decoded.isUdp) stats.udpPackets++;
    else stats.otherPackets++;
    if (decoded.tso) stats.tso++;
    const skip = decoded.skip;
    if (skip !== 0) stats.skipped[skip]++;
    if (skip === 0 && decoded.isTcp && wantTcp) {
      stats.tcpPayloadBytes += decoded.payloadLength;
      consumer.tcpPacket(decoded, stats.clockSec, stats.clockNsec, ownSec, ownNsec);
    } else if (skip === 0 && decoded.isUdp && wantUdp) {
      stats.udpPayloadBytes += decoded.payloadLength;
      consumer.udpPacket!(decoded, stats.clockSec, stats.clockNsec, ownSec, ownNsec);
    } else {
      consumer.otherRecord(stats.clockSec, stats.clockNsec);
    }
  };

  // A record more than a second older than the clock: a warning, one line per
  // file; at the first record of a file after the first, the files are out of order.
  const backwardStep = (offset: number, ownSec: number, ownNsec: number): void => {
    const d = pairStep(ownSec, ownNsec, stats.clockSec, stats.clockNsec);
    const outOfOrder = recordsInFile === 1 && previousFile !== undefined;
    // Text only for the lines that quote it: a counted step formats its largest at the end.
    const step = options.strict || outOfOrder ? formatPairDifference(0, 0, d.sec, d.nsec) : '';
    if (options.strict) {
      const problem = outOfOrder
        ? `starts ${step} s before the end of ${clockFile}: files out of order? (--strict)`
        : `time steps back by ${step} s (--strict)`;
      throw new ReplayError('STRICT_WARNING', problem, { file: currentFile, offset });
    }
    if (outOfOrder) {
      // The rest of this file is behind the clock too: this one line says why.
      fileOutOfOrder = true;
      stats.warningLog.once(
        'file-order',
        currentFile,
        `starts ${step} s before the end of ${clockFile} (at byte ${offset}): files given out of order? Connections and samples across the step are wrong`,
        offset,
      );
    } else if (!fileOutOfOrder) {
      stats.warningLog.step('backward-step', currentFile, offset, d.sec, d.nsec);
    }
  };

  let previousFile: string | undefined;
  for (const file of files) {
    currentFile = file;
    recordsInFile = 0;
    fileOutOfOrder = false;
    const info = await readCapture(file, handler, { onProgress: options.onProgress });
    if (info.truncated) {
      stats.truncated = true;
      if (options.strict) {
        throw new ReplayError('STRICT_WARNING', 'capture cut inside its last record (--strict)', { file, offset: info.truncatedOffset });
      }
    }
    for (const w of info.warnings) stats.warningLog.once('cut', file, w, info.truncatedOffset);
    options.onFile?.(info, stats);
    if (recordsInFile > 0) previousFile = file;
  }
  return stats;
}
