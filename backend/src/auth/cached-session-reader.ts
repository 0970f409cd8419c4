import { createHmac, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import type { SessionUser } from "../http/bindings.ts";

export interface CachedSessionReaderOptions {
  redis: Redis;
  /** The prefix better-auth's Redis storage uses (see createAuth). */
  keyPrefix: string;
  secret: string;
  cookieName: string;
  expiresInSeconds: number;
  updateAgeSeconds: number;
}

/** The signed session token of a request: the bearer token, else the session cookie. */
function signedToken(headers: Headers, cookieName: string): string | undefined {
  const authorization = headers.get("authorization");
  if (authorization?.slice(0, 7).toLowerCase() === "bearer ") return authorization.slice(7).trim() || undefined;
  const cookie = headers.get("cookie");
  if (!cookie) return undefined;
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === cookieName) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Reads a session straight from better-auth's Redis cache, for the hot path of every `/api/v1`
 * request. better-auth's own `getSession` verifies the token's signature twice through WebCrypto,
 * copies the headers and builds an endpoint context: it capped an authenticated route near 1,000
 * req/s on one core (docs/performance.md). This does the same checks — HMAC-SHA256 signature
 * (constant-time), cached session present, not expired, not revoked — in a few microseconds plus
 * two Redis reads.
 *
 * It answers only when it is sure. Anything else (no signature, cache miss, Redis down, a session
 * due for its sliding refresh, a parse error) returns undefined and the caller asks better-auth,
 * which also covers the Postgres fallback and the refresh writes.
 */
export function createCachedSessionReader(options: CachedSessionReaderOptions) {
  const { redis, keyPrefix, secret, cookieName } = options;
  const expiresInMs = options.expiresInSeconds * 1000;
  const updateAgeMs = options.updateAgeSeconds * 1000;

  return async function readCachedSession(headers: Headers): Promise<SessionUser | undefined> {
    const signed = signedToken(headers, cookieName);
    const dot = signed ? signed.lastIndexOf(".") : -1;
    if (!signed || dot <= 0) return undefined;
    const token = signed.slice(0, dot);
    const signature = Buffer.from(signed.slice(dot + 1));
    const expected = Buffer.from(createHmac("sha256", secret).update(token).digest("base64"));
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
    if (redis.status !== "ready") return undefined;
    try {
      const cached = await redis.get(keyPrefix + token);
      if (!cached) return undefined;
      const { session, user } = JSON.parse(cached) as {
        session: { token: string; expiresAt: string; createdAt: string; userId: string };
        user: { id: string; email: string; name: string; role?: string };
      };
      const now = Date.now();
      const expiresAt = Date.parse(session.expiresAt);
      if (session.token !== token || session.userId !== user.id || !(expiresAt > now)) return undefined;
      // Due for better-auth's sliding refresh (which writes the new expiry): let it do that.
      if (expiresAt - expiresInMs + updateAgeMs <= now) return undefined;
      const revokedBefore = Number(await redis.get(`${keyPrefix}revoked-sessions-before-${user.id}`));
      if (revokedBefore && Date.parse(session.createdAt) < revokedBefore) return undefined;
      return { id: user.id, email: user.email, name: user.name, role: user.role === "admin" ? "admin" : "user" };
    } catch {
      return undefined;
    }
  };
}
