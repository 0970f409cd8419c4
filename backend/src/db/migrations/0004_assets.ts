import { type Kysely, sql } from "kysely";

// Files of a roster entry. The bytes live in object storage (R2); a row is the only way to reach an
// object. A row is `pending` from the moment an upload URL is handed out until `complete` has seen
// the object with the declared size and type (`ready`) or not (`failed`). Rows of deleted clients
// cascade; their objects are removed by the API first, and `pnpm assets:gc` catches any leftover.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table assets (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references clients (id) on delete cascade,
      uploader_id text references "user" (id) on delete set null,
      -- Random (clients/<clientId>/<uuid>), never the user's filename: no path tricks, no guessing.
      object_key text not null unique check (char_length(object_key) between 1 and 1024),
      filename text not null check (char_length(filename) between 1 and 255),
      content_type text not null check (char_length(content_type) between 1 and 255),
      size bigint not null check (size > 0),
      visibility text not null default 'private' check (visibility in ('private', 'shared')),
      status text not null default 'pending' check (status in ('pending', 'ready', 'failed')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // GET /assets?clientId= lists ready files only, newest first.
  await sql`
    create index assets_client_created_idx on assets (client_id, created_at desc, id desc)
    where status = 'ready'`.execute(db);
  // assets:gc looks for old pending/failed uploads.
  await sql`create index assets_status_created_idx on assets (status, created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists assets`.execute(db);
}
