/**
 * Long generations as generator functions that yield between slices of
 * packets, run either to the end at once (the library's synchronous calls)
 * or with a turn of the event loop between slices (the CLI).
 *
 * Why the CLI needs the turns: its SIGINT/SIGTERM handlers (src/cli/main.ts:
 * remove the temporary output, exit 128+n) are JavaScript callbacks, and a
 * callback cannot run while one synchronous call writes a whole capture. A
 * signal then waited for the end of the generation, and the capture was
 * committed anyway (issue 9). A turn every 65,536 packets (tens of
 * milliseconds) lets a signal in at once, at no measurable cost.
 */

/** Steps of a long job: each `next()` does one slice; the last returns the result. */
export type Slices<T> = Generator<void, T, void>;

/** Runs every slice now and returns the result. */
export function drain<T>(steps: Slices<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/** Runs the slices with a turn of the event loop (setImmediate) after each. */
export async function drainAsync<T>(steps: Slices<T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
