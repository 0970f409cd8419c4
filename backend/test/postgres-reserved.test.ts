import { sql as kyselySql } from "kysely";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../src/db/database.ts";
import { isUnavailableError } from "../src/http/error-handler.ts";
import { createTestDatabase } from "./support/test-services.ts";

// A transaction's connection killed under it (a Postgres restart, pg_terminate_backend), through
// the whole stack: Kysely, db/pipelined-dialect.ts, kysely-postgres-js and postgres.js with
// patches/postgres@3.4.9.patch. Unpatched, the ROLLBACK sent after the socket error waited forever
// (a hung request); the release put the dead connection back into the pool, where every query
// routed to it failed with CONNECTION_CLOSED until a restart (porsager/postgres#1199); the
// server's 57P01 was replayed to the first query of the reconnected socket; and the failed
// ROLLBACK surfaced as a TypeError from kysely-postgres-js (a 500) instead of the connection error.
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let admin: postgres.Sql;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = postgres(database.url, { max: 1, onnotice: () => undefined });
});

afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

describe("postgres.js patch", () => {
  it("fails the transaction with the connection error and leaves every pooled connection working", async () => {
    const { db, sql } = createDatabase({ url: database.url, poolMax: 2, statementTimeoutMs: 10_000 });
    try {
      const transaction = db.transaction().execute(async (trx) => {
        const { rows } = await kyselySql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await admin`select pg_terminate_backend(${rows[0]?.pid as number})`;
        await kyselySql`select 1`.execute(trx);
      });
      // Rejected with the connection's own error (a 503 for the API), not hung and not a TypeError.
      const failure = await transaction.then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isUnavailableError(failure), String(failure)).toBe(true);

      // Every later query succeeds, whichever of the pool's connections it lands on.
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, () => kyselySql<{ n: number }>`select 1 as n`.execute(db)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill("fulfilled"));
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
