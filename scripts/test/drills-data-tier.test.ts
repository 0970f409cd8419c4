// Drills of the data tier (docs/runbooks/drills.md, "Data tier"): three etcd members, two
// Patroni-managed Postgres 15 nodes and pgBackRest archiving to S3 over TLS, all from the
// production templates (scripts/drills/data-tier.ts), under two API processes whose DATABASE_URL
// lists both nodes. Each drill prints `drill <name>: ...` with its figures.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, apiProcess, ensureBackendBuild } from "../drills/api-process.ts";
import { type DataNode, type DataTier, startDataTier, waitFor } from "../drills/data-tier.ts";
import { signedInUsers } from "../drills/drill-clients.ts";
import { sleep } from "../drills/drill-report.ts";
import { longestWriteGap, startWriteLoad, statusesOf, type WriteSample } from "../drills/write-load.ts";
import { freePort } from "../lib/free-port.ts";
import { type RedisServer, startRedis } from "../lib/redis-server.ts";
import { REPO_ROOT } from "./support/script-runner.ts";

const run = promisify(execFile);
const RATE = 40;
const USERS = 20;
/** Patroni's ttl (data-tier/templates/patroni.yml): a failover cannot be quicker. */
const TTL_S = 20;
// Production's archive_timeout: drill d's recovery point is measured with it.
const ARCHIVE_TIMEOUT_S = 60;

let tier: DataTier;
let redis: RedisServer;
let apis: ApiProcess[];
let apiUrls: string[];
let tokens: string[];

beforeAll(async () => {
  ensureBackendBuild();
  tier = await startDataTier({ archiveTimeoutS: ARCHIVE_TIMEOUT_S });
  await (await tier.primary()).psql("create database coaching");
  redis = await startRedis(await freePort());
  const env = {
    APP_ENV: "test",
    DATABASE_URL: tier.url("coaching"),
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: "data-tier:",
    LOG_LEVEL: "warn",
    TRUST_PROXY: "cloudflare",
    SHUTDOWN_TIMEOUT_MS: "5000",
  };
  apis = [];
  // One after the other: the first applies the migrations at boot (APP_ENV=test).
  for (const n of [1, 2]) {
    const api = apiProcess({ name: `api-${n}`, port: await freePort(), env });
    await api.start();
    apis.push(api);
  }
  apiUrls = apis.map((api) => `http://127.0.0.1:${api.port}`);
  tokens = await signedInUsers(apiUrls[0] as string, USERS);
  // The first full backup, as the timer takes it: from the streaming synchronous standby.
  const primary = await tier.primary();
  const backup = await script("backup.sh", ["--type", "full"], primary);
  expect(backup.stderr).toContain("--backup-standby");
  expect(await readFile(path.join(tier.scriptEnv(primary).STATE_DIR as string, "last-backup"), "utf8")).toMatch(
    /^type=full$/m,
  );
}, 300_000);

afterAll(async () => {
  for (const api of apis ?? []) await api.stop().catch(() => undefined);
  await redis?.stop();
  await tier?.stop();
});

const diagnostics = () =>
  [tier.diagnostics(), ...apis.map((api, i) => `--- api-${i + 1}\n${api.process().output().slice(-2000)}`)].join("\n");

/** Ids of acknowledged writes that the primary does not have. */
async function missingAcknowledged(samples: WriteSample[], sql: postgres.Sql): Promise<string[]> {
  const acked = samples.flatMap((s) => (s.id ? [s.id] : []));
  const present = new Set<string>();
  for (let i = 0; i < acked.length; i += 5000) {
    const rows = await sql<
      { id: string }[]
    >`select id from clients where id = any(${acked.slice(i, i + 5000)}::uuid[])`;
    for (const row of rows) present.add(row.id);
  }
  return acked.filter((id) => !present.has(id));
}

/** The restored copy keeps the cluster's pg_hba.conf (postgres by peer on the socket): over TCP. */
const restoredCopy = (port: number) =>
  postgres(`postgres://127.0.0.1:${port}/coaching`, {
    max: 1,
    username: "postgres",
    password: tier.secrets.PG_SUPERUSER_PASSWORD,
    onnotice: () => undefined,
  });

