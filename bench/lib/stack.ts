import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort } from "../../scripts/lib/free-port.ts";
import { type PostgresServer, startPostgres } from "../../scripts/lib/postgres-server.ts";
import { type RedisServer, startRedis } from "../../scripts/lib/redis-server.ts";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const APP_DB = "coaching_bench";

/** Real Postgres (with pg_stat_statements) and Redis (with a password) on loopback, in a temp dir. */
export interface Infra {
  dir: string;
  postgres: PostgresServer;
  redis: RedisServer;
  appDbUrl: string;
  appDbName: string;
  stop(): Promise<void>;
}

export async function startInfra(): Promise<Infra> {
  const dir = await mkdtemp(path.join(tmpdir(), "coaching-bench-"));
  const pg = await startPostgres({
    dataDir: path.join(dir, "pg"),
    port: await freePort(),
    // fsync off: the bench measures the API process, not this machine's disk.
    ephemeral: true,
    extraFlags: ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=top"],
  });
  const redis = await startRedis(await freePort(), randomBytes(16).toString("hex"));
  const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${APP_DB}`);
  // The view lives in the `postgres` database and reports every database's statements.
  await admin`create extension if not exists pg_stat_statements`;
  await admin.end();
  return {
    dir,
    postgres: pg,
    redis,
    appDbUrl: pg.urlFor(APP_DB),
    appDbName: APP_DB,
    async stop() {
      await Promise.allSettled([redis.stop(), pg.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A production configuration (docs/configuration.md), pointed at the bench's Postgres and Redis. */
export function productionEnv(infra: Infra, port: number): Record<string, string> {
  return {
    APP_ENV: "production",
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: infra.appDbUrl,
    REDIS_URL: infra.redis.url,
    BETTER_AUTH_SECRET: randomBytes(36).toString("base64"),
    BETTER_AUTH_URL: "https://api.bench.example",
    CORS_ORIGIN: "https://app.bench.example",
    S3_ACCESS_KEY_ID: "bench",
    S3_SECRET_ACCESS_KEY: "bench-secret",
    LOG_LEVEL: "info",
    TRUST_PROXY: "cloudflare",
    APP_VERSION: "bench",
    // The image's heap caps (dokku/Dockerfile), unless an experiment passes its own V8 flags.
    NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? productionNodeOptions(),
  };
}

export function runNode(args: string[], env: Record<string, string>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited ${code}:\n${output}`))));
  });
}

/** A server child process: its pid for RSS, its log file, and how long it took to answer /health. */
export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  coldStartMs: number;
  /** CPU time of its main thread when it first answered (see cpuMs); undefined off Linux. */
  coldStartCpuMs: number | undefined;
  logFile: string;
  rssMb(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Spawns `node <script>` and measures cold start: spawn → first `GET /health` 200. stdout/stderr go
 * to a file, as they would to a log driver, so the bench process does not pay for reading them.
 */
export async function startServerProcess(
  script: string,
  env: Record<string, string>,
  logFile: string,
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const port = Number(env.PORT);
  const fd = openSync(logFile, "w");
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", fd, fd, "ipc"],
  });
  closeSync(fd);
  let exited = false;
  child.once("exit", () => (exited = true));
  const deadline = started + 15_000;
  while (!(await healthOk(port))) {
    if (exited || performance.now() > deadline) {
      child.kill("SIGKILL");
      const log = await readFile(logFile, "utf8").catch(() => "");
      throw new Error(`${script} did not answer /health 200 (exited: ${exited}):\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const coldStartMs = performance.now() - started;
  const coldStartCpuMs = cpuMs(child.pid as number);
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    coldStartMs,
    coldStartCpuMs,
    logFile,
    rssMb: () => rssMb(child.pid as number),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

function healthOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/health", agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}

const CLOCK_TICKS_PER_S = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system) a process's main thread has used so far, from /proc/<pid>/task/<pid>/stat
 * (proc(5): utime and stime, fields 14 and 15, in clock ticks); undefined where there is no /proc.
 * The main thread, not the whole process: start-up is its module loading and compiling, while V8's
 * compiler and GC threads work beside it (the whole process used ~1.1 s of CPU for a ~0.8 s start).
 */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: count fields from the last ")", field 3 first.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process, from /proc/<pid>/status (VmRSS, kB). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Deletes the API's rate-limit counters (keys `coaching:rl:*`) with redis-cli. */
export function resetRateLimits(redisUrl: string): Promise<void> {
  const script = "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1";
  const url = new URL(redisUrl);
  const args = ["-h", url.hostname, "-p", url.port];
  // The password through the environment (redis-cli reads REDISCLI_AUTH), never on a command line.
  const env = url.password ? { ...process.env, REDISCLI_AUTH: decodeURIComponent(url.password) } : process.env;
  return new Promise((resolve, reject) => {
    const child = spawn("redis-cli", [...args, "EVAL", script, "0", "coaching:rl:*"], {
      stdio: ["ignore", "pipe", "pipe"],
      env,
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    // redis-cli exits 0 even when the server refused the command: check its answer. "close", not
    // "exit": on a busy machine "exit" came before the answer was read, and the reset "failed".
    child.on("close", (code) =>
      code === 0 && output.trim() === "1" ? resolve() : reject(new Error(`resetting rate limits failed: ${output}`)),
    );
  });
}

/** NODE_OPTIONS of the production image, read from dokku/Dockerfile so the bench cannot drift from it. */
export function productionNodeOptions(): string {
  const dockerfile = readFileSync(path.join(ROOT, "dokku/Dockerfile"), "utf8");
  const match = dockerfile.match(/NODE_OPTIONS="([^"]*)"/);
  if (!match?.[1]) throw new Error("dokku/Dockerfile sets no NODE_OPTIONS");
  return match[1];
}
