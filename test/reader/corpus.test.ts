/**
 * The shared real-capture corpus (../shared/traces, README there): every file
 * tshark reads gives its packet count, format and link types; every damaged
 * copy ends as its `damage` column says (SPEC §2a).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/errors.js';
import { readCapture } from '../../src/reader/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TRACES = path.resolve(ROOT, '../shared/traces');
const MANIFEST = path.join(TRACES, 'MANIFEST.tsv');
const present = fs.existsSync(MANIFEST);
if (!present) console.warn(`real-capture corpus ${TRACES} not found; skipping the corpus reader tests`);

interface Row {
  file: string;
  category: string;
  format: string;
  linktypes: string;
  packets: number;
  tsharkStatus: string;
  damage: string;
}

function readManifest(): Row[] {
  const lines = fs.readFileSync(MANIFEST, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`MANIFEST.tsv has no column ${name}`);
    return i;
  };
  const c = {
    file: col('file'),
    category: col('category'),
    format: col('format'),
    linktypes: col('linktypes'),
    packets: col('packets'),
    tshark: col('tshark_status'),
    damage: col('damage'),
  };
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return {
      file: f[c.file],
      category: f[c.category],
      format: f[c.format],
      linktypes: f[c.linktypes],
      packets: Number(f[c.packets]),
      tsharkStatus: f[c.tshark],
      damage: f[c.damage] ?? '',
    };
  });
}

const rows = present ? readManifest() : [];
const readable = rows.filter((r) => r.category !== 'malformed' && r.tsharkStatus === 'ok');
const unreadableByTshark = rows.filter((r) => r.category !== 'malformed' && r.tsharkStatus !== 'ok');
const malformed = rows.filter((r) => r.category === 'malformed');

async function count(file: string): Promise<{ records: number; info: Awaited<ReturnType<typeof readCapture>> }> {
  let records = 0;
  const info = await readCapture(path.join(TRACES, file), () => {
    records++;
  });
  return { records, info };
}

describe.skipIf(!present)('corpus: readable captures', () => {
  it('has rows', () => {
    expect(readable.length).toBeGreaterThan(300);
  });

  it.each(readable.map((r) => [r.file, r] as const))('%s', async (_name, row) => {
    const { records, info } = await count(row.file);
    expect(records).toBe(row.packets);
    expect(info.records).toBe(row.packets);
    expect(info.format + (info.gzip ? '+gzip' : '')).toBe(row.format);
    expect(info.linkTypes.join(',')).toBe(row.linktypes);
    expect(info.truncated).toBe(false);
    expect(info.warnings).toEqual([]);
  });
});

describe.skipIf(!present)('corpus: well-formed files with a link type tshark cannot dissect', () => {
  it.each(unreadableByTshark.map((r) => [r.file, r] as const))('%s reads without error', async (_name, row) => {
    const { info } = await count(row.file);
    expect(info.format + (info.gzip ? '+gzip' : '')).toBe(row.format);
    expect(info.linkTypes.join(',')).toBe(row.linktypes);
    expect(info.truncated).toBe(false);
  });
});

describe.skipIf(!present)('corpus: damaged captures end as the manifest says', () => {
  it('has the damaged copies', () => {
    expect(malformed.length).toBeGreaterThanOrEqual(20);
  });

  it.each(malformed.map((r) => [r.file, r] as const))('%s', async (_name, row) => {
    const m = /^([a-z-]+)@(\d+|-):(warning|error)$/.exec(row.damage);
    expect(m, `damage column "${row.damage}"`).not.toBeNull();
    const offset = m![2] === '-' ? undefined : Number(m![2]);
    if (m![3] === 'warning') {
      const { records, info } = await count(row.file);
      expect(info.truncated).toBe(true);
      expect(info.truncatedOffset).toBe(offset);
      expect(info.warnings).toHaveLength(1);
      expect(info.warnings[0]).toContain(`at byte ${offset}`);
      // tshark reads the same whole records before the cut.
      expect(records).toBe(row.packets);
    } else {
      let err: unknown;
      try {
        await count(row.file);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ReplayError);
      const e = err as ReplayError;
      expect(e.offset).toBe(offset);
      expect(e.file).toBe(path.join(TRACES, row.file));
      expect(e.message.split('\n')).toHaveLength(1);
    }
  });
});
