import { setFlagsFromString } from "node:v8";

/**
 * How far the old generation may grow past what survived the last full collection before the next
 * one starts: 1.5× (V8 picks between 1.1× and 4× by itself, and with the image's 256 MB cap it
 * settled near 1.4×). Under load about 1 MB of each young-generation cycle outlives the requests
 * that made it, so the old generation fills steadily; each full collection marks the whole live
 * heap (~40 MB) on the GC threads and ends in a pause on the main thread, and the slowest requests
 * cluster around those. Measured in one stack, alternating 5-second windows (docs/performance.md):
 * GET /api/v1/clients p99 26.6 → 23.1 ms, RSS +4 MB; 1.75× gave 20.7 ms but +14 MB, too close to
 * the 200 MB budget.
 */
const HEAP_GROWING_PERCENT = 50;

/**
 * The V8 settings of the API process, applied by the entry point before it serves. Not settable
 * through NODE_OPTIONS (Node accepts only a few V8 flags there); V8 reads both at each collection.
 *
 * Allocation-site pretenuring is turned off: V8 watches which allocation sites produce objects that
 * survive young-generation collections and starts allocating those straight in the old generation.
 * A slow phase — the seeding burst of sign-ups (each waiting on scrypt), a database outage where
 * requests hang for seconds — teaches it that Node's own HTTP request and response objects are
 * long-lived, and the decision sticks: in `pnpm bench`, about half of the runs then collected the old
 * generation every ~230 ms instead of every ~2 s, and `/health` served 0.5× instead of 0.9× a bare
 * node:http server. An API's objects live for one request, so the heuristic only ever guesses wrong
 * here. Measured with the flag: 11 of 11 runs in the fast state.
 */
export function tuneGarbageCollector(): void {
  setFlagsFromString("--no-allocation-site-pretenuring");
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
