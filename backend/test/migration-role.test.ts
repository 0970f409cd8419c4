import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, expect, it } from "vitest";
import { createDatabase } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrator.ts";
import { call, newCredentials, signUp } from "./support/auth-client.ts";
import { pgUrlWith } from "./support/template-db.ts";
import { startTestApp, type TestApp } from "./support/test-app.ts";
import { testServices } from "./support/test-services.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

// docs/deploy.md: the migrations need no superuser. The extensions they create (btree_gist,
// pg_trgm, btree_gin) are trusted, so a role that owns the database (CREATE on it) may create them.

const suffix = randomBytes(4).toString("hex");
const role = `migrator_${suffix}`;
const database = `migrated_by_owner_${suffix}`;
const admin = postgres(testServices().pgAdminUrl, { max: 1, onnotice: () => {} });

afterAll(async () => {
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.unsafe(`drop role if exists ${role}`);
  await admin.end();
});

it("runs every migration as a role that owns the database but is not a superuser", async () => {
  await admin.unsafe(`create role ${role} login password 'migrator' nosuperuser`);
  await admin.unsafe(`create database ${database} owner ${role}`);
  const url = pgUrlWith(testServices().pgAdminUrl, { username: role, password: "migrator", database });
  const { db } = createDatabase({ url, poolMax: 1, statementTimeoutMs: 0 });
  try {
    const result = await migrateToLatest(db);
    expect(result.results?.every((r) => r.status === "Success")).toBe(true);
  } finally {
    await db.destroy();
  }
  const owner = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await owner<{ extname: string; superuser: boolean }[]>`
      select e.extname, r.rolsuper as superuser from pg_extension e join pg_roles r on r.oid = e.extowner
      where e.extname in ('btree_gist', 'pg_trgm', 'btree_gin') order by e.extname`;
    expect(rows).toEqual([
      { extname: "btree_gin", superuser: false },
      { extname: "btree_gist", superuser: false },
      { extname: "pg_trgm", superuser: false },
    ]);
  } finally {
    await owner.end();
  }
});

it("gives the API a role that reads and writes every table and changes no schema: db:app-role", async () => {
  const owner = `owner_${suffix}`;
  const app = `app_${suffix}`;
  const appDatabase = `app_role_${suffix}`;
  const password = `app-role-${randomBytes(12).toString("hex")}`;
  await admin.unsafe(`create role ${owner} login password 'owner' nosuperuser createrole`);
  await admin.unsafe(`create database ${appDatabase} owner ${owner}`);
  const dir = await mkdtemp(path.join(tmpdir(), "app-role-"));
  const urlFor = (user: string, secret: string) =>
    pgUrlWith(testServices().pgAdminUrl, { username: user, password: secret, database: appDatabase });
  let api: TestApp | undefined;
  try {
    const { db } = createDatabase({ url: urlFor(owner, "owner"), poolMax: 1, statementTimeoutMs: 0 });
    await migrateToLatest(db).finally(() => db.destroy());
    const passwordFile = path.join(dir, "password");
    await writeFile(passwordFile, `${password}\n`, { mode: 0o644 });
    const cli = (...args: string[]) =>
      spawnSync("pnpm", ["--silent", "db:app-role", "--", "--role", app, "--password-file", passwordFile, ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, MIGRATION_DATABASE_URL: urlFor(owner, "owner") },
      });
    expect(cli().stderr).toContain("make it 600");
    await chmod(passwordFile, 0o600);
    const printed = cli("--print-sql");
    expect(printed.stdout).toContain(`create role ${app} login`);
    expect(printed.stdout).toContain("SCRAM-SHA-256$4096:");
    expect(printed.stdout).not.toContain(password);
    const created = cli();
    expect(created.status, created.stderr).toBe(0);
    const again = cli();
    expect(again.status, `idempotent: ${again.stderr}`).toBe(0);

    // The API works as that role...
    api = await startTestApp(urlFor(app, password), { TRUST_PROXY: "cloudflare" });
    const user = await signUp(api.url, newCredentials("least-privilege"), "203.0.113.201");
    const client = await call(api.url, "POST", "/api/v1/clients", { session: user.session, body: { name: "Least" } });
    expect(client.status).toBe(201);
    // ...and cannot change the schema.
    const asApp = postgres(urlFor(app, password), { max: 1, onnotice: () => {} });
    try {
      for (const statement of [
        "create table intruder (id int)",
        "drop table clients",
        "alter table clients add column x int",
        "truncate notes",
        "create schema other",
      ]) {
        await expect(asApp.unsafe(statement), statement).rejects.toThrow(/permission denied|must be owner/);
      }
      // A table a later migration creates (as the owner) is the API's to use, by default privileges.
      const asOwner = postgres(urlFor(owner, "owner"), { max: 1, onnotice: () => {} });
      await asOwner.unsafe("create table later_feature (id int primary key)");
      await asOwner.end();
      await asApp.unsafe("insert into later_feature values (1)");
      expect(await asApp.unsafe("select id from later_feature")).toEqual([{ id: 1 }]);
    } finally {
      await asApp.end();
    }
  } finally {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
    await admin.unsafe(`drop database if exists ${appDatabase} with (force)`);
    await admin.unsafe(`drop role if exists ${app}`);
    await admin.unsafe(`drop role if exists ${owner}`);
  }
});
