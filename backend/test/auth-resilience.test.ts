import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { type RedisServer, startRedis } from "../../scripts/lib/redis-server.ts";
import { call, newCredentials, type Session, signIn, signUp } from "./support/auth-client.ts";
import { openTestApp, startTestApp, type TestApp } from "./support/test-app.ts";

// This file runs its own Redis so it can stop, freeze and restart it under a running app.
let redis: RedisServer;
let api: TestApp;
const PREFIX = "resilience:";

beforeAll(async () => {
  redis = await startRedis(await freePort());
  api = await openTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX });
});

afterAll(async () => {
  await api?.close();
  await redis?.stop();
});

const me = (session: Session) => call(api.url, "GET", "/api/v1/me", { session });
const authKeys = async () => (await api.deps.redis?.keys(`${PREFIX}auth:*`)) ?? [];
const outageWarnings = () => api.logs.filter((l) => String(l.msg).startsWith("redis unavailable")).length;

/** The redis-kv-store's `commandTimeout`: what each request would wait if it did not fail fast. */
const REDIS_COMMAND_TIMEOUT_MS = 500;

/** Mean wall time of `count` sequential GET /me requests; statuses are collected if asked. */
async function meanRequestMs(session: Session, count: number, statuses: number[] = []) {
  const started = performance.now();
  for (let i = 0; i < count; i++) statuses.push((await me(session)).status);
  return (performance.now() - started) / count;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not met in time");
}

describe("with Redis stopped", () => {
  it("keeps signed-in users working from Postgres, still signs in, and resumes caching when Redis returns", async () => {
    const user = await signUp(api.url, newCredentials("outage"));
    const { session } = await signIn(api.url, user.email, user.password);
    expect((await authKeys()).length).toBeGreaterThan(0);
    // Same-run calibration: what a request costs on this machine right now, Redis up.
    const upMs = await meanRequestMs(session, 20);

    await redis.stop();
    const statuses: number[] = [];
    const downMs = await meanRequestMs(session, 20, statuses);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Waiting on a stopped Redis would add its 500 ms command timeout (or a reconnect) to every
    // request; failing over to Postgres at once adds a few milliseconds.
    expect(downMs - upMs).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS / 2);

    const signedIn = await signIn(api.url, user.email, user.password);
    expect(signedIn.status).toBe(200);
    expect((await me(signedIn.session)).status).toBe(200);
    const another = await signUp(api.url, newCredentials("during-outage"));
    expect((await me(another.session)).status).toBe(200);
    expect(outageWarnings()).toBe(1);

    await redis.start();
    await waitFor(async () => api.deps.redis?.status === "ready");
    const after = await signIn(api.url, user.email, user.password);
    expect(after.status).toBe(200);
    expect((await me(after.session)).status).toBe(200);
    expect((await authKeys()).length).toBeGreaterThan(0);
  });

  it("stays ready while Redis is down, so Dokku's start-up check does not block a deploy", async () => {
    await redis.stop();
    try {
      const response = await fetch(`${api.url}/health/ready`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: "ready", checks: { postgres: "ok", redis: "down" } });
    } finally {
      await redis.start();
      await waitFor(async () => api.deps.redis?.status === "ready");
    }
  });

  it("keeps enforcing sign-in limits per process while Redis is down", async () => {
    const user = await signUp(api.url, newCredentials("limits"));
    await redis.stop();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await signIn(api.url, user.email, "wrong-password-123")).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    } finally {
      await redis.start();
      await waitFor(async () => api.deps.redis?.status === "ready");
    }
  });

  it("does not let a session signed out during an outage come back from the cache", async () => {
    const user = await signUp(api.url, newCredentials("stale"));
    const { session } = await signIn(api.url, user.email, user.password);
    expect((await me(session)).status).toBe(200);

    // Frozen, not stopped: Redis keeps its data, so the cached session would survive.
    redis.pause();
    try {
      expect((await call(api.url, "POST", "/api/auth/sign-out", { session, body: {} })).status).toBe(200);
      expect((await me(session)).status).toBe(401);
    } finally {
      redis.resume();
    }
    await waitFor(async () => api.deps.redis?.status === "ready");
    expect((await me(session)).status).toBe(401);
  });
});

describe("in production", () => {
  it("sets a Secure, HttpOnly, SameSite=Strict session cookie with the __Host- prefix: Path=/, no Domain", async () => {
    const passwordRedis = await startRedis(await freePort(), "a-redis-password");
    const origin = "https://app.example.test";
    const production = await startTestApp(api.databaseUrl, {
      APP_ENV: "production",
      TRUST_PROXY: "cloudflare",
      REDIS_URL: passwordRedis.url,
      BETTER_AUTH_SECRET: "Qm9vdHN0cmFwLXRlc3Qtc2VjcmV0LTEyMzQ1Njc4OTA",
      BETTER_AUTH_URL: "https://api.example.test",
      CORS_ORIGIN: origin,
      ADMIN_PASSWORD: "",
    });
    try {
      const credentials = newCredentials("prod");
      const signUpResult = await call(production.url, "POST", "/api/auth/sign-up/email", {
        body: credentials,
        headers: { origin },
      });
      expect(signUpResult.status).toBe(200);
      const cookies = signUpResult.response.headers.getSetCookie();
      const session = cookies.find((c) => c.includes("session_token="));
      expect(session).toMatch(/^__Host-better-auth\.session_token=/);
      expect(session).toMatch(/;\s*Path=\/(;|$)/i);
      expect(session).not.toMatch(/;\s*Domain=/i);
      expect(session).toMatch(/;\s*Secure/i);
      expect(session).toMatch(/;\s*HttpOnly/i);
      expect(session).toMatch(/;\s*SameSite=Strict/i);
      expect(signUpResult.response.headers.get("strict-transport-security")).toContain("max-age=");
    } finally {
      await production.close();
      await passwordRedis.stop();
    }
  });
});
