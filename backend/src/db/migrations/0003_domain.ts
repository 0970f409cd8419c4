import { type Kysely, sql } from "kysely";

// The coaching domain. Every rule the API promises is also a constraint here, so a bug in a query
// cannot store what the contract forbids: enums and ranges are CHECKs, ownership is a foreign key
// with the right ON DELETE, and double booking is refused by an exclusion constraint.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table clients (
      id uuid primary key default gen_random_uuid(),
      coach_id text not null references "user" (id) on delete cascade,
      name text not null check (char_length(name) between 1 and 200),
      email text check (char_length(email) <= 320),
      status text not null default 'active' check (status in ('active', 'archived')),
      linked_user_id text references "user" (id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (linked_user_id is distinct from coach_id)
    )`.execute(db);
  // List order (newest first) and every filter of GET /clients.
  await sql`create index clients_coach_created_idx on clients (coach_id, created_at desc, id desc)`.execute(db);
  await sql`create index clients_linked_user_idx on clients (linked_user_id) where linked_user_id is not null`.execute(
    db,
  );
  await sql`create unique index clients_coach_email_key on clients (coach_id, lower(email)) where email is not null`.execute(
    db,
  );

  await sql`
    create table invites (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references clients (id) on delete cascade,
      -- Only a hash is stored: a database leak does not hand out working invite links.
      token_hash text not null unique,
      expires_at timestamptz not null,
      accepted_at timestamptz,
      accepted_by text references "user" (id) on delete set null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index invites_client_idx on invites (client_id)`.execute(db);

  // Adding minutes to a timestamptz does not depend on the time zone, so this is truly immutable
  // and may back an index (timestamptz + interval in general is only stable).
  await sql`
    create function appointment_slot(starts timestamptz, minutes integer) returns tstzrange
    language sql immutable parallel safe
    as $$ select tstzrange(starts, starts + make_interval(mins => minutes), '[)') $$`.execute(db);
  await sql`
    create table appointments (
      id uuid primary key default gen_random_uuid(),
      coach_id text not null references "user" (id) on delete cascade,
      client_id uuid not null references clients (id) on delete cascade,
      starts_at timestamptz not null,
      duration_minutes integer not null check (duration_minutes between 15 and 480),
      status text not null default 'scheduled' check (status in ('scheduled', 'completed', 'cancelled', 'no_show')),
      location text check (char_length(location) <= 500),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint appointments_no_overlap exclude using gist (
        coach_id with =,
        appointment_slot(starts_at, duration_minutes) with &&
      ) where (status = 'scheduled')
    )`.execute(db);
  await sql`create index appointments_coach_starts_idx on appointments (coach_id, starts_at, id)`.execute(db);
  await sql`create index appointments_client_starts_idx on appointments (client_id, starts_at, id)`.execute(db);

  await sql`
    create table notes (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references clients (id) on delete cascade,
      appointment_id uuid references appointments (id) on delete set null,
      author_id text references "user" (id) on delete set null,
      body text not null check (char_length(body) between 1 and 20000),
      visibility text not null default 'private' check (visibility in ('private', 'shared')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index notes_client_created_idx on notes (client_id, created_at desc, id desc)`.execute(db);
  await sql`create index notes_appointment_idx on notes (appointment_id) where appointment_id is not null`.execute(db);

  await sql`
    create table goals (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references clients (id) on delete cascade,
      title text not null check (char_length(title) between 1 and 200),
      target_date date,
      status text not null default 'active' check (status in ('active', 'achieved', 'dropped')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index goals_client_created_idx on goals (client_id, created_at desc, id desc)`.execute(db);

  await sql`
    create table check_ins (
      id uuid primary key default gen_random_uuid(),
      goal_id uuid not null references goals (id) on delete cascade,
      progress integer not null check (progress between 0 and 100),
      comment text check (char_length(comment) <= 2000),
      author_id text references "user" (id) on delete set null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index check_ins_goal_created_idx on check_ins (goal_id, created_at desc, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists check_ins, goals, notes, appointments, invites, clients`.execute(db);
  await sql`drop function if exists appointment_slot(timestamptz, integer)`.execute(db);
}
