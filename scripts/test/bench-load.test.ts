import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { runLoad } from "../../bench/lib/load.ts";
import { LoadGenerator } from "../../bench/lib/load-generator.ts";

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
  if (server) await new Promise((resolve) => server?.close(resolve));
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
    // Even pacing spaces arrivals ~10 ms apart; a per-second burst sends 32 within a few ms, so most
    // gaps would be ~0. The median, not the busiest window: when this worker stalls (other suites
    // share the two cores), the overdue requests go out together, as they should.
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] as number));
    gaps.sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(5);
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

/** A server in a thread of its own (blocking this one does not slow it) answering after 5 ms. */
async function serverThread() {
  const worker = new Worker(
    `const http = require("node:http");
     const server = http.createServer((_req, res) => setTimeout(() => res.end('{"status":"ok"}'), 5));
     server.listen(0, "127.0.0.1", () => require("node:worker_threads").parentPort.postMessage(server.address().port));`,
    { eval: true },
  );
  const port = await new Promise<number>((resolve) => worker.once("message", resolve));
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => worker.terminate() };
}

/** Blocks this thread for `ms`, once, `afterMs` from now: a long GC pause or a busy bench. */
function stallOnce(ms: number, afterMs: number) {
  const timer = setTimeout(() => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      // busy: nothing else runs on this thread
    }
  }, afterMs);
  return () => clearTimeout(timer);
}

describe("the bench's load thread", () => {
  it("keeps pauses of the bench's own thread out of the measured latency", async () => {
    // One stall far longer than anything else on the run (the server answers in 5 ms; a loaded
    // machine adds tens or hundreds of ms), so the verdict reads the stall, not the machine.
    const STALL_MS = 2_000;
    const server = await serverThread();
    const generator = new LoadGenerator([]);
    try {
      const options = { baseUrl: server.baseUrl, connections: 8, warmupS: 0, durationS: 3 };
      let cancel = stallOnce(STALL_MS, 500);
      const inThread = await runLoad({ ...options, next: () => ({ method: "GET", path: "/health" }) });
      cancel();
      cancel = stallOnce(STALL_MS, 500);
      const fromWorker = await generator.load("health", options);
      cancel();
      expect(inThread.statuses).toEqual({ 200: inThread.requests });
      expect(fromWorker.statuses).toEqual({ 200: fromWorker.requests });
      // Requests in flight when this thread stalls wait out the whole stall when measured here...
      expect(inThread.max).toBeGreaterThanOrEqual(STALL_MS * 0.9);
      // ...and not when the load thread measures them: it keeps sending and timing throughout.
      expect(fromWorker.max).toBeLessThan(STALL_MS / 2);
    } finally {
      await generator.close();
      await server.stop();
    }
  });

  it("reports a failed job as a rejection with the thread's error", async () => {
    const generator = new LoadGenerator([]);
    try {
      const raw = { url: "postgres://127.0.0.1:1/none", query: "select 1", poolMax: 1, concurrency: 1 };
      await expect(generator.rawQueries({ ...raw, params: [], durationS: 1, warmupS: 0 })).rejects.toThrow(
        "load thread: Error: runRawQueryLoop: no parameter lists",
      );
    } finally {
      await generator.close();
    }
  });
});
