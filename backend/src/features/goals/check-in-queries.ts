import type { Db } from "../../db/database.ts";
import { isoFromUtcText, utcSortKey, utcText } from "../../db/iso-timestamp.ts";
import type { RowOf } from "../../db/row-of.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";

const checkInColumns = [
  "check_ins.id",
  "check_ins.goal_id",
  "check_ins.progress",
  "check_ins.comment",
  "check_ins.author_id",
  utcText("check_ins.created_at").as("created_at"),
] as const;

function selectCheckIns(db: Db) {
  return db
    .selectFrom("check_ins")
    .innerJoin("goals", "goals.id", "check_ins.goal_id")
    .innerJoin("clients", "clients.id", "goals.client_id")
    .select(checkInColumns);
}

type CheckInRow = RowOf<ReturnType<typeof selectCheckIns>>;

function toCheckIn(row: CheckInRow) {
  return {
    id: row.id,
    goalId: row.goal_id,
    progress: row.progress,
    comment: row.comment,
    authorId: row.author_id,
    createdAt: isoFromUtcText(row.created_at),
  };
}

/** Check-ins of a goal the caller coaches or is linked to, newest first. */
export async function listCheckIns(db: Db, goalId: string, userId: string, query: { limit: number; cursor?: string }) {
  const after = decodeCursor(query.cursor);
  let q = selectCheckIns(db)
    .where("check_ins.goal_id", "=", goalId)
    .where((eb) => eb.or([eb("clients.coach_id", "=", userId), eb("clients.linked_user_id", "=", userId)]))
    .orderBy("check_ins.created_at", "desc")
    .orderBy("check_ins.id", "desc")
    .limit(query.limit + 1);
  if (after) q = q.where(afterCursor(["check_ins.created_at", "check_ins.id"], "desc", after));
  const page = toPage(await q.execute(), query.limit, (row) => ({ k: utcSortKey(row.created_at), id: row.id }));
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
    .returning(checkInColumns)
    .executeTakeFirst();
  return row && toCheckIn(row);
}
