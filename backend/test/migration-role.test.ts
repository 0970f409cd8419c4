import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, expect, it } from "vitest";
import { createDatabase } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrator.ts";
import { testServices } from "./support/test-services.ts";

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
  const url = new URL(testServices().pgAdminUrl);
  url.username = role;
  url.password = "migrator";
  url.pathname = `/${database}`;
  const { db } = createDatabase({ url: url.toString(), poolMax: 1, statementTimeoutMs: 0 });
  try {
    const result = await migrateToLatest(db);
    expect(result.results?.every((r) => r.status === "Success")).toBe(true);
  } finally {
    await db.destroy();
  }
  const owner = postgres(url.toString(), { max: 1, onnotice: () => {} });
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
