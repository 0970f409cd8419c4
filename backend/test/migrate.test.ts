import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../src/db/migrator.ts";
import { createTestDatabase, testEnv } from "./support/test-services.ts";

const backendDir = new URL("..", import.meta.url).pathname;
const migrationNames = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();

let databaseUrl: string;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase({ empty: true });
  databaseUrl = database.url;
  dropDb = database.drop;
});
afterAll(() => dropDb());

function migrate(args: string[] = []) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/db/migrate-cli.ts", ...args], {
      cwd: backendDir,
      env: { ...process.env, ...testEnv(databaseUrl) },
    });
    let output = "";
    child.stdout.on("data", (c) => {
      output += c;
    });
    child.stderr.on("data", (c) => {
      output += c;
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("pnpm db:migrate", () => {
  it("applies each migration exactly once when two processes run at the same moment", async () => {
    const [a, b] = await Promise.all([migrate(), migrate()]);
    expect(a.code, a.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    const sql = postgres(databaseUrl, { max: 1 });
    try {
      const rows = await sql<{ name: string }[]>`select name from kysely_migration order by name`;
      expect(rows.map((r) => r.name)).toEqual(migrationNames);
    } finally {
      await sql.end();
    }
    // One process applied everything; the other waited on the lock and found nothing to do.
    const reports = [a.output, b.output];
    expect(reports.filter((o) => o.includes("up to date"))).toHaveLength(1);
  });

  it("is a no-op the second time", async () => {
    const again = await migrate();
    expect(again.code).toBe(0);
    expect(again.output).toContain("up to date");
  });

  it("lists every migration as applied with --status", async () => {
    const status = await migrate(["--status"]);
    expect(status.code).toBe(0);
    for (const name of migrationNames) expect(status.output).toMatch(new RegExp(`applied\\s+${name}`));
    expect(status.output).toContain(`${migrationNames.length} applied, 0 pending`);
  });

  it("fails with a clear message when the database is unreachable", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/db/migrate-cli.ts"], {
      cwd: backendDir,
      env: { ...process.env, ...testEnv("postgres://postgres:postgres@127.0.0.1:1/nope") },
    });
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain("db:migrate failed");
  });
});
