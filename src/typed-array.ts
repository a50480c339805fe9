/**
 * Growing the typed arrays that hold per-slot and per-record state (STYLE:
 * numbers in reused buffers, no object per packet): one copy into a larger
 * array of the same type, where a plain array would grow by itself.
 */
type GrowableArray = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** A new array of `a`'s type, `length` elements long, starting with `a`'s elements (the rest 0). */
export function grown<T extends GrowableArray>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
