import { type Kysely, sql } from "kysely";

/**
 * `GET /clients?q=` (clients/client-search.ts): the roster's search index again (0005's stays as it
 * was, for databases that applied it), changed after measuring it on the bench's scale data, a
 * roster of 200,000 among 1,200,000 rows (docs/performance.md § Scale):
 * - **The trigrams first, the coach second.** GIN advances a scan's keys in column order and, when a
 *   key misses, starts again from the first key (`scanGetItem`, src/backend/access/gin/ginget.c).
 *   With the coach first, every candidate of the term's rarest trigram, matching or not, moved the
 *   coach's posting list of 200,000 entries forward; with the trigrams first, a miss starts again at
 *   the trigrams, and the coach's list is only consulted for rows that have all of the term's
 *   trigrams. A rare surname's search: 2.3 ms of execution → 0.7 ms; the size is the same (62 MB
 *   when built at once).
 * - **`lower(…)` of the text**, searched with LIKE and a lower-cased term instead of ILIKE: the same
 *   matches (in a UTF-8 database ILIKE is LIKE on `lower()` of both sides), but the planner estimates
 *   a LIKE from the expression's statistics without lower-casing every sampled value: planning a
 *   search took 0.35–0.5 ms, now 0.15–0.2 ms.
 * Measured and dropped: a trigram index without the coach beside this one (the planner always prefers
 * the index that also holds the coach; and alone, its estimate of a rare surname, 12,000 rows for
 * 150, made it combine that index with the coach's B-tree: 13–22 ms); a GiST index over both (209 MB,
 * 3 minutes to build, 28–35 ms a search).
 *
 * Built without CONCURRENTLY, like 0005: the migrator runs each migration in a transaction. At the
 * bench's 1,200,000 rows the build took 15–20 s, during which writes to `clients` wait.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index clients_search_idx`.execute(db);
  await sql`create index clients_search_trgm_idx on clients
    using gin (lower(name || ' ' || coalesce(email, '')) gin_trgm_ops, coach_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists clients_search_trgm_idx`.execute(db);
  await sql`create index if not exists clients_search_idx on clients
    using gin (coach_id, (name || ' ' || coalesce(email, '')) gin_trgm_ops)`.execute(db);
}
