import type { Context, MiddlewareHandler } from "hono";
import { errorBody } from "./app-error.ts";
import type { AppBindings } from "./bindings.ts";

export interface RequestBodyOptions {
  /** The largest body a route may read; above it the answer is 413 `payload_too_large`. */
  limit: number;
  /**
   * How much of a body nobody reads (too large, or answered before it was parsed) is read and
   * discarded so that the client gets to read the answer. Past this the connection is closed.
   */
  drainLimit: number;
}

/**
 * Request bodies of /api routes: capped at `limit`, and never left half-read.
 *
 * A server that answers 413 and closes the connection while the client is still sending makes the
 * client's write fail with a reset (EPIPE/ECONNRESET): Node's fetch, browsers and mobile HTTP
 * stacks then report a network error instead of the 413, and a mobile client retries it forever.
 * So an over-limit body is read to its end and thrown away, up to `drainLimit` (64 MB, under
 * Cloudflare's 100 MB request limit), and only then answered. The same for a body a route never
 * read (a 401, a bad path parameter): @hono/node-server would otherwise drain it after the response
 * with a 500 ms deadline and then destroy the socket (src/listener.ts `drainIncoming`,
 * honojs/node-server#329), which a busy moment turns into "other side closed" on a keep-alive
 * connection the client was told it may reuse.
 */
export function requestBody(options: RequestBodyOptions): MiddlewareHandler<AppBindings> {
  const tooLarge = (c: Context) =>
    c.json(errorBody("payload_too_large", `The body is larger than ${options.limit} bytes.`), 413);

  return async function requestBodyMiddleware(c, next) {
    const original = c.req.raw.body;
    if (!original) return next();
    const reader = original.getReader();
    let read = 0;
    let over = false;
    const declared = Number(c.req.header("content-length") ?? Number.NaN);
    if (declared > options.limit) {
      over = true;
    } else {
      // What the route reads: the same bytes, failing once more than `limit` arrived.
      const limited = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const chunk = await reader.read();
          if (chunk.done) return controller.close();
          read += chunk.value.byteLength;
          if (read > options.limit) {
            over = true;
            controller.error(new Error("request body over the limit"));
            return;
          }
          controller.enqueue(chunk.value);
        },
        cancel: () => undefined,
      });
      c.req.raw = new Request(c.req.raw, { body: limited, duplex: "half" } as RequestInit);
      await next();
    }

    // Whatever is left of the body, read and thrown away (bounded), so the answer is readable.
    let drained = read;
    let complete = false;
    try {
      while (drained <= options.drainLimit) {
        const chunk = await reader.read();
        if (chunk.done) {
          complete = true;
          break;
        }
        drained += chunk.value.byteLength;
      }
    } catch {
      // the client went away or sent a broken body
    }
    if (over) c.res = tooLarge(c);
    // Past drainLimit (or broken): this connection cannot carry another request.
    if (!complete) c.res.headers.set("Connection", "close");
  };
}
