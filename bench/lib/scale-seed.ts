import type postgres from "postgres";

/** The scale scenario's data: one coach's roster of 200,000 and 1,000,000 rows of other coaches. */
export const SCALE = { clients: 200_000, otherCoaches: 1_000, clientsPerOtherCoach: 1_000 } as const;

const FIRST_NAMES =
  "Anna Ben Chloe David Emma Felix Grace Hugo Ines Jonas Kira Liam Maya Noah Olga Paul Quinn Rosa Sam Tara Uma Victor Wanda Xaver Yara Zoe Aron Bea Carl Dina".split(
    " ",
  );
// Surnames are three consonant-vowel syllables (18 consonants × 5 vowels): 8,000 of the 729,000
// possible, so a surname picks out ~25 of 200,000 rows, like a coach typing a client's name. Their
// trigrams are about as frequent as real names' (0.1–0.5 % of rows each); an earlier generator
// with 20 syllables made every trigram 1–2 % of rows, and GIN intersects the posting lists of all
// of a term's trigrams (docs/performance.md § Scale).
const CONSONANTS = "bcdfghjklmnprstvwz";
const VOWELS = "aeiou";

/** Syllable number `k` (0–89, an SQL expression) as text: consonant `k / 5`, vowel `k % 5`. */
function syllable(sql: postgres.Sql, k: string) {
  return sql`(substr(${CONSONANTS}, 1 + (${sql.unsafe(k)}) / 5, 1) || substr(${VOWELS}, 1 + (${sql.unsafe(k)}) % 5, 1))`;
}

/**
 * `count` clients of `coach` (a SQL expression of `g`, the row number), in one set-based insert.
 * Timestamps go back one second per pair of rows (pairs tie, so the id breaks the tie) with a
 * microsecond part, so a cursor that lost its microseconds would skip or repeat rows.
 */
function insertClients(sql: postgres.Sql, coach: postgres.PendingQuery<postgres.Row[]>, count: number) {
  return sql`
    insert into clients (coach_id, name, email, status, created_at, updated_at)
    select ${coach}, n.first || ' ' || n.last,
      lower(n.first || '.' || n.last) || '.' || g || '@example.com',
      case when g % 10 = 0 then 'archived' else 'active' end, t.at, t.at
    from generate_series(1, ${count}::int) g
    -- One of 8,000 surnames, spread over the 729,000 syllable triples (91 is coprime to 729,000).
    cross join lateral (select ((g::bigint * 7919) % 8000)::int * 91 as h) s
    cross join lateral (
      select (${FIRST_NAMES}::text[])[1 + g % ${FIRST_NAMES.length}] as first,
        initcap(${syllable(sql, "s.h % 90")} || ${syllable(sql, "s.h / 90 % 90")} || ${syllable(sql, "s.h / 8100 % 90")}) as last
    ) n
    cross join lateral (
      select timestamptz '2026-06-01 00:00:00+00' - (g / 2) * interval '1 second'
        - (g / 2 % 997) * interval '1 microsecond' as at
    ) t
    -- In index order: the B-tree inserts then touch one page after another, not random ones.
    order by 1, t.at desc`;
}

/**
 * Seeds with set-based SQL (about a minute on the bench's machine; through the API it would take hours): the scale coach's roster of
 * 200,000 with one note, one appointment (non-overlapping slots) and one ready file each, and
 * 1,000 other coaches with 1,000 clients each. Then VACUUM ANALYZE, as after the API seeding.
 */
export async function seedScale(sql: postgres.Sql, coachId: string, log: (line: string) => void): Promise<void> {
  let started = performance.now();
  const lap = (what: string) => {
    log(`scale seed: ${what} in ${Math.round(performance.now() - started)} ms`);
    started = performance.now();
  };
  await sql`set session_replication_role = replica`;
  await sql`
    insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt", role)
    select 'scale-other-' || g, 'Other coach ' || g, 'scale-other-' || g || '@bench.example', true, now(), now(), 'user'
    from generate_series(1, ${SCALE.otherCoaches}::int) g`;
  lap(`${SCALE.otherCoaches} other coaches`);
  await insertClients(
    sql,
    sql`'scale-other-' || (1 + g % ${SCALE.otherCoaches}::int)`,
    SCALE.otherCoaches * SCALE.clientsPerOtherCoach,
  );
  lap(`${SCALE.otherCoaches * SCALE.clientsPerOtherCoach} of their clients`);
  await insertClients(sql, sql`${coachId}::text`, SCALE.clients);
  lap(`the scale coach's ${SCALE.clients} clients`);
  await sql`
    insert into notes (client_id, author_id, body, visibility, created_at, updated_at)
    select id, coach_id, 'Talked about the training plan; next session in two weeks.',
      case when created_at < timestamptz '2026-05-01' then 'shared' else 'private' end,
      created_at + interval '1 hour', created_at + interval '1 hour'
    from clients where coach_id = ${coachId}`;
  lap("notes");
  await sql`
    insert into appointments (coach_id, client_id, starts_at, duration_minutes, status, created_at, updated_at)
    select coach_id, id, timestamptz '2026-07-01 08:00:00+00' + n * interval '30 minutes', 30,
      case when n % 10 = 0 then 'scheduled' else 'completed' end, created_at, created_at
    from (select id, coach_id, created_at, row_number() over (order by created_at, id) as n
          from clients where coach_id = ${coachId}) c`;
  lap("appointments");
  await sql`
    insert into assets (client_id, uploader_id, object_key, filename, content_type, size, status, created_at, updated_at)
    select id, coach_id, 'clients/' || id || '/' || gen_random_uuid(), 'intake-form.pdf', 'application/pdf',
      120000, 'ready', created_at, created_at
    from clients where coach_id = ${coachId}`;
  lap("assets");
  await sql`vacuum analyze`;
  lap("vacuum analyze");
}