/** Stops a copy pitr-restore.sh started (as postgres, the owner of its files). */
const stopRestoredCopy = (dir: string) =>
  run("runuser", ["-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", dir, "-m", "fast", "stop"]);

async function withPrimary<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(tier.url("coaching"), { max: 1, onnotice: () => undefined, connect_timeout: 2 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function script(name: string, args: string[], node: DataNode, env: Record<string, string> = {}) {
  return run("bash", [path.join(REPO_ROOT, "data-tier", name), ...args], {
    env: { ...tier.scriptEnv(node), PEER_API: peerApi(node), ...env },
    timeout: 300_000,
  });
}
/** A script's exit code and output, whether it fails or not. */
async function scriptResult(name: string, args: string[], node: DataNode, env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await script(name, args, node, env);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
const peerApi = (node: DataNode) =>
  tier.nodes
    .filter((n) => n !== node)
    .map((n) => `127.0.0.1:${n.restPort}`)
    .join("");

/** Writes only 2xx and 503 (never a 500, another error or a hang). */
const unexpected = (samples: WriteSample[]) => samples.filter((s) => !(s.id || s.status === 503));

describe("data tier drills", () => {
  it("e. keeps its primary and serves writes while an etcd member is lost", async () => {
    const before = await tier.primary();
    const load = startWriteLoad({ apis: apiUrls, tokens, ratePerS: RATE, prefix: "drill-e" });
    await sleep(2_000);
    const lost = tier.etcd[0];
    await lost?.kill();
    // Longer than Patroni's ttl: a primary that could not renew its key would have lost it by now.
    await sleep((TTL_S + 4) * 1000);
    const during = await tier.primary(1000);
    await lost?.start();
    await sleep(1_000);
    const samples = await load.stop();
    const missing = await withPrimary((sql) => missingAcknowledged(samples, sql));
    const { gapMs } = longestWriteGap(samples);
    console.log(
      `drill data-tier-etcd-member-lost: sent=${samples.length} statuses=${JSON.stringify(statusesOf(samples))} longest-gap=${gapMs}ms primary=${before.name}->${during.name} missing=${missing.length}`,
    );
    expect(during.name, diagnostics()).toBe(before.name);
    expect(unexpected(samples).concat(samples.filter((s) => s.status === 503))).toEqual([]);
    expect(missing).toEqual([]);
  });

  it("b. switches over under write load with at most 3 s of 503s and no write lost", async () => {
    const from = await tier.primary();
    const to = tier.nodes.find((node) => node !== from) as DataNode;
    const load = startWriteLoad({ apis: apiUrls, tokens, ratePerS: RATE, prefix: "drill-b" });
    await sleep(2_000);
    const started = Date.now();
    await script("switchover.sh", ["--to", to.name], from);
    const switchedMs = Date.now() - started;
    await sleep(2_000);
    const samples = await load.stop();
    const unavailable = samples.filter((s) => s.status === 503);
    const window = unavailable.length ? (unavailable.at(-1)?.at ?? 0) - (unavailable[0]?.sentAt ?? 0) : 0;
    const missing = await withPrimary((sql) => missingAcknowledged(samples, sql));
    const { gapMs } = longestWriteGap(samples);
    console.log(
      `drill data-tier-switchover: sent=${samples.length} statuses=${JSON.stringify(statusesOf(samples))} 503-window=${window}ms longest-gap=${gapMs}ms script=${switchedMs}ms missing=${missing.length}`,
    );
    expect((await tier.primary()).name, diagnostics()).toBe(to.name);
    expect(unexpected(samples)).toEqual([]);
    expect(missing).toEqual([]);
    expect(window).toBeLessThanOrEqual(3_000);
  });

  it("a. promotes the standby when the primary is killed under write load: no acknowledged write lost, old primary rejoins", async () => {
    const victim = await tier.primary();
    const survivor = tier.nodes.find((node) => node !== victim) as DataNode;
    const load = startWriteLoad({ apis: apiUrls, tokens, ratePerS: RATE, prefix: "drill-a" });
    await sleep(3_000);
    const killedAt = Date.now();
    await victim.killHard();
    const promotedMs = await waitFor(async () => (await survivor.rest("/primary")) === 200, 60_000, "the promotion");
    // Writes resume on the new primary without restarting either API.
    await waitFor(async () => load.samples.some((s) => s.id && s.sentAt > killedAt + promotedMs), 30_000, "writes");
    await sleep(2_000);
    const samples = await load.stop();
    const missing = await withPrimary((sql) => missingAcknowledged(samples, sql));
    const { gapMs } = longestWriteGap(samples);
    const acked = samples.filter((s) => s.id).length;

    // The old primary, started again, rewinds and follows the new one by itself.
    const rejoinStarted = Date.now();
    await victim.start();
    const heartbeat = setInterval(() => void script("pg-heartbeat.sh", [], survivor).catch(() => undefined), 2_000);
    try {
      await waitFor(
        async () => (await victim.rest("/sync")) === 200,
        120_000,
        `${victim.name} to rejoin as sync standby`,
      );
    } finally {
      clearInterval(heartbeat);
    }
    const rejoinMs = Date.now() - rejoinStarted;
    console.log(
      `drill data-tier-primary-lost: sent=${samples.length} acknowledged=${acked} statuses=${JSON.stringify(statusesOf(samples))} promoted-after=${Math.round(promotedMs)}ms write-gap=${gapMs}ms missing=${missing.length} rejoined-as-standby-in=${rejoinMs}ms`,
    );
    expect(unexpected(samples), diagnostics()).toEqual([]);
    expect(missing).toEqual([]);
    expect(gapMs).toBeLessThanOrEqual(30_000);
    expect(victim.output()).toMatch(/pg_rewind|starting as a secondary/);
  });

  it("checks itself: the checklist, the weekly restore check, a standby rebuilt from the primary", async () => {
    const primary = await tier.primary();
    const standby = tier.nodes.find((node) => node !== primary) as DataNode;
    // No restore check has run yet: the checklist says so and fails.
    const before = await scriptResult("check.sh", [], primary);
    expect(before.code, before.stdout).toBe(1);
    expect(before.stdout).toMatch(/^✗ a restore check passed less than 8 days ago: last none/m);

    // The restore check, with its dead-man's-switch ping caught by a local server.
    const pings: string[] = [];
    const server = createServer((req, res) => {
      pings.push(req.url ?? "");
      res.end("OK");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const pingUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping/abc`;
    const checkedRows = await primary.psql("select count(*) from clients", "coaching");
    const started = Date.now();
    const checked = await scriptResult(
      "restore-check.sh",
      ["--scratch", path.join(tier.dir, "restore-check"), "--port", String(await freePort())],
      primary,
      { RESTORE_CHECK_PING_URL: pingUrl },
    );
    const restoreCheckMs = Date.now() - started;
    server.close();
    expect(checked.code, `${checked.stderr}\n${diagnostics()}`).toBe(0);
    expect(checked.stderr).toMatch(/ok in [\d.]+ s: \d+ tables, \d+ rows match at restore-check-/);
    expect(pings).toEqual(["/ping/abc"]);
    const state = await readFile(path.join(tier.scriptEnv(primary).STATE_DIR as string, "last-restore-check"), "utf8");
    expect(Number(/^rows=(\d+)$/m.exec(state)?.[1])).toBeGreaterThanOrEqual(Number(checkedRows));
    // On the standby it does nothing (the primary's timer runs it).
    const onStandby = await scriptResult("restore-check.sh", [], standby);
    expect(onStandby.code).toBe(0);
    expect(onStandby.stderr).toContain("not the primary");

    // Now every check passes, on both nodes (the restore check's log replicates).
    for (const node of [primary, standby]) {
      const after = await scriptResult("check.sh", [], node);
      expect(after.code, `${node.name}:\n${after.stdout}`).toBe(0);
      expect(after.stdout).toMatch(/^✓ a synchronous standby when there are two members$/m);
      expect(after.stdout).toMatch(/^✓ a full backup less than 8 days old/m);
    }

    // rebuild-node.sh refuses the primary, leaves a healthy standby alone, and with --force
    // clones the standby afresh; it comes back as the synchronous standby with every row.
    const refused = await scriptResult("rebuild-node.sh", ["--yes"], primary);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${primary.name} is the primary`);
    const healthy = await scriptResult("rebuild-node.sh", ["--yes"], standby);
    expect(healthy.code).toBe(0);
    expect(healthy.stderr).toContain("nothing to do");
    // A file only the old data directory has: gone after the clone.
    const marker = path.join(standby.dataDir, "before-rebuild");
    await writeFile(marker, "old");
    const rebuildStarted = Date.now();
    const rebuilt = await scriptResult("rebuild-node.sh", ["--yes", "--force", "--timeout", "180"], standby);
    const rebuildMs = Date.now() - rebuildStarted;
    expect(rebuilt.code, `${rebuilt.stderr}\n${diagnostics()}`).toBe(0);
    expect(existsSync(marker)).toBe(false);
    const rows = await primary.psql("select count(*) from clients", "coaching");
    await waitFor(
      async () => (await standby.psql("select count(*) from clients", "coaching")) === rows,
      30_000,
      "the rebuilt standby to have every row",
    );
    console.log(
      `drill data-tier-self-checks: restore-check=${restoreCheckMs}ms rows=${/^rows=(\d+)$/m.exec(state)?.[1]} rebuild-standby=${rebuildMs}ms`,
    );
  });

  it("creates each environment's database and roles: owner migrates, app only reads and writes, staging cannot open production", async () => {
    const primary = await tier.primary();
    const hosts = tier.nodes.map((node) => `127.0.0.1:${node.pgPort}`).join(",");
    const create = (env: string, out: string, ...args: string[]) =>
      scriptResult("create-database.sh", ["--env", env, "--hosts", hosts, "--out", out, ...args], primary);
    const urls = async (file: string) => {
      const text = await readFile(file, "utf8");
      const value = (key: string) => new RegExp(`^${key}=(.+)$`, "m").exec(text)?.[1] as string;
      return { app: value("DATABASE_URL"), owner: value("MIGRATION_DATABASE_URL"), text };
    };
    const connect = (url: string) => postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
    const production = path.join(tier.dir, "production.env");
    const staging = path.join(tier.dir, "staging.env");
    for (const [env, out] of [
      ["production", production],
      ["staging", staging],
    ] as const) {
      const created = await create(env, out);
      expect(created.code, created.stderr).toBe(0);
      expect(`${created.stdout}${created.stderr}`).not.toMatch(/postgres:\/\/[^:]+:[A-Za-z0-9]{40}@/);
      expect((await stat(out)).mode & 0o777).toBe(0o600);
    }
    const first = await urls(staging);
    expect(first.app).toMatch(
      new RegExp(
        `^postgres://coaching_staging_app:[A-Za-z0-9]{40}@${hosts}/coaching_staging\\?target_session_attrs=primary$`,
      ),
    );

    const owner = connect(first.owner);
    const app = connect(first.app);
    try {
      await owner`create table notes_check (id serial primary key, body text)`;
      await app`insert into notes_check (body) values ('x')`;
      expect(await app`select body from notes_check`).toEqual([{ body: "x" }]);
      await expect(app`create table evil (id int)`).rejects.toThrow(/permission denied/);
      await expect(app`drop table notes_check`).rejects.toThrow(/must be owner/);
      await expect(connect(first.app.replace("/coaching_staging?", "/coaching?"))`select 1`).rejects.toThrow(
        /permission denied for database/,
      );
    } finally {
      await Promise.all([owner.end({ timeout: 1 }), app.end({ timeout: 1 })]);
    }
    // A password never reaches the server: the role holds a SCRAM verifier.
    expect(
      await primary.psql("select left(rolpassword, 14) from pg_authid where rolname = 'coaching_staging_app'"),
    ).toBe("SCRAM-SHA-256$");

    // Again: nothing changes. With --rotate: new passwords, the old URL stops working.
    const again = await create("staging", staging);
    expect(again.code, again.stderr).toBe(0);
    expect((await urls(staging)).text).toBe(first.text);
    const rotated = await create("staging", staging, "--rotate");
    expect(rotated.code, rotated.stderr).toBe(0);
    const second = await urls(staging);
    expect(second.app).not.toBe(first.app);
    const fresh = connect(second.app);
    try {
      expect(await fresh`select count(*)::int as n from notes_check`).toEqual([{ n: 1 }]);
    } finally {
      await fresh.end({ timeout: 1 });
    }
    await expect(connect(first.app)`select 1`).rejects.toThrow(/password authentication failed/);
  });

  it("c. restores to a second before a mistaken DELETE: every row acknowledged before it, none after", async () => {
    const load = startWriteLoad({ apis: apiUrls, tokens, ratePerS: RATE, prefix: "drill-c" });
    await sleep(8_000);
    const before = await load.stop();
    // A quiet second and a half either side of the target, so "before T-1s" is "before T".
    await sleep(1_500);
    const target = new Date(Date.now() - 500);
    await sleep(1_000);
    const primary = await tier.primary();
    const deleted = await primary.psql(
      "with d as (delete from clients returning 1) select count(*) from d",
      "coaching",
    );
    const after = startWriteLoad({ apis: apiUrls, tokens, ratePerS: RATE, prefix: "drill-c-after" });
    await sleep(2_000);
    const afterSamples = await after.stop();

    const dir = path.join(tier.dir, "pitr");
    const started = Date.now();
    const restore = await script(
      "pitr-restore.sh",
      [
        "--to",
        `${target.toISOString().replace("T", " ").replace("Z", "+00")}`,
        "--target",
        dir,
        "--port",
        String(await freePort()),
      ],
      primary,
    );
    const restoreMs = Date.now() - started;
    const port = Number(/port (\d+)/.exec(restore.stdout)?.[1]);
    const restored = restoredCopy(port);
    try {
      const missing = await missingAcknowledged(before, restored);
      const ids = afterSamples.flatMap((s) => (s.id ? [s.id] : []));
      const [{ n: afterPresent } = { n: -1 }] = await restored<{ n: number }[]>`
        select count(*)::int as n from clients where id = any(${ids}::uuid[])`;
      console.log(
        `drill data-tier-pitr: acknowledged-before=${before.filter((s) => s.id).length} deleted=${deleted} missing-before=${missing.length} present-after=${afterPresent} of ${ids.length} restore+recovery=${restoreMs}ms`,
      );
      expect(Number(deleted)).toBeGreaterThan(0);
      expect(missing).toEqual([]);
      expect(ids.length).toBeGreaterThan(0);
      expect(afterPresent).toBe(0);
    } finally {
      await restored.end({ timeout: 1 });
      await stopRestoredCopy(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("d. loses the only data node: restored from the repository alone, what is missing is within archive_timeout", async () => {
    // The three-VPS shape: no standby. The standby leaves cleanly; the primary goes on alone.
    const primary = await tier.primary();
    const standby = tier.nodes.find((node) => node !== primary) as DataNode;
    await standby.stop();
    // Alone, the primary backs up from itself: --backup-standby would fail in pgBackRest 2.45.
    const backup = await script("backup.sh", ["--type", "diff"], primary);
    expect(backup.stderr).toContain("--no-backup-standby");
    const load = startWriteLoad({ apis: apiUrls, tokens, ratePerS: 10, prefix: "drill-d" });
    // Longer than archive_timeout, so WAL switches at least once under the load.
    await sleep((ARCHIVE_TIMEOUT_S + 10) * 1000);
    const lostAt = Date.now();
    await primary.killHard();
    await rm(primary.dataDir, { recursive: true, force: true });
    const samples = await load.stop();

    const dir = path.join(tier.dir, "lost-node-restore");
    const started = Date.now();
    const restore = await script(
      "pitr-restore.sh",
      ["--latest", "--target", dir, "--port", String(await freePort())],
      primary,
    );
    const rtoMs = Date.now() - started;
    const port = Number(/port (\d+)/.exec(restore.stdout)?.[1]);
    const restored = restoredCopy(port);
    try {
      const acked = samples.filter((s) => s.id && s.at <= lostAt);
      const missingIds = new Set(await missingAcknowledged(acked, restored));
      const missing = acked.filter((s) => missingIds.has(s.id as string));
      const oldestMissingAgoMs = missing.length ? lostAt - Math.min(...missing.map((s) => s.at)) : 0;
      console.log(
        `drill data-tier-node-lost-no-standby: acknowledged=${acked.length} restored=${acked.length - missing.length} missing=${missing.length} oldest-missing=${oldestMissingAgoMs}ms-before-loss (archive_timeout ${ARCHIVE_TIMEOUT_S}s) rto=${rtoMs}ms`,
      );
      expect(acked.length - missing.length, diagnostics()).toBeGreaterThan(0);
      expect(oldestMissingAgoMs).toBeLessThanOrEqual(ARCHIVE_TIMEOUT_S * 1000);
    } finally {
      await restored.end({ timeout: 1 });
      await stopRestoredCopy(dir);
    }

    // The same node back as the cluster's primary under Patroni (restore-node.sh): it refuses while
    // the lost primary is still listed in etcd (its member key lives for ttl after the kill).
    const refused = await scriptResult("restore-node.sh", ["--dry-run"], primary);
    if (refused.code !== 0) expect(refused.stderr).toContain("still run");
    const keyExpiredMs = await waitFor(
      async () => (await scriptResult("restore-node.sh", ["--dry-run"], primary)).code === 0,
      (TTL_S + 60) * 1000,
      "the lost primary's member key to expire",
    );
    const handOffStarted = Date.now();
    const handOff = await script("restore-node.sh", ["--yes", "--no-start"], primary);
    expect(handOff.stderr).toContain("removed coaching's state from etcd");
    const restoredMs = Date.now() - handOffStarted;
    await primary.start(); // systemctl start patroni
    expect(await tier.primary(120_000)).toBe(primary);
    const handOffMs = Date.now() - handOffStarted;
    // The APIs follow with no restart: a write succeeds once their pools reconnect (503 until then).
    const statuses: number[] = [];
    await waitFor(
      async () => {
        const response = await fetch(`${apiUrls[0]}/api/v1/clients`, {
          method: "POST",
          headers: { authorization: `Bearer ${tokens[0]}`, "content-type": "application/json" },
          body: JSON.stringify({ name: "after the restore" }),
        });
        statuses.push(response.status);
        await response.body?.cancel();
        return response.status === 201;
      },
      30_000,
      "a write through the API after the restore",
    );
    expect(
      statuses.slice(0, -1).every((status) => status === 503),
      `${statuses}`,
    ).toBe(true);
    await withPrimary(async (sql) => {
      const acked = samples.filter((s) => s.id && s.at <= lostAt);
      const missingLive = await missingAcknowledged(acked, sql);
      const oldestMissingAgoMs = Math.max(
        0,
        ...acked.filter((s) => missingLive.includes(s.id as string)).map((s) => lostAt - s.at),
      );
      expect(oldestMissingAgoMs).toBeLessThanOrEqual(ARCHIVE_TIMEOUT_S * 1000);
      // It archives on its new timeline: this copy is the primary now, not an inspection copy.
      const [switched] = await sql<{ segment: string }[]>`select pg_walfile_name(pg_switch_wal()) as segment`;
      const segment = switched?.segment ?? "";
      await waitFor(
        async () => {
          const [row] = await sql<{ done: boolean }[]>`
            select coalesce(last_archived_wal, '') >= ${segment} as done from pg_stat_archiver`;
          return row?.done === true;
        },
        60_000,
        `${segment} to be archived by the restored primary`,
      );
      const [checkpoint] = await sql<
        { timeline: number }[]
      >`select timeline_id as timeline from pg_control_checkpoint()`;
      const timeline = checkpoint?.timeline ?? 0;
      expect(timeline, "the promotion starts a new timeline").toBeGreaterThan(1);
      console.log(
        `drill data-tier-node-restored-under-patroni: member-key-expired-after=${Math.round(keyExpiredMs)}ms restored=${restoredMs}ms primary-after=${handOffMs}ms missing=${missingLive.length} of ${acked.length} timeline=${timeline} archived=${segment}`,
      );
    });
  });
});
