// Drills of the tunnel guard's and the deploy scripts' safety rules on the drill topology (see
// drills.test.ts and docs/runbooks/drills.md): never zero connectors while both nodes stall, a guard
// restarted with its connector stopped brings the node back, a rollback under load, and no drain
// of the last serving node. Each prints `drill <name>: sent=N failed=N p99=Xms recovery=Yms`.
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployTransport } from "../drills/deploy-transport.ts";
import { meRequests, signedInUsers } from "../drills/drill-clients.ts";
import { isFailure, report, sleep, statusCounts, summarize, waitUntil } from "../drills/drill-report.ts";
import { guardSlowdown, measureGuardTickMs } from "../drills/guard-clock.ts";
import { runLoad } from "../drills/load.ts";
import { allServing, apiHealth } from "../drills/serving.ts";
import { GUARD, startTopology, type Topology } from "../drills/topology.ts";
import { REPO_ROOT, runScript } from "./support/script-runner.ts";

const RATE = 100;
const USERS = 20;
// How long both APIs stall: several times the guards' detection, so each has decided.
const STALL_MS = 4_000;
const MARGIN_MS = 1_000;

let topology: Topology;
let tokens: string[];

beforeAll(async () => {
  topology = await startTopology();
  tokens = await signedInUsers(topology.edgeUrl, USERS);
});

afterAll(async () => {
  await topology?.stop();
});

const alertsSince = (index: number) => topology.control.alerts.slice(index).map((a) => `${a.node} ${a.event}`);

