import path from "node:path";
import { freePort } from "../lib/free-port.ts";
import { waitForPort } from "../lib/redis-server.ts";
import { type ApiProcess, apiProcess, REPO_ROOT } from "./api-process.ts";
import { spawnTracked, type TrackedChild } from "./child-processes.ts";

const GUARD_SCRIPT = path.join(REPO_ROOT, "cloudflared", "tunnel-guard.sh");
const CONNECTOR_SCRIPT = path.join(REPO_ROOT, "scripts", "drills", "connector-stand-in.ts");

/** Tunnel guard settings for the drills: production's logic, faster clock. */
export interface GuardSettings {
  intervalS: number;
  failThreshold: number;
  recoverThreshold: number;
  minFlipS: number;
  healthTimeoutS: number;
}

export interface NodeOptions {
  n: number;
  apiEnv: Record<string, string>;
  guard: GuardSettings;
  /** cloudflared --grace-period: how long a stopping connector lets in-flight requests finish. */
  connectorGraceMs: number;
  /** How long a stopping connector stays reachable after unregistering (> the edge's check period). */
  connectorUnregisterMs: number;
  alertWebhookUrl: string;
  /** Answers 200 while some other node's connector is serving (the guard's peer check). */
  peerServingUrl: string;
  /** This node's GUARD_STOP_DELAY_S: each node its own, so two failing nodes never stop together. */
  stopDelayS: number;
}

/**
 * One app node in miniature: the built API, a connector stand-in in front of it, and the real
 * tunnel guard whose stop/start commands drive that connector (production: `systemctl`).
 */
export interface DrillNode {
  n: number;
  name: string;
  api: ApiProcess;
  connectorPort: number;
  presencePort: number;
  connectorControlUrl: string;
  startGuard(): void;
  stopGuard(): Promise<void>;
  guardOutput(): string;
  connectorReady(): Promise<boolean>;
  /** `systemctl stop tunnel-guard cloudflared`: the guard first, so it cannot restart the connector. */
  stopServices(): Promise<void>;
  /** `systemctl start cloudflared tunnel-guard`. */
  startServices(): Promise<void>;
  stopAll(): Promise<void>;
}

async function post(url: string): Promise<void> {
  const response = await fetch(url, { method: "POST", signal: AbortSignal.timeout(20_000) });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

export async function startDrillNode(options: NodeOptions): Promise<DrillNode> {
  const name = `node${options.n}`;
  const [apiPort, connectorPort, presencePort, controlPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const api = apiProcess({ name: `api-${name}`, port: apiPort, env: options.apiEnv });
  await api.start();

  const connectorControlUrl = `http://127.0.0.1:${controlPort}`;
  const connector = spawnTracked(`connector-${name}`, process.execPath, [CONNECTOR_SCRIPT], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      CONNECTOR_NAME: name,
      CONNECTOR_LISTEN_PORT: String(connectorPort),
      CONNECTOR_PRESENCE_PORT: String(presencePort),
      CONNECTOR_CONTROL_PORT: String(controlPort),
      CONNECTOR_TARGET_PORT: String(apiPort),
      CONNECTOR_GRACE_MS: String(options.connectorGraceMs),
      CONNECTOR_UNREGISTER_MS: String(options.connectorUnregisterMs),
    },
  });
  await waitForPort(presencePort, 10_000).catch((error: Error) => {
    throw new Error(`${error.message}\nconnector-${name} output:\n${connector.output()}`);
  });

  const curlPost = (action: string) => `curl -fsS -o /dev/null --max-time 20 -X POST ${connectorControlUrl}/${action}`;
  const guardEnv = {
    ...process.env,
    GUARD_HEALTH_URL: `http://127.0.0.1:${apiPort}/health`,
    GUARD_HEALTH_TIMEOUT_S: String(options.guard.healthTimeoutS),
    GUARD_INTERVAL_S: String(options.guard.intervalS),
    GUARD_FAIL_THRESHOLD: String(options.guard.failThreshold),
    GUARD_RECOVER_THRESHOLD: String(options.guard.recoverThreshold),
    GUARD_MIN_FLIP_S: String(options.guard.minFlipS),
    GUARD_STOP_DELAY_S: String(options.stopDelayS),
    GUARD_STOP_CMD: curlPost("stop"),
    GUARD_START_CMD: curlPost("start"),
    GUARD_STATE_CMD: `curl -fsS --max-time 5 ${connectorControlUrl}/state`,
    GUARD_PEER_CMD: `curl -fsS -o /dev/null --max-time ${options.guard.healthTimeoutS} ${options.peerServingUrl}`,
    GUARD_NODE_NAME: name,
    ALERT_WEBHOOK_URL: options.alertWebhookUrl,
  };
  let guard: TrackedChild | undefined;
  const guardLog: string[] = [];
  const startGuard = () => {
    if (guard?.isRunning()) return;
    guard = spawnTracked(`guard-${name}`, "bash", [GUARD_SCRIPT], { cwd: REPO_ROOT, env: guardEnv });
  };
  const stopGuard = async () => {
    if (!guard) return;
    await guard.stop("SIGTERM");
    guardLog.push(guard.output());
    guard = undefined;
  };
  startGuard();

  const connectorReady = async () => {
    try {
      return (await fetch(`${connectorControlUrl}/ready`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  };

  return {
    n: options.n,
    name,
    api,
    connectorPort,
    presencePort,
    connectorControlUrl,
    startGuard,
    stopGuard,
    guardOutput: () => guardLog.join("") + (guard?.output() ?? ""),
    connectorReady,
    stopServices: async () => {
      await stopGuard();
      await post(`${connectorControlUrl}/stop`);
    },
    startServices: async () => {
      await post(`${connectorControlUrl}/start`);
      startGuard();
    },
    stopAll: async () => {
      await stopGuard();
      await connector.stop("SIGKILL");
      await api.kill();
    },
  };
}
