/**
 * Time, in integers (SPEC §1; STYLE hot path).
 *
 * Readers produce a timestamp as whole epoch seconds plus nanoseconds
 * (`tsSec`, `tsNsec`, 0 ≤ tsNsec < 1e9). A 64-bit count of nanoseconds does
 * not fit a double (2^53 ≈ 9.0e15 < 1.7e18), so the conversions below work
 * on 16-bit limbs and never lose a bit. Finer resolutions are floored to the
 * nanosecond, as Wireshark does.
 *
 * Within a run, a time is a pair of integers (whole seconds relative to the
 * capture's first record's second, `baseSec`, and nanoseconds): exact over
 * any span, as merged captures jump years (src/flows/events.ts). The
 * durations the options give (timeouts, the sampling interval, the --from/--to
 * window) are `Duration` pairs too: a double of nanoseconds would be exact
 * only below 2^53 ns (about 104 days), and they may be up to MAX_SECONDS.
 */

export const NS_PER_SEC = 1_000_000_000;
const TWO_16 = 65_536;
const TWO_32 = 4_294_967_296;
const TWO_21 = 2_097_152;
/** 10^0 … 10^9, exact doubles. */
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/** Where `unitsToTime` writes its answer (reused; read it before the next call). */
export const tsOut = { sec: 0, nsec: 0 };

const limbs = new Float64Array(6);

/**
 * Floor-divides the unsigned 64-bit value hi·2^32 + lo by d (1 ≤ d < 2^37),
 * leaving the quotient in divOut.hi / divOut.lo (32-bit halves) and the
 * remainder in divOut.rem. Long division over 16-bit limbs keeps every partial
 * value below d·2^16 < 2^53.
 */
export const divOut = { hi: 0, lo: 0, rem: 0 };
export function divU64(hi: number, lo: number, d: number): void {
  // Each step divides cur = r·2^16 + limb < d·2^16 < 2^53, an exact integer.
  // The quotient of two doubles is rounded, so a floor one too high is taken
  // back (the remainder would be negative); it cannot be one too low.
  let cur = hi >>> 16;
  let q0 = Math.floor(cur / d);
  let r = cur - q0 * d;
  if (r < 0) {
    q0--;
    r += d;
  }
  cur = r * TWO_16 + (hi & 0xffff);
  let q1 = Math.floor(cur / d);
  r = cur - q1 * d;
  if (r < 0) {
    q1--;
    r += d;
  }
  cur = r * TWO_16 + (lo >>> 16);
  let q2 = Math.floor(cur / d);
  r = cur - q2 * d;
  if (r < 0) {
    q2--;
    r += d;
  }
  cur = r * TWO_16 + (lo & 0xffff);
  let q3 = Math.floor(cur / d);
  r = cur - q3 * d;
  if (r < 0) {
    q3--;
    r += d;
  }
  divOut.hi = q0 * TWO_16 + q1;
  divOut.lo = q2 * TWO_16 + q3;
  divOut.rem = r;
}

/** A timestamp resolution: 10^-exp or 2^-exp seconds per unit (pcapng `if_tsresol`). */
export interface TsResolution {
  base: 10 | 2;
  exp: number;
}

export const RESOLUTION_MICRO: TsResolution = { base: 10, exp: 6 };
export const RESOLUTION_NANO: TsResolution = { base: 10, exp: 9 };

/** `10^-6` / `2^-10` style text, as `info` prints it. */
export function resolutionText(res: TsResolution): string {
  return `${res.base}^-${res.exp}`;
}

/**
 * Converts a 64-bit count of `res` units (hi·2^32 + lo, unsigned) to epoch
 * seconds and nanoseconds in `tsOut`, flooring what is finer than 1 ns.
 */
export function unitsToTime(hi: number, lo: number, res: TsResolution): void {
  // Kept small so that the optimizing compiler inlines it into the readers:
  // a call that is not inlined boxes every lo ≥ 2^31 into a heap number
  // (measured: 22 scavenges instead of 3 for 2 M 10^-9 EPBs, node --trace-gc).
  const exp = res.exp;
  if (res.base !== 10 || exp > 9 || (exp < 4 && hi >= TWO_21)) {
    unitsToTimeExact(hi, lo, res);
    return;
  }
  const d = POW10[exp];
  let sec = Math.floor((hi * TWO_32 + lo) / d);
  let rem: number;
  if (hi < TWO_21) {
    // The count is below 2^53, exact in a double (10^-6 until the year 2255).
    // A quotient rounded up to the next integer shows as a negative remainder.
    rem = hi * TWO_32 + lo - sec * d;
    if (rem < 0) {
      sec--;
      rem += d;
    }
  } else {
    // Larger counts (10^-9 today): the double quotient is within one of the
    // true one (the count's rounding error, ≤ 2^11 units, is below d ≥ 10^4).
    // The true remainder, in [−d, 2d) with 3d < 2^32, is exact modulo 2^32:
    // lo − sec·d (mod 2^32). Measured: 2 M 10^-9 EPBs read in 0.27 s instead
    // of 0.55 s with the long division (1 GB pcapng in the page cache).
    rem = (lo - Math.imul(sec, d)) >>> 0;
    if (rem >= d) {
      if (rem >= TWO_32 - d) {
        sec--;
        rem = rem - TWO_32 + d;
      } else {
        sec++;
        rem -= d;
      }
    }
  }
  tsOut.sec = sec;
  tsOut.nsec = rem * POW10[9 - exp];
}

