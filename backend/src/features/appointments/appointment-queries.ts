import type { Selectable } from "kysely";
import type { Db } from "../../db/database.ts";
import { isoFromUtcText, utcSortKey, utcText } from "../../db/iso-timestamp.ts";
import type { RowOf } from "../../db/row-of.ts";
import type { Database } from "../../db/schema.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";

function selectAppointments(db: Db) {
  return db
    .selectFrom("appointments")
    .innerJoin("clients", "clients.id", "appointments.client_id")
    .select([
      "appointments.id",
      "appointments.client_id",
      "clients.name as client_name",
      utcText("appointments.starts_at").as("starts_at"),
      "appointments.duration_minutes",
      "appointments.status",
      "appointments.location",
      utcText("appointments.created_at").as("created_at"),
      utcText("appointments.updated_at").as("updated_at"),
    ]);
}

type AppointmentRow = RowOf<ReturnType<typeof selectAppointments>>;

function toAppointment(row: AppointmentRow) {
  return {
    id: row.id,
    clientId: row.client_id,
    clientName: row.client_name,
    startsAt: isoFromUtcText(row.starts_at),
    durationMinutes: row.duration_minutes,
    status: row.status,
    location: row.location,
    createdAt: isoFromUtcText(row.created_at),
    updatedAt: isoFromUtcText(row.updated_at),
  };
}

type ListQuery = { limit: number; cursor?: string; from?: string; to?: string; clientId?: string };

/**
 * The coach's appointments and those of roster entries the user is linked to, by start time. One
 * query: a page of each (as coach through `appointments.coach_id`, as client user through the
 * entries linked to them), merged. Each half walks its own index from the cursor; one `OR` of the
 * two rules could use neither index in list order, and would sort every appointment of the coach
 * for each page. A user is never both for one entry (a check constraint), so the halves are disjoint.
 */
export async function listAppointments(db: Db, userId: string, query: ListQuery) {
  const after = decodeCursor(query.cursor);
  const half = (role: "coach" | "client") => {
    let q = selectAppointments(db)
      .where(role === "coach" ? "appointments.coach_id" : "clients.linked_user_id", "=", userId)
      .orderBy("appointments.starts_at", "asc")
      .orderBy("appointments.id", "asc")
      .limit(query.limit + 1);
    if (query.from) q = q.where("appointments.starts_at", ">=", new Date(query.from));
    if (query.to) q = q.where("appointments.starts_at", "<", new Date(query.to));
    if (query.clientId) q = q.where("appointments.client_id", "=", query.clientId);
    if (after) q = q.where(afterCursor(["appointments.starts_at", "appointments.id"], "asc", after));
    // The instant itself to merge the halves by (starts_at is text by now).
    return db.selectFrom(q.select("appointments.starts_at as instant").as(role)).selectAll();
  };
  const rows = await half("coach")
    .unionAll(half("client"))
    .orderBy("instant", "asc")
    .orderBy("id", "asc")
    .limit(query.limit + 1)
    .execute();
  const page = toPage(rows, query.limit, (row) => ({ k: utcSortKey(row.starts_at), id: row.id }));
  return { items: page.items.map(toAppointment), nextCursor: page.nextCursor };
}

export async function findAppointment(db: Db, id: string, userId: string) {
  const row = await selectAppointments(db)
    .where("appointments.id", "=", id)
    .where((eb) => eb.or([eb("clients.coach_id", "=", userId), eb("clients.linked_user_id", "=", userId)]))
    .executeTakeFirst();
  return row && toAppointment(row);
}

type AppointmentStatus = Selectable<Database["appointments"]>["status"];

interface AppointmentInput {
  startsAt?: string;
  durationMinutes?: number;
  location?: string | null;
  status?: AppointmentStatus;
}

/** Books an appointment for a client of this coach; undefined when the client is not theirs. */
export async function createAppointment(db: Db, coachId: string, input: AppointmentInput & { clientId: string }) {
  const inserted = await db
    .insertInto("appointments")
    .columns(["coach_id", "client_id", "starts_at", "duration_minutes", "location", "status"])
    .expression(
      db
        .selectFrom("clients")
        .select((eb) => [
          eb.val(coachId).as("coach_id"),
          "clients.id",
          eb.val(new Date(input.startsAt as string)).as("starts_at"),
          eb.val(input.durationMinutes as number).as("duration_minutes"),
          eb.val(input.location ?? null).as("location"),
          eb.val(input.status ?? "scheduled").as("status"),
        ])
        .where("clients.id", "=", input.clientId)
        .where("clients.coach_id", "=", coachId),
    )
    .returning("id")
    .executeTakeFirst();
  return inserted && findAppointment(db, inserted.id, coachId);
}

/** Reschedules, relocates or changes the status; the exclusion constraint refuses overlaps. */
export async function updateAppointment(db: Db, id: string, coachId: string, input: AppointmentInput) {
  const { startsAt, durationMinutes, ...rest } = input;
  const updated = await db
    .updateTable("appointments")
    .set({
      ...rest,
      ...(startsAt ? { starts_at: new Date(startsAt) } : {}),
      ...(durationMinutes ? { duration_minutes: durationMinutes } : {}),
      updated_at: new Date(),
    })
    .where("id", "=", id)
    .where("coach_id", "=", coachId)
    .returning("id")
    .executeTakeFirst();
  return updated && findAppointment(db, id, coachId);
}

export async function deleteAppointment(db: Db, id: string, coachId: string) {
  const result = await db
    .deleteFrom("appointments")
    .where("id", "=", id)
    .where("coach_id", "=", coachId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The roster entry of an appointment the user can see, for telling 403 from 404. */
export async function appointmentClientId(db: Db, id: string) {
  const row = await db.selectFrom("appointments").select("client_id").where("id", "=", id).executeTakeFirst();
  return row?.client_id;
}
