import { type Kysely, sql } from "kysely";

// btree_gist lets an exclusion constraint mix equality (coach) with range overlap (time slot),
// which is how the database itself refuses double bookings.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists btree_gist`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop extension if exists btree_gist`.execute(db);
}
