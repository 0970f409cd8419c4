import { betterAuth } from "better-auth";
import { bearer } from "better-auth/plugins";
import type { Deps } from "../deps.ts";
import type { SessionCacheEpoch } from "./session-cache-epoch.ts";
import { createSessionStorage } from "./session-storage.ts";

/** Header our client-IP middleware sets (overwriting anything the client sent) for better-auth. */
export const CLIENT_IP_HEADER = "x-coaching-client-ip";

/** ASVS 2.1.1: at least 12 characters. */
export const PASSWORD_MIN = 12;
/** Session lifetime and sliding-refresh age (better-auth's defaults, stated so the fast path agrees). */
export const SESSION_EXPIRES_IN_S = 60 * 60 * 24 * 7;
export const SESSION_UPDATE_AGE_S = 60 * 60 * 24;
/**
 * However often it is used, a session ends this long after sign-in (ASVS 3.3.2): better-auth's
 * sliding window alone would keep a stolen token alive forever. Enforced by requireSession and by
 * the Redis fast path.
 */
export const SESSION_ABSOLUTE_S = 60 * 60 * 24 * 30;
/** Caps on what a user sets about themselves; both are copied into every cached session. */
export const NAME_MAX = 100;
export const IMAGE_MAX = 2048;
/** RFC 5321's limit on a forward path; longer input is refused before any limiter keys on it. */
export const EMAIL_MAX = 254;

/** The Redis key prefix of better-auth's session cache. */
export const authKeyPrefix = (redisKeyPrefix: string) => `${redisKeyPrefix}auth:`;

/**
 * The session cookie's name: `__Host-` prefixed where cookies are Secure, so a browser accepts it
 * only from the API's own host, Secure, with `Path=/` and no `Domain` (RFC 6265bis 4.1.3.2): no
 * sibling subdomain can set or shadow it.
 */
export const sessionCookieName = (secure: boolean) => `${secure ? "__Host-" : ""}better-auth.session_token`;
export const PASSWORD_MAX = 128;

/** better-auth on our Postgres (tables created by our migrations), sessions cached in Redis. */
export function createAuth(deps: Pick<Deps, "config" | "db" | "redis" | "logger">, epoch?: SessionCacheEpoch) {
  const { config, db, redis, logger } = deps;
  return betterAuth({
    appName: "Coaching App",
    baseURL: config.authUrl,
    basePath: "/api/auth",
    secret: config.authSecret,
    trustedOrigins: config.corsOrigins,
    database: { db, type: "postgres" },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
    },
    user: {
      additionalFields: {
        // input: false — a client can never choose its own role at sign-up.
        role: { type: "string", required: false, defaultValue: "user", input: false },
      },
    },
    session: {
      // Sessions live in Postgres; Redis is only a cache. Without this flag better-auth would keep
      // sessions in Redis alone, and a Redis flush would sign everyone out.
      storeSessionInDatabase: true,
      expiresIn: SESSION_EXPIRES_IN_S,
      updateAge: SESSION_UPDATE_AGE_S,
      // No cookie cache: a signed cookie copy of the session would outlive a sign-out on another replica.
      cookieCache: { enabled: false },
    },
    secondaryStorage:
      redis && epoch ? createSessionStorage(redis, authKeyPrefix(config.redisKeyPrefix), epoch, logger) : undefined,
    // Our own limiter (http/rate-limit.ts) runs before better-auth: it is shared through Redis and
    // keys sign-in by IP + email, which better-auth's per-path limiter cannot.
    rateLimit: { enabled: false },
    advanced: {
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      // better-auth would prefix every cookie with `__Secure-` itself (cookies/index.ts,
      // createCookieGetter); the session cookie gets `__Host-` by name instead, and Secure by attribute.
      useSecureCookies: false,
      cookies: { session_token: { name: sessionCookieName(config.isProductionLike) } },
      defaultCookieAttributes: { sameSite: "strict", httpOnly: true, secure: config.isProductionLike, path: "/" },
    },
    telemetry: { enabled: false },
    // requireSignature: only the signed token of `set-auth-token` is a bearer credential. Without
    // it the plugin signs a raw token itself, and the raw token is in every session row, every
    // database dump and every Redis key name (better-auth plugins/bearer).
    plugins: [bearer({ requireSignature: true })],
    logger: {
      level: "warn",
      // better-auth passes the error it caught as an extra argument ("INTERNAL_SERVER_ERROR", error):
      // keep what says why (name, code, message, and the same of its cause), never the whole
      // object, which can hold request headers or connection options.
      log: (level, message, ...args) => {
        const cause = args.map(describeError).find((described) => described !== undefined);
        const fields = { source: "better-auth", ...(cause ? { cause } : {}) };
        if (level === "error") logger.error(fields, message);
        else logger.warn(fields, message);
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** `name: message (code)` of an error and of its causes, or undefined for anything else. */
export function describeError(value: unknown, depth = 0): string | undefined {
  if (!(value instanceof Error) || depth > 3) return undefined;
  const code = (value as { code?: unknown }).code;
  const own = `${value.name}: ${value.message}${typeof code === "string" ? ` (${code})` : ""}`;
  const cause = describeError(value.cause, depth + 1);
  return cause ? `${own} <- ${cause}` : own;
}
