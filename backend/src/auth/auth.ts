import { betterAuth } from "better-auth";
import { bearer } from "better-auth/plugins";
import type { Deps } from "../deps.ts";
import { createSessionStorage } from "./session-storage.ts";

/** Header our client-IP middleware sets (overwriting anything the client sent) for better-auth. */
export const CLIENT_IP_HEADER = "x-coaching-client-ip";

export const PASSWORD_MIN = 10;
/** Session lifetime and sliding-refresh age (better-auth's defaults, stated so the fast path agrees). */
export const SESSION_EXPIRES_IN_S = 60 * 60 * 24 * 7;
export const SESSION_UPDATE_AGE_S = 60 * 60 * 24;

/** The Redis key prefix of better-auth's session cache. */
export const authKeyPrefix = (redisKeyPrefix: string) => `${redisKeyPrefix}auth:`;

/** better-auth's session cookie name (`__Secure-` prefixed where cookies are Secure). */
export const sessionCookieName = (secure: boolean) => `${secure ? "__Secure-" : ""}better-auth.session_token`;
export const PASSWORD_MAX = 128;

/** better-auth on our Postgres (tables created by our migrations), sessions cached in Redis. */
export function createAuth(deps: Pick<Deps, "config" | "db" | "redis" | "logger">) {
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
    secondaryStorage: redis ? createSessionStorage(redis, authKeyPrefix(config.redisKeyPrefix), logger) : undefined,
    // Our own limiter (http/rate-limit.ts) runs before better-auth: it is shared through Redis and
    // keys sign-in by IP + email, which better-auth's per-path limiter cannot.
    rateLimit: { enabled: false },
    advanced: {
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      useSecureCookies: config.isProductionLike,
      defaultCookieAttributes: { sameSite: "strict", httpOnly: true, secure: config.isProductionLike },
    },
    telemetry: { enabled: false },
    plugins: [bearer()],
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
