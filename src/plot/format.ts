/**
 * Text of numbers and strings in the SVG. Coordinates are rounded to 2
 * decimals with `toFixed` (exact and the same on every engine), trailing
 * zeros dropped, so the same input gives the same bytes (issue 9: deterministic
 * output) and a path stays short.
 */

/** A coordinate or length: at most 2 decimals, no trailing zeros, never `-0`. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite coordinate: ${x}`);
  let text = x.toFixed(2);
  if (text.endsWith('00')) text = text.slice(0, -3);
  else if (text.endsWith('0')) text = text.slice(0, -1);
  return text === '-0' ? '0' : text;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text for element content or an attribute value. Characters XML 1.0 forbids
 * (C0 controls other than tab, LF, CR) become U+FFFD so the file stays
 * well-formed whatever a CSV field held.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c])
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
}

/** A percentage with one decimal, for notes: 0.0084 → `0.8 %`. */
export function percent(p: number): string {
  return `${(p * 100).toFixed(1)} %`;
}
