import { sql } from "kysely";

/**
 * A timestamptz column as Postgres' text of its UTC time (`2026-01-02 03:04:05.678901`, the fraction
 * trimmed of trailing zeros), whatever the session's time zone. Every query selects its timestamps
 * this way and `isoFromUtcText` formats them — the one way the API writes a timestamp: rows carry no
 * `Date` to parse and format again, and Postgres' text output costs a fraction of `to_char` (the
 * roster's 21 rows: 80 → 40 µs of execution, docs/performance.md). backend/test/timestamp-output.test.ts
 * holds every list to what `Date.prototype.toISOString` wrote before.
 */
export function utcText(column: string) {
  return sql<string>`(${sql.ref(column)} at time zone 'UTC')::text`;
}

const UTC_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?$/;

/**
 * `utcText` output as the API writes timestamps (`2026-01-02T03:04:05.678Z`, what
 * `Date.prototype.toISOString` gives; microseconds truncated, as a `Date` would).
 */
export function isoFromUtcText(text: string): string {
  if (!UTC_TEXT.test(text)) throw new Error(`Not a UTC timestamp text: ${JSON.stringify(text)}`);
  const millis = text.length > 20 ? text.slice(20, 23).padEnd(3, "0") : "000";
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${millis}Z`;
}

/**
 * `utcText` output as a cursor sort key: with its offset, `cursorTimestamp` reads it back as the same
 * instant, microseconds included, in any session time zone.
 */
export function utcSortKey(text: string): string {
  return `${text}+00`;
}
