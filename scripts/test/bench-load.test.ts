import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runLoad } from "../../bench/lib/load.ts";

let server: Server | undefined;

/** A server that answers every request after `delayMs`, recording when each one arrived. */
async function slowServer(delayMs: number) {
  const arrivals: number[] = [];
  server = createServer((_req, res) => {
    arrivals.push(performance.now());
    setTimeout(() => res.end("ok"), delayMs);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe("bench load at a fixed rate", () => {
  it("sends requests at even intervals instead of a burst per second", async () => {
    const { baseUrl, arrivals } = await slowServer(20);
    const result = await runLoad({
      baseUrl,
      connections: 32,
      rate: 100,
      warmupS: 0,
      durationS: 2,
      next: () => ({ path: "/" }),
    });
    expect(result.requests).toBe(200);
    expect(result.statuses).toEqual({ 200: 200 });
    // Even pacing puts ~10 requests in any 100 ms; a per-second burst would put 32 in a few ms.
    let busiest = 0;
    for (const [i, at] of arrivals.entries())
      busiest = Math.max(busiest, arrivals.filter((t, j) => j >= i && t - at < 100).length);
    expect(busiest).toBeLessThanOrEqual(16);
    expect(result.p50).toBeGreaterThanOrEqual(20);
    expect(result.p50).toBeLessThan(100);
  });

  it("counts the wait for a busy connection as latency (no coordinated omission)", async () => {
    const { baseUrl } = await slowServer(50);
    // One socket serves 20 req/s; 40 are due within a second, so the last ones wait about a second.
    const result = await runLoad({
      baseUrl,
      connections: 1,
      rate: 40,
      warmupS: 0,
      durationS: 1,
      next: () => ({ path: "/" }),
    });
    expect(result.requests).toBe(40);
    expect(result.p99).toBeGreaterThan(700);
  });
});
