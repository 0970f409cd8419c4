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
  const state = {
    mode: "ok" as Mode,
    probes: 0,
    events: [] as Event[],
    // What `systemctl is-active cloudflared` prints; stop/start commands change it.
    unit: "active",
    // Whether another node's connector is serving (the peer check).
    peerServing: true,
    peerChecks: 0,
  };
  const node = await listen((req, res) => {
    if (req.url === "/state") {
      res.end(`${state.unit}\n`);
      return;
    }
    if (req.url === "/peer") {
      state.peerChecks += 1;
      res.writeHead(state.peerServing ? 200 : 503);
      res.end();
      return;
    }
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
    if (event === "stop" || event === "start") {
      state.events.push({ kind: event, at: Date.now() });
      state.unit = event === "stop" ? "inactive" : "active";
    }
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
    GUARD_STATE_CMD: `curl -fsS http://127.0.0.1:${node.port}/state`,
    GUARD_PEER_CMD: `curl -fsS -o /dev/null http://127.0.0.1:${node.port}/peer`,
    GUARD_NODE_NAME: "node-under-test",
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${hook.port}/alert`,
    ...overrides,
  });

  it("stops the connector after exactly N consecutive failures and starts it after exactly M successes", async () => {
    node.state.mode = "fail";
    guard = startScript(GUARD, env());
    await waitFor(() => flips(node.state.events).length === 1, 30_000, "connector stopped");
    node.state.mode = "ok";
    await waitFor(() => flips(node.state.events).length === 2, 30_000, "connector started");
    await waitFor(() => hook.bodies.length === 2, 30_000, "two webhook alerts");
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
    await waitFor(() => guard?.output().includes("connector stopped") ?? false, 30_000, "connector stopped");
    expect(guard.output()).toMatch(/connector stopped: health failed 2 times in a row \(no answer \(curl exit \d+\)\)/);
  });

  it("never flips faster than GUARD_MIN_FLIP_S while health flaps on every probe", async () => {
    // Same-run calibration: the minimum gap must span several probes for holding to happen at all,
    // and a probe (curl and a few forks) takes far longer on a loaded machine.
    const probeMs = await measureProbePeriodMs();
    const minFlipMs = Math.max(1_200, Math.ceil((6 * probeMs) / 100) * 100);
    node.state.mode = "alternate";
    node.state.events = [];
    guard = startScript(
      GUARD,
      env({ GUARD_FAIL_THRESHOLD: "1", GUARD_RECOVER_THRESHOLD: "1", GUARD_MIN_FLIP_S: String(minFlipMs / 1000) }),
    );
    await waitFor(() => flips(node.state.events).length >= 3, 20 * minFlipMs, "three transitions");
    guard.child.kill("SIGTERM");
    await guard.exited;

    const events = node.state.events;
    const transitions = flips(events) as { kind: string; at: number }[];
    // Health changed on every probe, yet transitions stay at least GUARD_MIN_FLIP_S apart (small
    // slack for the curl that reports each one). A slow machine only makes the gaps longer.
    for (let i = 1; i < transitions.length; i++) {
      const gap = (transitions[i]?.at ?? 0) - (transitions[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(minFlipMs - 50);
    }
    expect(transitions.map((t) => t.kind)).toEqual(transitions.map((_, i) => (i % 2 === 0 ? "stop" : "start")));
    // The gaps come from holding, not from a lack of chances: between two transitions there was a
    // probe that asked for the next one (threshold 1) and did not get it. Counted in events, so a
    // slow machine that probes less often still proves it.
    const positions = events.flatMap((e, i) => (e.kind === "probe" ? [] : [i]));
    for (let t = 1; t < positions.length; t++) {
      const between = events.slice((positions[t - 1] as number) + 1, (positions[t] as number) - 1);
      const wanted = transitions[t]?.kind === "start";
      const held = between.filter((e) => e.kind === "probe" && e.healthy === wanted);
      expect(held.length, `probes that asked for transition ${t + 1} before it happened`).toBeGreaterThan(0);
    }
    expect(guard.output()).toContain("holding: last flip was");
    // One alert per transition; the last one may still be in flight when the guard has exited.
    await waitFor(() => hook.bodies.length === transitions.length, 30_000, "one alert per transition");
  });

  /** Mean time between the guard's probes on this machine right now (healthy node, 0.1 s interval). */
  async function measureProbePeriodMs(): Promise<number> {
    const probes = 6;
    const calibration = startScript(GUARD, env());
    try {
      await waitFor(() => node.state.probes >= 1, 30_000, "first calibration probe");
      const first = performance.now();
      const before = node.state.probes;
      await waitFor(() => node.state.probes >= before + probes, 60_000, "calibration probes");
      return (performance.now() - first) / probes;
    } finally {
      calibration.child.kill("SIGTERM");
      await calibration.exited;
      node.state.probes = 0;
    }
  }

  it("logs a failed stop command and retries it on the next tick", async () => {
    const marker = path.join(dir, "stop-attempted");
    const record = path.join(dir, "connector.log");
    // Fails the first time, succeeds afterwards.
    const stopCmd = `if [ -e ${marker} ]; then echo stop >> ${record}; else touch ${marker}; exit 3; fi`;
    node.state.mode = "fail";
    guard = startScript(GUARD, env({ GUARD_FAIL_THRESHOLD: "2", GUARD_STOP_CMD: stopCmd }));
    await waitFor(() => guard?.output().includes("connector stopped") ?? false, 30_000, "connector stopped");

    expect(guard.output()).toMatch(/failed \(exit 3\); retrying on the next tick/);
    expect(await readFile(record, "utf8")).toBe("stop\n");
    await waitFor(() => hook.bodies.length === 1, 30_000, "one alert");
  });

  it("exits cleanly and promptly on SIGTERM, even in the middle of a long interval", async () => {
    const port = await freePort();
    guard = startScript(GUARD, env({ GUARD_HEALTH_URL: `http://127.0.0.1:${port}/health`, GUARD_INTERVAL_S: "30" }));
    await waitFor(() => guard?.output().includes("watching") ?? false, 30_000, "guard started");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = Date.now();
    guard.child.kill("SIGTERM");
    const { code } = await guard.exited;
    expect(code).toBe(0);
    // Well before the 30 s sleep it was in would have ended: the signal cut the sleep short.
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(guard.output()).toContain("received SIGTERM, exiting");
  });

  it("reads the connector's real state at start: a guard restarted while it is stopped starts it after M successes", async () => {
    // rotate-secrets.md restarts the guard; it may have had the connector stopped at that moment.
    node.state.unit = "inactive";
    guard = startScript(GUARD, env({ GUARD_RECOVER_THRESHOLD: "3" }));
    await waitFor(() => flips(node.state.events).length === 1, 30_000, "connector started");
    const events = node.state.events;
    const startAt = events.findIndex((e) => e.kind === "start");
    expect(flips(events).map((e) => e.kind)).toEqual(["start"]);
    expect(streakBefore(events, startAt, true)).toBe(3);
    expect(guard.output()).toContain("connector is stopped");
    await waitFor(() => hook.bodies.length === 1, 30_000, "one alert");
    expect(hook.bodies[0]).toEqual(expect.objectContaining({ event: "connector_started" }));
  });

  it("follows a connector stopped behind its back and starts it again once the API is healthy", async () => {
    guard = startScript(GUARD, env({ GUARD_RECOVER_THRESHOLD: "2" }));
    await waitFor(() => node.state.probes >= 2, 30_000, "guard probing");
    node.state.unit = "failed"; // cloudflared crashed, or an operator stopped it
    await waitFor(() => flips(node.state.events).length === 1, 30_000, "connector started");
    expect(flips(node.state.events)[0]?.kind).toBe("start");
    expect(guard.output()).toContain("connector is stopped (was running)");
  });

  it("never stops the last serving connector: it keeps it and alerts connector_kept once", async () => {
    node.state.peerServing = false;
    node.state.mode = "fail";
    guard = startScript(GUARD, env({ GUARD_FAIL_THRESHOLD: "2" }));
    await waitFor(() => hook.bodies.length === 1, 30_000, "connector_kept alert");
    const probesAtAlert = node.state.probes;
    // Many more failing probes: still no stop, and no second alert for the same episode.
    await waitFor(() => node.state.probes >= probesAtAlert + 10, 60_000, "ten more probes");
    expect(flips(node.state.events)).toEqual([]);
    expect(hook.bodies).toEqual([expect.objectContaining({ event: "connector_kept", node: "node-under-test" })]);
    expect(guard.output()).toMatch(
      /connector kept: health failed 2 times in a row \(HTTP 503\), but no other node is serving/,
    );
    // Once another node serves again, the unhealthy connector is stopped.
    node.state.peerServing = true;
    await waitFor(() => flips(node.state.events).length === 1, 30_000, "connector stopped");
    expect(flips(node.state.events)[0]?.kind).toBe("stop");
  });

  it("starts its stopped connector at once when no other node is serving, even while unhealthy, and keeps it", async () => {
    node.state.mode = "fail";
    guard = startScript(GUARD, env({ GUARD_FAIL_THRESHOLD: "2" }));
    await waitFor(() => flips(node.state.events).length === 1, 30_000, "connector stopped");
    // The other node goes down too (or stopped in the same instant): this node rescues at once,
    // without waiting GUARD_MIN_FLIP_S, and does not stop again while its health stays bad.
    node.state.peerServing = false;
    await waitFor(() => flips(node.state.events).length === 2, 30_000, "connector started again");
    node.state.peerServing = true;
    const probesAtRescue = node.state.probes;
    await waitFor(() => node.state.probes >= probesAtRescue + 8, 60_000, "eight more failing probes");
    expect(flips(node.state.events).map((e) => e.kind)).toEqual(["stop", "start"]);
    expect(guard.output()).toContain("connector running: no other node is serving: starting the last connector");
    // Recovered and failing anew: now it may be stopped again.
    node.state.mode = "ok";
    await waitFor(() => node.state.probes >= probesAtRescue + 12, 60_000, "healthy probes");
    node.state.mode = "fail";
    await waitFor(() => flips(node.state.events).length === 3, 30_000, "connector stopped again");
  });

  it("checks peers through GUARD_PEERS and GUARD_PEER_URL, and never stops without any peer", async () => {
    const peerUrl = `http://{PEER}/peer`;
    node.state.mode = "fail";
    guard = startScript(
      GUARD,
      env({ GUARD_PEER_CMD: "", GUARD_PEERS: "", GUARD_PEER_URL: peerUrl, GUARD_FAIL_THRESHOLD: "2" }),
    );
    await waitFor(() => hook.bodies.length === 1, 30_000, "connector_kept without peers");
    expect(guard.output()).toContain("no GUARD_PEERS: no other node can be proven serving");
    expect(node.state.peerChecks).toBe(0);
    guard.child.kill("SIGTERM");
    await guard.exited;

    // An unreachable peer first, then one that answers: either serving is enough.
    const deadPort = await freePort();
    guard = startScript(
      GUARD,
      env({
        GUARD_PEER_CMD: "",
        GUARD_PEERS: `127.0.0.1:${deadPort} 127.0.0.1:${node.port}`,
        GUARD_PEER_URL: peerUrl,
        GUARD_FAIL_THRESHOLD: "2",
      }),
    );
    await waitFor(() => flips(node.state.events).length === 1, 30_000, "connector stopped");
    expect(node.state.peerChecks).toBeGreaterThan(0);
  });

  it("refuses a malformed threshold with a clear message", async () => {
    await writeFile(path.join(dir, "unused"), "");
    guard = startScript(GUARD, env({ GUARD_FAIL_THRESHOLD: "0" }));
    const { code } = await guard.exited;
    expect(code).toBe(2);
    expect(guard.output()).toContain("GUARD_FAIL_THRESHOLD must be a whole number >= 1");
  });
});
