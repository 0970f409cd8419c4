import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../../lib/free-port.ts";
import { startPostgres } from "../../../lib/postgres-server.ts";
import { startRedis } from "../../../lib/redis-server.ts";
import { startS3 } from "../../../lib/s3-server.ts";

export const ROOT = path.resolve(import.meta.dirname, "../../../..");
const WEB = path.join(ROOT, "frontend");
export const DIST_WEB = path.join(WEB, "dist-web");

export interface WebStack {
  /** The page origin (wrangler pages dev), e.g. http://127.0.0.1:41234 */
  webUrl: string;
  apiUrl: string;
  admin: { email: string; password: string };
  timings: Record<string, number>;
  stop(): Promise<void>;
}

/** Runs a command to completion, keeping its output for the error message. */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output.slice(-3000)}`)),
    );
  });
}

/** Starts a long-running process and resolves once `url` answers, or rejects with its last output. */
export async function serve(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; url: string },
) {
  // detached: the child leads its own process group, so stop() ends wrangler's workerd children too.
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-6000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    const up = await fetch(options.url).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) return { child, output: () => output };
    await new Promise((r) => setTimeout(r, 200));
  }
  stopProcess(child);
  throw new Error(`${name} did not answer ${options.url} within 60 s:\n${output}`);
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {}
      resolve();
    }, 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {
      resolve();
    }
  });
}

/**
 * The whole product on loopback: Postgres, Redis, S3, the API from source, and the built web app
 * served by Cloudflare's Pages emulator. Everything is on 127.0.0.1 so page and API are same-site
 * and the API's SameSite=Strict cookies flow, as they do on app.example.com / api.example.com.
 */
export async function startWebStack(): Promise<WebStack> {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const mark = (name: string, since: number) => {
    timings[name] = Math.round(performance.now() - since);
  };
  const work = await mkdtemp(path.join(tmpdir(), "coaching-e2e-"));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => {});
    await rm(work, { recursive: true, force: true });
  };

  try {
    const [apiPort, webPort, s3Port, pgPort, redisPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const webUrl = `http://127.0.0.1:${webPort}`;
    const s3Url = `http://127.0.0.1:${s3Port}`;
    const baseEnv = { ...process.env, NO_COLOR: "1" };

    const buildStarted = performance.now();
    const build = run(path.join(WEB, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"], {
      cwd: WEB,
      env: { ...baseEnv, VITE_API_URL: apiUrl, VITE_UPLOAD_ORIGIN: s3Url },
    }).then(() => mark("buildWeb", buildStarted));

    const servicesStarted = performance.now();
    const [pg, redis, s3] = await Promise.all([
      startPostgres({ dataDir: path.join(work, "pg"), port: pgPort, ephemeral: true }),
      startRedis(redisPort),
      startS3({ port: s3Port, directory: path.join(work, "s3"), bucket: "coaching-app-e2e" }),
    ]);
    stops.push(
      () => pg.stop(),
      () => redis.stop(),
      () => s3.stop(),
    );
    mark("services", servicesStarted);

    const admin = { email: "admin@e2e.test", password: "e2e-admin-password-1" };
    const apiStarted = performance.now();
    const api = await serve("API", process.execPath, ["--import", "tsx", "backend/src/main.ts"], {
      cwd: ROOT,
      url: `${apiUrl}/health`,
      env: {
        ...baseEnv,
        APP_ENV: "test",
        HOST: "127.0.0.1",
        PORT: String(apiPort),
        DATABASE_URL: pg.adminUrl,
        REDIS_URL: redis.url,
        CORS_ORIGIN: webUrl,
        BETTER_AUTH_URL: apiUrl,
        LOG_LEVEL: "warn",
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_REGION: "us-east-1",
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_FORCE_PATH_STYLE: "true",
      },
    });
    stops.push(() => stopProcess(api.child));
    mark("api", apiStarted);

    await build;
    const wranglerStarted = performance.now();
    const wrangler = await serve(
      "wrangler pages dev",
      path.join(WEB, "node_modules/.bin/wrangler"),
      ["pages", "dev", DIST_WEB, "--port", String(webPort), "--ip", "127.0.0.1", "--compatibility-date", "2025-01-01"],
      {
        // Its state (.wrangler/) goes to the temp dir, not the repository.
        cwd: work,
        url: `${webUrl}/`,
        env: { ...baseEnv, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_API_TOKEN: "", XDG_CONFIG_HOME: work },
      },
    );
    stops.push(() => stopProcess(wrangler.child));
    mark("wrangler", wranglerStarted);
    mark("total", t0);
    return { webUrl, apiUrl, admin, timings, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
