import type { HttpBindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import type { AppBindings } from "./bindings.ts";

interface ResponseHeadersOptions {
  corsOrigins: string[];
  hsts: boolean;
  exposeHeaders: string[];
}

const REQUEST_ID = /^[\w\-=.]{1,128}$/;

/**
 * Security headers, `X-Request-Id` and the CORS headers of simple (non-preflight) requests.
 *
 * Hono's `secureHeaders` and `cors` write these after `await next()`. Changing the headers of a
 * finished response pushes @hono/node-server off its fast path (measured: -48 % throughput on
 * /health). Under @hono/node-server they go straight onto Node's response object, which merges
 * them into whatever the handler returns (raw better-auth responses included) without building a
 * `Headers` object per request. Elsewhere (`app.request()` in tests) they are prepared with
 * `c.header()` before the handler and copied onto a raw `Response` afterwards.
 */
export type ResponseHeaderBuilder = ReturnType<typeof createResponseHeaders>;

/** Computes the headers of one response: the fixed set, the request id and, if allowed, CORS. */
export function createResponseHeaders(options: ResponseHeadersOptions) {
  const fixed: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    Vary: "Origin",
  };
  if (options.hsts) fixed["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  const allowed = new Set(options.corsOrigins);
  const expose = options.exposeHeaders.join(", ");

  return (c: Context) => {
    // Fixed property names, not the shared reader: this runs for every request including /health,
    // and a lookup site shared by many header names is measurably slower (docs/performance.md).
    const node = (c.env as Partial<HttpBindings> | undefined)?.incoming?.headers;
    const sent = node ? node["x-request-id"] : c.req.header("x-request-id");
    const given = Array.isArray(sent) ? sent[0] : sent;
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    const headers: Record<string, string> = { ...fixed, "X-Request-Id": requestId };
    const origin = node ? node.origin : c.req.header("origin");
    if (origin && allowed.has(origin)) {
      headers["Access-Control-Allow-Origin"] = origin;
      headers["Access-Control-Allow-Credentials"] = "true";
      if (expose) headers["Access-Control-Expose-Headers"] = expose;
    }
    return { requestId, headers };
  };
}

/** Puts the headers of createResponseHeaders on every response (see the comment at the top). */
export function responseHeaders(build: ResponseHeaderBuilder): MiddlewareHandler<AppBindings> {
  return async function responseHeadersMiddleware(c, next) {
    const { requestId, headers } = build(c);
    c.set("requestId", requestId);
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (outgoing) {
      for (const name in headers) outgoing.setHeader(name, headers[name] as string);
      return next();
    }

    for (const name in headers) c.header(name, headers[name]);
    await next();

    // A raw Response returned by a handler did not see the prepared headers.
    if (!c.res.headers.has("x-request-id")) {
      for (const name in headers) c.res.headers.set(name, headers[name] as string);
    }
  };
}
