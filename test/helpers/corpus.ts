/**
 * The shared real-capture corpus (../shared/traces, see its README.md):
 * MANIFEST.tsv rows, parsed once. Suites over it skip with a visible message
 * when the folder is absent; .ci/run makes that absence a failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TRACES_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'traces');
export const MANIFEST_PATH = path.join(TRACES_DIR, 'MANIFEST.tsv');
export const CORPUS_PRESENT = fs.existsSync(MANIFEST_PATH);

export interface ManifestRow {
  file: string;
  path: string;
  category: 'tcp' | 'other' | 'fuzzed' | 'malformed';
  bytes: number;
  format: string;
  linktypes: number[];
  packets: number;
  tcpPackets: number;
  tcpStreams: number;
  tsharkStatus: string;
  note: string;
  damage: string;
}

function unquote(field: string): string {
  return field.startsWith('"') && field.endsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
}

export function loadManifest(): ManifestRow[] {
  if (!CORPUS_PRESENT) return [];
  const lines = fs.readFileSync(MANIFEST_PATH, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  const ix = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`MANIFEST.tsv has no column ${name}`);
    return i;
  };
  const cols = {
    file: ix('file'),
    category: ix('category'),
    bytes: ix('bytes'),
    format: ix('format'),
    linktypes: ix('linktypes'),
    packets: ix('packets'),
    tcpPackets: ix('tcp_packets'),
    tcpStreams: ix('tcp_streams'),
    tsharkStatus: ix('tshark_status'),
    note: ix('note'),
    damage: ix('damage'),
  };
  return lines.slice(1).map((line) => {
    const f = line.split('\t').map(unquote);
    const get = (i: number): string => f[i] ?? '';
    return {
      file: get(cols.file),
      path: path.join(TRACES_DIR, get(cols.file)),
      category: get(cols.category) as ManifestRow['category'],
      bytes: Number(get(cols.bytes)),
      format: get(cols.format),
      linktypes: get(cols.linktypes) ? get(cols.linktypes).split(',').map(Number) : [],
      packets: Number(get(cols.packets)),
      tcpPackets: Number(get(cols.tcpPackets)),
      tcpStreams: Number(get(cols.tcpStreams)),
      tsharkStatus: get(cols.tsharkStatus),
      note: get(cols.note),
      damage: get(cols.damage),
    };
  });
}

export const SKIP_MESSAGE = `real-capture corpus ${TRACES_DIR} not found; skipping`;
