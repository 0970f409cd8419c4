import type { MiddlewareHandler } from "hono";
import { type Auth, SESSION_ABSOLUTE_S } from "../auth/auth.ts";
import type { CachedSessionResult } from "../auth/cached-session-reader.ts";
import { AppError } from "./app-error.ts";
import type { AppBindings } from "./bindings.ts";
import { isUnavailableError } from "./error-handler.ts";
import type { RateLimiters } from "./rate-limit.ts";
import { type HeaderReader, requestHeaders } from "./request-headers.ts";

/**
 * Resolves the session from the cookie or `Authorization: Bearer` token (better-auth's bearer
 * plugin), answers 401 without one, and counts the request against the per-user API limit.
 */
export function requireSession(
  auth: Auth,
  limiters: RateLimiters,
  readCachedSession?: (header: HeaderReader) => Promise<CachedSessionResult | undefined>,
): MiddlewareHandler<AppBindings> {
  const countRequest = (userId: string) => limiters.consume([["apiPerUser", userId]]);
  return async function requireSessionMiddleware(c, next) {
    // The fast path counts the request against the user's limit in the same Redis call.
    const cached = await readCachedSession?.(requestHeaders(c));
    if (cached?.user) {
      c.set("userId", cached.user.id);
      c.set("user", cached.user);
      c.set("sessionSource", "cache");
      return next();
    }
    const session = await auth.api.getSession({ headers: c.req.raw.headers }).catch((error: unknown) => {
      // A malformed token is "no session", not a server error.
      if ((error as { statusCode?: number }).statusCode === 401) return null;
      // better-auth wraps database failures; a session lookup that fails is an outage, not a bug.
      if (isUnavailableError(error) || (error as { statusCode?: number }).statusCode === 500) {
        throw AppError.serviceUnavailable();
      }
      throw error;
    });
    if (!session) throw AppError.unauthenticated();
    // The sliding window would keep a used session alive forever: past its absolute lifetime it
    // is dead (the fast path refuses it too, and defers here).
    if (!(new Date(session.session.createdAt).getTime() + SESSION_ABSOLUTE_S * 1000 > Date.now())) {
      throw AppError.unauthenticated();
    }
    const { user } = session;
    c.set("userId", user.id);
    c.set("sessionSource", "better-auth");
    c.set("user", { id: user.id, email: user.email, name: user.name, role: user.role === "admin" ? "admin" : "user" });
    // Counted already when the fast path read this user's session and deferred (a refresh is due).
    if (cached?.countedUserId !== user.id) await countRequest(user.id);
    await next();
  };
}

/** 403 for anyone but an admin. Runs after requireSession. */
export const requireAdmin: MiddlewareHandler<AppBindings> = async (c, next) => {
  if (c.get("user")?.role !== "admin") throw AppError.forbidden("Only administrators can do this.");
  await next();
};
