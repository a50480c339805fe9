// Types of fuzz-cases.mjs (plain JavaScript so that scripts/fuzz.mjs runs it without a build step of its own).
import type fcModule from 'fast-check';
import type { Arbitrary } from 'fast-check';

export declare const fc: typeof fcModule;
export declare const DOCUMENTED_EXIT_CODES: readonly number[];
export declare const RSS_LIMIT_BYTES: number;
export declare const MAX_STDERR_LINES: number;
export declare const CASE_TIME_LIMIT_MS: number;

export interface BaseSpec {
  format: string;
  packets: number;
  linkType: number;
  ipv6: boolean;
  snaplen: number;
  tsresol: number;
  startSec: number;
  gapUs: number;
  gzip: boolean;
}
export type Mutation = { kind: string } & Record<string, unknown>;
export interface RunOptionsSpec {
  strict: boolean;
  maxConnections: number | null;
  idleTimeout: string | null;
  window: [string | undefined, string | undefined] | null;
  interval: string | null;
  chunkSize: number;
}
export interface FuzzCase {
  base: BaseSpec;
  mutations: Mutation[];
  gzipMutations: Mutation[];
  options: RunOptionsSpec;
}
export declare const baseArb: Arbitrary<BaseSpec>;
export declare const mutationArb: Arbitrary<Mutation>;
export declare const gzipMutationArb: Arbitrary<Mutation>;
export declare const runOptionsArb: Arbitrary<RunOptionsSpec>;
export declare const caseArb: Arbitrary<FuzzCase>;

export interface Materialized {
  bytes: Buffer;
  packets: number;
  pristine: boolean;
}
export interface BaseLayout {
  bytes: Buffer;
  bounds: number[];
  lengths: { at: number; le: boolean }[];
  times: { at: number; le: boolean; pcapng: boolean }[];
  tsresols: number[];
  tsoffsets: { at: number; le: boolean }[];
  packets: number;
  pcapng: boolean;
}
export declare function buildBase(base: BaseSpec): BaseLayout;
export declare function materialize(c: FuzzCase): Materialized;
export declare function replayOptionsOf(o: RunOptionsSpec): Record<string, unknown>;
export declare function cliArgsOf(o: RunOptionsSpec): string[];
export declare function cliTrackingArgsOf(o: RunOptionsSpec): string[];

export interface RunOutcome {
  ok: boolean;
  exit: number;
  packets?: number;
  line?: string;
  code?: string;
}
export interface CheckResult {
  problems: string[];
  results: { info: RunOutcome; replay: RunOutcome; connections: RunOutcome };
  elapsedMs: number;
}
export declare function checkCaptureFile(
  file: string,
  options: Record<string, unknown>,
  expect?: { packets?: number; chunkSize?: number },
): Promise<CheckResult>;
export declare function runCase(c: FuzzCase, dir: string, name?: string): Promise<CheckResult & { bytes: Buffer; file: string }>;
export declare function hexDump(bytes: Uint8Array, max?: number): string;
