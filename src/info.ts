/**
 * `anycast-replay info`: what one capture file holds (issue 3). Each file is
 * read on its own; the fields are documented in docs/info.md.
 */
import { runPass, type CaptureStats } from './pass.js';
import type { CaptureFileInfo } from './reader/record.js';
import { formatPair } from './time.js';

export interface CaptureInfoReport {
  file: string;
  /** Manifest spelling: pcap, pcap-ns, pcap-be, pcap-ns-be or pcapng, plus `+gzip`. */
  format: string;
  byte_order: string;
  time_resolutions: string[];
  linktypes: number[];
  packets: number;
  tcp_packets: number;
  udp_packets: number;
  other_packets: number;
  bytes_captured: number;
  bytes_original: number;
  first_time: string | null;
  last_time: string | null;
  skipped: Record<string, number>;
  backwards: number;
  tso: number;
  truncated: boolean;
  warnings: string[];
}

const IGNORE = { tcpPacket(): void {}, udpPacket(): void {}, otherRecord(): void {} };

export async function inspectCapture(file: string, options: { strict?: boolean } = {}): Promise<CaptureInfoReport> {
  let fileInfo: CaptureFileInfo | undefined;
  const stats: CaptureStats = await runPass([file], IGNORE, {
    strict: options.strict,
    onFile: (info) => {
      fileInfo = info;
    },
  });
  const info = fileInfo!;
  const hasPackets = stats.started;
  return {
    file,
    format: info.gzip ? `${info.format}+gzip` : info.format,
    byte_order: info.byteOrder,
    time_resolutions: info.timeResolutions,
    linktypes: info.linkTypes,
    packets: stats.packets,
    tcp_packets: stats.tcpPackets,
    udp_packets: stats.udpPackets,
    other_packets: stats.otherPackets,
    bytes_captured: stats.bytesCaptured,
    bytes_original: stats.bytesOriginal,
    first_time: hasPackets ? formatPair(stats.baseSec, stats.firstSec, stats.firstNsec) : null,
    last_time: hasPackets ? formatPair(stats.baseSec, stats.clockSec, stats.clockNsec) : null,
    skipped: stats.skippedByName(),
    backwards: stats.backwards,
    tso: stats.tso,
    truncated: stats.truncated,
    warnings: stats.warnings,
  };
}

/** The human-readable rendering of one report. */
export function renderInfoText(r: CaptureInfoReport): string {
  const lines = [
    `file:             ${r.file}`,
    `format:           ${r.format} (${r.byte_order}-endian, time resolution ${r.time_resolutions.join(', ') || 'n/a'})`,
    `link types:       ${r.linktypes.join(', ') || 'none'}`,
    `packets:          ${r.packets} (TCP ${r.tcp_packets}, UDP ${r.udp_packets}, other ${r.other_packets})`,
    `bytes:            ${r.bytes_captured} captured, ${r.bytes_original} on the wire`,
    `first packet:     ${r.first_time ?? 'none'}`,
    `last packet:      ${r.last_time ?? 'none'}`,
  ];
  const skipped = Object.entries(r.skipped);
  lines.push(`skipped:          ${skipped.length ? skipped.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`);
  lines.push(`backwards:        ${r.backwards}`);
  lines.push(`tso:              ${r.tso}`);
  lines.push(`truncated:        ${r.truncated ? 'yes' : 'no'}`);
  for (const w of r.warnings) lines.push(`warning:          ${w}`);
  return lines.join('\n') + '\n';
}
