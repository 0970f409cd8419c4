import { Kysely } from "kysely";
import postgres from "postgres";
import { PipelinedPostgresJSDialect } from "./pipelined-dialect.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;
export type Sql = postgres.Sql;

interface DatabaseOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** Bounded so a dead database turns into a fast 503 instead of a hung request. */
  connectTimeoutSeconds?: number;
}

/** One postgres.js pool and the Kysely instance on top of it. Opens no connection until used. */
export function createDatabase(options: DatabaseOptions): { db: Db; sql: Sql } {
  const sql = postgres(options.url, {
    max: options.poolMax,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    idle_timeout: 60,
    // postgres.js waits `backoff` seconds before reconnecting, and its default grows to 20 s: queued
    // queries then hang long after Postgres is back. A short cap keeps outages fast 503s and makes
    // recovery immediate (measured in the Postgres drill).
    backoff: (retries: number) => Math.min(0.05 * retries, 0.25),
    max_lifetime: 60 * 30,
    onnotice: () => {},
    // `date` columns stay "YYYY-MM-DD" strings: a JS Date would shift them by the server's time zone.
    types: {
      date: { to: 1082, from: [1082], serialize: (value: string) => value, parse: (value: string) => value },
    },
    connection: {
      statement_timeout: options.statementTimeoutMs,
      application_name: "coaching-app",
    },
  });
  const db = new Kysely<Database>({ dialect: new PipelinedPostgresJSDialect(sql) });
  return { db, sql };
}
