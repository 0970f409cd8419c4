import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const GC_TUNING = path.resolve(import.meta.dirname, "../src/gc-tuning.ts");

/**
 * Mark-compacts of a process under the image's heap caps that keeps `live` objects alive and churns
 * short-lived ones through a ring of `ring` slots — the shape of the API under load — with or
 * without the entry point's tuning (`nodeFlags` pins a flag for both runs).
 */
function markCompacts(options: { tuned: boolean; live: number; ring: number; nodeFlags?: string[] }): number {
  const script = `
    ${options.tuned ? `const { tuneGarbageCollector } = await import(${JSON.stringify(GC_TUNING)}); tuneGarbageCollector();` : ""}
    const live = (globalThis.live = []);
    for (let i = 0; i < ${options.live}; i++) live.push({ i, s: "live" + i });
    const ring = new Array(${options.ring});
    for (let i = 0; i < 12e6; i++) ring[i % ring.length] = { i, s: "short" + i };`;
  const run = spawnSync(
    process.execPath,
    [
      "--max-old-space-size=256",
      "--max-semi-space-size=16",
      "--trace-gc",
      ...(options.nodeFlags ?? []),
      "--input-type=module",
      "-e",
      script,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split("\n").filter((line) => line.includes("Mark-Compact")).length;
}

describe("tuneGarbageCollector", () => {
  it("keeps V8 from pretenuring short-lived objects into the old generation", () => {
    // A small live set and a short ring: with pretenuring, V8 allocates the ring's objects in the
    // old generation and has to mark-compact them away again and again.
    const untuned = markCompacts({ tuned: false, live: 300_000, ring: 50_000 });
    const tuned = markCompacts({ tuned: true, live: 300_000, ring: 50_000 });
    expect(untuned).toBeGreaterThan(10);
    expect(tuned).toBeLessThan(untuned / 3);
  });

  it("lets the old generation grow further past its live size between full collections", () => {
    // ~55 MB live, pretenuring off in both runs: only the heap growing factor differs.
    const same = { live: 400_000, ring: 200_000, nodeFlags: ["--no-allocation-site-pretenuring"] };
    const untuned = markCompacts({ tuned: false, ...same });
    const tuned = markCompacts({ tuned: true, ...same });
    expect(untuned).toBeGreaterThan(10);
    expect(tuned).toBeLessThan(untuned * 0.9);
  });
});
