import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { waitForPort } from "../../scripts/lib/redis-server.ts";
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

async function startServerProcess(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/slow-server.ts"], {
    cwd: backendDir,
    env: { ...process.env, ...testEnv(databaseUrl, { PORT: String(port), LOG_LEVEL: "info", ...env }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // Bounded only by the test's timeout: under load a tsx start takes tens of seconds.
  await waitForPort(port, 100_000);
  /** Resolves once the server has logged `line` (its own events, not a guess at how long they take). */
  const logged = async (line: string) => {
    const deadline = Date.now() + 30_000;
    while (!output.includes(line)) {
      if (Date.now() > deadline) throw new Error(`no "${line}" in the server's output:\n${output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { child, url: `http://127.0.0.1:${port}`, exited, output: () => output, logged };
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

describe("graceful shutdown", () => {
  it("finishes an in-flight request, reports draining meanwhile, and exits 0 on SIGTERM", async () => {
    // The drain delay only has to outlast one /health request after the "shutting down" line.
    const server = await startServerProcess({ SHUTDOWN_DRAIN_DELAY_MS: "2000", SHUTDOWN_TIMEOUT_MS: "20000" });
    children.push(server.child);

    const slow = fetch(`${server.url}/slow?ms=3000`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await server.logged("slow request started");
    const signalledAt = Date.now();
    server.child.kill("SIGTERM");
    await server.logged("shutting down");

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "draining" });

    expect(await slow).toEqual({ status: 200, body: { slept: 3000 } });
    expect(await server.exited).toBe(0);
    // It waited for the request (and the drain delay) rather than dropping it.
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(2000);
    expect(server.output()).toContain("shutdown complete");
  });

  it("stops accepting connections once the drain delay is over", async () => {
    const server = await startServerProcess({ SHUTDOWN_DRAIN_DELAY_MS: "0" });
    children.push(server.child);
    const slow = fetch(`${server.url}/slow?ms=800`);
    await server.logged("slow request started");
    server.child.kill("SIGTERM");
    // With no drain delay the listener closes right after this line is written.
    await server.logged("shutting down");
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    expect((await slow).status).toBe(200);
    expect(await server.exited).toBe(0);
  });

  it("forces exit 1 when requests outlive SHUTDOWN_TIMEOUT_MS", async () => {
    const server = await startServerProcess({ SHUTDOWN_TIMEOUT_MS: "500" });
    children.push(server.child);
    const slow = fetch(`${server.url}/slow?ms=5000`).catch(() => "aborted");
    await server.logged("slow request started");
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(1);
    // Aborted, not answered: the process gave up on the 5 s request instead of waiting it out.
    expect(await slow).toBe("aborted");
    expect(server.output()).toContain("shutdown timed out");
  });

  it("forces exit on a second signal", async () => {
    const server = await startServerProcess({ SHUTDOWN_TIMEOUT_MS: "20000" });
    children.push(server.child);
    const slow = fetch(`${server.url}/slow?ms=5000`).catch(() => "aborted");
    await server.logged("slow request started");
    server.child.kill("SIGTERM");
    await server.logged("shutting down");
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(1);
    expect(await slow).toBe("aborted");
  });
});
