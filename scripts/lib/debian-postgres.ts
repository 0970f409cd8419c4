import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export interface DebianPostgres {
  port: number;
  /** Directory holding Debian's server binaries (initdb, postgres, pg_dump, psql of the same major). */
  binDir: string;
  /** URL of `database` as the trust-authenticated superuser `postgres`. */
  urlFor(database: string): string;
  /** Runs SQL with psql against `database` and returns its unaligned, tuples-only output. */
  psql(database: string, sql: string): Promise<string>;
  stop(): Promise<void>;
}

const DEFAULT_BIN_DIR = "/usr/lib/postgresql/15/bin";

interface OsUser {
  uid: number;
  gid: number;
}

// Postgres refuses to run as root, so under root the cluster belongs to the `postgres` OS user.
function serverUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error("running as root but there is no `postgres` OS user; apt-get install -y postgresql-15 creates it");
  }
}

function run(command: string, args: string[], user: OsUser | undefined, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { uid: user?.uid, gid: user?.gid, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${path.basename(command)} ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
    });
    child.stdin.end(input ?? "");
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`postgres did not become ready:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk;
      if (/ready to accept (read-only )?connections/.test(log)) {
        clearTimeout(timer);
        child.stderr?.off("data", onData);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited with ${code} before it was ready:\n${log}`));
    });
  });
}

/**
 * Initialises a throw-away cluster with Debian's PostgreSQL server binaries and starts it on `port`
 * (loopback, trust auth, fsync off). `stop()` shuts it down and deletes the data directory.
 */
export async function startDebianPostgres(options: {
  port: number;
  binDir?: string;
  /** Start a hot standby streaming from this server (pg_basebackup -R) instead of a new cluster. */
  standbyOf?: DebianPostgres;
}): Promise<DebianPostgres> {
  const binDir = options.binDir ?? DEFAULT_BIN_DIR;
  if (!existsSync(path.join(binDir, "postgres"))) {
    throw new Error(
      `PostgreSQL server binaries not found in ${binDir}; install them: apt-get install -y postgresql-15`,
    );
  }
  const user = serverUser();
  const root = await mkdtemp(path.join(tmpdir(), "debian-pg-"));
  if (user) {
    await chown(root, user.uid, user.gid);
    await chmod(root, 0o700);
  }
  const dataDir = path.join(root, "data");
  if (options.standbyOf) {
    // initdb's pg_hba.conf trusts replication connections from loopback.
    const source = ["-h", "127.0.0.1", "-p", String(options.standbyOf.port), "-U", "postgres"];
    await run(path.join(binDir, "pg_basebackup"), ["-D", dataDir, ...source, "-R", "-X", "stream", "--no-sync"], user);
  } else {
    await run(
      path.join(binDir, "initdb"),
      ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
      user,
    );
  }
  const child = spawn(
    path.join(binDir, "postgres"),
    [
      ...["-D", dataDir, "-p", String(options.port), "-k", root],
      ...["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"],
      ...["-c", "full_page_writes=off", "-c", "max_wal_size=2GB", "-c", "logging_collector=off"],
    ],
    { uid: user?.uid, gid: user?.gid, stdio: ["ignore", "ignore", "pipe"] },
  );
  try {
    await waitForReady(child, 30_000);
  } catch (error) {
    child.kill("SIGKILL");
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${options.port}/${database}`;
  return {
    port: options.port,
    binDir,
    urlFor,
    psql: (database, sql) =>
      run(
        path.join(binDir, "psql"),
        ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", urlFor(database)],
        undefined,
        sql,
      ),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        // SIGINT = "fast" shutdown: roll back open transactions and exit without waiting for clients.
        child.kill("SIGINT");
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
