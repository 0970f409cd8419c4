import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authKeyPrefix, SESSION_EXPIRES_IN_S, SESSION_UPDATE_AGE_S, sessionCookieName } from "../src/auth/auth.ts";
import { createCachedSessionReader } from "../src/auth/cached-session-reader.ts";
import { newCredentials, signUp } from "./support/auth-client.ts";
import { startTestApp, type TestApp } from "./support/test-app.ts";
import { createTestDatabase } from "./support/test-services.ts";

let api: TestApp;
let dropDb: () => Promise<void>;
let redis: Redis;
let reader: ReturnType<typeof createCachedSessionReader>;
const read = (headers: Headers, alongside?: (userId: string) => Promise<void>) =>
  reader((name) => headers.get(name) ?? undefined, alongside);
let prefix: string;

beforeAll(async () => {
  const database = await createTestDatabase();
  dropDb = database.drop;
  api = await startTestApp(database.url);
  redis = api.deps.redis as Redis;
  prefix = authKeyPrefix(api.deps.config.redisKeyPrefix);
  reader = createCachedSessionReader({
    redis,
    keyPrefix: prefix,
    secret: api.deps.config.authSecret,
    cookieName: sessionCookieName(false),
    expiresInSeconds: SESSION_EXPIRES_IN_S,
    updateAgeSeconds: SESSION_UPDATE_AGE_S,
  });
});

afterAll(async () => {
  await api?.close();
  await dropDb?.();
});

const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

async function cachedEntry(token: string) {
  const key = `${prefix}${token.split(".")[0]}`;
  return { key, value: JSON.parse((await redis.get(key)) as string) };
}

describe("cached session reader", () => {
  it("reads a signed-in user from the cache by bearer token and by cookie", async () => {
    const user = await signUp(api.url, newCredentials("fast"));
    const token = user.session.token as string;
    expect(await read(bearer(token))).toEqual({ id: user.id, email: user.email, name: user.name, role: "user" });
    expect(await read(new Headers({ cookie: user.session.cookie }))).toMatchObject({ id: user.id });
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

  it("defers for an expired session, one due for its sliding refresh, and a revoked one", async () => {
    const user = await signUp(api.url, newCredentials("stale"));
    const token = user.session.token as string;
    const { key, value } = await cachedEntry(token);
    const write = (session: object) =>
      redis.set(key, JSON.stringify({ ...value, session: { ...value.session, ...session } }));

    await write({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await read(bearer(token))).toBeUndefined();

    const dueForRefresh = Date.now() + (SESSION_EXPIRES_IN_S - SESSION_UPDATE_AGE_S - 60) * 1000;
    await write({ expiresAt: new Date(dueForRefresh).toISOString() });
    expect(await read(bearer(token))).toBeUndefined();

    await redis.set(key, JSON.stringify(value));
    expect(await read(bearer(token))).toMatchObject({ id: user.id });
    await redis.set(`${prefix}revoked-sessions-before-${user.id}`, String(Date.now() + 1000));
    expect(await read(bearer(token))).toBeUndefined();
  });

  it("runs the caller's work for a cached user alongside the revocation check, and passes its errors on", async () => {
    const user = await signUp(api.url, newCredentials("alongside"));
    const token = user.session.token as string;
    const seen: string[] = [];
    expect(await read(bearer(token), async (id) => void seen.push(id))).toMatchObject({ id: user.id });
    expect(seen).toEqual([user.id]);
    await expect(read(bearer(token), () => Promise.reject(new Error("limit reached")))).rejects.toThrow(
      "limit reached",
    );
    // Nothing to run for a token the cache does not vouch for.
    expect(await read(bearer(token.split(".")[0] as string), async (id) => void seen.push(id))).toBeUndefined();
    expect(seen).toEqual([user.id]);
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
    // Unsigned bearer tokens are better-auth's to accept (its bearer plugin signs them itself).
    expect(await sourceOf({ authorization: `Bearer ${token.split(".")[0]}` })).toBe("better-auth");
    await redis.del(`${prefix}${token.split(".")[0]}`);
    expect(await sourceOf({ authorization: `Bearer ${token}` })).toBe("better-auth");
  });
});
