import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authKeyPrefix,
  SESSION_ABSOLUTE_S,
  SESSION_EXPIRES_IN_S,
  SESSION_UPDATE_AGE_S,
  sessionCookieName,
} from "../src/auth/auth.ts";
import { createCachedSessionReader } from "../src/auth/cached-session-reader.ts";
import { createSessionCacheEpoch, type SessionCacheEpoch } from "../src/auth/session-cache-epoch.ts";
import { sessionCacheKey } from "../src/auth/session-storage.ts";
import { createRateLimiters, LIMITS, limiterKeyPrefix, RateLimitedError } from "../src/http/rate-limit.ts";
import { newCredentials, signUp } from "./support/auth-client.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

let api: TestApp;
let redis: Redis;
let reader: ReturnType<typeof createCachedSessionReader>;
const read = (headers: Headers, using = reader) => using((name) => headers.get(name) ?? undefined);
/** The user the reader vouches for, if any. */
const readUser = async (headers: Headers) => (await read(headers))?.user;
let prefix: string;
let epoch: SessionCacheEpoch;
/** A reader whose per-user limit is 3 requests a minute, on counters under its own prefix. */
const tightLimit = (redisKeyPrefix: string) => ({
  keyPrefix: limiterKeyPrefix(redisKeyPrefix, "apiPerUser"),
  points: 3,
  durationSeconds: 60,
});
const readerOptions = () => ({
  redis,
  epoch,
  keyPrefix: prefix,
  secret: api.deps.config.authSecret,
  cookieName: sessionCookieName(false),
  expiresInSeconds: SESSION_EXPIRES_IN_S,
  updateAgeSeconds: SESSION_UPDATE_AGE_S,
  absoluteLifetimeSeconds: SESSION_ABSOLUTE_S,
});

beforeAll(async () => {
  // Behind Cloudflare, so a test can sign up from an address of its own.
  api = await openTestApp({ TRUST_PROXY: "cloudflare" });
  redis = api.deps.redis as Redis;
  prefix = authKeyPrefix(api.deps.config.redisKeyPrefix);
  epoch = createSessionCacheEpoch(redis, prefix, api.deps.logger);
  reader = createCachedSessionReader({
    ...readerOptions(),
    limit: { keyPrefix: limiterKeyPrefix("reader-test:", "apiPerUser"), points: 1_000_000, durationSeconds: 60 },
  });
});

afterAll(async () => {
  await api?.close();
});

const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

async function cachedEntry(token: string) {
  const key = sessionCacheKey(prefix, (await redis.get(epoch.key)) ?? "0", token.split(".")[0] as string);
  return { key, value: JSON.parse((await redis.get(key)) as string) };
}

