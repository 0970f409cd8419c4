import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "./bindings.ts";
import type { LimitName, RateLimiters } from "./rate-limit.ts";

/** Counts each request against `limit` for the client IP (decided by clientIp); 429 over it. */
export function limitByIp(limiters: RateLimiters, limit: LimitName): MiddlewareHandler<AppBindings> {
  return async function limitByIpMiddleware(c, next) {
    await limiters.consume([[limit, c.get("clientKey")]]);
    await next();
  };
}
