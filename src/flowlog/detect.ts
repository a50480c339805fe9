/**
 * The input format from the content, never the file name (SPEC §1's rule for
 * captures, extended to flow logs; docs/flow-logs.md "Formats"):
 *
 * - a pcap or pcapng magic → `pcap` (a gzip magic is looked through first:
 *   the caller hands over the decompressed head, as `sniffInputFormat` does);
 * - a Zeek TSV log: its first line that does not start with `##` starts with
 *   `#separator ` (Zeek writes that line first; the test suite's baselines put
 *   a `### BTest` banner before it) → `zeek-conn`;
 * - a JSON object on the first line with Zeek's `uid` or `id.orig_h` key (or
 *   a nested `id` object) → `zeek-conn` (its JSON-lines form);
 * - the header row of the tool's own `connections` CSV (with or without
 *   its last column, `active_until`) → `connections-csv`.
 */
import { sniffFormat } from '../reader/sniff.js';
import { CONNECTION_COLUMNS } from '../flows/connection-row.js';
import { textChunks } from './lines.js';

export const INPUT_FORMATS = ['pcap', 'zeek-conn', 'connections-csv'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Bytes of the (decompressed) head that detection looks at. */
export const DETECT_BYTES = 4096;

/** The `connections` CSV header row, as the tool writes it. */
export const CONNECTIONS_CSV_HEADER = CONNECTION_COLUMNS.join(',');

/**
 * The header row of versions before `active_until` was added (its first 15
 * columns): still read, with the end rule's timeouts in place of the column.
 */
export const CONNECTIONS_CSV_HEADER_V1 = CONNECTION_COLUMNS.slice(0, CONNECTION_COLUMNS.indexOf('active_until')).join(',');

const ZEEK_JSON_KEY = /"(?:uid|id\.orig_h|id)"\s*:/;

/** The format of a stream whose decompressed content starts with `head`, or undefined. */
export function detectInputFormat(head: Uint8Array): InputFormat | undefined {
  if (head.length >= 4 && sniffFormat(head) !== undefined) return 'pcap';
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, DETECT_BYTES)).toString('latin1');
  let pos = 0;
  // Skip `##` lines (the btest banner).
  for (;;) {
    if (!text.startsWith('##', pos)) break;
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return undefined;
    pos = nl + 1;
  }
  if (text.startsWith('#separator ', pos)) return 'zeek-conn';
  const nl = text.indexOf('\n', pos);
  const first = (nl < 0 ? text.slice(pos) : text.slice(pos, nl)).replace(/\r$/, '');
  if (first.startsWith('{') && ZEEK_JSON_KEY.test(first)) return 'zeek-conn';
  if (first === CONNECTIONS_CSV_HEADER || first === CONNECTIONS_CSV_HEADER_V1) return 'connections-csv';
  return undefined;
}

/**
 * Reads the head of `path` (decompressing gzip) and detects its format.
 * Resolves with the format (undefined when unknown) and whether it was gzip.
 * Reads at most DETECT_BYTES after decompression; not for standard input,
 * which cannot be read twice (readFlowLog detects the format itself).
 */
export async function sniffInputFormat(path: string): Promise<{ format: InputFormat | undefined; gzip: boolean }> {
  const info = { gzip: false };
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of textChunks(path, info, DETECT_BYTES)) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= DETECT_BYTES) break;
  }
  return { format: detectInputFormat(Buffer.concat(parts)), gzip: info.gzip };
}
