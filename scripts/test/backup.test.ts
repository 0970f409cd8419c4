import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DebianPostgres, startDebianPostgres } from "../lib/debian-postgres.ts";
import { freePort } from "../lib/free-port.ts";
import { type S3Server, startS3 } from "../lib/s3-server.ts";
import { seedDomainDatabase, tableFingerprints } from "./support/domain-seed.ts";
import { type PingRecorder, startPingRecorder } from "./support/ping-recorder.ts";
import { type CommandResult, runCommand } from "./support/run-command.ts";

const SCRIPTS_DIR = path.resolve(import.meta.dirname, "..");
const BACKUP = path.join(SCRIPTS_DIR, "backup-to-r2.sh");
const RESTORE = path.join(SCRIPTS_DIR, "restore-from-r2.sh");
const VERIFY = path.join(SCRIPTS_DIR, "verify-backup.sh");
const BACKUPS_BUCKET = "coaching-app-backups";
const PRIMARY_BUCKET = "coaching-app";
const ASSETS_BUCKET = "coaching-app-assets-backup";
const COMPLETE_DUMP = /^coaching-app-\d{8}-\d{6}\.dump\.gz$/;
const DAY_MS = 86_400_000;

let work: string;
let pg: DebianPostgres;
let s3: S3Server;
let ping: PingRecorder;

/** rclone remote `name` pointing at the local s3rver, configured purely through env (as in the docs). */
function remoteEnv(name: string, endpoint: string, key = "S3RVER"): Record<string, string> {
  const prefix = `RCLONE_CONFIG_${name.toUpperCase()}_`;
  return {
    [`${prefix}TYPE`]: "s3",
    [`${prefix}PROVIDER`]: "Other",
    [`${prefix}ENDPOINT`]: endpoint,
    [`${prefix}ACCESS_KEY_ID`]: key,
    [`${prefix}SECRET_ACCESS_KEY`]: key,
    [`${prefix}FORCE_PATH_STYLE`]: "true",
    [`${prefix}NO_CHECK_BUCKET`]: "true",
  };
}

function scriptEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Debian's server binaries first, so pg_dump/pg_restore/psql all match the 15 server.
    PATH: `${pg.binDir}:${process.env.PATH}`,
    TMPDIR: work,
    RCLONE_CONFIG: path.join(work, "no-rclone.conf"),
    // Fail fast in failure-injection tests instead of rclone's default minutes of retries.
    RCLONE_RETRIES: "1",
    RCLONE_LOW_LEVEL_RETRIES: "1",
    RCLONE_CONTIMEOUT: "2s",
    ...remoteEnv("r2backup", s3.endpoint),
    ...remoteEnv("r2primary", s3.endpoint),
    BACKUP_SOURCE: "pg_dump",
    DATABASE_URL: pg.urlFor("tiny"),
    ASSETS_BACKUP: "",
    LOCK_FILE: path.join(work, "backup.lock"),
    ...overrides,
  };
  // rclone 1.60 refuses to start with a custom CA bundle set (LoadCustomCABundleError).
  delete env.AWS_CA_BUNDLE;
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete env[key];
  return env;
}

