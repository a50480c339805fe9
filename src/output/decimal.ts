/**
 * Exact decimal text for the outputs (SPEC §6: fixed notation, `.` decimal
 * point, no exponent form, no float noise).
 *
 * Values are handed over as exact integers — a decimal as `units / 10^scale`,
 * a ratio as `num / den` — never as doubles, so `0.1 + 0.2` noise cannot
 * appear. BigInt is used here: these functions run once per output row or
 * summary field, never per packet.
 */

/** An exact non-negative decimal: `units / 10^scale`. */
export interface ExactDecimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses plain decimal text ("0.01", "2", "0.250") exactly. Returns
 * undefined for anything else (signs, exponents, spaces, empty parts).
 */
export function parseDecimal(text: string): ExactDecimal | undefined {
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  return { units: BigInt(m[1] + frac), scale: frac.length };
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/**
 * `units / 10^scale` as the shortest exact decimal text: no trailing zeros,
 * no trailing point, at least one digit before the point ("0", "0.3",
 * "0.29", "12.5"). A negative value gets a leading '-'.
 */
export function formatScaled(units: bigint, scale: number): string {
  if (units < 0n) return `-${formatScaled(-units, scale)}`;
  if (scale === 0) return units.toString();
  const digits = units.toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return frac === '' ? whole : `${whole}.${frac}`;
}

/**
 * num / den rounded half to even at `decimals` decimals, as an integer count
 * of 10^-decimals (den > 0).
 */
export function roundRatioHalfEven(num: bigint, den: bigint, decimals: number): bigint {
  if (den <= 0n) throw new RangeError('ratio denominator must be positive');
  const negative = num < 0n;
  const scaled = (negative ? -num : num) * pow10(decimals);
  let q = scaled / den;
  const twiceRem = (scaled - q * den) * 2n;
  if (twiceRem > den || (twiceRem === den && (q & 1n) === 1n)) q += 1n;
  return negative ? -q : q;
}

/**
 * num / den rounded half to even at `decimals` decimals, then written with
 * trailing zeros and a trailing point dropped ("0.333333333333", "1", "0.5").
 * Negative zero is written "0".
 */
export function formatRatio(num: bigint, den: bigint, decimals: number): string {
  const q = roundRatioHalfEven(num, den, decimals);
  return formatScaled(q, decimals);
}

/**
 * num / den rounded half to even, written with exactly `decimals` decimals
 * ("0.300000"); for summary fields that line up in columns.
 */
export function formatRatioFixed(num: bigint, den: bigint, decimals: number): string {
  const q = roundRatioHalfEven(num, den, decimals);
  const negative = q < 0n;
  const abs = negative ? -q : q;
  let text: string;
  if (decimals === 0) {
    text = abs.toString();
  } else {
    const digits = abs.toString().padStart(decimals + 1, '0');
    text = `${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
  }
  return negative ? `-${text}` : text;
}
