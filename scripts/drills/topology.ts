import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort } from "../lib/free-port.ts";
import { type PostgresServer, startPostgres } from "../lib/postgres-server.ts";
import { type RedisServer, startRedis } from "../lib/redis-server.ts";
import { ensureBackendBuild } from "./api-process.ts";
import { stopAllTracked, type TrackedChild } from "./child-processes.ts";
import { type ControlServer, startControlServer } from "./control-server.ts";
import { type DrillNode, type GuardSettings, startDrillNode } from "./drill-node.ts";
import { assertHaproxyInstalled, EDGE_CHECK_INTERVAL_MS, startHaproxy } from "./edge-haproxy.ts";

/** Guard clock for the drills: 4 probes a second, pulled after 2 failures, re-added after 3 successes. */
export const GUARD: GuardSettings = {
  intervalS: 0.25,
  failThreshold: 2,
  recoverThreshold: 3,
  minFlipS: 1,
  healthTimeoutS: 0.5,
};

/** GUARD_STOP_DELAY_S of node N is (N - 1) × this: node 1 stops at once, node 2 checks again first. */
export const STOP_DELAY_STEP_S = 0.5;

/** How long /health says `draining` after SIGTERM: longer than the guard needs to notice. */
export const DRAIN_DELAY_MS = 1500;

/**
 * Time from node 1's API dying to the edge no longer choosing its connector: guard detection (its
 * stop delay is 0; the peer checks are loopback curls, inside the drills' margin) + edge check.
 */
export const DETECTION_WINDOW_MS = GUARD.intervalS * 1000 * GUARD.failThreshold + EDGE_CHECK_INTERVAL_MS;

export interface Topology {
  edgeUrl: string;
  nodes: DrillNode[];
  postgres: PostgresServer;
  redis: RedisServer;
  databaseUrl: string;
  control: ControlServer;
  haproxy: TrackedChild;
  /** Every process's recent output, for a failing assertion's message. */
  diagnostics(): string;
  stop(): Promise<void>;
}

/**
 * The production topology in miniature on loopback: Postgres + Redis (the data node), two app nodes
 * (API + connector stand-in + tunnel guard), HAProxy as the Cloudflare edge in front of the connectors.
 */
export async function startTopology(): Promise<Topology> {
  // Before anything starts: a missing haproxy fails the drills with an install hint.
  assertHaproxyInstalled();
  ensureBackendBuild();
  const dir = await mkdtemp(path.join(tmpdir(), "drills-"));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    await stopAllTracked();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const pg = await startPostgres({ dataDir: path.join(dir, "postgres"), port: await freePort(), ephemeral: true });
    cleanups.push(() => pg.stop());
    const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe("create database drills");
    await admin.end();
    const redis = await startRedis(await freePort());
    cleanups.push(() => redis.stop());

    const nodes: DrillNode[] = [];
    const control = await startControlServer(() => nodes);
    cleanups.push(() => control.close());
    const databaseUrl = pg.urlFor("drills");
    const apiEnv = {
      APP_ENV: "test",
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: "drills:",
      LOG_LEVEL: "warn",
      TRUST_PROXY: "cloudflare",
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
      SHUTDOWN_TIMEOUT_MS: "10000",
      APP_VERSION: "drill-initial",
    };
    // One after the other: the first node applies the migrations at boot (APP_ENV=test).
    for (const n of [1, 2]) {
      nodes.push(
        await startDrillNode({
          n,
          apiEnv,
          guard: GUARD,
          connectorGraceMs: 5_000,
          connectorUnregisterMs: 3 * EDGE_CHECK_INTERVAL_MS,
          alertWebhookUrl: `${control.url}/alerts`,
          peerServingUrl: `${control.url}/nodes/${n}/peer-serving`,
          stopDelayS: (n - 1) * STOP_DELAY_STEP_S,
        }),
      );
    }
    const edgePort = await freePort();
    const haproxy = await startHaproxy(
      dir,
      edgePort,
      nodes.map((node) => ({ name: node.name, port: node.connectorPort, presencePort: node.presencePort })),
    );
    const diagnostics = () =>
      [
        ...nodes.flatMap((node) => [
          `--- api-${node.name}\n${node.api.process().output().slice(-3000)}`,
          `--- guard-${node.name}\n${node.guardOutput().slice(-3000)}`,
        ]),
        `--- haproxy\n${haproxy.output().slice(-3000)}`,
      ].join("\n");
    return {
      edgeUrl: `http://127.0.0.1:${edgePort}`,
      nodes,
      postgres: pg,
      redis,
      databaseUrl,
      control,
      haproxy,
      diagnostics,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
