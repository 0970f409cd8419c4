import type { MiddlewareHandler } from "hono";
import { AppError } from "./app-error.ts";
import type { AppBindings } from "./bindings.ts";
import { requestHeaders } from "./request-headers.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a state-changing request that a browser sent from another site with the session cookie
 * (ASVS 4.2.2, OWASP's "verifying origin with standard headers"). A body-less POST
 * (`/invites/{t}/accept`, `/assets/{id}/complete`) is a "simple" request no CORS preflight stops,
 * so `SameSite=Strict` would otherwise be the only defence. Browsers send `Origin` on every
 * cross-origin unsafe request (and `Sec-Fetch-Site`): it must be one of CORS_ORIGIN. A request
 * authenticated by a bearer token carries no ambient credential and is not checked; neither is one
 * without Origin and Sec-Fetch-Site (curl, a server), which no browser can be tricked into sending.
 */
export function crossSiteGuard(trustedOrigins: string[], cookieName: string): MiddlewareHandler<AppBindings> {
  const trusted = new Set(trustedOrigins);
  return async function crossSiteGuardMiddleware(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const header = requestHeaders(c);
    const cookie = header("cookie");
    if (!cookie?.includes(`${cookieName}=`) || header("authorization")) return next();
    const origin = header("origin");
    const site = header("sec-fetch-site");
    const fromBrowser = origin !== undefined || site !== undefined;
    if (fromBrowser && !(origin && trusted.has(origin)) && !(origin === undefined && site === "same-origin")) {
      throw AppError.forbidden("Requests from this origin are not allowed.");
    }
    await next();
  };
}