/** stress-ng --cpu N in the background, or a failure with an install hint (drills never skip). */
function startStressNg(seconds: number) {
  const child = spawn("stress-ng", ["--cpu", "2", "--timeout", `${seconds}s`, "--quiet"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve, reject) => {
    child.once("error", () =>
      reject(new Error("stress-ng was not found: apt-get install -y stress-ng (pnpm test:setup installs it)")),
    );
    child.once("exit", () => resolve());
  });
  return {
    exited,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

describe("failover drills", () => {
  it("keeps at least one connector registered while both nodes' APIs stall on saturated CPUs, and alerts", async () => {
    await allServing(topology);
    const [node1, node2] = topology.nodes;
    if (!node1 || !node2) throw new Error("two nodes expected");
    const alertsBefore = topology.control.alerts.length;
    const stress = startStressNg(Math.ceil((STALL_MS + 15_000) / 1000));
    // Every 25 ms: how many connectors the edge could use (cloudflared /ready of each).
    const readiness: { at: number; ready: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ready = await Promise.all(topology.nodes.map((node) => node.connectorReady()));
        readiness.push({ at: Date.now(), ready: ready.filter(Boolean).length });
        await sleep(25);
      }
    })();
    let stalledAt = 0;
    let resumedAt = 0;
    try {
      await sleep(1_000);
      // The extreme of a saturated node: its API answers nothing at all (SIGSTOP), on both nodes at once.
      stalledAt = Date.now();
      for (const node of topology.nodes) node.api.process().child.kill("SIGSTOP");
      await sleep(STALL_MS);
    } finally {
      for (const node of topology.nodes) node.api.process().child.kill("SIGCONT");
      resumedAt = Date.now();
    }
    await waitUntil(
      async () => (await Promise.all(topology.nodes.map((node) => node.connectorReady()))).every(Boolean),
      30_000,
      "both connectors back once the APIs answer again",
    );
    sampling = false;
    await sampler;
    await stress.stop();

    const during = readiness.filter((s) => s.at >= stalledAt && s.at <= resumedAt);
    const alerts = alertsSince(alertsBefore);
    const stopped = alerts.filter((a) => a.endsWith("connector_stopped"));
    report(
      "both-saturated",
      { sent: readiness.length, failed: during.filter((s) => s.ready === 0).length, p99Ms: 0, recoveryMs: 0 },
      `stress-ng --cpu 2 + both APIs stopped for ${resumedAt - stalledAt} ms; ${during.length} readiness samples, ` +
        `fewest connectors ready at once ${Math.min(...during.map((s) => s.ready))}; alerts ${JSON.stringify(alerts)}`,
    );

    expect(during.length).toBeGreaterThan(20);
    expect(
      during.filter((s) => s.ready === 0),
      topology.diagnostics(),
    ).toEqual([]);
    // One node stepped aside, the other kept the last connector and said so.
    expect(stopped).toHaveLength(1);
    expect(alerts.filter((a) => a.endsWith("connector_kept"))).toHaveLength(1);
    expect(alerts.find((a) => a.endsWith("connector_kept"))?.split(" ")[0]).not.toBe(stopped[0]?.split(" ")[0]);
  });

  it("brings a node back within the recovery threshold when its guard restarts while the connector is stopped", async () => {
    await allServing(topology);
    const [node1] = topology.nodes;
    if (!node1) throw new Error("no node 1");
    const alertsBefore = topology.control.alerts.length;
    let guardStartedAt = 0;
    let readyAt = 0;
    let slowdown = 1;
    const scenario = (async () => {
      await sleep(1_000);
      // `systemctl stop tunnel-guard cloudflared`, then `systemctl start tunnel-guard` alone, as the
      // secret-rotation runbook's guard restart could leave it.
      await node1.stopServices();
      await sleep(1_000);
      slowdown = guardSlowdown(
        await measureGuardTickMs(
          { health: `http://127.0.0.1:${node1.api.port}/health`, connectorState: `${node1.connectorControlUrl}/state` },
          GUARD,
        ),
        GUARD.intervalS,
      );
      guardStartedAt = Date.now();
      node1.startGuard();
      await waitUntil(() => node1.connectorReady(), 20_000, "the restarted guard to start node 1's connector");
      readyAt = Date.now();
    })();
    const samples = await runLoad({
      url: topology.edgeUrl,
      rate: RATE,
      maxDurationMs: 30_000,
      next: meRequests(tokens),
      until: scenario,
      tailMs: 1_000,
    });
    await scenario;
    // The guard reads the state, then needs GUARD_RECOVER_THRESHOLD healthy probes: that many ticks
    // (at this run's guard clock) plus the guard's start-up and the start command.
    const boundMs = Math.round(GUARD.recoverThreshold * GUARD.intervalS * 1000 * slowdown + MARGIN_MS);
    const summary = report(
      "guard-restart",
      summarize(samples, readyAt - guardStartedAt),
      `connector stopped, guard restarted: node 1 serving again ${readyAt - guardStartedAt} ms later ` +
        `(bound ${boundMs} ms = ${GUARD.recoverThreshold} x ${GUARD.intervalS}s x${slowdown.toFixed(2)} + ${MARGIN_MS} ms); ` +
        `statuses ${JSON.stringify(statusCounts(samples))}`,
    );

    expect(readyAt - guardStartedAt, node1.guardOutput()).toBeLessThanOrEqual(boundMs);
    expect(node1.guardOutput()).toContain("connector is stopped");
    expect(alertsSince(alertsBefore)).toEqual(["node1 connector_started"]);
    expect(summary.failed, JSON.stringify(statusCounts(samples))).toBe(0);
  });

  it("refuses deploy-rolling.sh --nodes 1 while node 2 is down, draining nothing", async () => {
    await allServing(topology);
    const [node1, node2] = topology.nodes;
    if (!node1 || !node2) throw new Error("two nodes expected");
    await node2.stopServices(); // node 2 out of the tunnel (its guard too, as if the node were gone)
    let result: Awaited<ReturnType<typeof runScript>> | undefined;
    const deploy = (async () => {
      await sleep(1_000);
      result = await runScript("scripts/deploy-rolling.sh", ["--ref", "HEAD", "--nodes", "1"], {
        env: deployTransport(topology),
      });
    })();
    const samples = await runLoad({
      url: topology.edgeUrl,
      rate: RATE,
      maxDurationMs: 20_000,
      next: meRequests(tokens),
      until: deploy,
      tailMs: 1_000,
    });
    await deploy;
    const stillServing = await node1.connectorReady();
    await node2.startServices();
    const summary = report(
      "nodes-1-refused",
      summarize(samples, 0),
      `exit ${result?.code}; node 1 connector ready afterwards: ${stillServing}; statuses ${JSON.stringify(statusCounts(samples))}`,
    );

    expect(result?.code).toBe(1);
    expect(result?.stderr).toContain("ABORTED: [node 1] refusing to drain: no other production node is serving");
    expect(result?.stderr).not.toContain("stop connector");
    expect(stillServing).toBe(true);
    expect(summary.failed).toBe(0);
    expect(samples.every((s) => s.connector === "node1")).toBe(true);
  });

  it("rolls back with scripts/rollback.sh under load: no failed request, /health reports the old version", async () => {
    await allServing(topology);
    // A repository of its own with the release to leave and the one to go back to.
    const repo = await mkdtemp(path.join(tmpdir(), "drill-rollback-"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=drill", "-c", "user.email=drill@example.com", ...args], {
        cwd: repo,
        encoding: "utf8",
      }).trim();
    git("init", "-q", "-b", "main");
    await writeFile(path.join(repo, "release"), "good\n");
    git("add", "-A");
    git("commit", "-qm", "good release");
    const good = git("rev-parse", "HEAD");
    await writeFile(path.join(repo, "release"), "bad\n");
    git("commit", "-qam", "bad release");
    const bad = git("rev-parse", "HEAD");
    const env = deployTransport(topology);
    const deployBad = await runScript(path.join(REPO_ROOT, "scripts/deploy-rolling.sh"), ["--ref", bad], {
      cwd: repo,
      env,
      timeoutMs: 90_000,
    });
    expect(deployBad.code, deployBad.stderr).toBe(0);

    let rollback: Awaited<ReturnType<typeof runScript>> | undefined;
    let startedAt = 0;
    let endedAt = 0;
    const scenario = (async () => {
      await sleep(2_000);
      startedAt = Date.now();
      rollback = await runScript(path.join(REPO_ROOT, "scripts/rollback.sh"), ["--to", good], {
        cwd: repo,
        env,
        timeoutMs: 90_000,
      });
      endedAt = Date.now();
    })();
    const samples = await runLoad({
      url: topology.edgeUrl,
      rate: RATE,
      maxDurationMs: 95_000,
      next: meRequests(tokens),
      until: scenario,
      tailMs: 2_000,
    });
    await scenario;
    await rm(repo, { recursive: true, force: true });
    const versions = await Promise.all(
      topology.nodes.map(async (node) => (await apiHealth(node.api.port)).body.version),
    );
    const summary = report(
      "rollback",
      summarize(samples, endedAt - startedAt),
      `rollback ${bad.slice(0, 8)} -> ${good.slice(0, 8)} took ${endedAt - startedAt} ms; versions after ${JSON.stringify(versions)}; ` +
        `statuses ${JSON.stringify(statusCounts(samples))}`,
    );

    expect(rollback?.code, `${rollback?.stderr}\n${topology.diagnostics()}`).toBe(0);
    expect(rollback?.stderr).toContain(`rolling back from ${bad} to ${good}, undoing 1 commit(s)`);
    expect(versions).toEqual([good, good]);
    expect(summary.sent).toBeGreaterThan(RATE * 5);
    expect(summary.failed, JSON.stringify(statusCounts(samples.filter(isFailure)))).toBe(0);
  });
});
