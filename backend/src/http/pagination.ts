import { z } from "@hono/zod-openapi";
import { type SqlBool, sql } from "kysely";
import { AppError } from "./app-error.ts";

/** `limit` (1–100, default 20) and an opaque `cursor`, shared by every list route. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  cursor: z.string().max(512).optional().openapi({ description: "nextCursor of the previous page" }),
});

export interface Cursor {
  /** The sort key of the last row (ISO timestamp or string). */
  k: string;
  id: string;
}

/** Cursors are base64url JSON of the last row's sort key and id: stable under concurrent inserts. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(value: string | undefined): Cursor | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Partial<Cursor>;
    if (
      typeof parsed.k === "string" &&
      typeof parsed.id === "string" &&
      parsed.k.length <= 64 &&
      parsed.id.length <= 64
    ) {
      return { k: parsed.k, id: parsed.id };
    }
  } catch {
    // falls through to the validation error
  }
  throw AppError.validation([{ path: "cursor", message: "Invalid cursor." }]);
}

/** Splits `limit + 1` fetched rows into a page and the cursor of the next one. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}

/** Response schema of a list of `item`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * The cursor's timestamp as a SQL value. Sent as text and cast by Postgres: a parameter that
 * postgres.js sees as timestamptz goes through a JS Date, which drops the microseconds and makes
 * the page boundary miss rows.
 */
export function cursorTimestamp(k: string) {
  return sql<Date>`${k}::text::timestamptz`;
}

/**
 * Rows after the cursor in a list sorted by `(timestamp, id)`, both `order`, as one row comparison:
 * `(t, id) < (k, cursor id)` for newest first. Postgres uses a row comparison as an index condition
 * on an index that ends in `(t, id)` sorted the same way, so the scan starts at the cursor and a
 * page costs the same at any depth. The expanded form, `t < k OR (t = k AND id < cursor id)`, is
 * only a filter: the scan starts at the first row and discards every row before the cursor (at
 * depth 150,000: "Rows Removed by Filter: 150001", 50 ms instead of 0.5 ms; docs/performance.md).
 *
 * A row comparison is lexicographic with every column in one direction ("Row Constructor
 * Comparison" in Postgres' docs), so it means "after the cursor" only for a list whose ORDER BY
 * sorts both columns in `order`, and it is cheap only with an index sorted the same way. Every list
 * here sorts newest first or (appointments) soonest first on both columns.
 */
export function afterCursor(
  columns: readonly [timestamp: string, id: string],
  order: "asc" | "desc",
  cursor: { k: string; id: string },
) {
  const [timestamp, id] = columns;
  const operator = sql.raw(order === "desc" ? "<" : ">");
  return sql<SqlBool>`(${sql.ref(timestamp)}, ${sql.ref(id)}) ${operator} (${cursorTimestamp(cursor.k)}, ${cursor.id})`;
}
