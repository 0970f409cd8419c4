import type postgres from "postgres";

/** Who and what the plan test lists: ids fixed, so the test can name them. */
export const PLAN = {
  coach: "plan-coach",
  /** Linked to many entries of other coaches: GET /clients?as=client at depth. */
  linkedToMany: "plan-linked-many",
  /** Linked to three entries with thousands of appointments: GET /appointments as a client user. */
  linkedToFew: "plan-linked-few",
  otherCoaches: 200,
} as const;

/** Rows per list; the deep cursor sits halfway. */
export const ROWS = 20_000;

/**
 * Enough rows, set-based, for the planner to prefer indexes as it would in production: a coach with
 * 20,000 clients among 20,000 of 200 other coaches, one client with 20,000 notes, goals and ready
 * files, a goal with 20,000 check-ins, 20,000 users, and client users linked to other coaches'
 * entries. Timestamps tie in pairs, with microseconds. Ends with VACUUM ANALYZE.
 */
export async function seedListPlans(sql: postgres.Sql): Promise<{ client: string; goal: string }> {
  const at = (n: string) => `timestamptz '2026-06-01 00:00:00+00' - (${n} / 2) * interval '1 second'
    - (${n} / 2 % 997) * interval '1 microsecond'`;
  await sql.unsafe(`
    insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
    select id, id, id || '@plan.example', true, ${at("g")}, ${at("g")}
    from generate_series(1, ${ROWS}) g,
      lateral (select case g when 1 then '${PLAN.coach}' when 2 then '${PLAN.linkedToMany}'
        when 3 then '${PLAN.linkedToFew}' else 'plan-user-' || g end as id) u`);
  await sql.unsafe(`
    insert into clients (coach_id, name, email, created_at, updated_at)
    select case when g <= ${ROWS} then '${PLAN.coach}' else 'plan-user-' || (4 + g % ${PLAN.otherCoaches}) end,
      (array['Anna', 'Ben', 'Chloe', 'David', 'Emma'])[1 + g % 5] || ' ' || surname,
      lower(surname) || '.' || g || '@example.com', ${at("g")}, ${at("g")}
    from generate_series(1, ${2 * ROWS}) g,
      lateral (select initcap(substr('bcdfghjklmnprstvwz', 1 + g % 18, 1) || substr('aeiou', 1 + g / 18 % 5, 1)
        || substr('bcdfghjklmnprstvwz', 1 + g / 90 % 18, 1) || substr('aeiou', 1 + g / 1620 % 5, 1)
        || substr('bcdfghjklmnprstvwz', 1 + g / 8100 % 18, 1)) as surname) s`);
  // Half of the other coaches' entries are linked to plan-linked-many; of the rest, most to a user
  // of their own, as client users usually are (the planner's estimate for any one user stays small).
  await sql.unsafe(`
    update clients set linked_user_id = case when n <= 3 then '${PLAN.linkedToFew}'
      when n <= ${ROWS / 2} then '${PLAN.linkedToMany}' else 'plan-user-' || (n - ${ROWS / 2} + 1000) end
    from (select id, row_number() over (order by id) as n from clients where coach_id <> '${PLAN.coach}') c
    where clients.id = c.id and c.n <= ${ROWS - 2000}`);
  const [client] = await sql<{ id: string }[]>`
    select id from clients where coach_id = ${PLAN.coach} order by created_at desc, id desc limit 1`;
  const clientId = client?.id as string;
  await sql.unsafe(`
    insert into notes (client_id, author_id, body, created_at, updated_at)
    select '${clientId}', '${PLAN.coach}', 'note ' || g, ${at("g")}, ${at("g")} from generate_series(1, ${ROWS}) g;
    insert into goals (client_id, title, created_at, updated_at)
    select '${clientId}', 'goal ' || g, ${at("g")}, ${at("g")} from generate_series(1, ${ROWS}) g;
    insert into assets (client_id, uploader_id, object_key, filename, content_type, size, status, created_at, updated_at)
    select '${clientId}', '${PLAN.coach}', 'clients/${clientId}/' || g, 'f.pdf', 'application/pdf', 1, 'ready',
      ${at("g")}, ${at("g")}
    from generate_series(1, ${ROWS}) g`);
  const [goal] = await sql<{ id: string }[]>`select id from goals where client_id = ${clientId} limit 1`;
  const goalId = goal?.id as string;
  await sql.unsafe(`
    insert into check_ins (goal_id, progress, author_id, created_at)
    select '${goalId}', g % 101, '${PLAN.coach}', ${at("g")} from generate_series(1, ${ROWS}) g;
    insert into appointments (coach_id, client_id, starts_at, duration_minutes, status)
    select coach_id, id, timestamptz '2026-07-01 08:00:00+00' + n * interval '30 minutes', 30, 'completed'
    from (select id, coach_id, row_number() over (order by created_at, id) as n
          from clients where coach_id = '${PLAN.coach}') c;
    insert into appointments (coach_id, client_id, starts_at, duration_minutes, status)
    select c.coach_id, c.id, timestamptz '2026-07-01 08:00:00+00' + g * interval '30 minutes', 30, 'completed'
    from clients c, generate_series(1, ${ROWS / 4}) g where c.linked_user_id = '${PLAN.linkedToFew}'`);
  // As autovacuum would: VACUUM also moves the search index's pending entries into the index proper,
  // which the planner otherwise counts against it.
  await sql`vacuum analyze`;
  return { client: clientId, goal: goalId };
}
