import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { type PostgresServer, startPostgres } from "../../scripts/lib/postgres-server.ts";
import { migrateToLatest } from "../src/db/migrator.ts";
import { call, newCredentials, signUp } from "./support/auth-client.ts";
import { startTestApp, type TestApp } from "./support/test-app.ts";

// This file runs its own Postgres so it can stop and restart it under a running app.
let pg: PostgresServer;
let api: TestApp;
let dataRoot: string;

beforeAll(async () => {
  dataRoot = await mkdtemp(path.join(tmpdir(), "coaching-health-"));
  pg = await startPostgres({ dataDir: path.join(dataRoot, "pg"), port: await freePort(), ephemeral: true });
  api = await startTestApp(pg.adminUrl, { APP_VERSION: "test-sha" }, (app) => {
    app.get("/api/db-probe", async (c) => {
      await c.get("deps").sql`select 1`;
      return c.json({ ok: true });
    });
  });
});

afterAll(async () => {
  await api?.close();
  await pg?.stop();
  await rm(dataRoot, { recursive: true, force: true });
});

const ready = async () => {
  const response = await fetch(`${api.url}/health/ready`);
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
};

describe("health", () => {
  it("reports ok with the version on /health", async () => {
    const response = await fetch(`${api.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", version: "test-sha" });
  });

  it("is ready while Postgres and Redis answer", async () => {
    const result = await ready();
    expect(result.status).toBe(200);
    expect(result.body.checks).toMatchObject({ postgres: "ok", redis: "ok" });
  });

  it("turns unready while Postgres is stopped and recovers without restarting the app", async () => {
    await pg.stop();
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.checks.postgres).toBe("down");
    // /health does no I/O, so it keeps answering while the database is gone.
    expect((await fetch(`${api.url}/health`)).status).toBe(200);

    await pg.start();
    let status = 0;
    const deadline = Date.now() + 10_000;
    while (status !== 200 && Date.now() < deadline) {
      status = (await ready()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it("answers sign-up and domain requests with 503 (not 500) while Postgres is stopped", async () => {
    await migrateToLatest(api.deps.db);
    const user = await signUp(api.url, newCredentials("pg-outage"));
    await pg.stop();
    try {
      const signUpResult = await call(api.url, "POST", "/api/auth/sign-up/email", { body: newCredentials("down") });
      expect(signUpResult.status).toBe(503);
      expect(signUpResult.response.headers.get("retry-after")).toBe("2");
      expect(signUpResult.json?.error.code).toBe("service_unavailable");
      const signInResult = await call(api.url, "POST", "/api/auth/sign-in/email", {
        body: { email: user.email, password: user.password },
      });
      expect(signInResult.status).toBe(503);
      const list = await call(api.url, "GET", "/api/v1/clients", { session: user.session });
      expect(list.status).toBe(503);
      expect(list.response.headers.get("retry-after")).toBe("2");
      expect(list.json?.error.code).toBe("service_unavailable");
    } finally {
      await pg.start();
    }
    expect((await call(api.url, "GET", "/api/v1/clients", { session: user.session })).status).toBe(200);
  });

  it("answers 503 service_unavailable (not 500) when a query cannot reach Postgres", async () => {
    expect((await fetch(`${api.url}/api/db-probe`)).status).toBe(200);
    await pg.stop();
    try {
      const response = await fetch(`${api.url}/api/db-probe`);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("2");
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("service_unavailable");
    } finally {
      await pg.start();
    }
  });
});
