import type { Db } from "../../db/database.ts";
import { isoFromUtcText, utcSortKey, utcText } from "../../db/iso-timestamp.ts";
import type { RowOf } from "../../db/row-of.ts";
import { AppError } from "../../http/app-error.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";

// Timestamps as UTC text, formatted by isoFromUtcText: the one way every query writes timestamps.
const noteColumns = [
  "notes.id",
  "notes.client_id",
  "notes.appointment_id",
  "notes.author_id",
  "notes.body",
  "notes.visibility",
  utcText("notes.created_at").as("created_at"),
  utcText("notes.updated_at").as("updated_at"),
] as const;

function selectNotes(db: Db) {
  return db.selectFrom("notes").innerJoin("clients", "clients.id", "notes.client_id").select(noteColumns);
}

type NoteRow = RowOf<ReturnType<typeof selectNotes>>;

function toNote(row: NoteRow) {
  return {
    id: row.id,
    clientId: row.client_id,
    appointmentId: row.appointment_id,
    authorId: row.author_id,
    body: row.body,
    visibility: row.visibility,
    createdAt: isoFromUtcText(row.created_at),
    updatedAt: isoFromUtcText(row.updated_at),
  };
}

/** Notes of a roster entry: all of them for its coach, the shared ones for its client user. */
export async function listNotes(
  db: Db,
  clientId: string,
  userId: string,
  query: { limit: number; cursor?: string; visibility?: "private" | "shared" },
) {
  const after = decodeCursor(query.cursor);
  let q = selectNotes(db)
    .where("notes.client_id", "=", clientId)
    .where((eb) =>
      eb.or([
        eb("clients.coach_id", "=", userId),
        eb.and([eb("clients.linked_user_id", "=", userId), eb("notes.visibility", "=", "shared")]),
      ]),
    )
    .orderBy("notes.created_at", "desc")
    .orderBy("notes.id", "desc")
    .limit(query.limit + 1);
  if (query.visibility) q = q.where("notes.visibility", "=", query.visibility);
  if (after) q = q.where(afterCursor(["notes.created_at", "notes.id"], "desc", after));
  const page = toPage(await q.execute(), query.limit, (row) => ({ k: utcSortKey(row.created_at), id: row.id }));
  return { items: page.items.map(toNote), nextCursor: page.nextCursor };
}

/** Writes a note on a roster entry of this coach; undefined when the entry is not theirs. */
export async function createNote(
  db: Db,
  clientId: string,
  coachId: string,
  input: { body: string; visibility: "private" | "shared"; appointmentId?: string | null },
) {
  const client = await db
    .selectFrom("clients")
    .select("id")
    .where("id", "=", clientId)
    .where("coach_id", "=", coachId)
    .executeTakeFirst();
  if (!client) return undefined;
  if (input.appointmentId) {
    const appointment = await db
      .selectFrom("appointments")
      .select("id")
      .where("id", "=", input.appointmentId)
      .where("client_id", "=", clientId)
      .executeTakeFirst();
    if (!appointment)
      throw AppError.validation([{ path: "appointmentId", message: "No such appointment for this client." }]);
  }
  const row = await db
    .insertInto("notes")
    .values({
      client_id: clientId,
      author_id: coachId,
      body: input.body,
      visibility: input.visibility,
      appointment_id: input.appointmentId ?? null,
    })
    .returning(noteColumns)
    .executeTakeFirstOrThrow();
  return toNote(row);
}

/** Changes a note on this coach's roster; undefined when it is not theirs. */
export async function updateNote(
  db: Db,
  id: string,
  coachId: string,
  input: { body?: string; visibility?: "private" | "shared" },
) {
  const row = await db
    .updateTable("notes")
    .set({ ...input, updated_at: new Date() })
    .where("id", "=", id)
    .where("client_id", "in", db.selectFrom("clients").select("id").where("coach_id", "=", coachId))
    .returning(noteColumns)
    .executeTakeFirst();
  return row && toNote(row);
}

export async function deleteNote(db: Db, id: string, coachId: string) {
  const result = await db
    .deleteFrom("notes")
    .where("id", "=", id)
    .where("client_id", "in", db.selectFrom("clients").select("id").where("coach_id", "=", coachId))
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** 403 when the caller is the client user and can read this (shared) note, else 404. */
export async function noteWriteDenied(db: Db, id: string, userId: string) {
  const visible = await db
    .selectFrom("notes")
    .innerJoin("clients", "clients.id", "notes.client_id")
    .select("notes.id")
    .where("notes.id", "=", id)
    .where("clients.linked_user_id", "=", userId)
    .where("notes.visibility", "=", "shared")
    .executeTakeFirst();
  return visible ? AppError.forbidden("Only the coach can change this note.") : AppError.notFound("Note not found.");
}
