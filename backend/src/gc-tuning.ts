import { setFlagsFromString } from "node:v8";

/**
 * Turns off V8's allocation-site pretenuring for this process.
 *
 * V8 watches which allocation sites produce objects that survive young-generation collections and
 * starts allocating those straight in the old generation. A slow phase — the seeding burst of
 * sign-ups (each waiting on scrypt), a database outage where requests hang for seconds — teaches it
 * that Node's own HTTP request and response objects are long-lived, and the decision sticks: in
 * `pnpm bench`, about half of the runs then collected the old generation every ~230 ms instead of
 * every ~2 s, and `/health` served 0.5× instead of 0.9× a bare node:http server. An API's objects
 * live for one request, so the heuristic only ever guesses wrong here. Measured with the flag:
 * 11 of 11 runs in the fast state (docs/performance.md).
 *
 * Not settable through NODE_OPTIONS (Node accepts only a few V8 flags there), so the entry point
 * sets it before it serves; V8 reads it at each collection.
 */
export function disablePretenuring(): void {
  setFlagsFromString("--no-allocation-site-pretenuring");
}
