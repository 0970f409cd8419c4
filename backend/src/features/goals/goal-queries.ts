import type { Db } from "../../db/database.ts";
import { isoFromUtcText, utcSortKey, utcText } from "../../db/iso-timestamp.ts";
import type { RowOf } from "../../db/row-of.ts";
import { AppError } from "../../http/app-error.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";

type GoalStatus = "active" | "achieved" | "dropped";

const goalColumns = [
  "goals.id",
  "goals.client_id",
  "goals.title",
  "goals.target_date",
  "goals.status",
  utcText("goals.created_at").as("created_at"),
  utcText("goals.updated_at").as("updated_at"),
] as const;

function selectGoals(db: Db) {
  return db.selectFrom("goals").innerJoin("clients", "clients.id", "goals.client_id").select(goalColumns);
}

type GoalRow = RowOf<ReturnType<typeof selectGoals>>;

function toGoal(row: GoalRow) {
  return {
    id: row.id,
    clientId: row.client_id,
    title: row.title,
    targetDate: row.target_date,
    status: row.status,
    createdAt: isoFromUtcText(row.created_at),
    updatedAt: isoFromUtcText(row.updated_at),
  };
}

/** Goals of a roster entry the caller coaches or is linked to, newest first. */
export async function listGoals(
  db: Db,
  clientId: string,
  userId: string,
  query: { limit: number; cursor?: string; status?: GoalStatus },
) {
  const after = decodeCursor(query.cursor);
  let q = selectGoals(db)
    .where("goals.client_id", "=", clientId)
    .where((eb) => eb.or([eb("clients.coach_id", "=", userId), eb("clients.linked_user_id", "=", userId)]))
    .orderBy("goals.created_at", "desc")
    .orderBy("goals.id", "desc")
    .limit(query.limit + 1);
  if (query.status) q = q.where("goals.status", "=", query.status);
  if (after) q = q.where(afterCursor(["goals.created_at", "goals.id"], "desc", after));
  const page = toPage(await q.execute(), query.limit, (row) => ({ k: utcSortKey(row.created_at), id: row.id }));
  return { items: page.items.map(toGoal), nextCursor: page.nextCursor };
}

export async function createGoal(
  db: Db,
  clientId: string,
  coachId: string,
  input: { title: string; targetDate?: string | null; status?: GoalStatus },
) {
  const row = await db
    .insertInto("goals")
    .columns(["client_id", "title", "target_date", "status"])
    .expression(
      db
        .selectFrom("clients")
        .select((eb) => [
          "clients.id",
          eb.val(input.title).as("title"),
          eb.val(input.targetDate ?? null).as("target_date"),
          eb.val(input.status ?? "active").as("status"),
        ])
        .where("clients.id", "=", clientId)
        .where("clients.coach_id", "=", coachId),
    )
    .returning(goalColumns)
    .executeTakeFirst();
  return row && toGoal(row);
}

export async function updateGoal(
  db: Db,
  id: string,
  coachId: string,
  input: { title?: string; targetDate?: string | null; status?: GoalStatus },
) {
  const { targetDate, ...rest } = input;
  const row = await db
    .updateTable("goals")
    .set({ ...rest, ...(targetDate !== undefined ? { target_date: targetDate } : {}), updated_at: new Date() })
    .where("id", "=", id)
    .where("client_id", "in", db.selectFrom("clients").select("id").where("coach_id", "=", coachId))
    .returning(goalColumns)
    .executeTakeFirst();
  return row && toGoal(row);
}

/** The caller's role on a goal's roster entry: 404 when it is not theirs to see. */
export async function goalRole(db: Db, goalId: string, userId: string) {
  const row = await db
    .selectFrom("goals")
    .innerJoin("clients", "clients.id", "goals.client_id")
    .select(["clients.coach_id"])
    .where("goals.id", "=", goalId)
    .where((eb) => eb.or([eb("clients.coach_id", "=", userId), eb("clients.linked_user_id", "=", userId)]))
    .executeTakeFirst();
  if (!row) throw AppError.notFound("Goal not found.");
  return row.coach_id === userId ? "coach" : "client";
}
