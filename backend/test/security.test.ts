// Black-box tests of the security hardening (docs/api.md: Sessions and tokens, Rate limits, Response
// headers, Files): the real app over HTTP, two
// replicas sharing Postgres and a Redis of this file's own that can be restarted with its data.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { type RedisServer, startRedis, waitForPort } from "../../scripts/lib/redis-server.ts";
import { authKeyPrefix, sessionCookieName } from "../src/auth/auth.ts";
import { limiterKeyPrefix } from "../src/http/rate-limit.ts";
import { createUpload, putToPresigned, sha256 } from "./support/asset-fixtures.ts";
import { call, newCredentials, type Session, signIn, signUp, TEST_ORIGIN } from "./support/auth-client.ts";
import { as, expectOk } from "./support/domain-fixtures.ts";
import { startTestApp, type TestApp } from "./support/test-app.ts";
import { createTestDatabase, testEnv } from "./support/test-services.ts";

let redis: RedisServer;
let redisDir: string;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let a: TestApp;
let b: TestApp;
let ipCounter = 0;
const freshIp = () => `203.0.113.${++ipCounter}`;
const PREFIX = `security-${crypto.randomUUID().slice(0, 8)}:`;
const me = (app: TestApp, session: Session) => call(app.url, "GET", "/api/v1/me", { session });

beforeAll(async () => {
  redisDir = await mkdtemp(path.join(tmpdir(), "security-redis-"));
  redis = await startRedis(await freePort(), undefined, { dataDir: redisDir });
  database = await createTestDatabase();
  const shared = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX, TRUST_PROXY: "cloudflare" };
  a = await startTestApp(database.url, shared);
  b = await startTestApp(database.url, shared);
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  await database?.drop();
  await redis?.stop();
  await rm(redisDir, { recursive: true, force: true });
});

describe("session tokens", () => {
  it("refuses the raw session token as a bearer token, and no answer carries it", async () => {
    const user = await signUp(a.url, newCredentials("raw"), freshIp());
    const signed = user.session.token as string;
    const raw = signed.split(".")[0] as string;
    expect((await me(b, { token: signed })).status).toBe(200);
    expect((await me(b, { token: raw })).status).toBe(401);
    expect((await me(a, { token: encodeURIComponent(raw) })).status).toBe(401);

    const signedIn = await signIn(a.url, user.email, user.password, freshIp());
    expect(signedIn.status).toBe(200);
    expect(signedIn.json).not.toHaveProperty("token");
    const session = await call(a.url, "GET", "/api/auth/get-session", { session: { token: signed } });
    expect(session.status).toBe(200);
    expect(session.json?.session).toBeDefined();
    expect(session.json?.session).not.toHaveProperty("token");
    expect(JSON.stringify(session.json)).not.toContain(raw);
  });

  it("keeps a sign-out made during a Redis restart on every replica once Redis is back with its data", async () => {
    const user = await signUp(a.url, newCredentials("restart"), freshIp());
    const session = { token: user.session.token };
    // B serves the session from the Redis cache.
    expect((await me(b, session)).status).toBe(200);
    const cached = await a.deps.redis?.keys(`${authKeyPrefix(PREFIX)}*`);
    expect(cached?.some((key) => key.endsWith(`:${(user.session.token as string).split(".")[0]}`))).toBe(true);

    await redis.stop();
    // Signed out on A while Redis is gone: the row is deleted from Postgres, the cache entry is not.
    const signOut = await call(a.url, "POST", "/api/auth/sign-out", { session, body: {} });
    expect(signOut.status).toBe(200);
    await redis.start();
    // Both replicas reconnect to a Redis that still holds the entry, and bump the cache's epoch.
    await expect
      .poll(() => a.logs.some((line) => line.msg?.toString().includes("epoch bumped")), { timeout: 30_000 })
      .toBe(true);
    await expect
      .poll(() => b.logs.some((line) => line.msg?.toString().includes("epoch bumped")), { timeout: 30_000 })
      .toBe(true);
    const stale = await a.deps.redis?.keys(`${authKeyPrefix(PREFIX)}*${(user.session.token as string).split(".")[0]}`);
    expect(stale?.length, "the signed-out session is still in Redis").toBeGreaterThan(0);

    expect((await me(b, session)).status).toBe(401);
    expect((await me(a, session)).status).toBe(401);
    // Everyone else is still signed in, from Postgres and then from the cache again.
    const other = await signUp(b.url, newCredentials("after-restart"), freshIp());
    expect((await me(a, { token: other.session.token })).status).toBe(200);
  });
});

