import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, data is kept. */
  pause(): void;
  resume(): void;
}

const INSTALL_HINT =
  "redis-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install -y redis-server`, macOS: `brew install redis`) or set REDIS_URL to a running server.";

/** Throws with an install hint when the `redis-server` binary is missing. */
export function assertRedisInstalled(): void {
  const probe = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) throw new Error(INSTALL_HINT);
}

/**
 * Starts a throwaway `redis-server` on the given port and waits until it answers. No persistence,
 * unless `dataDir` is given: then every write is in an append-only file there (fsync always), and a
 * stop (SIGKILL) and start keep the data, as a production Redis restarting with its data would.
 */
export async function startRedis(
  port: number,
  password?: string,
  options: { dataDir?: string } = {},
): Promise<RedisServer> {
  assertRedisInstalled();
  let child: ChildProcess | undefined;
  const persistence = options.dataDir
    ? ["--dir", options.dataDir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""]
    : ["--save", "", "--appendonly", "no"];
  const args = ["--port", String(port), "--bind", "127.0.0.1", ...persistence];
  if (password) args.push("--requirepass", password);

  const start = async () => {
    child = spawn("redis-server", args, { stdio: "ignore" });
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGKILL");
    });
  };
  await start();
  const auth = password ? `:${encodeURIComponent(password)}@` : "";
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    start,
    stop,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
  };
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing is listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}