describe("cached session reader", () => {
  it("reads a signed-in user from the cache by bearer token and by cookie", async () => {
    const user = await signUp(api.url, newCredentials("fast"));
    const token = user.session.token as string;
    expect(await read(bearer(token))).toEqual({
      user: { id: user.id, email: user.email, name: user.name, role: "user" },
      countedUserId: user.id,
    });
    expect(await readUser(new Headers({ cookie: user.session.cookie }))).toMatchObject({ id: user.id });
  });

  it("defers to better-auth for a forged signature, an unknown token, or no token", async () => {
    const user = await signUp(api.url, newCredentials("forged"));
    const [value, signature] = (user.session.token as string).split(".") as [string, string];
    const flipped = `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    expect(await read(bearer(`${value}.${flipped}`))).toBeUndefined();
    expect(await read(bearer(value))).toBeUndefined();
    expect(await read(bearer(`${"x".repeat(32)}.${signature}`))).toBeUndefined();
    expect(await read(new Headers())).toBeUndefined();
  });

  it("defers for an expired session, one due for its sliding refresh, one past its absolute lifetime, and a revoked one", async () => {
    const user = await signUp(api.url, newCredentials("stale"));
    const token = user.session.token as string;
    const { key, value } = await cachedEntry(token);
    const write = (session: object) =>
      redis.set(key, JSON.stringify({ ...value, session: { ...value.session, ...session } }));

    // Each deferral says the request was counted, so the better-auth path does not count it again.
    const deferred = { user: undefined, countedUserId: user.id };
    await write({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await read(bearer(token))).toEqual(deferred);

    const dueForRefresh = Date.now() + (SESSION_EXPIRES_IN_S - SESSION_UPDATE_AGE_S - 60) * 1000;
    await write({ expiresAt: new Date(dueForRefresh).toISOString() });
    expect(await read(bearer(token))).toEqual(deferred);

    await redis.set(key, JSON.stringify(value));
    expect(await readUser(bearer(token))).toMatchObject({ id: user.id });
    // Signed in 30 days ago and used every day since: past the absolute lifetime.
    await write({ createdAt: new Date(Date.now() - SESSION_ABSOLUTE_S * 1000).toISOString() });
    expect(await read(bearer(token))).toEqual(deferred);

    await redis.set(key, JSON.stringify(value));
    const revoked = sessionCacheKey(prefix, (await redis.get(epoch.key)) ?? "0", `revoked-sessions-before-${user.id}`);
    await redis.set(revoked, String(Date.now() + 1000));
    expect(await read(bearer(token))).toEqual(deferred);
  });

  it("counts each read against the per-user limit on rate-limiter-flexible's own counter", async () => {
    const user = await signUp(api.url, newCredentials("counted"));
    const token = user.session.token as string;
    const limited = createCachedSessionReader({ ...readerOptions(), limit: tightLimit("count-test:") });
    const limiters = createRateLimiters(redis, "count-test:", {
      ...LIMITS,
      apiPerUser: { points: 3, durationSeconds: 60 },
    });
    expect((await read(bearer(token), limited))?.user).toMatchObject({ id: user.id });
    expect((await read(bearer(token), limited))?.user).toMatchObject({ id: user.id });
    // The third point goes through rate-limiter-flexible: one count for both paths.
    await limiters.consume([["apiPerUser", user.id]]);
    const over = await read(bearer(token), limited).catch((error: unknown) => error);
    expect(over).toBeInstanceOf(RateLimitedError);
    expect((over as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((over as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    await expect(limiters.consume([["apiPerUser", user.id]])).rejects.toBeInstanceOf(RateLimitedError);
    // Nothing is counted for a token the cache does not vouch for.
    const counter = `${tightLimit("count-test:").keyPrefix}:${user.id}`;
    const before = await redis.get(counter);
    expect(await read(bearer(token.split(".")[0] as string), limited)).toBeUndefined();
    await redis.del((await cachedEntry(token)).key);
    expect(await read(bearer(token), limited)).toBeUndefined();
    expect(await redis.get(counter)).toBe(before);
  });

  it("is what answers /api/v1 requests while the cache holds the session, better-auth otherwise", async () => {
    const user = await signUp(api.url, newCredentials("hot-path"));
    const token = user.session.token as string;
    const sourceOf = async (headers: Record<string, string>) => {
      const response = await fetch(`${api.url}/api/v1/me`, { headers });
      expect(response.status).toBe(200);
      const id = response.headers.get("x-request-id");
      return api.logs.find((line) => line.reqId === id)?.session;
    };
    expect(await sourceOf({ authorization: `Bearer ${token}` })).toBe("cache");
    expect(await sourceOf({ cookie: user.session.cookie })).toBe("cache");
    await redis.del((await cachedEntry(token)).key);
    expect(await sourceOf({ authorization: `Bearer ${token}` })).toBe("better-auth");
  });

  it("counts a request once when the fast path defers to better-auth", async () => {
    // Its own client address: sign-up allows 5 an hour per address, and this file signs up 6.
    const user = await signUp(api.url, newCredentials("refresh-count"), "203.0.113.77");
    const token = user.session.token as string;
    const counter = `${limiterKeyPrefix(api.deps.config.redisKeyPrefix, "apiPerUser")}:${user.id}`;
    const me = async () => {
      const response = await fetch(`${api.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const id = response.headers.get("x-request-id");
      return { source: api.logs.find((line) => line.reqId === id)?.session, count: Number(await redis.get(counter)) };
    };
    expect(await me()).toEqual({ source: "cache", count: 1 });
    const { key, value } = await cachedEntry(token);
    const dueForRefresh = Date.now() + (SESSION_EXPIRES_IN_S - SESSION_UPDATE_AGE_S - 60) * 1000;
    await redis.set(
      key,
      JSON.stringify({ ...value, session: { ...value.session, expiresAt: new Date(dueForRefresh).toISOString() } }),
    );
    expect(await me()).toEqual({ source: "better-auth", count: 2 });
  });
});
