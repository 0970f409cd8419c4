// `pnpm dev`: the whole app on one machine with embedded defaults. Postgres (embedded, data in
// .data/postgres) and an S3-compatible server (s3rver, data in .data/s3) start here unless
// DATABASE_URL / S3_ENDPOINT point elsewhere; REDIS_URL unset means in-memory cache and limits.
// The API reloads on change. Ctrl-C stops every child and service. package.json runs this with
// `exec`: pnpm's `sh -c` (dash) would otherwise die of the Ctrl-C itself, and pnpm would report
// "Command failed" however cleanly everything stopped.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { DEMO_CLIENT, DEMO_COACH } from "../backend/src/db/demo-accounts.ts";
import { freePort } from "./lib/free-port.ts";
import { startPostgres } from "./lib/postgres-server.ts";
import { waitForPort } from "./lib/redis-server.ts";
import { startS3 } from "./lib/s3-server.ts";

const root = path.resolve(import.meta.dirname, "..");
// DEV_DATA_DIR: another place for the embedded services' data (the launcher's own test uses a temp dir).
const dataDir = path.resolve(process.env.DEV_DATA_DIR ?? path.join(root, ".data"));
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const DEV_DB = "coaching_app";
const cleanups: (() => Promise<void>)[] = [];
const children: ChildProcess[] = [];

function log(message: string) {
  console.log(`[dev] ${message}`);
}

async function portOrFree(preferred: number): Promise<number> {
  try {
    await waitForPort(preferred, 1);
    return freePort(); // taken
  } catch {
    return preferred;
  }
}

async function ensureDatabase(adminUrl: string, name: string) {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 as found from pg_database where datname = ${name}`;
    if (!row) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

async function startServices(env: Record<string, string>) {
  if (!process.env.DATABASE_URL) {
    const started = performance.now();
    const firstRun = !existsSync(path.join(dataDir, "postgres", "PG_VERSION"));
    if (firstRun) log("initialising embedded Postgres in .data/postgres (first run only)…");
    const pg = await startPostgres({ dataDir: path.join(dataDir, "postgres"), port: await portOrFree(54329) });
    cleanups.push(() => pg.stop());
    await ensureDatabase(pg.adminUrl, DEV_DB);
    env.DATABASE_URL = pg.urlFor(DEV_DB);
    log(`Postgres ready on :${pg.port} in ${Math.round(performance.now() - started)} ms`);
  }
  if (!process.env.S3_ENDPOINT) {
    const s3 = await startS3({
      port: await portOrFree(4569),
      directory: path.join(dataDir, "s3"),
      bucket: "coaching-app",
    });
    cleanups.push(() => s3.stop());
    Object.assign(env, {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
      S3_REGION: "us-east-1",
    });
    log(`S3-compatible server (s3rver) on ${s3.endpoint}, bucket ${s3.bucket}`);
  }
}

/**
 * Children run in process groups of their own, so Ctrl-C (SIGINT to the terminal's whole group)
 * reaches only this launcher, which then signals each child exactly once. Otherwise the API got
 * SIGINT twice — from the terminal and relayed by `tsx watch` — and took the second as "exit now",
 * skipping its graceful shutdown.
 */
function spawnChild(command: string, args: string[], cwd: string, env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: "inherit", detached: true });
  children.push(child);
  return child;
}

// Detached children do not hear the terminal: whatever ends this process must end them too. An
// exit handler can only act synchronously, hence SIGKILL for what is still running.
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Runs a one-off backend command (migrate, seed) to completion, with the dev environment. */
function runOnce(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(tsx, args, path.join(root, "backend"), env);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited with ${code}`))));
  });
}

function run(name: string, command: string, args: string[], cwd: string, env: Record<string, string>) {
  const child = spawnChild(command, args, cwd, env);
  child.on("exit", (code, signal) => {
    if (!shuttingDown) {
      log(`${name} exited (${signal ?? code}); stopping everything`);
      void shutdown(code ?? 1);
    }
  });
  return child;
}

let shuttingDown = false;
/** SIGTERM to every child (once: `tsx watch` relays it to the API), SIGKILL after 8 s, then services. */
async function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  log("stopping…");
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.kill("SIGTERM");
          const kill = setTimeout(() => child.kill("SIGKILL"), 8000);
          child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
        }),
    ),
  );
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => log(`cleanup failed: ${error}`));
  log("stopped");
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
// If whoever started us (pnpm) dies without passing a signal on, do not leave servers behind.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown(0);
}, 1000).unref();
process.on("SIGTERM", () => void shutdown(0));

async function main() {
  const started = performance.now();
  const env: Record<string, string> = { APP_ENV: process.env.APP_ENV ?? "local" };
  await startServices(env);
  const port = process.env.PORT ?? "3001";
  await runOnce(["src/db/migrate-cli.ts"], env);
  await runOnce(["src/db/seed-cli.ts", "--if-empty"], env);
  run("api", tsx, ["watch", "--clear-screen=false", "src/main.ts"], path.join(root, "backend"), { ...env, PORT: port });
  const webDir = path.join(root, "frontend");
  const vite = path.join(webDir, "node_modules", ".bin", "vite");
  const withWeb = existsSync(vite) && process.env.DEV_WEB !== "0";
  if (withWeb) {
    run("web", vite, ["--port", "5173", "--strictPort"], webDir, { VITE_API_URL: `http://localhost:${port}` });
  }
  await waitForPort(Number(port), 60_000);
  const api = `http://localhost:${port}`;
  console.log(
    [
      "",
      "  Coaching App is running",
      ...(withWeb ? ["  Web app    http://localhost:5173"] : []),
      `  API        ${api}   (health: ${api}/health, reference: ${api}/docs)`,
      `  Database   ${env.DATABASE_URL ?? process.env.DATABASE_URL}`,
      `  Storage    ${env.S3_ENDPOINT ?? process.env.S3_ENDPOINT}`,
      `  Cache      ${process.env.REDIS_URL ? process.env.REDIS_URL : "in-memory (set REDIS_URL to use Redis)"}`,
      `  Sign in    ${DEMO_COACH.email} / ${DEMO_COACH.password}   (coach)`,
      `             ${DEMO_CLIENT.email} / ${DEMO_CLIENT.password}   (client user)`,
      "             admin@example.com / admin-demo-password   (admin)",
      `  Ready in   ${((performance.now() - started) / 1000).toFixed(1)} s — Ctrl-C stops everything`,
      "",
    ].join("\n"),
  );
}

main().catch(async (error: unknown) => {
  console.error(`[dev] failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
