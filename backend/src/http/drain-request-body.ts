import type { Context, Next } from "hono";

/**
 * Reads what is left of a request body that nothing read (a 401 or a bad path parameter answered
 * before the body was parsed) before the response goes out, so the connection stays usable.
 *
 * Left alone, @hono/node-server drains such a body after the response with a 500 ms deadline and
 * then destroys the socket (src/listener.ts `drainIncoming`, honojs/node-server#329). The client
 * was just told it may reuse that keep-alive connection: when the event loop pauses for longer than
 * the deadline (a busy machine, a long GC), its next request fails with "other side closed" — seen
 * in the fuzz test under stress-ng, and what a proxy would turn into a 502. Node's own server drains
 * without a deadline; this does the same, within the body limit that runs before it.
 */
export async function drainRequestBody(c: Context, next: Next): Promise<void> {
  await next();
  const request = c.req.raw;
  if (request.bodyUsed || !request.body) return;
  try {
    const reader = request.body.getReader();
    while (!(await reader.read()).done) {
      // discarded: only the connection matters now
    }
  } catch {
    // A half-read or broken body: this connection cannot carry another request.
    c.header("Connection", "close");
  }
}
