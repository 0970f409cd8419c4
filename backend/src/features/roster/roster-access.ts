import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/app-error.ts";

/**
 * Who may do what with a roster entry (a `clients` row): its coach reads and writes everything; the
 * linked client user reads (shared notes only) and writes check-ins; everyone else gets 404.
 */
export type RosterRole = "coach" | "client";

/** The caller's role on one roster entry, or undefined when it is not theirs to see. One query. */
export async function rosterRole(db: Db, clientId: string, userId: string): Promise<RosterRole | undefined> {
  const row = await db
    .selectFrom("clients")
    .select(["coach_id", "linked_user_id"])
    .where("id", "=", clientId)
    .where((eb) => eb.or([eb("coach_id", "=", userId), eb("linked_user_id", "=", userId)]))
    .executeTakeFirst();
  if (!row) return undefined;
  return row.coach_id === userId ? "coach" : "client";
}

/** The error for a write that matched no row: 403 if the caller can see the entry, else 404. */
export async function writeDenied(db: Db, clientId: string, userId: string, what = "Client"): Promise<AppError> {
  return (await rosterRole(db, clientId, userId)) === "client"
    ? AppError.forbidden("Only the coach can change this.")
    : AppError.notFound(`${what} not found.`);
}

/** A page listed under one roster entry; an empty page of an entry the caller cannot see is a 404. */
export async function visiblePage<T extends { items: unknown[] }>(db: Db, clientId: string, userId: string, page: T) {
  // Only an empty page needs the extra query: rows prove access already.
  if (page.items.length === 0 && !(await rosterRole(db, clientId, userId)))
    throw AppError.notFound("Client not found.");
  return page;
}

/** The row a coach-only write returned, or the 403/404 that explains why nothing was written. */
export async function writtenOrDenied<T>(db: Db, clientId: string, userId: string, row: T | undefined): Promise<T> {
  if (row === undefined) throw await writeDenied(db, clientId, userId);
  return row;
}
