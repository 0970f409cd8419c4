// The drills: the production topology in miniature on loopback (two nodes = built API + connector
// stand-in + the real tunnel guard, HAProxy as the Cloudflare edge, Postgres and Redis), under a
// bounded fixed-rate load. Each prints `drill <name>: sent=N failed=N p99=Xms recovery=Yms`.
// Topology and figures: docs/runbooks/drills.md.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployTransport } from "../drills/deploy-transport.ts";
import { meRequests, signedInUsers, signUpRequest } from "../drills/drill-clients.ts";
import { isFailure, report, sleep, statusCounts, summarize, waitUntil } from "../drills/drill-report.ts";
import { EDGE_CHECK_INTERVAL_MS } from "../drills/edge-haproxy.ts";
import { guardSlowdown, measureGuardTickMs } from "../drills/guard-clock.ts";
import { runLoad, type Sample } from "../drills/load.ts";
import { allServing, apiHealth } from "../drills/serving.ts";
import { DETECTION_WINDOW_MS, GUARD, startTopology, type Topology } from "../drills/topology.ts";
import { runScript } from "./support/script-runner.ts";

const RATE = 150; // requests per second through the edge: modest for a 2-core machine
const SIGN_UP_RATE = 10; // sign-ups hash a password (scrypt): CPU-bound
const USERS = 20; // authenticated requests are limited to 600/min per user
// Scheduling slack on top of the detection window: bash/curl forks of the guard and the load
// generator sharing two cores with seven other processes. Both are scaled by the guard's measured
// slowdown in the drill itself (guard-clock.ts).
const WINDOW_MARGIN_MS = 500;
// The deploy script's own bound on a deploy (DEPLOY_READY_TIMEOUT_S per node, a build each): the
// load lasts as long as the deploy does, however slow the machine, up to this.
const DEPLOY_TIMEOUT_MS = 90_000;

let topology: Topology;
let tokens: string[];

const sentAt = (sample: Sample) => sample.at - sample.latencyMs;

const servedBy = (samples: Sample[], name: string) => samples.filter((s) => s.connector === name && !isFailure(s));

beforeAll(async () => {
  topology = await startTopology();
  tokens = await signedInUsers(topology.edgeUrl, USERS);
});

afterAll(async () => {
  await topology?.stop();
});

