import type { Db } from "../../db/database.ts";
import { isoFromUtcText, utcSortKey, utcText } from "../../db/iso-timestamp.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";

/** Users newest first, keyset-paginated on (createdAt, id). */
export async function listUsers(db: Db, query: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor(query.cursor);
  let q = db
    .selectFrom("user")
    .select(["id", "email", "name", "role", utcText("user.createdAt").as("createdAt")])
    // Qualified: a bare "createdAt" in ORDER BY would be the output column, the text, not the index's.
    .orderBy("user.createdAt", "desc")
    .orderBy("user.id", "desc")
    .limit(query.limit + 1);
  if (after) q = q.where(afterCursor(["user.createdAt", "user.id"], "desc", after));
  const rows = await q.execute();
  const page = toPage(rows, query.limit, (row) => ({ k: utcSortKey(row.createdAt), id: row.id }));
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((row) => ({ ...row, createdAt: isoFromUtcText(row.createdAt) })),
  };
}
