import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";

type Row = {
  id: string;
  goal_id: string;
  progress: number;
  comment: string | null;
  author_id: string | null;
  created_at: Date;
};

function toCheckIn(row: Row) {
  return {
    id: row.id,
    goalId: row.goal_id,
    progress: row.progress,
    comment: row.comment,
    authorId: row.author_id,
    createdAt: row.created_at.toISOString(),
  };
}

/** Check-ins of a goal the caller coaches or is linked to, newest first. */
export async function listCheckIns(db: Db, goalId: string, userId: string, query: { limit: number; cursor?: string }) {
  const after = decodeCursor(query.cursor);
  let q = db
    .selectFrom("check_ins")
    .innerJoin("goals", "goals.id", "check_ins.goal_id")
    .innerJoin("clients", "clients.id", "goals.client_id")
    .selectAll("check_ins")
    .select(sql<string>`check_ins.created_at::text`.as("sort_key"))
    .where("check_ins.goal_id", "=", goalId)
    .where((eb) => eb.or([eb("clients.coach_id", "=", userId), eb("clients.linked_user_id", "=", userId)]))
    .orderBy("check_ins.created_at", "desc")
    .orderBy("check_ins.id", "desc")
    .limit(query.limit + 1);
  if (after) q = q.where(afterCursor(["check_ins.created_at", "check_ins.id"], "desc", after));
  const page = toPage(await q.execute(), query.limit, (row) => ({ k: row.sort_key, id: row.id }));
  return { items: page.items.map(toCheckIn), nextCursor: page.nextCursor };
}

/** Records progress on a goal; the coach or the linked client user may. Undefined when not theirs. */
export async function createCheckIn(
  db: Db,
  goalId: string,
  userId: string,
  input: { progress: number; comment?: string | null },
) {
  const row = await db
    .insertInto("check_ins")
    .columns(["goal_id", "progress", "comment", "author_id"])
    .expression(
      db
        .selectFrom("goals")
        .innerJoin("clients", "clients.id", "goals.client_id")
        .select((eb) => [
          "goals.id",
          eb.val(input.progress).as("progress"),
          eb.val(input.comment ?? null).as("comment"),
          eb.val(userId).as("author_id"),
        ])
        .where("goals.id", "=", goalId)
        .where((eb) => eb.or([eb("clients.coach_id", "=", userId), eb("clients.linked_user_id", "=", userId)])),
    )
    .returningAll()
    .executeTakeFirst();
  return row && toCheckIn(row);
}
