import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrator.ts";

export const TEMPLATE_DB = "coaching_test_template";

const PG_URL = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(.*)$/;

/**
 * The parts of a Postgres URL, changed: a multi-host URL (the data tier's, `pnpm
 * drill:api-on-patroni`) is no WHATWG URL, so it is taken apart by hand.
 */
export function pgUrlWith(url: string, change: { database?: string; username?: string; password?: string }): string {
  const match = PG_URL.exec(url);
  if (!match) throw new Error("the test database URL is not a postgres:// URL");
  const [, scheme, userinfo = "", hosts, database = "", rest] = match;
  const [user = "", pass] = userinfo.split(/:(.*)/s);
  // The URL's own parts are encoded already; only the new ones need it.
  const username = change.username === undefined ? user : encodeURIComponent(change.username);
  const password = change.password === undefined ? pass : encodeURIComponent(change.password);
  const credentials = username ? `${username}${password === undefined ? "" : `:${password}`}@` : "";
  return `${scheme}${credentials}${hosts}/${change.database ?? database}${rest}`;
}

/** The database a Postgres URL names. */
export const pgUrlDatabase = (url: string): string => decodeURIComponent(PG_URL.exec(url)?.[4] ?? "");

const withDatabase = (url: string, database: string) => pgUrlWith(url, { database });

/** Creates the migrated template database that every test file clones. */
export async function prepareTemplate(adminUrl: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await admin.unsafe(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const { db } = createDatabase({ url: withDatabase(adminUrl, TEMPLATE_DB), poolMax: 1, statementTimeoutMs: 0 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

/** A fresh database for one test file: an instant copy of the migrated template. */
export async function createDatabaseFromTemplate(adminUrl: string, template: string, empty = false) {
  const name = `test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(empty ? `create database ${name}` : `create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
