/**
 * Address words (network order, IPv4 in word 0; see `DecodedPacket`) as
 * canonical text. Called once per connection row, never per packet.
 *
 * - IPv4: dotted decimal, `192.0.2.1`.
 * - IPv6: RFC 5952 §4: lowercase hex, leading zeros of each 16-bit group
 *   dropped, the longest run of two or more all-zero groups replaced by `::`
 *   (the first such run when two are equally long), a single zero group left
 *   as `0`.
 * - IPv4-mapped IPv6 addresses (`::ffff:0:0/96`) are written with the IPv4
 *   part in dotted decimal, `::ffff:192.0.2.1`, as RFC 5952 §5 recommends and as
 *   inet_ntop and tshark print them. Other IPv4-embedding forms (the deprecated
 *   IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`) stay in hex: nothing in
 *   the address tells them apart from ordinary addresses reliably.
 */

/** One 32-bit word as dotted decimal. */
export function formatIPv4(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
}

const groups = new Array<number>(8).fill(0);

/** Four words (network order) as RFC 5952 text. */
export function formatIPv6(words: ArrayLike<number>): string {
  for (let i = 0; i < 4; i++) {
    const w = words[i] >>> 0;
    groups[2 * i] = w >>> 16;
    groups[2 * i + 1] = w & 0xffff;
  }
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${formatIPv4(words[3] >>> 0)}`;
  }
  // Longest run of zero groups (length ≥ 2), the first one on ties.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += groups[i].toString(16);
  }
  return out;
}

/** The address of an IPv4 (word 0) or IPv6 (words 0–3) endpoint as text. */
export function formatAddress(ipVersion: number, words: ArrayLike<number>): string {
  return ipVersion === 6 ? formatIPv6(words) : formatIPv4(words[0] >>> 0);
}
