import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";

export type HeaderReader = (name: string) => string | undefined;

/**
 * Reads request headers (lower-case names) from Node's own object when running under
 * @hono/node-server. `c.req.header()` makes the adapter copy every header into a `Headers` object,
 * and touching `c.req.raw.body` builds a whole `Request`: on the hot path of every request that
 * was a measurable share of the allocation (docs/performance.md). Elsewhere (`app.request()` in
 * tests) it falls back to Hono's reader.
 */
export function requestHeaders(c: Context): HeaderReader {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (!incoming) return (name) => c.req.header(name);
  return (name) => {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
}

/** Whether the request carries a body at all (HTTP/1.1: a non-zero length or chunked encoding). */
export function hasRequestBody(header: HeaderReader): boolean {
  const length = header("content-length");
  return (length !== undefined && length !== "0") || header("transfer-encoding") !== undefined;
}
