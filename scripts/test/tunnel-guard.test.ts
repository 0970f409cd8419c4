import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../lib/free-port.ts";
import { listen, type RunningScript, readBody, startScript, waitFor } from "./support/script-runner.ts";

const GUARD = "cloudflared/tunnel-guard.sh";

type Mode = "ok" | "fail" | "drop" | "alternate";
type Event = { kind: "probe"; healthy: boolean } | { kind: "stop" | "start"; at: number };

/**
 * One server plays the local API (/health, answer flipped by the test) and records the guard's
 * stop/start commands (/event/stop, /event/start) in the same sequence, so the test sees exactly
 * how many probes came before each transition.
 */
async function startFakeNode() {
  const state = { mode: "ok" as Mode, probes: 0, events: [] as Event[] };
  const node = await listen((req, res) => {
    if (req.url === "/health") {
      state.probes += 1;
      const healthy = state.mode === "ok" || (state.mode === "alternate" && state.probes % 2 === 0);
      state.events.push({ kind: "probe", healthy });
      if (state.mode === "drop") {
        req.socket.destroy();
        return;
      }
      res.writeHead(healthy ? 200 : 503, { "content-type": "application/json" });
      res.end(healthy ? '{"status":"ok"}' : '{"status":"draining"}');
      return;
    }
    const event = req.url?.match(/^\/event\/(stop|start)$/)?.[1];
    if (event === "stop" || event === "start") state.events.push({ kind: event, at: Date.now() });
    res.end();
  });
  return { ...node, state };
}

async function startWebhook() {
  const bodies: unknown[] = [];
  const hook = await listen(async (req, res) => {
    if (req.method === "POST") bodies.push(JSON.parse(await readBody(req)));
    res.end();
  });
  return { ...hook, bodies };
}

/** Number of probes with the given health immediately before the index. */
function streakBefore(events: Event[], index: number, healthy: boolean): number {
  let count = 0;
  for (let i = index - 1; i >= 0; i--) {
    const event = events[i];
    if (event?.kind !== "probe") continue;
    if (event.healthy !== healthy) break;
    count += 1;
  }
  return count;
}

const flips = (events: Event[]) => events.filter((e) => e.kind !== "probe");

