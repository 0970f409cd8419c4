import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { waitForPort } from "../lib/redis-server.ts";
import { spawnTracked, type TrackedChild } from "./child-processes.ts";

const INSTALL_HINT =
  "haproxy was not found on PATH; the drills need it as the edge stand-in. " +
  "Install it (Debian/Ubuntu: `apt-get install -y haproxy`, macOS: `brew install haproxy`).";

/** Throws with an install hint when `haproxy` is missing: the drills fail, never skip. */
export function assertHaproxyInstalled(): void {
  const probe = spawnSync("haproxy", ["-v"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) throw new Error(INSTALL_HINT);
}

export interface EdgeServer {
  name: string;
  /** Where requests go: the connector's listen port. */
  port: number;
  /** What the edge checks: the connector's presence port (its tunnel registration). */
  presencePort: number;
}

/** Header naming the connector that answered, added by the edge so the drills can tell nodes apart. */
export const CONNECTOR_HEADER = "x-drill-connector";

/** Health-check period of the edge; part of the failover window the drills report. */
export const EDGE_CHECK_INTERVAL_MS = 200;

/**
 * HAProxy playing Cloudflare's edge in front of tunnel replicas: it routes by connector presence
 * only (a TCP check, never the app's health) and picks another connector only when the connection
 * itself fails (`retry-on conn-failure`), never for a request that got an answer, 502 included.
 */
export function haproxyConfig(listenPort: number, servers: EdgeServer[]): string {
  const lines = [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 1s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  timeout check 1s",
    // A refused connection is retried at once on the other connector (redispatch on every retry).
    "  retries 2",
    "  option redispatch 1",
    "  retry-on conn-failure",
    // One request per connector connection, as each tunnel request is its own stream: a stopped
    // connector then has no idle keep-alive connection the edge could still reuse.
    "  option http-server-close",
    "frontend edge",
    `  bind 127.0.0.1:${listenPort}`,
    "  default_backend connectors",
    "backend connectors",
    "  balance roundrobin",
    `  http-response set-header ${CONNECTOR_HEADER} %[srv_name]`,
    ...servers.map(
      (s) =>
        `  server ${s.name} 127.0.0.1:${s.port} check port ${s.presencePort} inter ${EDGE_CHECK_INTERVAL_MS}ms fall 1 rise 1`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** Writes the config into `dir` and runs HAProxy in the foreground on the listen port. */
export async function startHaproxy(dir: string, listenPort: number, servers: EdgeServer[]): Promise<TrackedChild> {
  assertHaproxyInstalled();
  const file = path.join(dir, "haproxy.cfg");
  await writeFile(file, haproxyConfig(listenPort, servers));
  const check = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`invalid haproxy config:\n${check.stdout}${check.stderr}`);
  const child = spawnTracked("haproxy", "haproxy", ["-db", "-f", file]);
  await waitForPort(listenPort, 10_000);
  return child;
}
