/**
 * Colours: the Okabe–Ito palette (Okabe and Ito, "Color Universal Design",
 * 2008), whose eight colours stay distinct for the common forms of colour
 * blindness. Each built-in policy has a fixed colour, the same in every plot;
 * other series (unknown policy names, servers) take the palette in order.
 */

/** The palette in the order series get it (yellow last: it is faint on white). */
export const PALETTE: readonly string[] = [
  '#0072b2', // blue
  '#e69f00', // orange
  '#009e73', // bluish green
  '#d55e00', // vermillion
  '#cc79a7', // reddish purple
  '#56b4e9', // sky blue
  '#000000', // black
  '#f0e442', // yellow
];

/** The fixed colour of each built-in policy (SPEC §4). */
export const POLICY_COLORS: Readonly<Record<string, string>> = {
  'round-robin': PALETTE[0],
  random: PALETTE[1],
  hash: PALETTE[2],
  'least-active': PALETTE[3],
};

/** Dash patterns for a second, third… round through the palette (more than 8 series). */
const DASHES: readonly string[] = ['', '6 3', '2 3', '8 3 2 3'];

export interface SeriesStyle {
  readonly color: string;
  /** `stroke-dasharray`, empty for a solid line. */
  readonly dash: string;
}

/** The style of the i-th series in palette order. */
export function paletteStyle(i: number): SeriesStyle {
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] };
}

/**
 * Styles for policy names in order of appearance: a built-in policy gets its
 * own colour; other names get, in order, the palette colours no built-in
 * policy holds, then the whole palette again with dashes.
 */
export function policyStyles(names: readonly string[]): Map<string, SeriesStyle> {
  const styles = new Map<string, SeriesStyle>();
  const spare = PALETTE.filter((c) => !Object.values(POLICY_COLORS).includes(c));
  let next = 0;
  for (const name of names) {
    if (styles.has(name)) continue;
    const fixed = Object.hasOwn(POLICY_COLORS, name) ? POLICY_COLORS[name] : undefined;
    if (fixed !== undefined) {
      styles.set(name, { color: fixed, dash: '' });
    } else if (next < spare.length) {
      styles.set(name, { color: spare[next++], dash: '' });
    } else {
      const i = next++ - spare.length;
      styles.set(name, { color: PALETTE[i % PALETTE.length], dash: DASHES[1 + (Math.floor(i / PALETTE.length) % (DASHES.length - 1))] });
    }
  }
  return styles;
}
