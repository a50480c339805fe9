/** Primality for Maglev's table size (NSDI 2016 §3.4: M must be prime). */

/** True when n is a prime (trial division; n ≤ 2^53 − 1, tables are at most a few million entries). */
export function isPrime(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  if (n % 3 === 0) return n === 3;
  for (let d = 5; d * d <= n; d += 6) {
    if (n % d === 0 || n % (d + 2) === 0) return false;
  }
  return true;
}

/** The smallest prime ≥ n. */
export function nextPrime(n: number): number {
  let m = Math.max(2, Math.ceil(n));
  while (!isPrime(m)) m++;
  return m;
}
