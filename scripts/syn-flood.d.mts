// Types of syn-flood.mjs.
import type { Writable } from 'node:stream';

export declare const CLI: string;
export declare const RSS_PROBE: string;
export declare function streamSynFlood(out: Writable, options: { packets: number; seed?: number; stepNs?: number }): Promise<void>;
export interface FloodRun {
  exitCode: number;
  stderr: string;
  summary: { capture: { packets: number; connections: number; connections_by_reason: Record<string, number> } } | undefined;
  peakRssBytes: number | undefined;
  seconds: number;
}
export declare function runFloodThroughCli(options: {
  packets: number;
  maxConnections: number;
  seed?: number;
  extraArgs?: string[];
}): Promise<FloodRun>;
