import { AsyncLocalStorage } from "node:async_hooks";
import { Kysely, type LogEvent } from "kysely";
import type { Db, Sql } from "../db/database.ts";
import { PipelinedPostgresJSDialect } from "../db/pipelined-dialect.ts";
import type { Database } from "../db/schema.ts";
import { isUnavailableError } from "../http/error-handler.ts";

/**
 * better-auth catches its database errors and answers 500, or 422 `FAILED_TO_CREATE_USER` for a
 * failed sign-up insert (better-auth `api/routes/sign-up`), so its response cannot tell a Postgres
 * outage from a bug. Probing Postgres afterwards misses the commonest case: a query that failed on
 * a connection the restart broke, answered after Postgres is back (seen in the Postgres drill under
 * load as a `409 conflict` for a brand-new email). So better-auth gets its own Kysely over the same
 * pool whose error log notes, per auth request, that a query failed because Postgres was unreachable.
 */
export function createAuthDatabase(sql: Sql) {
  const requests = new AsyncLocalStorage<{ unavailable: boolean }>();
  const log = (event: LogEvent) => {
    if (event.level !== "error" || !isUnavailableError(event.error)) return;
    const request = requests.getStore();
    if (request) request.unavailable = true;
  };
  const db: Db = new Kysely<Database>({ dialect: new PipelinedPostgresJSDialect(sql), log });
  return {
    db,
    /** Runs one auth request; `unavailable` says whether any of its queries found Postgres unreachable. */
    async track<T>(run: () => Promise<T>): Promise<{ value: T; unavailable: boolean }> {
      const request = { unavailable: false };
      const value = await requests.run(request, run);
      return { value, unavailable: request.unavailable };
    },
  };
}

export type AuthDatabase = ReturnType<typeof createAuthDatabase>;
