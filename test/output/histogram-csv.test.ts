import { describe, expect, it } from 'vitest';
import { ImbalanceStats, parseBinWidth } from '../../src/sampler/imbalance.js';
import { HISTOGRAM_CSV_HEADER, histogramCsvText, writeHistogramCsv } from '../../src/output/histogram-csv.js';
import { csvField } from '../../src/output/csv.js';

const HEADER = 'metric,policy,bin_start,bin_end,count,probability,density,cdf\n';

function policy(label: string, conns: [number, number][], bytes: [number, number][], idle = [0, 0]) {
  const connections = new ImbalanceStats();
  const b = new ImbalanceStats();
  for (const [bin, count] of conns) connections.histogram.add(bin, count);
  for (const [bin, count] of bytes) b.histogram.add(bin, count);
  connections.recordIdle(idle[0]);
  b.recordIdle(idle[1]);
  return { info: { label }, connections, bytes: b };
}

describe('histogram CSV', () => {
  it('is the header alone without any non-idle sample', () => {
    const input = { binWidth: parseBinWidth('0.01'), policies: [policy('hash', [], [], [4, 4])] };
    expect(HISTOGRAM_CSV_HEADER).toBe(HEADER);
    expect(histogramCsvText(input)).toBe(HEADER);
  });

  it('leaves out a metric that has no non-idle sample', () => {
    const input = { binWidth: parseBinWidth('0.01'), policies: [policy('hash', [[1, 3]], [], [0, 3])] };
    expect(histogramCsvText(input)).toBe(
      HEADER +
        'connections,hash,0,0.01,0,0,0,0\n' +
        // 3/3 = 1; density 1/0.01 = 100
        'connections,hash,0.01,0.02,3,1,100,1\n',
    );
  });

  it('gives every policy the bins up to the last non-empty bin of any policy, with exact edges', () => {
    const input = {
      binWidth: parseBinWidth('0.01'),
      policies: [policy('a', [[28, 1]], [[0, 2]]), policy('b', [[30, 2], [29, 1]], [[0, 1]])],
    };
    const lines = histogramCsvText(input).split('\n');
    const a = lines.filter((l) => l.startsWith('connections,a,'));
    const b = lines.filter((l) => l.startsWith('connections,b,'));
    expect(a).toHaveLength(31);
    expect(b).toHaveLength(31);
    expect(a[28]).toBe('connections,a,0.28,0.29,1,1,100,1');
    expect(a[29]).toBe('connections,a,0.29,0.3,0,0,0,1');
    expect(a[30]).toBe('connections,a,0.3,0.31,0,0,0,1');
    // 1/3 and 2/3, density = probability / 0.01
    expect(b[29]).toBe('connections,b,0.29,0.3,1,0.333333333333,33.333333333333,0.333333333333');
    expect(b[30]).toBe('connections,b,0.3,0.31,2,0.666666666667,66.666666666667,1');
    expect(lines.filter((l) => l.startsWith('bytes,'))).toEqual(['bytes,a,0,0.01,2,1,100,1', 'bytes,b,0,0.01,1,1,100,1']);
  });

  it('takes the cdf from cumulative counts, not from rounded probabilities', () => {
    // Thirds: the rounded probabilities 0.333333333333 ×3 would add up to 0.999999999999.
    const input = { binWidth: parseBinWidth('1'), policies: [policy('p', [[0, 1], [1, 1], [2, 1]], [])] };
    expect(histogramCsvText(input)).toBe(
      HEADER +
        'connections,p,0,1,1,0.333333333333,0.333333333333,0.333333333333\n' +
        'connections,p,1,2,1,0.333333333333,0.333333333333,0.666666666667\n' +
        'connections,p,2,3,1,0.333333333333,0.333333333333,1\n',
    );
  });

  it('writes exact numbers for large counts and fine widths', () => {
    const input = {
      binWidth: parseBinWidth('0.000001'),
      policies: [policy('p', [[0, 2 ** 52], [3, 2 ** 52]], [])],
    };
    expect(histogramCsvText(input).split('\n').slice(1, 3)).toEqual([
      `connections,p,0,0.000001,${2 ** 52},0.5,500000,0.5`,
      'connections,p,0.000001,0.000002,0,0,0,0.5',
    ]);
  });

  it('writes one chunk per line, LF-terminated', () => {
    const chunks: string[] = [];
    writeHistogramCsv({ binWidth: parseBinWidth('0.5'), policies: [policy('p', [[1, 1]], [[0, 1]])] }, (c) => chunks.push(c));
    expect(chunks).toEqual([HEADER, 'connections,p,0,0.5,0,0,0,0\n', 'connections,p,0.5,1,1,1,2,1\n', 'bytes,p,0,0.5,1,1,2,1\n']);
  });

  it('quotes a field only when RFC 4180 requires it', () => {
    expect(csvField('least-active')).toBe('least-active');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
    const input = { binWidth: parseBinWidth('1'), policies: [policy('n=5, hash', [[0, 1]], [])] };
    expect(histogramCsvText(input)).toBe(HEADER + 'connections,"n=5, hash",0,1,1,1,1,1\n');
  });
});
