import { createHmac, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import type { SessionUser } from "../http/bindings.ts";
import { RateLimitedError } from "../http/rate-limit.ts";
import type { HeaderReader } from "../http/request-headers.ts";
import type { SessionCacheEpoch } from "./session-cache-epoch.ts";

export interface CachedSessionReaderOptions {
  redis: Redis;
  /** The session cache's epoch, shared with better-auth's storage (session-storage.ts). */
  epoch: SessionCacheEpoch;
  /** The prefix better-auth's Redis storage uses (see createAuth). */
  keyPrefix: string;
  secret: string;
  cookieName: string;
  expiresInSeconds: number;
  updateAgeSeconds: number;
  /** No session is good this long after its sign-in, however recently it was used. */
  absoluteLifetimeSeconds: number;
  /**
   * The per-user API limit, counted in the same Redis call on the counter rate-limiter-flexible
   * keeps for it (`${limiterKeyPrefix}:${userId}`), so both paths share one count.
   */
  limit: { keyPrefix: string; points: number; durationSeconds: number };
}

/**
 * `user` when the cache vouches for the session; `countedUserId` when this request was already
 * counted against that user's limit (also when the reader defers, so the caller does not count it
 * twice). Undefined: nothing read, nothing counted.
 */
export interface CachedSessionResult {
  user?: SessionUser;
  countedUserId: string;
}

/**
 * One round trip: the cached session (under the cache's current epoch, session-cache-epoch.ts), the
 * user's "revoke all" time and the per-user limit's count (rate-limiter-flexible's own increment, on
 * its key). KEYS[1]: the epoch key. ARGV: the cache key prefix, the token, the revocation key's
 * name before the user id, the limiter key prefix (with its ":"), the limit's duration in seconds. A cache miss
 * returns nil; an entry without a user id returns just the entry (nothing counted). It touches keys
 * it derives rather than declares, which one Redis allows and a cluster would not.
 */
const FAST_PATH_LUA = `
local base = ARGV[1] .. (redis.call('GET', KEYS[1]) or '0') .. ':'
local cached = redis.call('GET', base .. ARGV[2])
if not cached then return false end
local ok, entry = pcall(cjson.decode, cached)
if not ok or type(entry) ~= 'table' or type(entry.user) ~= 'table' or type(entry.user.id) ~= 'string' then
  return {cached}
end
local userId = entry.user.id
local revokedBefore = redis.call('GET', base .. ARGV[3] .. userId) or ''
local counter = ARGV[4] .. userId
redis.call('SET', counter, 0, 'EX', ARGV[5], 'NX')
local consumed = redis.call('INCRBY', counter, 1)
local ttl = redis.call('PTTL', counter)
if ttl == -1 then
  redis.call('EXPIRE', counter, ARGV[5])
  ttl = 1000 * ARGV[5]
end
return {cached, revokedBefore, consumed, ttl}
`;
const FAST_PATH_COMMAND = "coachingSessionFastPath";

type FastPathReply = null | [string] | [string, string, number, number];
type FastPathRedis = Redis & {
  [FAST_PATH_COMMAND](
    epochKey: string,
    keyPrefix: string,
    token: string,
    revokedPrefix: string,
    limiterPrefix: string,
    seconds: number,
  ): Promise<FastPathReply>;
};

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
 * one Redis round trip, which also counts the request against the per-user limit (a Lua script:
 * three commands that needed two round trips and rate-limiter-flexible's machinery).
 *
 * It answers only when it is sure. Anything else (no signature, cache miss, Redis down, a session
 * due for its sliding refresh, a parse error) leaves the user out of the result and the caller asks
 * better-auth, which also covers the Postgres fallback and the refresh writes. Over the limit, it
 * throws `RateLimitedError` (429), as rate-limiter-flexible's consume would.
 */
export function createCachedSessionReader(options: CachedSessionReaderOptions) {
  const { redis, epoch, keyPrefix, secret, cookieName, limit } = options;
  const expiresInMs = options.expiresInSeconds * 1000;
  const updateAgeMs = options.updateAgeSeconds * 1000;
  const absoluteMs = options.absoluteLifetimeSeconds * 1000;
  // better-auth's key for a user's "revoke all" time (db/internal-adapter: revokedBeforeKey), in the cache.
  const revokedPrefix = "revoked-sessions-before-";
  const limiterPrefix = `${limit.keyPrefix}:`;
  redis.defineCommand(FAST_PATH_COMMAND, { numberOfKeys: 1, lua: FAST_PATH_LUA });
  const fastPath = redis as FastPathRedis;

  /** The cache's answer for a verified token; undefined when Redis fails (the caller falls back). */
  async function lookUp(token: string): Promise<FastPathReply | undefined> {
    try {
      return await fastPath[FAST_PATH_COMMAND](
        epoch.key,
        keyPrefix,
        token,
        revokedPrefix,
        limiterPrefix,
        limit.durationSeconds,
      );
    } catch {
      return undefined;
    }
  }

  /** The user the cache vouches for, or undefined on any doubt (the limit aside). */
  function vouchedUser(entry: CachedEntry, token: string, revokedBefore: number): SessionUser | undefined {
    const { session, user } = entry;
    if (typeof session !== "object" || session === null) return undefined;
    const now = Date.now();
    const expiresAt = Date.parse(session.expiresAt);
    if (session.token !== token || session.userId !== user.id || !(expiresAt > now)) return undefined;
    // Due for better-auth's sliding refresh (which writes the new expiry): let it do that.
    if (expiresAt - expiresInMs + updateAgeMs <= now) return undefined;
    const createdAt = Date.parse(session.createdAt);
    // Past the absolute lifetime: better-auth (requireSession) answers, and refuses it.
    if (!(createdAt + absoluteMs > now)) return undefined;
    // Sessions created before the user's "revoke all" time are dead.
    if (revokedBefore && createdAt < revokedBefore) return undefined;
    return { id: user.id, email: user.email, name: user.name, role: user.role === "admin" ? "admin" : "user" };
  }

  return async function readCachedSession(header: HeaderReader): Promise<CachedSessionResult | undefined> {
    const signed = signedToken(header, cookieName);
    const dot = signed ? signed.lastIndexOf(".") : -1;
    if (!signed || dot <= 0) return undefined;
    const token = signed.slice(0, dot);
    const signature = Buffer.from(signed.slice(dot + 1));
    const expected = Buffer.from(createHmac("sha256", secret).update(token).digest("base64"));
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
    // Also false from a lost connection until this process has bumped the epoch after it.
    if (!epoch.usable()) return undefined;
    const reply = await lookUp(token);
    // A miss, a Redis error, or an entry without a user (nothing was counted).
    if (reply?.length !== 4) return undefined;
    const [cached, revokedBefore, consumed, ttlMs] = reply;
    let entry: CachedEntry;
    try {
      entry = JSON.parse(cached) as CachedEntry;
    } catch {
      return undefined;
    }
    const countedUserId = entry.user.id;
    if (consumed > limit.points) throw new RateLimitedError(Math.max(1, Math.ceil(ttlMs / 1000)));
    return { user: vouchedUser(entry, token, Number(revokedBefore)), countedUserId };
  };
}

interface CachedEntry {
  session: { token: string; expiresAt: string; createdAt: string; userId: string };
  user: { id: string; email: string; name: string; role?: string };
}