describe("drills", () => {
  it("rolls a deploy through scripts/deploy-rolling.sh node by node without failing a single request", async () => {
    await allServing(topology);
    const { nodes } = topology;
    const env = deployTransport(topology);
    const pidsBefore = nodes.map((node) => node.api.process().child.pid);
    let deployStarted = 0;
    let deployEnded = 0;
    const deploy = (async () => {
      await sleep(2_000);
      deployStarted = Date.now();
      const result = await runScript("scripts/deploy-rolling.sh", ["--ref", "HEAD"], {
        env,
        timeoutMs: DEPLOY_TIMEOUT_MS,
      });
      deployEnded = Date.now();
      return result;
    })();

    const samples = await runLoad({
      url: topology.edgeUrl,
      rate: RATE,
      maxDurationMs: DEPLOY_TIMEOUT_MS + 5_000,
      next: meRequests(tokens),
      until: deploy,
      tailMs: 2_000,
    });
    const result = await deploy;
    const summary = report(
      "rolling-deploy",
      summarize(samples, deployEnded - deployStarted),
      `deploy took ${deployEnded - deployStarted} ms; statuses ${JSON.stringify(statusCounts(samples))}; ` +
        `after: node1=${servedBy(samples, "node1").filter((s) => s.at > deployEnded).length} ` +
        `node2=${servedBy(samples, "node2").filter((s) => s.at > deployEnded).length}`,
    );

    expect(result.code, `${result.stderr}\n${topology.diagnostics()}`).toBe(0);
    const sha = result.stderr.match(/deploying ([0-9a-f]{40})/)?.[1];
    for (const node of nodes) expect((await apiHealth(node.api.port)).body.version).toBe(sha);
    expect(nodes.map((node) => node.api.process().child.pid)).not.toEqual(pidsBefore);
    expect(summary.sent).toBeGreaterThan(RATE * 5);
    expect(summary.failed, JSON.stringify(statusCounts(samples))).toBe(0);
    // Both connectors are back in the edge after the deploy.
    expect(servedBy(samples, "node1").filter((s) => s.at > deployEnded).length).toBeGreaterThan(0);
    expect(servedBy(samples, "node2").filter((s) => s.at > deployEnded).length).toBeGreaterThan(0);
  });

  it("pulls a node whose API was killed with SIGKILL within the guard's detection window and re-adds it once restarted", async () => {
    await allServing(topology);
    const [node1] = topology.nodes;
    if (!node1) throw new Error("no node 1");
    const alertsBefore = topology.control.alerts.length;
    let killedAt = 0;
    let restartedAt = 0;
    let readdedAt = 0;
    let slowdown = 1;
    const scenario = (async () => {
      await sleep(1_000);
      // Under the drill's own load, right before the kill: how slow the guard's clock runs now.
      slowdown = guardSlowdown(
        await measureGuardTickMs(
          { health: `http://127.0.0.1:${node1.api.port}/health`, connectorState: `${node1.connectorControlUrl}/state` },
          GUARD,
        ),
        GUARD.intervalS,
      );
      killedAt = Date.now();
      await node1.api.kill();
      await sleep(5_000);
      restartedAt = Date.now();
      await node1.api.start();
      await waitUntil(() => node1.connectorReady(), 15_000, "the guard to start node 1's connector");
      readdedAt = Date.now();
    })();

    const samples = await runLoad({
      url: topology.edgeUrl,
      rate: RATE,
      maxDurationMs: 30_000,
      next: meRequests(tokens),
      until: scenario,
      tailMs: 3_000,
    });
    await scenario;
    const failures = samples.filter(isFailure);
    const lastFailureAt = failures.at(-1)?.at ?? killedAt;
    const windowMs = Math.round((DETECTION_WINDOW_MS + WINDOW_MARGIN_MS) * slowdown);
    const windowEnd = killedAt + windowMs;
    const afterWindow = samples.filter((s) => s.at > windowEnd && s.at < restartedAt);
    const summary = report(
      "kill-9",
      summarize(samples, lastFailureAt - killedAt),
      `detection window ${DETECTION_WINDOW_MS} ms (guard ${GUARD.intervalS}s x ${GUARD.failThreshold} + edge check ` +
        `${EDGE_CHECK_INTERVAL_MS} ms) + ${WINDOW_MARGIN_MS} ms margin, ` +
        `x${slowdown.toFixed(2)} guard slowdown = ${windowMs} ms; failed requests ${failures.length} ` +
        `${JSON.stringify(statusCounts(failures))}, last ${lastFailureAt - killedAt} ms after the kill; ` +
        `node 1 re-added ${readdedAt - restartedAt} ms after its API restarted`,
    );

    // The edge does not steer around a dead app behind a live connector: users see errors...
    expect(summary.failed).toBeGreaterThan(0);
    // ...until the guard pulls the connector, within its detection window (at this run's guard clock).
    expect(lastFailureAt - killedAt, topology.diagnostics()).toBeLessThanOrEqual(windowMs);
    expect(failures.every((s) => s.at >= killedAt)).toBe(true);
    expect(afterWindow.length).toBeGreaterThan(0);
    expect(afterWindow.every((s) => s.connector === "node2" && !isFailure(s))).toBe(true);
    expect(servedBy(samples, "node1").filter((s) => s.at > readdedAt).length).toBeGreaterThan(0);
    const alerts = topology.control.alerts.slice(alertsBefore).map((a) => `${a.node} ${a.event}`);
    expect(alerts).toEqual(["node1 connector_stopped", "node1 connector_started"]);
  });

  it("answers only 503 while Postgres is down, recovers without an API restart and keeps every acknowledged sign-up", async () => {
    await allServing(topology);
    const { nodes } = topology;
    const pidsBefore = nodes.map((node) => node.api.process().child.pid);
    let stoppedAt = 0;
    let startedAt = 0;
    const scenario = (async () => {
      await sleep(3_000);
      stoppedAt = Date.now();
      await topology.postgres.stop();
      await sleep(5_000);
      await topology.postgres.start();
      startedAt = Date.now();
    })();

    const samples = await runLoad({
      url: topology.edgeUrl,
      rate: SIGN_UP_RATE,
      maxDurationMs: 25_000,
      next: () => signUpRequest("write"),
      until: scenario,
      tailMs: 4_000,
      timeoutS: 5,
    });
    await scenario;
    const failures = samples.filter(isFailure);
    const acknowledged = samples.filter((s) => s.status === 200).map((s) => String(s.tag));
    const lastFailureAt = failures.at(-1)?.at ?? startedAt;
    // Recovery counts from when a request was sent: a sign-up sent during the outage may be answered
    // 503 well after Postgres is back (scrypt, a loaded machine); what matters is that requests sent
    // once it is back succeed.
    const lastFailedSendAt = Math.max(startedAt, ...failures.map(sentAt));
    const sql = postgres(topology.databaseUrl, { max: 1, onnotice: () => undefined });
    const rows = await sql<{ email: string }[]>`select email from "user" where email in ${sql(acknowledged)}`;
    await sql.end();
    const summary = report(
      "postgres-restart",
      summarize(samples, Math.max(0, lastFailedSendAt - startedAt)),
      `outage ${startedAt - stoppedAt} ms; statuses ${JSON.stringify(statusCounts(samples))}; ` +
        `acknowledged sign-ups ${acknowledged.length}, rows found ${rows.length}`,
    );

    // Each failure with its time since Postgres stopped, for the assertion messages.
    const timeline = failures.map((s) => `+${s.at - stoppedAt}ms ${s.status} ${s.error ?? ""}`).join("\n");
    expect(failures.length).toBeGreaterThan(0);
    expect(statusCounts(failures), `failures:\n${timeline}\n${topology.diagnostics()}`).toEqual({
      503: failures.length,
    });
    expect(failures.every((s) => s.at >= stoppedAt)).toBe(true);
    expect(summary.recoveryMs).toBeLessThan(5_000);
    expect(samples.filter((s) => s.status === 200 && s.at > lastFailureAt).length).toBeGreaterThan(0);
    expect(nodes.map((node) => node.api.process().child.pid)).toEqual(pidsBefore);
    expect(rows.length).toBe(acknowledged.length);
  });

  it("keeps signed-in users' requests succeeding while Redis is stopped, and serves normally once it returns", async () => {
    await allServing(topology);
    let stoppedAt = 0;
    let restartedAt = 0;
    let readyAgainAt = 0;
    const scenario = (async () => {
      await sleep(3_000);
      stoppedAt = Date.now();
      await topology.redis.stop();
      await sleep(6_000);
      await topology.redis.start();
      restartedAt = Date.now();
      await waitUntil(
        async () => {
          for (const node of topology.nodes) {
            if ((await apiHealth(node.api.port, "/health/ready")).status !== 200) return false;
          }
          return true;
        },
        15_000,
        "both APIs ready with Redis back",
      );
      readyAgainAt = Date.now();
    })();

    const samples = await runLoad({
      url: topology.edgeUrl,
      rate: RATE,
      maxDurationMs: 25_000,
      next: meRequests(tokens),
      until: scenario,
      tailMs: 2_000,
    });
    await scenario;
    const during = samples.filter((s) => s.at > stoppedAt && s.at < restartedAt);
    const summary = report(
      "redis-stop",
      summarize(samples, readyAgainAt - restartedAt),
      `outage ${restartedAt - stoppedAt} ms with ${during.length} requests; ` +
        `statuses ${JSON.stringify(statusCounts(samples))}; both APIs ready ${readyAgainAt - restartedAt} ms after Redis returned`,
    );

    // The outage really carried traffic: at least half of what the load sustained over the whole run
    // (its own throughput, not the nominal rate, which a loaded machine cannot keep up).
    const sustainedPerMs = samples.length / ((samples.at(-1)?.at ?? 0) - (samples[0]?.at ?? 0));
    expect(during.length).toBeGreaterThan(0.5 * sustainedPerMs * (restartedAt - stoppedAt));
    expect(during.length).toBeGreaterThan(USERS);
    expect(summary.failed, topology.diagnostics()).toBe(0);
    expect(samples.filter((s) => s.at > readyAgainAt).length).toBeGreaterThan(0);
  });
});
