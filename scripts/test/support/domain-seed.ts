import type { DebianPostgres } from "../../lib/debian-postgres.ts";

/** Row counts the seed produces; the tests compare restores against the database, not these. */
export const SEED_ROWS = { users: 2_000, clients: 10_000, appointments: 40_000, goals: 10_000 } as const;

// Deterministic, domain-shaped data: uuid keys, timestamptz, tstzrange, jsonb, unicode text.
const SEED_SQL = `
CREATE TABLE users (
  id uuid PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE clients (
  id uuid PRIMARY KEY, coach_id uuid NOT NULL REFERENCES users, name text NOT NULL, profile jsonb NOT NULL,
  created_at timestamptz NOT NULL);
CREATE TABLE appointments (
  id bigserial PRIMARY KEY, client_id uuid NOT NULL REFERENCES clients, during tstzrange NOT NULL,
  status text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE notes (
  id bigserial PRIMARY KEY, client_id uuid NOT NULL REFERENCES clients, body text NOT NULL,
  created_at timestamptz NOT NULL);
CREATE TABLE goals (
  id uuid PRIMARY KEY, client_id uuid NOT NULL REFERENCES clients, title text NOT NULL, target_date date,
  done boolean NOT NULL, meta jsonb NOT NULL);
CREATE TABLE check_ins (
  id bigserial PRIMARY KEY, goal_id uuid NOT NULL REFERENCES goals, score smallint NOT NULL, comment text,
  at timestamptz NOT NULL);

INSERT INTO users
SELECT md5('u' || g)::uuid, 'coach' || g || '@example.com', 'Zoë Ünal ' || g || ' — 日本語',
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, ${SEED_ROWS.users}) g;
INSERT INTO clients
SELECT md5('c' || g)::uuid, md5('u' || (g % ${SEED_ROWS.users} + 1))::uuid, 'Client ' || g || ' ✓',
  jsonb_build_object('phone', '+49 30 ' || g, 'tags', jsonb_build_array('vip', g % 7), 'note', 'café ☕'),
  timestamptz '2024-02-01 00:00:00+00' + g * interval '7 minutes'
FROM generate_series(1, ${SEED_ROWS.clients}) g;
INSERT INTO appointments (client_id, during, status, created_at)
SELECT md5('c' || (g % ${SEED_ROWS.clients} + 1))::uuid,
  tstzrange(timestamptz '2025-01-01 09:00:00+00' + g * interval '30 minutes',
            timestamptz '2025-01-01 09:50:00+00' + g * interval '30 minutes'),
  (ARRAY['booked', 'done', 'cancelled'])[g % 3 + 1], timestamptz '2024-12-01 00:00:00+00' + g * interval '1 minute'
FROM generate_series(1, ${SEED_ROWS.appointments}) g;
INSERT INTO notes (client_id, body, created_at)
SELECT md5('c' || (g % ${SEED_ROWS.clients} + 1))::uuid,
  'Session ' || g || ': Fortschritt gut — naïve plan → revised. ' || repeat(md5(g::text), 4),
  timestamptz '2025-01-01 00:00:00+00' + g * interval '13 minutes'
FROM generate_series(1, 20000) g;
INSERT INTO goals
SELECT md5('g' || g)::uuid, md5('c' || (g % ${SEED_ROWS.clients} + 1))::uuid, 'Run ' || (g % 42) || ' km 🏃',
  date '2025-06-01' + g % 365, g % 4 = 0, jsonb_build_object('priority', g % 5)
FROM generate_series(1, ${SEED_ROWS.goals}) g;
INSERT INTO check_ins (goal_id, score, comment, at)
SELECT md5('g' || (g % ${SEED_ROWS.goals} + 1))::uuid, (g % 10)::smallint,
  CASE WHEN g % 5 = 0 THEN NULL ELSE 'Fühle mich ' || g % 10 || '/10' END,
  timestamptz '2025-03-01 00:00:00+00' + g * interval '17 minutes'
FROM generate_series(1, 30000) g;
ANALYZE;
`;

/** Creates `database` with the domain-shaped schema and ~112k rows. */
export async function seedDomainDatabase(pg: DebianPostgres, database: string): Promise<void> {
  await pg.psql("postgres", `CREATE DATABASE ${database};`);
  await pg.psql(database, SEED_SQL);
}

/**
 * Per table in schema public: row count and an md5 over all rows in a fixed order, so two
 * databases with the same fingerprints hold the same data.
 */
export async function tableFingerprints(pg: DebianPostgres, database: string): Promise<Record<string, string>> {
  const tables = (await pg.psql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;"))
    .split("\n")
    .filter(Boolean);
  const result: Record<string, string> = {};
  for (const table of tables) {
    const row = await pg.psql(
      database,
      `SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM public."${table}" t;`,
    );
    result[table] = row.trim();
  }
  return result;
}
