import type { Db } from "../../db/database.ts";
import { isoFromUtcText, utcSortKey, utcText } from "../../db/iso-timestamp.ts";
import { preparedQuery } from "../../db/prepared-query.ts";
import type { RowOf } from "../../db/row-of.ts";
import { afterCursor, decodeCursor, toPage } from "../../http/pagination.ts";
import { deleteClientObjects } from "../assets/asset-purge.ts";
import type { AssetStorage } from "../assets/asset-storage.ts";
import { escapeLike, matchesSearch, type SearchKind, searchKind } from "./client-search.ts";

export function toClient(row: ClientRow) {
  return {
    id: row.id,
    coachId: row.coach_id,
    coachName: row.coach_name,
    name: row.name,
    email: row.email,
    status: row.status,
    linkedUserId: row.linked_user_id,
    createdAt: isoFromUtcText(row.created_at),
    updatedAt: isoFromUtcText(row.updated_at),
  };
}

function selectClients(db: Db) {
  return db
    .selectFrom("clients")
    .innerJoin("user as coach", "coach.id", "clients.coach_id")
    .select([
      "clients.id",
      "clients.coach_id",
      "coach.name as coach_name",
      "clients.name",
      "clients.email",
      "clients.status",
      "clients.linked_user_id",
      utcText("clients.created_at").as("created_at"),
      utcText("clients.updated_at").as("updated_at"),
    ]);
}

/** created_at and updated_at are UTC text (`utcText`), microseconds included: created_at is also the sort key. */
type ClientRow = RowOf<ReturnType<typeof selectClients>>;

interface ListArgs extends Record<string, unknown> {
  userId: string;
  limit: number;
  status?: "active" | "archived";
  term?: string;
  cursorAt?: string;
  cursorId?: string;
}

// A search's best plan depends on its term: the trigram index for a rare one, the list's own index for
// a common one (client-search.ts), so a search is planned for its term each time.
const searchPlannedEachTime = { planEachTime: (shape: string) => shape.split(":")[2] !== "" };

/** The list query, compiled once per combination of filters (it serves most requests of the app). */
const listQuery = preparedQuery<ListArgs, ClientRow>((db, arg, shape) => {
  const [as, status, search, cursor] = shape.split(":");
  let query = selectClients(db)
    .where(as === "coach" ? "clients.coach_id" : "clients.linked_user_id", "=", arg("userId"))
    .orderBy("clients.created_at", "desc")
    .orderBy("clients.id", "desc")
    .limit(arg("limit"));
  if (status) query = query.where("clients.status", "=", arg("status"));
  if (search) query = query.where(matchesSearch(search as SearchKind, arg("term")));
  if (cursor) {
    query = query.where(
      afterCursor(["clients.created_at", "clients.id"], "desc", { k: arg("cursorAt"), id: arg("cursorId") }),
    );
  }
  return query;
}, searchPlannedEachTime);

/** The caller's roster (or, `as: client`, the entries they are linked to), newest first. One query. */
export async function listClients(
  db: Db,
  userId: string,
  query: { limit: number; cursor?: string; q?: string; status?: "active" | "archived"; as: "coach" | "client" },
) {
  const after = decodeCursor(query.cursor);
  const search = query.q ? searchKind(query.q) : "";
  const shape = `${query.as}:${query.status ? "s" : ""}:${search}:${after ? "c" : ""}`;
  const rows = await listQuery(db, shape, {
    userId,
    limit: query.limit + 1,
    status: query.status,
    term: query.q ? escapeLike(query.q) : undefined,
    cursorAt: after?.k,
    cursorId: after?.id,
  });
  const page = toPage(rows, query.limit, (row) => ({ k: utcSortKey(row.created_at), id: row.id }));
  return { items: page.items.map(toClient), nextCursor: page.nextCursor };
}

/** One roster entry the caller coaches or is linked to. */
export async function findClient(db: Db, id: string, userId: string) {
  const row = await selectClients(db)
    .where("clients.id", "=", id)
    .where((eb) => eb.or([eb("clients.coach_id", "=", userId), eb("clients.linked_user_id", "=", userId)]))
    .executeTakeFirst();
  return row && toClient(row);
}

export async function createClient(db: Db, coachId: string, input: { name: string; email?: string | null }) {
  const { id } = await db
    .insertInto("clients")
    .values({ coach_id: coachId, name: input.name, email: input.email ?? null })
    .returning("id")
    .executeTakeFirstOrThrow();
  return (await findClient(db, id, coachId)) as ReturnType<typeof toClient>;
}

/** Updates a roster entry of this coach; undefined when it is not theirs. */
export async function updateClient(
  db: Db,
  id: string,
  coachId: string,
  input: { name?: string; email?: string | null; status?: "active" | "archived" },
) {
  const updated = await db
    .updateTable("clients")
    .set({ ...input, updated_at: new Date() })
    .where("id", "=", id)
    .where("coach_id", "=", coachId)
    .returning("id")
    .executeTakeFirst();
  return updated && findClient(db, id, coachId);
}

/**
 * Deletes a roster entry with everything hanging off it: its stored files first (a storage failure
 * throws 503 and the entry stays), then the row, whose foreign keys cascade to the rest.
 */
export async function deleteClient(db: Db, storage: AssetStorage, id: string, coachId: string): Promise<boolean> {
  const owned = await db
    .selectFrom("clients")
    .select("id")
    .where("id", "=", id)
    .where("coach_id", "=", coachId)
    .executeTakeFirst();
  if (!owned) return false;
  await deleteClientObjects(db, storage, id);
  const deleted = await db
    .deleteFrom("clients")
    .where("id", "=", id)
    .where("coach_id", "=", coachId)
    .executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