/**
 * unitsToTime for every resolution, by long division over 16-bit limbs
 * (base 10) or limb multiplication (base 2): slower, exact for any count.
 */
export function unitsToTimeExact(hi: number, lo: number, res: TsResolution): void {
  if (res.base === 10) {
    let exp = res.exp;
    // Bring the units to nanoseconds first when they are finer (floor of floors = floor).
    while (exp > 9) {
      const step = Math.min(exp - 9, 11);
      divU64(hi, lo, 10 ** step);
      hi = divOut.hi;
      lo = divOut.lo;
      exp -= step;
    }
    const unitsPerSec = 10 ** exp;
    divU64(hi, lo, unitsPerSec);
    tsOut.sec = divOut.hi * TWO_32 + divOut.lo;
    tsOut.nsec = divOut.rem * 10 ** (9 - exp);
    return;
  }
  const b = res.exp;
  if (b === 0) {
    tsOut.sec = hi * TWO_32 + lo;
    tsOut.nsec = 0;
    return;
  }
  // Split into whole seconds and the fraction (fh·2^32 + fl) of 2^b units.
  let fh: number;
  let fl: number;
  if (b >= 64) {
    tsOut.sec = 0;
    fh = hi;
    fl = lo;
  } else if (b >= 32) {
    const s = b - 32;
    const m = 2 ** s;
    tsOut.sec = Math.floor(hi / m);
    fh = hi - tsOut.sec * m;
    fl = lo;
  } else {
    const m = 2 ** b;
    const loSec = Math.floor(lo / m);
    tsOut.sec = hi * 2 ** (32 - b) + loSec;
    fh = 0;
    fl = lo - loSec * m;
  }
  // nsec = floor(fraction · 1e9 / 2^b): multiply the four 16-bit limbs by 1e9
  // with carries, then keep the limbs above bit b.
  const f0 = fl & 0xffff;
  const f1 = fl >>> 16;
  const f2 = fh & 0xffff;
  const f3 = fh >>> 16;
  let carry = 0;
  let p = f0 * NS_PER_SEC + carry;
  limbs[0] = p % TWO_16;
  carry = Math.floor(p / TWO_16);
  p = f1 * NS_PER_SEC + carry;
  limbs[1] = p % TWO_16;
  carry = Math.floor(p / TWO_16);
  p = f2 * NS_PER_SEC + carry;
  limbs[2] = p % TWO_16;
  carry = Math.floor(p / TWO_16);
  p = f3 * NS_PER_SEC + carry;
  limbs[3] = p % TWO_16;
  carry = Math.floor(p / TWO_16);
  limbs[4] = carry % TWO_16;
  limbs[5] = Math.floor(carry / TWO_16);
  const w = b >>> 4;
  const s = b & 15;
  let v = 0;
  for (let i = 5; i >= w; i--) v = v * TWO_16 + limbs[i];
  tsOut.nsec = Math.floor(v / 2 ** s);
}

/**
 * Reads hi·2^32 + lo as a signed (two's complement) 64-bit integer, e.g. a pcapng
 * `if_tsoffset` in whole seconds. Exact while |value| < 2^53.
 */
export function signedU64ToNumber(hi: number, lo: number): number {
  // hi read as a signed 32-bit integer; exact while |value| < 2^53.
  return (hi | 0) * TWO_32 + lo;
}

function pad9(n: number): string {
  const s = String(n);
  return s.length >= 9 ? s : '000000000'.slice(s.length) + s;
}

/** Epoch seconds with exactly 9 decimals, fixed notation (SPEC §6). */
export function formatEpoch(sec: number, nsec: number): string {
  if (sec < 0 && nsec > 0) {
    // -1 s + 0.25 s = -0.75 s
    return `-${-sec - 1}.${pad9(NS_PER_SEC - nsec)}`;
  }
  return `${sec}.${pad9(nsec)}`;
}

/** A time relative to `baseSec` (ns, integer) as epoch seconds with 9 decimals. */
export function formatRelative(baseSec: number, relNs: number): string {
  const whole = Math.floor(relNs / NS_PER_SEC);
  return formatEpoch(baseSec + whole, relNs - whole * NS_PER_SEC);
}