describe("admin bootstrap", () => {
  it("does not make the account that registered ADMIN_EMAIL first an admin, nor let the operator's password in", async () => {
    const squatter = await signUp(a.url, newCredentials("squatter"), freshIp());
    const port = await freePort();
    const backendDir = new URL("..", import.meta.url).pathname;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: backendDir,
      env: {
        ...process.env,
        ...testEnv(database.url, {
          PORT: String(port),
          LOG_LEVEL: "info",
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: PREFIX,
          ADMIN_EMAIL: squatter.email,
          ADMIN_PASSWORD: "the-operators-own-password",
        }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    try {
      await waitForPort(port, 100_000);
      await expect.poll(() => output, { timeout: 30_000 }).toContain("ADMIN_EMAIL belongs to an existing account");
      const url = `http://127.0.0.1:${port}`;
      expect((await call(url, "GET", "/api/v1/me", { session: squatter.session })).json?.role).toBe("user");
      const operator = await call(url, "POST", "/api/auth/sign-in/email", {
        body: { email: squatter.email, password: "the-operators-own-password" },
      });
      expect(operator.status).toBe(401);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});

describe("sign-in limits", () => {
  it("refuses a 5,000-character email with 400 before any limiter counts or stores it", async () => {
    const ip = freshIp();
    const email = `${"x".repeat(5000)}@example.test`;
    const result = await call(a.url, "POST", "/api/auth/sign-in/email", {
      body: { email, password: "whatever-it-is" },
      ip,
    });
    expect(result.status).toBe(400);
    expect(result.json?.error.code).toBe("validation_failed");
    const keys = (await a.deps.redis?.keys(`${PREFIX}*`)) ?? [];
    expect(keys.filter((key) => key.length > 200)).toEqual([]);
    expect(keys.filter((key) => key.includes(ip))).toEqual([]);
  });

  it("keys the limit on a hash of the email, and counts IP and email only once the IP limit passed", async () => {
    const ip = freshIp();
    const email = newCredentials("hashed").email;
    await call(a.url, "POST", "/api/auth/sign-in/email", { body: { email, password: "wrong-password-1" }, ip });
    const keys = (await a.deps.redis?.keys(`${limiterKeyPrefix(PREFIX, "signInPerIpEmail")}*`)) ?? [];
    expect(keys.some((key) => key.includes(ip))).toBe(true);
    expect(keys.some((key) => key.includes(email))).toBe(false);
  });

  it("counts two IPv6 addresses of one /64 in one bucket, and another /64 apart", async () => {
    const attempt = (ip: string) =>
      call(a.url, "POST", "/api/auth/sign-in/email", {
        body: { email: newCredentials("v6").email, password: "wrong-password-1" },
        ip,
      });
    // 20 sign-in attempts a minute per client: alternate two addresses of 2001:db8:7:1::/64.
    for (let i = 0; i < 20; i++)
      expect((await attempt(i % 2 ? "2001:db8:7:1::1" : "2001:db8:7:1:ffff::2")).status).toBe(401);
    expect((await attempt("2001:db8:7:1:abcd::3")).status).toBe(429);
    expect((await attempt("2001:db8:7:2::1")).status).toBe(401);
  });

  it("locks an account after 10 failed sign-ins from any addresses, until the block ends", async () => {
    const user = await signUp(a.url, newCredentials("locked"), freshIp());
    for (let i = 0; i < 10; i++) {
      const wrong = await call(b.url, "POST", "/api/auth/sign-in/email", {
        body: { email: user.email, password: `wrong-password-${i}` },
        ip: freshIp(),
      });
      expect(wrong.status).toBe(401);
    }
    const right = await call(a.url, "POST", "/api/auth/sign-in/email", {
      body: { email: user.email, password: user.password },
      ip: freshIp(),
    });
    expect(right.status).toBe(429);
    expect(Number(right.response.headers.get("retry-after"))).toBeGreaterThan(800);
  });
});

/**
 * POSTs `bytes` bytes of filler with Node's fetch (undici) over a real socket, with Content-Length
 * or chunked. The answer's status and body; a connection reset rejects ("fetch failed").
 */
async function postLargeBody(app: TestApp, bytes: number, chunked: boolean, session: Session) {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  // The body comes as a phone's upload does: in pieces with pauses, so the server has answered long
  // before the client stops sending.
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= bytes) return controller.close();
      if (sent > 2 * 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 1));
      const size = Math.min(chunk.length, bytes - sent);
      sent += size;
      controller.enqueue(chunk.subarray(0, size));
    },
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    authorization: `Bearer ${session.token}`,
    origin: TEST_ORIGIN,
  };
  if (!chunked) headers["content-length"] = String(bytes);
  const response = await fetch(`${app.url}/api/v1/clients`, {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as RequestInit);
  return { status: response.status, body: await response.text() };
}

describe("request bodies", () => {
  it.each([
    ["5 MB with Content-Length", 5 * 1024 * 1024, false],
    ["50 MB chunked", 50 * 1024 * 1024, true],
  ])("answers a %s body with a 413 the client can read", async (_, bytes, chunked) => {
    const user = await signUp(a.url, newCredentials("big-body"), freshIp());
    const result = await postLargeBody(a, bytes, chunked, user.session);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error.code).toBe("payload_too_large");
  });
});

describe("browser-facing", () => {
  it("refuses an unsafe request from another site that carries the session cookie, body-less POSTs included", async () => {
    const user = await signUp(a.url, newCredentials("csrf"), freshIp());
    const cookie = user.session.cookie as string;
    expect(cookie).toContain(`${sessionCookieName(false)}=`);
    const accept = (headers: Record<string, string>) =>
      fetch(`${a.url}/api/v1/invites/not-a-real-token/accept`, { method: "POST", headers: { cookie, ...headers } });
    expect((await accept({ origin: "https://evil.example" })).status).toBe(403);
    expect((await accept({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await accept({ origin: "null" })).status).toBe(403);
    // From the web app's origin, and with a bearer token (no ambient credential), the route answers.
    expect((await accept({ origin: TEST_ORIGIN })).status).toBe(404);
    const bearer = await fetch(`${a.url}/api/v1/invites/not-a-real-token/accept`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.session.token}`, origin: "https://evil.example" },
    });
    expect(bearer.status).toBe(404);
  });

  it("sends Cache-Control: no-store on every API response", async () => {
    const user = await signUp(a.url, newCredentials("no-store"), freshIp());
    const responses = await Promise.all([
      fetch(`${a.url}/api/v1/me`, { headers: { authorization: `Bearer ${user.session.token}` } }),
      fetch(`${a.url}/api/v1/me`),
      fetch(`${a.url}/api/v1/clients?limit=2`, { headers: { authorization: `Bearer ${user.session.token}` } }),
      fetch(`${a.url}/api/v1/clients/00000000-0000-4000-8000-000000000000`, {
        headers: { authorization: `Bearer ${user.session.token}` },
      }),
      fetch(`${a.url}/api/auth/get-session`, { headers: { cookie: user.session.cookie as string } }),
      fetch(`${a.url}/api/public/none`),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 401, 200, 404, 200, 404]);
    for (const response of responses) expect(response.headers.get("cache-control")).toBe("no-store");
  });
});

describe("uploads", () => {
  it("downloads what complete verified, even when the uploader PUTs other bytes to the presigned URL afterwards", async () => {
    const coach = await signUp(a.url, newCredentials("upload"), freshIp());
    const actor = { id: coach.id, email: coach.email, session: { token: coach.session.token } };
    const client = await expectOk(as(actor, a, "POST", "/api/v1/clients", { name: "Upload client" }), 201);
    const original = Buffer.from("the verified report\n");
    const created = await createUpload(a, actor, { clientId: String(client.id), bytes: original });
    expect(await putToPresigned(created.upload, original)).toBe(200);
    await expectOk(as(actor, a, "POST", `/api/v1/assets/${created.id}/complete`));
    // Same size, same type, other bytes, through the URL that is still valid.
    const swapped = Buffer.from("swapped bytes here!\n");
    expect(swapped.length).toBe(original.length);
    expect(await putToPresigned(created.upload, swapped)).toBe(200);

    const asset = await expectOk(as(actor, a, "GET", `/api/v1/assets/${created.id}`));
    const download = await fetch(asset.downloadUrl);
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(original));
  });

  it("names a download by its verified type: x.exe declared as a PDF downloads as x.pdf", async () => {
    const coach = await signUp(a.url, newCredentials("extension"), freshIp());
    const actor = { id: coach.id, email: coach.email, session: { token: coach.session.token } };
    const client = await expectOk(as(actor, a, "POST", "/api/v1/clients", { name: "Extension client" }), 201);
    const bytes = Buffer.from("%PDF-1.4 not really\n");
    const created = await createUpload(a, actor, {
      clientId: String(client.id),
      bytes,
      filename: "x.exe",
      contentType: "application/pdf",
    });
    expect(await putToPresigned(created.upload, bytes)).toBe(200);
    await expectOk(as(actor, a, "POST", `/api/v1/assets/${created.id}/complete`));
    const asset = await expectOk(as(actor, a, "GET", `/api/v1/assets/${created.id}`));
    const download = await fetch(asset.downloadUrl);
    expect(download.headers.get("content-disposition")).toContain('filename="x.pdf"');
  });
});