describe("tunnel guard", () => {
  let node: Awaited<ReturnType<typeof startFakeNode>>;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  let guard: RunningScript | undefined;
  let dir: string;

  beforeEach(async () => {
    node = await startFakeNode();
    hook = await startWebhook();
    dir = await mkdtemp(path.join(tmpdir(), "tunnel-guard-"));
  });

  afterEach(async () => {
    if (guard && guard.child.exitCode === null) {
      guard.child.kill("SIGKILL");
      await guard.exited;
    }
    guard = undefined;
    await node.close();
    await hook.close();
    await rm(dir, { recursive: true, force: true });
  });

  const env = (overrides: Record<string, string> = {}) => ({
    GUARD_HEALTH_URL: `http://127.0.0.1:${node.port}/health`,
    GUARD_INTERVAL_S: "0.1",
    GUARD_FAIL_THRESHOLD: "3",
    GUARD_RECOVER_THRESHOLD: "2",
    GUARD_MIN_FLIP_S: "0",
    GUARD_STOP_CMD: `curl -fsS -o /dev/null http://127.0.0.1:${node.port}/event/stop`,
    GUARD_START_CMD: `curl -fsS -o /dev/null http://127.0.0.1:${node.port}/event/start`,
    GUARD_NODE_NAME: "node-under-test",
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${hook.port}/alert`,
    ...overrides,
  });

  it("stops the connector after exactly N consecutive failures and starts it after exactly M successes", async () => {
    node.state.mode = "fail";
    guard = startScript(GUARD, env());
    await waitFor(() => flips(node.state.events).length === 1, 10_000, "connector stopped");
    node.state.mode = "ok";
    await waitFor(() => flips(node.state.events).length === 2, 10_000, "connector started");
    await waitFor(() => hook.bodies.length === 2, 5_000, "two webhook alerts");
    guard.child.kill("SIGTERM");
    await guard.exited;

    const events = node.state.events;
    const stopAt = events.findIndex((e) => e.kind === "stop");
    const startAt = events.findIndex((e) => e.kind === "start");
    // Three failing probes from the start and no stop before the third (threshold 3, not 2).
    expect(events.slice(0, stopAt).filter((e) => e.kind === "probe")).toHaveLength(3);
    expect(streakBefore(events, stopAt, false)).toBe(3);
    // Started on the second healthy probe in a row (threshold 2), right after failures.
    expect(streakBefore(events, startAt, true)).toBe(2);
    expect(flips(events).map((e) => e.kind)).toEqual(["stop", "start"]);

    const transitions = guard
      .output()
      .split("\n")
      .filter((line) => /connector (stopped|running):/.test(line));
    expect(transitions).toHaveLength(2);
    expect(transitions[0]).toContain("health failed 3 times in a row (HTTP 503)");

    expect(hook.bodies).toEqual([
      expect.objectContaining({ event: "connector_stopped", node: "node-under-test" }),
      expect.objectContaining({ event: "connector_started", node: "node-under-test" }),
    ]);
  });

  it("treats a dropped connection as a failure", async () => {
    node.state.mode = "drop";
    guard = startScript(GUARD, env({ GUARD_FAIL_THRESHOLD: "2" }));
    await waitFor(() => guard?.output().includes("connector stopped") ?? false, 10_000, "connector stopped");
    expect(guard.output()).toMatch(/connector stopped: health failed 2 times in a row \(no answer \(curl exit \d+\)\)/);
  });

  it("never flips faster than GUARD_MIN_FLIP_S while health flaps on every probe", async () => {
    node.state.mode = "alternate";
    guard = startScript(
      GUARD,
      env({ GUARD_FAIL_THRESHOLD: "1", GUARD_RECOVER_THRESHOLD: "1", GUARD_MIN_FLIP_S: "1.2" }),
    );
    await waitFor(() => flips(node.state.events).length >= 3, 10_000, "three transitions");
    guard.child.kill("SIGTERM");
    await guard.exited;

    const transitions = flips(node.state.events) as { kind: string; at: number }[];
    const probes = node.state.events.filter((e) => e.kind === "probe").length;
    // Health changed on every probe, yet transitions stay at least 1.2 s apart (small slack for
    // the curl that reports each one).
    for (let i = 1; i < transitions.length; i++) {
      const gap = (transitions[i]?.at ?? 0) - (transitions[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(1_150);
    }
    expect(transitions.map((t) => t.kind)).toEqual(transitions.map((_, i) => (i % 2 === 0 ? "stop" : "start")));
    expect(probes).toBeGreaterThan(transitions.length * 5);
    // One alert per transition; the last one may still be in flight when the guard has exited.
    await waitFor(() => hook.bodies.length === transitions.length, 5_000, "one alert per transition");
  });

  it("logs a failed stop command and retries it on the next tick", async () => {
    const marker = path.join(dir, "stop-attempted");
    const record = path.join(dir, "connector.log");
    // Fails the first time, succeeds afterwards.
    const stopCmd = `if [ -e ${marker} ]; then echo stop >> ${record}; else touch ${marker}; exit 3; fi`;
    node.state.mode = "fail";
    guard = startScript(GUARD, env({ GUARD_FAIL_THRESHOLD: "2", GUARD_STOP_CMD: stopCmd }));
    await waitFor(() => guard?.output().includes("connector stopped") ?? false, 10_000, "connector stopped");

    expect(guard.output()).toMatch(/failed \(exit 3\); retrying on the next tick/);
    expect(await readFile(record, "utf8")).toBe("stop\n");
    await waitFor(() => hook.bodies.length === 1, 5_000, "one alert");
  });

  it("exits cleanly and promptly on SIGTERM, even in the middle of a long interval", async () => {
    const port = await freePort();
    guard = startScript(GUARD, env({ GUARD_HEALTH_URL: `http://127.0.0.1:${port}/health`, GUARD_INTERVAL_S: "30" }));
    await waitFor(() => guard?.output().includes("watching") ?? false, 5_000, "guard started");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = Date.now();
    guard.child.kill("SIGTERM");
    const { code } = await guard.exited;
    expect(code).toBe(0);
    expect(Date.now() - sent).toBeLessThan(2_000);
    expect(guard.output()).toContain("received SIGTERM, exiting");
  });

  it("refuses a malformed threshold with a clear message", async () => {
    await writeFile(path.join(dir, "unused"), "");
    guard = startScript(GUARD, env({ GUARD_FAIL_THRESHOLD: "0" }));
    const { code } = await guard.exited;
    expect(code).toBe(2);
    expect(guard.output()).toContain("GUARD_FAIL_THRESHOLD must be a whole number >= 1");
  });
});
