import { sql } from "kysely";

/**
 * A timestamptz column as the API writes timestamps (`2026-01-02T03:04:05.678Z`, what
 * `Date.prototype.toISOString` gives), formatted by Postgres: list rows then carry no `Date`
 * objects to parse and format again (docs/performance.md).
 */
export function isoTimestamp(column: string) {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