async function rclone(...args: string[]): Promise<string> {
  const result = await runCommand("rclone", ["--quiet", ...args], { env: scriptEnv() });
  if (result.code !== 0) throw new Error(`rclone ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

async function listObjects(remotePath: string): Promise<string[]> {
  return (await rclone("lsf", "-R", "--files-only", remotePath)).split("\n").filter(Boolean).sort();
}

const backupsAt = (prefix: string) => `r2backup:${BACKUPS_BUCKET}/${prefix}`;

function runBackup(prefix: string, env: Record<string, string | undefined> = {}, args: string[] = []) {
  return runCommand(BACKUP, args, { env: scriptEnv({ BACKUP_REMOTE: backupsAt(prefix), ...env }) });
}

function expectSuccess(result: CommandResult): void {
  expect(result.code, `stderr:\n${result.stderr}`).toBe(0);
}

async function expectNothingPublished(prefix: string): Promise<void> {
  const published = (await listObjects(backupsAt(prefix))).filter(
    (file) => COMPLETE_DUMP.test(path.basename(file)) || file.endsWith(".manifest.json"),
  );
  expect(published).toEqual([]);
}

function stampOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

/** Uploads dumps named for the given ages (in days) with a manifest each; returns their names. */
async function fabricateDumps(prefix: string, agesInDays: number[]): Promise<string[]> {
  const dir = await mkdtemp(path.join(work, "fabricated-"));
  // Six hours past a whole day keeps every name far from the retention boundary.
  const names = agesInDays.map((days) => `coaching-app-${stampOf(Date.now() - days * DAY_MS - DAY_MS / 4)}.dump.gz`);
  for (const name of names) {
    await writeFile(path.join(dir, name), "not a real dump");
    await writeFile(path.join(dir, `${name}.manifest.json`), "{}");
  }
  await rclone("copy", dir, backupsAt(prefix));
  return names;
}

async function dumpsIn(prefix: string): Promise<string[]> {
  return (await listObjects(backupsAt(prefix))).filter((file) => COMPLETE_DUMP.test(file));
}

describe("backups to R2 with real Postgres 15, s3rver and rclone", () => {
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "backup-test-"));
    pg = await startDebianPostgres({ port: await freePort() });
    s3 = await startS3({
      port: await freePort(),
      directory: path.join(work, "s3"),
      bucket: BACKUPS_BUCKET,
      extraBuckets: [PRIMARY_BUCKET, ASSETS_BUCKET],
    });
    ping = await startPingRecorder();
    await seedDomainDatabase(pg, "app");
    await pg.psql("postgres", "CREATE DATABASE tiny;");
    await pg.psql(
      "tiny",
      "CREATE TABLE settings (key text PRIMARY KEY, value jsonb); INSERT INTO settings VALUES ('a', '1');",
    );
  });

  afterAll(async () => {
    await ping?.stop();
    await s3?.stop();
    await pg?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("restores a backup into a fresh database with identical rows in every table", async () => {
    const backup = await runBackup("roundtrip", { DATABASE_URL: pg.urlFor("app") });
    expectSuccess(backup);
    const objects = await listObjects(backupsAt("roundtrip"));
    expect(objects).toHaveLength(2);
    const [dump, manifestName] = objects as [string, string];
    expect(dump).toMatch(COMPLETE_DUMP);
    expect(manifestName).toBe(`${dump}.manifest.json`);

    const source = await tableFingerprints(pg, "app");
    const manifest = JSON.parse(await rclone("cat", `${backupsAt("roundtrip")}/${manifestName}`));
    expect(manifest.server_version).toMatch(/^15\./);
    expect(manifest.database).toBe("app");
    const manifestCounts = Object.fromEntries(
      Object.entries(source).map(([table, fingerprint]) => [`public.${table}`, Number(fingerprint.split(" ")[0])]),
    );
    expect(manifest.row_counts).toEqual(manifestCounts);
    const downloaded = path.join(work, "roundtrip.dump.gz");
    await rclone("copyto", `${backupsAt("roundtrip")}/${dump}`, downloaded);
    const bytes = await readFile(downloaded);
    expect(manifest.size_bytes).toBe(bytes.length);
    expect(manifest.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));

    await pg.psql("postgres", "CREATE DATABASE restored;");
    const restore = await runCommand(RESTORE, ["--latest"], {
      env: scriptEnv({ BACKUP_REMOTE: backupsAt("roundtrip"), RESTORE_TARGET_URL: pg.urlFor("restored") }),
    });
    expectSuccess(restore);
    const restored = await tableFingerprints(pg, "restored");
    expect(restored).toEqual(source);
    expect(Object.keys(restored)).toHaveLength(6);
    console.log(
      `restore equality (rows md5) per table: ${JSON.stringify(restored)}; backup ${Math.round(backup.ms)} ms,`,
      `restore ${Math.round(restore.ms)} ms, dump ${manifest.size_bytes} bytes`,
    );
  });

  it("backs up and restores through the Dokku postgres commands when BACKUP_SOURCE=dokku", async () => {
    // Stand-in for the dokku-postgres plugin: the same commands, run against local databases named
    // after the service (coaching-app-db -> coaching_app_db); connect keeps psql's aligned output.
    const shims = path.join(work, "dokku-shim");
    await mkdir(shims, { recursive: true });
    const base = pg.urlFor("");
    await writeFile(
      path.join(shims, "dokku"),
      `#!/bin/bash\nset -euo pipefail\nurl="${base}\${2//-/_}"\ncase "$1" in\n` +
        `  postgres:export) exec pg_dump -Fc --no-owner --no-acl -d "$url" ;;\n` +
        `  postgres:connect) exec psql -X -v ON_ERROR_STOP=1 -d "$url" ;;\n` +
        `  postgres:import) exec pg_restore --clean --if-exists --no-owner --no-acl -d "$url" ;;\n` +
        `  *) echo "unsupported: $*" >&2; exit 1 ;;\nesac\n`,
    );
    await chmod(path.join(shims, "dokku"), 0o755);
    await pg.psql("postgres", "CREATE DATABASE coaching_app_db TEMPLATE app; CREATE DATABASE restored_dokku;");
    const env = { BACKUP_SOURCE: "dokku", DATABASE_URL: undefined, PATH: `${shims}:${pg.binDir}:${process.env.PATH}` };

    expectSuccess(await runBackup("dokku", env));
    const [dump] = await dumpsIn("dokku");
    const manifest = JSON.parse(await rclone("cat", `${backupsAt("dokku")}/${dump}.manifest.json`));
    expect(manifest.row_counts_snapshot).toBe("after-dump");
    expect(manifest.row_counts["public.appointments"]).toBe(40_000);
    const restore = await runCommand(RESTORE, ["--latest", "--dokku-service", "restored-dokku"], {
      env: scriptEnv({ ...env, BACKUP_REMOTE: backupsAt("dokku") }),
    });
    expectSuccess(restore);
    expect(await tableFingerprints(pg, "restored_dokku")).toEqual(await tableFingerprints(pg, "app"));
  });

  it("refuses to restore over a non-empty database unless --force is given", async () => {
    const env = scriptEnv({ BACKUP_REMOTE: backupsAt("roundtrip"), RESTORE_TARGET_URL: pg.urlFor("restored") });
    const refused = await runCommand(RESTORE, ["--latest"], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/target is not empty \(6 tables in schema public\).*--force/);

    await pg.psql("restored", "DELETE FROM check_ins WHERE id % 2 = 0;");
    const forced = await runCommand(RESTORE, ["--latest", "--force"], { env });
    expectSuccess(forced);
    expect(await tableFingerprints(pg, "restored")).toEqual(await tableFingerprints(pg, "app"));
  });

  it("lists the backups oldest first, each with its size and manifest", async () => {
    const list = await runCommand(RESTORE, ["--list"], { env: scriptEnv({ BACKUP_REMOTE: backupsAt("roundtrip") }) });
    expectSuccess(list);
    expect(list.stdout).toMatch(/^coaching-app-\d{8}-\d{6}\.dump\.gz\t[\d.]+[KM]iB\tmanifest\n$/);
  });

  it("streams dump, gzip and upload of a database over 200 MB and reports the throughput", async () => {
    await pg.psql("postgres", "CREATE DATABASE bench;");
    await pg.psql(
      "bench",
      `CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL, body text NOT NULL);
       INSERT INTO events SELECT g, timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second',
         md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) || ' séance ' || md5((g * 31)::text)
       FROM generate_series(1, 1400000) g;`,
    );
    const databaseBytes = Number(await pg.psql("bench", "SELECT pg_database_size('bench');"));
    expect(databaseBytes).toBeGreaterThanOrEqual(200e6);

    const backup = await runBackup("bench", { DATABASE_URL: pg.urlFor("bench") });
    expectSuccess(backup);
    const line = backup.stderr.split("\n").find((entry) => entry.includes("step=dump-upload")) ?? "";
    const seconds = Number(/duration_s=([\d.]+)/.exec(line)?.[1]);
    const uploaded = Number(/bytes=(\d+)/.exec(line)?.[1]);
    expect(seconds).toBeGreaterThan(0);
    console.log(
      `throughput: database ${(databaseBytes / 1e6).toFixed(0)} MB streamed in ${seconds.toFixed(2)} s =`,
      `${(databaseBytes / 1e6 / seconds).toFixed(1)} MB/s of database, ${(uploaded / 1e6).toFixed(0)} MB uploaded`,
      `(${(uploaded / 1e6 / seconds).toFixed(1)} MB/s); whole run ${(backup.ms / 1000).toFixed(1)} s`,
    );
    await pg.psql("postgres", "DROP DATABASE bench;");
  });

  it("leaves no complete-looking object when pg_dump is killed mid-stream", async () => {
    const shims = path.join(work, "shims");
    await mkdir(shims, { recursive: true });
    await writeFile(
      path.join(shims, "pg_dump"),
      `#!/bin/bash\n# Emits the first 256 KiB of a real dump, then dies like an OOM-killed process.\n` +
        `"${pg.binDir}/pg_dump" "$@" | head -c 262144\nkill -KILL $$\n`,
    );
    await chmod(path.join(shims, "pg_dump"), 0o755);
    const result = await runBackup("killed", {
      DATABASE_URL: pg.urlFor("app"),
      PATH: `${shims}:${pg.binDir}:${process.env.PATH}`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/dump stream failed, backup not published: pg_dump exited 137/);
    console.log(`pg_dump killed: exit ${result.code}; ${result.stderr.split("\n").find((l) => l.includes("ERROR"))}`);
    await expectNothingPublished("killed");
    // The temporary upload is removed too, not just left unpublished.
    expect(await listObjects(backupsAt("killed"))).toEqual([]);
  });

  it("fails with a clear message and uploads nothing when the S3 endpoint is down", async () => {
    const deadEndpoint = `http://127.0.0.1:${await freePort()}`;
    const result = await runBackup("endpoint-down", remoteEnv("r2backup", deadEndpoint));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/backup remote r2backup:\S+ is not reachable.*connection refused/);
    console.log(`endpoint down: exit ${result.code} after ${Math.round(result.ms)} ms`);
    await expectNothingPublished("endpoint-down");
  });

  it("fails with a clear message and uploads nothing when the credentials are wrong", async () => {
    const result = await runBackup("bad-credentials", remoteEnv("r2backup", s3.endpoint, "WRONG"));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/access is denied.*InvalidAccessKeyId/);
    console.log(`bad credentials: exit ${result.code}`);
    await expectNothingPublished("bad-credentials");
  });

  it("deletes exactly the dumps older than RETENTION_DAYS, judged by the timestamp in the name", async () => {
    const ages = Array.from({ length: 60 }, (_, day) => day);
    const names = await fabricateDumps("retention", ages);
    expectSuccess(await runBackup("retention"));

    const remaining = await dumpsIn("retention");
    const expectedKept = names.filter((_, index) => (ages[index] ?? 0) < 30);
    const fresh = remaining.filter((name) => !names.includes(name));
    expect(fresh).toHaveLength(1);
    expect(remaining.filter((name) => names.includes(name)).sort()).toEqual(expectedKept.sort());
    const manifests = (await listObjects(backupsAt("retention"))).filter((file) => file.endsWith(".manifest.json"));
    expect(manifests.sort()).toEqual(remaining.map((name) => `${name}.manifest.json`).sort());
  });

  it("keeps the newest KEEP_MIN dumps when every dump is older than RETENTION_DAYS", async () => {
    const names = await fabricateDumps("retention-old", [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    expectSuccess(await runBackup("retention-old", {}, ["--prune-only"]));
    expect(await dumpsIn("retention-old")).toEqual(names.slice(0, 7).sort());
  });

  it("keeps an asset deleted or overwritten at the source in the backup bucket's dated versions folder", async () => {
    const source = path.join(work, "assets");
    await mkdir(path.join(source, "avatars"), { recursive: true });
    await writeFile(path.join(source, "avatars", "coach-1.png"), "original avatar");
    await writeFile(path.join(source, "contract.pdf"), "contract v1");
    await rclone("copy", source, `r2primary:${PRIMARY_BUCKET}`);
    const assetsEnv = { ASSETS_SOURCE: `r2primary:${PRIMARY_BUCKET}`, ASSETS_BACKUP: `r2backup:${ASSETS_BUCKET}` };
    expectSuccess(await runBackup("assets", assetsEnv));

    await rclone("deletefile", `r2primary:${PRIMARY_BUCKET}/avatars/coach-1.png`);
    await writeFile(path.join(source, "contract.pdf"), "contract v2, longer");
    await rclone("copyto", path.join(source, "contract.pdf"), `r2primary:${PRIMARY_BUCKET}/contract.pdf`);
    // Names carry a one-second timestamp; a second run in the same second would reuse the name.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expectSuccess(await runBackup("assets", assetsEnv));

    const backedUp = await listObjects(`r2backup:${ASSETS_BUCKET}`);
    const deleted = backedUp.find((file) => /^\.versions\/\d{8}-\d{6}\/avatars\/coach-1\.png$/.test(file));
    const replaced = backedUp.find((file) => /^\.versions\/\d{8}-\d{6}\/contract\.pdf$/.test(file));
    expect(deleted, backedUp.join("\n")).toBeDefined();
    expect(await rclone("cat", `r2backup:${ASSETS_BUCKET}/${deleted}`)).toBe("original avatar");
    expect(await rclone("cat", `r2backup:${ASSETS_BUCKET}/${replaced}`)).toBe("contract v1");
    expect(await rclone("cat", `r2backup:${ASSETS_BUCKET}/contract.pdf`)).toBe("contract v2, longer");
  });

  it("verify-backup.sh passes on an untouched backup and always drops its scratch database", async () => {
    const result = await runCommand(VERIFY, [], {
      env: scriptEnv({
        BACKUP_REMOTE: backupsAt("roundtrip"),
        BACKUP_PING_URL: `${ping.url}/verify-ok`,
        VERIFY_ADMIN_URL: pg.urlFor("postgres"),
      }),
    });
    expectSuccess(result);
    expect(result.stderr).toMatch(/step=compare .* tables=6 rows=112000 status=ok/);
    expect(ping.paths).toContain("/verify-ok");
    expect(
      await pg.psql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'coaching_app_verify%';"),
    ).toBe("");
  });

  it("verify-backup.sh fails when the uploaded dump's rows no longer match the manifest", async () => {
    const remote = backupsAt("tampered");
    await rclone("copy", backupsAt("roundtrip"), remote);
    const [name] = await dumpsIn("tampered");
    const original = path.join(work, "original.dump.gz");
    const altered = path.join(work, "altered.dump.gz");
    await rclone("copyto", `${remote}/${name}`, original);
    await pg.psql("postgres", "CREATE DATABASE tamper;");
    const sh = (script: string) => runCommand("bash", ["-c", `set -euo pipefail; ${script}`], { env: scriptEnv() });
    expectSuccess(await sh(`gzip -dc ${original} | pg_restore --no-owner -d ${pg.urlFor("tamper")}`));
    await pg.psql("tamper", "DELETE FROM notes WHERE id % 10 = 0;");
    expectSuccess(await sh(`pg_dump -Fc ${pg.urlFor("tamper")} | gzip -1 > ${altered}`));
    const bytes = await readFile(altered);
    const manifest = JSON.parse(await rclone("cat", `${remote}/${name}.manifest.json`));
    // Checksum and size match the new object, so only the row counts can reveal the change.
    manifest.sha256 = createHash("sha256").update(bytes).digest("hex");
    manifest.size_bytes = bytes.length;
    await writeFile(path.join(work, "altered.manifest.json"), JSON.stringify(manifest));
    await rclone("copyto", altered, `${remote}/${name}`);
    await rclone("copyto", path.join(work, "altered.manifest.json"), `${remote}/${name}.manifest.json`);

    const result = await runCommand(VERIFY, [], {
      env: scriptEnv({
        BACKUP_REMOTE: remote,
        BACKUP_PING_URL: `${ping.url}/verify-tampered`,
        VERIFY_ADMIN_URL: pg.urlFor("postgres"),
      }),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("public.notes: manifest 20000 restored 18000");
    expect(ping.paths).toContain("/verify-tampered/fail");
    expect(
      await pg.psql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'coaching_app_verify%';"),
    ).toBe("");
  });

  it("hits BACKUP_PING_URL after a successful backup and BACKUP_PING_URL/fail after a failed one", async () => {
    expectSuccess(await runBackup("ping", { BACKUP_PING_URL: `${ping.url}/nightly` }));
    const failed = await runBackup("ping", {
      BACKUP_PING_URL: `${ping.url}/nightly-broken`,
      ...remoteEnv("r2backup", `http://127.0.0.1:${await freePort()}`),
    });
    expect(failed.code).not.toBe(0);
    expect(ping.paths).toContain("/nightly");
    expect(ping.paths).toContain("/nightly-broken/fail");
    expect(ping.paths).not.toContain("/nightly/fail");
    expect(ping.paths).not.toContain("/nightly-broken");
  });

  it("refuses to start while another run holds the lock", async () => {
    const lock = path.join(work, "held.lock");
    const holder = spawn("bash", ["-c", `exec 9>${lock}; flock 9; echo locked; exec sleep 60`]);
    await new Promise((resolve) => holder.stdout.once("data", resolve));
    try {
      const result = await runBackup("locked", { LOCK_FILE: lock });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`another backup is still running (lock ${lock} is held)`);
      await expectNothingPublished("locked");
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("prints the commands it would run with --dry-run and touches nothing", async () => {
    const result = await runBackup("dry-run", { DATABASE_URL: "postgres://backup:secret@db.internal:5432/app" }, [
      "--dry-run",
    ]);
    expectSuccess(result);
    expect(result.stdout).toMatch(/pg_dump -Fc -Z0 --snapshot=<exported> -d postgres:\/\/backup:\*\*\*@db\.internal/);
    expect(result.stdout).toMatch(/\| gzip -c -1 \| .*rclone rcat r2backup:coaching-app-backups\/dry-run\/tmp\//);
    expect(result.stdout).not.toContain("secret");
    expect(await listObjects(backupsAt("dry-run"))).toEqual([]);
  });

  it("checks its settings in --dry-run too: no plan with an empty DATABASE_URL or a remote without a colon", async () => {
    const noUrl = await runBackup("dry-run", { BACKUP_SOURCE: "pg_dump", DATABASE_URL: "" }, ["--dry-run"]);
    expect(noUrl.code).not.toBe(0);
    expect(noUrl.stderr).toContain("BACKUP_SOURCE=pg_dump needs DATABASE_URL");
    expect(noUrl.stdout).toBe("");
    const badRemote = await runBackup("dry-run", { DATABASE_URL: "postgres://b@db/app", BACKUP_REMOTE: "backups/db" }, [
      "--dry-run",
    ]);
    expect(badRemote.stderr).toContain("BACKUP_REMOTE must be an rclone path (remote:bucket/prefix), got 'backups/db'");
  });

  it("never puts a database password on a command line: the tools read it from a pgpass file", async () => {
    // Shims in front of the real psql, pg_dump and pg_restore record every argument list.
    const shims = path.join(work, "argv-shims");
    const argv = path.join(work, "argv.log");
    await mkdir(shims, { recursive: true });
    for (const tool of ["psql", "pg_dump", "pg_restore"]) {
      await writeFile(
        path.join(shims, tool),
        `#!/bin/sh\necho "${tool} $*" >> ${argv}\nexec ${pg.binDir}/${tool} "$@"\n`,
      );
      await chmod(path.join(shims, tool), 0o755);
    }
    // A role that must give its password (SCRAM), ahead of the server's trust rules, with a ':' in
    // it to be escaped in the pgpass file: the runs below succeed only if the tools found it there.
    const password = `pw:${crypto.randomUUID()}`;
    await pg.psql("postgres", `CREATE ROLE backup_reader LOGIN SUPERUSER PASSWORD '${password}';`);
    const hba = (await pg.psql("postgres", "SHOW hba_file;")).trim();
    await writeFile(hba, `host all backup_reader 127.0.0.1/32 scram-sha-256\n${await readFile(hba, "utf8")}`);
    await pg.psql("postgres", "SELECT pg_reload_conf();");
    const urlAs = (database: string) => {
      const url = new URL(pg.urlFor(database));
      url.username = "backup_reader";
      url.password = encodeURIComponent(password);
      return url.toString();
    };
    const PATH = `${shims}:${pg.binDir}:${process.env.PATH}`;
    const env = (extra: Record<string, string>) => scriptEnv({ BACKUP_REMOTE: backupsAt("argv"), PATH, ...extra });
    expectSuccess(await runBackup("argv", { PATH, DATABASE_URL: urlAs("app") }));
    expectSuccess(await runCommand(VERIFY, [], { env: env({ VERIFY_ADMIN_URL: urlAs("postgres") }) }));
    const recorded = await readFile(argv, "utf8");
    expect(recorded).toMatch(/^pg_dump /m);
    expect(recorded).toMatch(/^pg_restore /m);
    expect(recorded).toContain("backup_reader@");
    expect(recorded).not.toContain(encodeURIComponent(password));
    expect(recorded).not.toContain(password);
    // A password handed over on the command line itself is refused, naming the alternative.
    const refused = await runCommand(VERIFY, ["--admin-url", urlAs("postgres")], { env: env({}) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--admin-url carries a password");
    expect(refused.stderr).toContain("VERIFY_ADMIN_URL");
    const restore = await runCommand(RESTORE, ["--latest", "--target-url", urlAs("restored")], { env: env({}) });
    expect(restore.stderr).toContain("--target-url carries a password");
  });

  it("encrypts dumps to age recipients; restore and verify need an identity of theirs", async () => {
    const keys = path.join(work, "age-keys");
    await mkdir(keys, { recursive: true });
    const identity = path.join(keys, "identity.txt");
    const other = path.join(keys, "other.txt");
    const recipients = path.join(keys, "recipients.txt");
    for (const file of [identity, other]) expectSuccess(await runCommand("age-keygen", ["-o", file]));
    const publicKey = (await runCommand("age-keygen", ["-y", identity])).stdout.trim();
    await writeFile(recipients, `${publicKey}\n`);
    await chmod(identity, 0o600);
    await chmod(other, 0o600);

    expectSuccess(await runBackup("age", { DATABASE_URL: pg.urlFor("app"), BACKUP_AGE_RECIPIENTS: recipients }));
    const [name] = (await listObjects(backupsAt("age"))).filter((file) => file.endsWith(".dump.gz.age"));
    expect(name).toMatch(/^coaching-app-\d{8}-\d{6}\.dump\.gz\.age$/);
    const stored = await rclone("cat", `${backupsAt("age")}/${name}`);
    expect(stored.startsWith("age-encryption.org/v1")).toBe(true);
    const manifest = JSON.parse(await rclone("cat", `${backupsAt("age")}/${name}.manifest.json`));
    expect([manifest.encryption, manifest.age_recipients]).toEqual(["age", [publicKey]]);

    await pg.psql("postgres", "CREATE DATABASE restored_age;");
    const restoreEnv = (extra: Record<string, string>) =>
      scriptEnv({ BACKUP_REMOTE: backupsAt("age"), RESTORE_TARGET_URL: pg.urlFor("restored_age"), ...extra });
    const noIdentity = await runCommand(RESTORE, ["--latest"], { env: restoreEnv({}) });
    expect(noIdentity.code).not.toBe(0);
    expect(noIdentity.stderr).toContain("is encrypted: set BACKUP_AGE_IDENTITY");
    const wrong = await runCommand(RESTORE, ["--latest"], { env: restoreEnv({ BACKUP_AGE_IDENTITY: other }) });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("decrypting");
    await chmod(identity, 0o644);
    const loose = await runCommand(RESTORE, ["--latest"], { env: restoreEnv({ BACKUP_AGE_IDENTITY: identity }) });
    expect(loose.stderr).toContain("is readable by others: chmod 600 it");
    await chmod(identity, 0o600);
    expectSuccess(await runCommand(RESTORE, ["--latest"], { env: restoreEnv({ BACKUP_AGE_IDENTITY: identity }) }));
    expect(await tableFingerprints(pg, "restored_age")).toEqual(await tableFingerprints(pg, "app"));
    const verified = await runCommand(VERIFY, [], {
      env: scriptEnv({
        BACKUP_REMOTE: backupsAt("age"),
        VERIFY_ADMIN_URL: pg.urlFor("postgres"),
        BACKUP_AGE_IDENTITY: identity,
      }),
    });
    expectSuccess(verified);
    expect(verified.stderr).toMatch(/step=compare .* status=ok/);
  });

  it("prints a usage block with --help for every script", async () => {
    for (const script of [BACKUP, RESTORE, VERIFY]) {
      const result = await runCommand(script, ["--help"], { env: scriptEnv() });
      expectSuccess(result);
      expect(result.stdout).toMatch(/^Usage:/);
    }
  });

  it("passes bash -n and shellcheck", async () => {
    const scripts = [BACKUP, RESTORE, VERIFY, path.join(SCRIPTS_DIR, "backup-lib.bash")];
    for (const script of scripts) expectSuccess(await runCommand("bash", ["-n", script]));
    // --external-sources: the three scripts source backup-lib.bash, which shellcheck then checks too.
    const shellcheck = await runCommand("shellcheck", ["--external-sources", ...scripts]).catch((error: Error) => {
      throw new Error(`shellcheck is not installed (apt-get install -y shellcheck): ${error.message}`);
    });
    expect(shellcheck.code, shellcheck.stdout).toBe(0);
  });
});
