/**
 * Small hand-made CSVs in the shapes the tool writes (SPEC §6, docs/replay.md,
 * docs/connections.md), with numbers chosen so the tests can work out by hand
 * what the plot must show.
 */

/** Bin edge k·width as the tool prints it (no trailing zeros). */
function edge(k: number, width: number, decimals: number): string {
  return String(Number((k * width).toFixed(decimals)));
}

/**
 * An imbalance CSV: per metric and policy the probability of each bin from 0
 * (counts out of `samples`), every policy with the same bins, as the replay
 * writes it.
 */
export function imbalanceCsv(
  width: number,
  metrics: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>,
  samples = 1000,
): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(width)) + 1);
  let text = 'metric,policy,bin_start,bin_end,count,probability,density,cdf\n';
  for (const [metric, policies] of Object.entries(metrics)) {
    const bins = Math.max(...Object.values(policies).map((p) => p.length));
    for (const [policy, probs] of Object.entries(policies)) {
      let cdf = 0;
      for (let k = 0; k < bins; k++) {
        const p = probs[k] ?? 0;
        cdf += p;
        const name = /[",\n]/.test(policy) ? `"${policy.replace(/"/g, '""')}"` : policy;
        text += `${metric},${name},${edge(k, width, decimals)},${edge(k + 1, width, decimals)},${Math.round(p * samples)},${+p.toFixed(12)},${+(p / width).toFixed(12)},${+cdf.toFixed(12)}\n`;
      }
    }
  }
  return text;
}

/** Bins of 0.5: policy A has 99.5 % below 1.5 and 0.5 % in [5, 5.5); B 99 % below 2 and 1 % in [5, 5.5). */
export const ONE_BIN_AT_5 = imbalanceCsv(0.5, {
  connections: {
    A: [0.3, 0.5, 0.195, 0, 0, 0, 0, 0, 0, 0, 0.005],
    B: [0.1, 0.2, 0.3, 0.39, 0, 0, 0, 0, 0, 0, 0.01],
  },
  bytes: {
    A: [0, 0.25, 0.25, 0.5],
    B: [0.5, 0.5],
  },
});

/** The four built-in policies, each with its mass in a different place so every curve shows. */
export const FOUR_POLICIES = imbalanceCsv(0.25, {
  connections: {
    'round-robin': [0, 0.6, 0.4],
    random: [0, 0, 0, 0.7, 0.3],
    hash: [0, 0, 0, 0, 0, 0, 1],
    'least-active': [1],
  },
  bytes: {
    'round-robin': [0, 0, 0, 0, 0, 0, 0, 1],
    random: [0, 0, 0.2, 0.8],
    hash: [0, 0, 0, 0, 0, 0.5, 0.5],
    'least-active': [0.5, 0.5],
  },
});

/** A distribution CSV with log bins (10 per decade), 4 connections at 0 bytes. */
export function distributionCsv(): string {
  const rows: string[] = ['metric,bin_start,bin_end,count,probability,cdf'];
  const durationEdges = ['0', '0.001', '0.00125893', '0.00158489', '0.00199526', '0.00251189'];
  const durationCounts = [0, 10, 30, 40, 20];
  const bytesEdges = ['0', '100', '125.893', '158.489', '199.526', '251.189', '316.228', '398.107', '501.187', '630.957', '794.328', '1000', '1258.93'];
  const bytesCounts = [4, 6, 10, 0, 0, 20, 0, 0, 30, 0, 10, 20];
  for (const [metric, edges, counts] of [
    ['duration', durationEdges, durationCounts],
    ['bytes', bytesEdges, bytesCounts],
  ] as const) {
    let cum = 0;
    for (let i = 0; i < counts.length; i++) {
      cum += counts[i];
      rows.push(`${metric},${edges[i]},${edges[i + 1]},${counts[i]},${counts[i] / 100},${cum / 100}`);
    }
  }
  return rows.join('\n') + '\n';
}

/**
 * A timeseries CSV: two policies, three servers, samples every 0.5 s from
 * 1700000000.5, a gap (idle samples are not written) between 1.5 s and 4 s.
 */
export function timeseriesCsv(): string {
  const rows = ['time,policy,server,connections,bytes'];
  const times = ['1700000000.500000000', '1700000001.000000000', '1700000001.500000000', '1700000004.000000000'];
  times.forEach((t, k) => {
    for (const policy of ['hash', 'random']) {
      for (let s = 0; s < 3; s++) {
        const c = policy === 'hash' ? s + k : 3 - s;
        rows.push(`${t},${policy},${s},${c},${c * 1000 + s}`);
      }
    }
  });
  return rows.join('\n') + '\n';
}

/**
 * A load-sweep CSV (scripts/load-sweep.mjs) at 1, 4 and 16 active connections
 * per server (rates 10, 40, 160). Connections: p90 = c/√n with c 2
 * (round-robin), 4 (random), 1 (hash), so the median of p90·√n over the
 * non-adaptive points is 2; least-active falls faster and takes no part.
 * Bytes: c 6 (round-robin), 3 (random), 1.5 (hash), median 3 over the
 * eight points; hash has no p90 at 160/s and least-active 0 there (both left
 * out of the log axes).
 */
export function sweepCsv(): string {
  const rows = ['metric,policy,rate,mean_active_per_server,mean,p50,p90,p99,max'];
  const active = ['1.000', '4.000', '16.000'];
  const rates = ['10', '40', '160'];
  const p90: Record<string, Record<string, readonly string[]>> = {
    connections: { 'round-robin': ['2', '1', '0.5'], random: ['4', '2', '1'], hash: ['1', '0.5', '0.25'], 'least-active': ['0.5', '0.1', '0.02'] },
    bytes: { 'round-robin': ['6', '3', '1.5'], random: ['3', '1.5', '0.75'], hash: ['1.5', '0.75', ''], 'least-active': ['3', '3', '0'] },
  };
  for (const [metric, policies] of Object.entries(p90)) {
    for (const [policy, values] of Object.entries(policies)) {
      values.forEach((v, i) => {
        const mean = v === '' ? '' : String(Number(v) * 0.6);
        rows.push(`${metric},${policy},${rates[i]},${active[i]},${mean},${mean},${v},${v === '' ? '' : String(Number(v) * 1.2)},${v === '' ? '' : String(Number(v) * 1.5)}`);
      });
    }
  }
  return rows.join('\n') + '\n';
}

/**
 * An `--events-output` CSV: a removal at 10 s and a failure at 25.5 s, hash and
 * hrw with a stateless route, round-robin without; 20 broken at most, so the
 * broken panel's axis ends at 20.
 */
export function eventsCsv(): string {
  return [
    'time,event,server,policy,active,remapped,broken,fraction',
    '10.000000000,remove,2,hash,40,32,0,0.8',
    '10.000000000,remove,2,hrw,40,10,0,0.25',
    '10.000000000,remove,2,round-robin,40,,0,',
    '25.500000000,fail,1,hash,50,20,10,0.4',
    '25.500000000,fail,1,hrw,50,10,12,0.2',
    '25.500000000,fail,1,round-robin,50,,20,',
  ].join('\n') + '\n';
}
