import type { HttpBindings } from "@hono/node-server";
import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "./bindings.ts";

/**
 * `Cache-Control: no-store` on every /api response (ASVS 8.2.1): they carry one user's data, and
 * neither a browser's disk cache nor a shared cache may keep them. A route that wants another
 * policy (a token-addressed calendar feed: `private, no-cache` with an ETag) sets its own header,
 * which wins: the handler's Response headers are written over these (responseHeaders does the same).
 */
export const noStore: MiddlewareHandler<AppBindings> = async (c, next) => {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing) {
    outgoing.setHeader("Cache-Control", "no-store");
    return next();
  }
  await next();
  if (!c.res.headers.has("cache-control")) c.res.headers.set("Cache-Control", "no-store");
};
