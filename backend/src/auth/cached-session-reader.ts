import { createHmac, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import type { SessionUser } from "../http/bindings.ts";
import type { HeaderReader } from "../http/request-headers.ts";

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
function signedToken(header: HeaderReader, cookieName: string): string | undefined {
  const authorization = header("authorization");
  if (authorization?.slice(0, 7).toLowerCase() === "bearer ") return authorization.slice(7).trim() || undefined;
  const cookie = header("cookie");
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
 * two Redis round trips (the second shared with the rate limit).
 *
 * It answers only when it is sure. Anything else (no signature, cache miss, Redis down, a session
 * due for its sliding refresh, a parse error) returns undefined and the caller asks better-auth,
 * which also covers the Postgres fallback and the refresh writes.
 */
export function createCachedSessionReader(options: CachedSessionReaderOptions) {
  const { redis, keyPrefix, secret, cookieName } = options;
  const expiresInMs = options.expiresInSeconds * 1000;
  const updateAgeMs = options.updateAgeSeconds * 1000;

  /** The cached user of a verified token, or undefined on any doubt (the revocation check aside). */
  async function cachedSession(token: string) {
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
      const found: SessionUser = {
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role === "admin" ? "admin" : "user",
      };
      return { user: found, createdAt: Date.parse(session.createdAt) };
    } catch {
      return undefined;
    }
  }

  /** Sessions created before the user's "revoke all" time are dead; a failed read counts as revoked. */
  async function revoked(userId: string, createdAt: number): Promise<boolean> {
    const revokedBefore = Number(await redis.get(`${keyPrefix}revoked-sessions-before-${userId}`));
    return Boolean(revokedBefore) && createdAt < revokedBefore;
  }

  /**
   * `alongside(userId)` runs concurrently with the revocation check, so the caller's own Redis work
   * (the per-user rate limit) shares that round trip instead of adding one; its errors propagate.
   * If the session then turns out revoked, the caller falls back to better-auth, which answers 401.
   */
  return async function readCachedSession(
    header: HeaderReader,
    alongside?: (userId: string) => Promise<void>,
  ): Promise<SessionUser | undefined> {
    const signed = signedToken(header, cookieName);
    const dot = signed ? signed.lastIndexOf(".") : -1;
    if (!signed || dot <= 0) return undefined;
    const token = signed.slice(0, dot);
    const signature = Buffer.from(signed.slice(dot + 1));
    const expected = Buffer.from(createHmac("sha256", secret).update(token).digest("base64"));
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
    if (redis.status !== "ready") return undefined;
    const found = await cachedSession(token);
    if (!found) return undefined;
    const [isRevoked] = await Promise.all([
      revoked(found.user.id, found.createdAt).catch(() => true),
      alongside?.(found.user.id),
    ]);
    return isRevoked ? undefined : found.user;
  };
}
