import { spawnSync } from "node:child_process";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_COACH } from "../src/db/demo-accounts.ts";
import { call, signIn } from "./support/auth-client.ts";
import { startTestApp, type TestApp } from "./support/test-app.ts";
import { createTestDatabase, testEnv } from "./support/test-services.ts";

const backendDir = new URL("..", import.meta.url).pathname;
let databaseUrl: string;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  databaseUrl = database.url;
  dropDb = database.drop;
});
afterAll(() => dropDb());

const seed = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/db/seed-cli.ts", ...args], {
    cwd: backendDir,
    env: { ...process.env, ...testEnv(databaseUrl) },
    encoding: "utf8",
    timeout: 60_000,
  });

describe("pnpm db:seed", () => {
  it("adds a demo coach whose roster and calendar are usable through the API, once", async () => {
    const first = seed("--if-empty");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("demo data added");
    expect(seed().stdout).toContain("nothing to do");

    const sql = postgres(databaseUrl, { max: 1 });
    const [counts] = await sql`select
      (select count(*) from clients)::int as clients,
      (select count(*) from appointments where starts_at > now())::int as upcoming,
      (select count(*) from notes)::int as notes,
      (select count(*) from check_ins)::int as check_ins`;
    await sql.end();
    expect(counts).toMatchObject({ clients: 12 });
    expect(counts?.upcoming).toBeGreaterThanOrEqual(10);
    expect(counts?.notes).toBeGreaterThan(10);

    const api: TestApp = await startTestApp(databaseUrl);
    try {
      const { session, status } = await signIn(api.url, DEMO_COACH.email, DEMO_COACH.password);
      expect(status).toBe(200);
      const roster = await call(api.url, "GET", "/api/v1/clients?limit=100", { session });
      expect(roster.json?.items).toHaveLength(12);
    } finally {
      await api.close();
    }
  });

  it("refuses a production database", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/db/seed-cli.ts"], {
      cwd: backendDir,
      env: {
        ...process.env,
        ...testEnv(databaseUrl, {
          APP_ENV: "production",
          REDIS_URL: "redis://:pw@127.0.0.1:1",
          BETTER_AUTH_SECRET: "Zq8vN3rT6yW1pK4sX7cB0mJ5hG2fD9aLeU",
          BETTER_AUTH_URL: "https://api.example.test",
          CORS_ORIGIN: "https://app.example.test",
          TRUST_PROXY: "cloudflare",
        }),
      },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("refuses");
  });
});
