import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const GC_TUNING = path.resolve(import.meta.dirname, "../src/gc-tuning.ts");

/**
 * Mark-compacts of a process that keeps ~30 MB alive and churns short-lived objects, under the
 * image's heap caps — the shape of the API under load — with or without the entry point's tuning.
 */
function markCompacts(tuned: boolean): number {
  const script = `
    ${tuned ? `const { tuneGarbageCollector } = await import(${JSON.stringify(GC_TUNING)}); tuneGarbageCollector();` : ""}
    const live = []; for (let i = 0; i < 300000; i++) live.push({ i, s: "live" + i });
    const ring = new Array(50000);
    for (let i = 0; i < 8e6; i++) ring[i % 50000] = { i, s: "short" + i };
    if (live.length !== 300000) throw new Error("unreachable");`;
  const run = spawnSync(
    process.execPath,
    ["--max-old-space-size=256", "--max-semi-space-size=16", "--trace-gc", "--input-type=module", "-e", script],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split("\n").filter((line) => line.includes("Mark-Compact")).length;
}

describe("tuneGarbageCollector", () => {
  it("lets the old generation grow further between full collections", () => {
    const untuned = markCompacts(false);
    const tuned = markCompacts(true);
    expect(untuned).toBeGreaterThan(5);
    expect(tuned).toBeLessThan(untuned * 0.85);
  });
});
