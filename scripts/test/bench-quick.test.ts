import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { runCommand } from "./support/run-command.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

// Smoke check of the performance bench (bench/run.ts): short scenarios; --quick enforces the budgets a
// short run measures reliably (query count, failed requests, cold start) and reports the timing ones.
// The full run, which enforces every budget, is `pnpm bench` (docs/performance.md).
it("pnpm bench --quick runs every scenario with no failed request and one SQL statement per list request", async () => {
  // Asynchronously: a synchronous spawn of the ~60 s bench froze this worker's event loop, and
  // vitest failed the run on its own RPC timeout.
  const bench = await runCommand("pnpm", ["-C", ROOT, "bench", "--quick"]);
  expect(bench.code, `${bench.stdout}\n${bench.stderr}`).toBe(0);
  const results = JSON.parse(readFileSync(path.join(ROOT, "bench/results.json"), "utf8")) as {
    mode: string;
    rows: { name: string; rps: number }[];
    statements: Record<string, { statementsPerRequest: number }>;
  };
  expect(results.mode).toBe("quick");
  const names = results.rows.map((row) => row.name);
  for (const scenario of [
    "GET /health",
    "baseline: bare node:http /health",
    "GET /api/v1/me (bearer)",
    "GET /api/v1/clients (20 rows)",
    "baseline: raw postgres.js list query",
    "POST /api/v1/clients",
    "mixed 80/20, unthrottled",
  ]) {
    expect(names).toContain(scenario);
  }
  expect(names.some((name) => name.startsWith("mixed 80/20 @"))).toBe(true);
  for (const row of results.rows) expect(row.rps, row.name).toBeGreaterThan(0);
  expect(results.statements["GET /api/v1/clients"]?.statementsPerRequest).toBe(1);
});
