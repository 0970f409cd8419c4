import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../lib/free-port.ts";
import { REPO_ROOT, waitFor } from "./support/script-runner.ts";

// `pnpm dev` as a developer runs it: in a terminal's process group, stopped with Ctrl-C (SIGINT to
// the whole group). Web app off, its own port and data dir, so it never meets a real dev session.
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "dev-launcher-"));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: pino-pretty's colour codes
const stripColours = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");

describe("pnpm dev", () => {
  it("logs one line per request and stops everything cleanly on Ctrl-C, the API included", async () => {
    const port = await freePort();
    const child = spawn("pnpm", ["dev"], {
      cwd: REPO_ROOT,
      detached: true, // a process group of its own, as a terminal gives it
      env: { ...process.env, DEV_WEB: "0", PORT: String(port), DEV_DATA_DIR: dataDir },
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
    try {
      await waitFor(() => output.includes("Coaching App is running"), 150_000, `pnpm dev ready:\n${output}`);
      const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`);
      expect(me.status).toBe(401);
      await waitFor(() => output.includes('"path":"/api/v1/me"'), 10_000, "the request's log line");

      process.kill(-(child.pid as number), "SIGINT");
      expect(await exited, output).toBe(0);
    } finally {
      if (child.exitCode === null) process.kill(-(child.pid as number), "SIGKILL");
    }
    const log = stripColours(output);
    // One line for the request, with its fields on it.
    const requestLines = log.split("\n").filter((line) => line.includes("/api/v1/me"));
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatch(/INFO: request .*"status":401/);
    // The API got one signal and shut down gracefully; pnpm saw a clean exit.
    expect(log).toContain("shutdown complete");
    expect(log).not.toContain("second signal");
    expect(log).not.toContain("ELIFECYCLE");
    expect(log).toContain("[dev] stopped");
    // Nothing left behind: no Postgres on the data dir, no API on the port.
    expect(spawnSync("pgrep", ["-f", dataDir]).status).toBe(1);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
