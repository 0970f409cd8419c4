import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/test-services.ts";

let databaseUrl: string;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  databaseUrl = database.url;
  dropDb = database.drop;
});

afterAll(async () => {
  await dropDb?.();
});

/**
 * Bytes promoted to the old generation per query, in a child process running `count` queries one
 * after another through the postgres.js this package resolves (with patches/postgres@3.4.9.patch).
 */
function promotedPerQuery(count: number): Promise<number> {
  const script = `
    import postgres from "postgres";
    const sql = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    for (let i = 0; i < ${count}; i++) await sql.unsafe("select $1::int as n", [i], { prepare: true });
    await sql.end();`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--max-semi-space-size=1", "--trace-gc-nvp", "--input-type=module", "-e", script],
      {
        cwd: import.meta.dirname,
        env: { ...process.env, DATABASE_URL: databaseUrl },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`query loop exited ${code}: ${err}`));
      const scavenges = out.split("\n").filter((line) => line.includes("gc=s "));
      const promoted = scavenges.reduce((sum, line) => sum + Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0), 0);
      if (scavenges.length < 5) return reject(new Error(`only ${scavenges.length} scavenges: nothing to measure`));
      resolve(promoted / count);
    });
  });
}

describe("postgres.js patch", () => {
  it("lets a settled query die young instead of promoting it to the old generation", async () => {
    // Unpatched, every query's objects survived into the old generation (~900 bytes per query
    // here), each a little more work for the next mark-compact.
    expect(await promotedPerQuery(15_000)).toBeLessThan(300);
  });
});
