import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { waitForPort } from "../lib/redis-server.ts";
import { spawnTracked, type TrackedChild } from "./child-processes.ts";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const BACKEND = path.join(REPO_ROOT, "backend");
const MAIN = path.join(BACKEND, "dist", "main.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds backend/dist when it is missing or older than any source file, so the drills run the current code. */
export function ensureBackendBuild(): void {
  let builtAt = 0;
  try {
    builtAt = statSync(MAIN).mtimeMs;
  } catch {
    // missing: build below
  }
  const sourcesAt = Math.max(
    newestMtime(path.join(BACKEND, "src")),
    statSync(path.join(BACKEND, "package.json")).mtimeMs,
  );
  if (builtAt > sourcesAt) return;
  const build = spawnSync("pnpm", ["--filter", "@coaching-app/backend", "build"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (build.status !== 0) {
    throw new Error(`pnpm --filter @coaching-app/backend build failed:\n${build.stdout}\n${build.stderr}`);
  }
}

export interface ApiOptions {
  name: string;
  port: number;
  env: Record<string, string>;
}

/** One built API process (`node backend/dist/main.js`), as `pnpm start` runs it on a node. */
export interface ApiProcess {
  port: number;
  process(): TrackedChild;
  start(extraEnv?: Record<string, string>): Promise<void>;
  /** SIGTERM and wait for the graceful exit (drain delay + in-flight requests). */
  stop(): Promise<void>;
  /** SIGKILL: the process dies with requests in flight. */
  kill(): Promise<void>;
}

export function apiProcess(options: ApiOptions): ApiProcess {
  let current: TrackedChild | undefined;
  const start = async (extraEnv: Record<string, string> = {}) => {
    if (current?.isRunning()) throw new Error(`${options.name} is already running`);
    const child = spawnTracked(options.name, process.execPath, [MAIN], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, ...extraEnv, PORT: String(options.port), HOST: "127.0.0.1" },
    });
    current = child;
    const exitedEarly = child.exited.then(() => {
      throw new Error(`${options.name} exited during startup:\n${child.output()}`);
    });
    exitedEarly.catch(() => undefined); // only matters while starting
    await Promise.race([waitForPort(options.port, 30_000), exitedEarly]);
  };
  return {
    port: options.port,
    process: () => {
      if (!current) throw new Error(`${options.name} was never started`);
      return current;
    },
    start,
    stop: async () => {
      await current?.stop("SIGTERM", 30_000);
    },
    kill: async () => {
      await current?.stop("SIGKILL");
    },
  };
}
