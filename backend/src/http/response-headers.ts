import type { MiddlewareHandler } from "hono";
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
 * /health), so they are prepared here, before the handler, and `c.json()` picks them up. Handlers
 * that return a raw `Response` (better-auth) get them copied afterwards.
 */
export function responseHeaders(options: ResponseHeadersOptions): MiddlewareHandler<AppBindings> {
  const fixed: [string, string][] = [
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    ["Referrer-Policy", "strict-origin-when-cross-origin"],
    ["Permissions-Policy", "camera=(), microphone=(), geolocation=()"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Cross-Origin-Resource-Policy", "same-site"],
    ["Vary", "Origin"],
  ];
  if (options.hsts) fixed.push(["Strict-Transport-Security", "max-age=63072000; includeSubDomains"]);
  const allowed = new Set(options.corsOrigins);
  const expose = options.exposeHeaders.join(", ");

  return async function responseHeadersMiddleware(c, next) {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", requestId);

    const headers: [string, string][] = [...fixed, ["X-Request-Id", requestId]];
    const origin = c.req.header("origin");
    if (origin && allowed.has(origin)) {
      headers.push(["Access-Control-Allow-Origin", origin], ["Access-Control-Allow-Credentials", "true"]);
      if (expose) headers.push(["Access-Control-Expose-Headers", expose]);
    }
    for (const [name, value] of headers) c.header(name, value);

    await next();

    // A raw Response returned by a handler did not see the prepared headers.
    if (!c.res.headers.has("x-request-id")) {
      for (const [name, value] of headers) c.res.headers.set(name, value);
    }
  };
}
