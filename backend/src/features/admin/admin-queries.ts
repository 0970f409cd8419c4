import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";

/** Users newest first, keyset-paginated on (createdAt, id). */
export async function listUsers(db: Db, query: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor(query.cursor);
  let q = db
    .selectFrom("user")
    .select(["id", "email", "name", "role", "createdAt"])
    // The cursor carries Postgres' own text form: JS Dates would drop the microseconds and skip rows.
    .select(sql<string>`"createdAt"::text`.as("sortKey"))
    .orderBy("createdAt", "desc")
    .orderBy("id", "desc")
    .limit(query.limit + 1);
  if (after) q = q.where(afterCursor(["createdAt", "id"], "desc", after));
  const rows = await q.execute();
  const page = toPage(rows, query.limit, (row) => ({ k: row.sortKey, id: row.id }));
  return {
    nextCursor: page.nextCursor,
    items: page.items.map(({ sortKey: _, ...row }) => ({ ...row, createdAt: row.createdAt.toISOString() })),
  };
}