/** A duration in ns (integer, ≥ 0 or < 0) as seconds with exactly 9 decimals. */
export function formatDuration(ns: number): string {
  if (ns < 0) return `-${formatDuration(-ns)}`;
  const whole = Math.floor(ns / NS_PER_SEC);
  return `${whole}.${pad9(ns - whole * NS_PER_SEC)}`;
}

/** A non-negative span of time: whole seconds and nanoseconds (0 ≤ nsec < 1e9), exact at any size. */
export interface Duration {
  readonly sec: number;
  readonly nsec: number;
}

/**
 * Largest number of seconds an option takes: 10^10 s, about 317 years — past
 * any capture's span (a pcap timestamp's seconds are 32 bits, 136 years) and
 * small enough that a time pair plus it stays an exact integer (< 2^53).
 */
export const MAX_SECONDS = 10_000_000_000;

const SECONDS_TEXT = /^(\d+)(?:\.(\d{1,9}))?$/;

/**
 * Parses a non-negative decimal number of seconds with at most 9 decimals
 * ("0.5", "300", "31536000"; "1e-3" and "-1" are refused) into a Duration,
 * exactly, from the digits. Returns undefined when the text is not such a
 * number. The seconds are not bounded here: a value with more digits than a
 * double holds exactly is still above MAX_SECONDS, which the caller checks
 * (`exceedsMaxSeconds`).
 */
export function parseSeconds(text: string): Duration | undefined {
  const m = SECONDS_TEXT.exec(text.trim());
  if (!m) return undefined;
  return { sec: Number(m[1]), nsec: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

/** `d` is more than MAX_SECONDS. */
export function exceedsMaxSeconds(d: Duration): boolean {
  return d.sec > MAX_SECONDS || (d.sec === MAX_SECONDS && d.nsec > 0);
}

/** An integer number of ns below 2^53 as a Duration (tests and callers with small values). */
export function durationFromNs(ns: number): Duration {
  if (!Number.isSafeInteger(ns) || ns < 0) throw new RangeError(`a duration must be a whole number of ns ≥ 0, got ${ns}`);
  const sec = Math.floor(ns / NS_PER_SEC);
  return { sec, nsec: ns - sec * NS_PER_SEC };
}

/** `d` is a valid Duration: whole seconds ≥ 0 and whole nanoseconds in [0, 1e9), at most MAX_SECONDS in all. */
export function isValidDuration(d: Duration): boolean {
  const wellFormed = Number.isInteger(d.sec) && d.sec >= 0 && Number.isInteger(d.nsec) && d.nsec >= 0 && d.nsec < NS_PER_SEC;
  return wellFormed && !exceedsMaxSeconds(d);
}

/** The duration is 0 s. */
export function isZeroDuration(d: Duration): boolean {
  return d.sec === 0 && d.nsec === 0;
}

/** A Duration as seconds with exactly 9 decimals (formatDuration's form). */
export function formatSeconds(d: Duration): string {
  return `${d.sec}.${pad9(d.nsec)}`;
}

/**
 * Parses a non-negative decimal number of seconds ("0.5", "300", "1e-3" is refused)
 * into integer nanoseconds exactly, without going through a double. Returns
 * NaN when the text is not such a number or has more than 9 decimals.
 */
export function parseSecondsToNs(text: string): number {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!m) return Number.NaN;
  const whole = Number(m[1]);
  const frac = m[2] ? Number(m[2].padEnd(9, '0')) : 0;
  const ns = whole * NS_PER_SEC + frac;
  return Number.isSafeInteger(ns) ? ns : Number.NaN;
}

/** (s1, n1) < (s2, n2) for time pairs (whole seconds, nanoseconds). */
export function timeBefore(s1: number, n1: number, s2: number, n2: number): boolean {
  return s1 < s2 || (s1 === s2 && n1 < n2);
}

/** Formats a time pair relative to `baseSec` as epoch seconds with 9 decimals. */
export function formatPair(baseSec: number, sec: number, nsec: number): string {
  return formatEpoch(baseSec + sec, nsec);
}

/** The difference (s2, n2) − (s1, n1) as seconds with exactly 9 decimals (negative allowed). */
export function formatPairDifference(s1: number, n1: number, s2: number, n2: number): string {
  let ds = s2 - s1;
  let dn = n2 - n1;
  if (ds > 0 && dn < 0) {
    ds -= 1;
    dn += NS_PER_SEC;
  } else if (ds < 0 && dn > 0) {
    ds += 1;
    dn -= NS_PER_SEC;
  }
  if (ds < 0 || dn < 0) return `-${ds === 0 ? 0 : -ds}.${String(-dn).padStart(9, '0')}`;
  return `${ds}.${String(dn).padStart(9, '0')}`;
}
