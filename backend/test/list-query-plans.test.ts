import { type CompiledQuery, Kysely } from "kysely";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/db/database.ts";
import { PipelinedPostgresJSDialect } from "../src/db/pipelined-dialect.ts";
import { isPlannedEachTime } from "../src/db/planned-each-time.ts";
import type { Database } from "../src/db/schema.ts";
import { listUsers } from "../src/features/admin/admin-queries.ts";
import { listAppointments } from "../src/features/appointments/appointment-queries.ts";
import { listAssets } from "../src/features/assets/asset-queries.ts";
import { listClients } from "../src/features/clients/client-queries.ts";
import { listCheckIns } from "../src/features/goals/check-in-queries.ts";
import { listGoals } from "../src/features/goals/goal-queries.ts";
import { listNotes } from "../src/features/notes/note-queries.ts";
import { encodeCursor } from "../src/http/pagination.ts";
import { PLAN, seedListPlans } from "./support/list-plan-seed.ts";
import { nodesOf, outline, type PlanNode, planOf, scansOf } from "./support/query-plan.ts";
import { createTestDatabase } from "./support/test-services.ts";

// Every list query, as the app builds it, explained at a deep cursor: the page must start at the
// cursor through an index (an Index Cond with the row comparison), not walk there discarding rows
// ("Rows Removed by Filter"), and a roster search must use the trigram index. The SQL is captured
// from Kysely as the query functions run, so a change to a query is a change to what is explained.

let sql: postgres.Sql;
let db: Db;
let drop: () => Promise<void>;
let ids: { client: string; goal: string };
const sent: CompiledQuery[] = [];

beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  db = new Kysely<Database>({
    dialect: new PipelinedPostgresJSDialect(sql),
    log: (event) => {
      if (event.level === "query") sent.push(event.query);
    },
  });
  ids = await seedListPlans(sql);
}, 180_000);

afterAll(async () => {
  await sql?.end();
  await drop?.();
});

/** Runs a query function and returns the statement it sent (the last one) with its result. */
async function captured<T>(run: () => Promise<T>): Promise<{ query: CompiledQuery; result: T }> {
  sent.length = 0;
  const result = await run();
  const query = sent.at(-1);
  if (!query) throw new Error("the query function sent no statement");
  return { query, result };
}

/** The cursor after the row at `depth` (1-based) of a list's rows (`t`, `id`), and the next row's id. */
async function cursorAt(rows: string, depth: number) {
  // The outer query keeps the subquery's order: a plain scan of it.
  const [last, next] = await sql.unsafe<{ k: string; id: string }[]>(
    `select (t at time zone 'UTC')::text || '+00' as k, id::text from (${rows}) l offset ${depth - 1} limit 2`,
  );
  if (!last || !next) throw new Error(`no row at depth ${depth}`);
  return { cursor: encodeCursor({ k: last.k, id: last.id }), next: next.id };
}

function expectSeeksToCursor(plan: PlanNode, table: string, mode: string) {
  const scans = scansOf(plan, table);
  expect(scans.length, `${mode} plan: no scan of ${table}`).toBeGreaterThan(0);
  for (const scan of scans) {
    const where = `${mode} plan, ${JSON.stringify(scan)}`;
    expect(["Index Scan", "Index Only Scan"], where).toContain(scan["Node Type"]);
    expect(scan["Index Cond"], where).toMatch(/ROW\(.+\) [<>] ROW\(/);
    expect(scan["Rows Removed by Filter"] ?? 0, where).toBe(0);
  }
}

// Deep enough that a walk from the first row would discard thousands; the shortest list has ~10,000.
const DEPTH = 5_000;
const page = { limit: 20 };

describe("list queries at a deep cursor", () => {
  const lists: {
    name: string;
    table: string;
    rows: () => string;
    run: (cursor: string) => Promise<{ items: { id: string }[] }>;
  }[] = [
    {
      name: "GET /clients",
      table: "clients",
      rows: () =>
        `select created_at t, id from clients where coach_id = '${PLAN.coach}' order by created_at desc, id desc`,
      run: (cursor) => listClients(db, PLAN.coach, { ...page, cursor, as: "coach" }),
    },
    {
      name: "GET /clients?as=client",
      table: "clients",
      rows: () =>
        `select created_at t, id from clients where linked_user_id = '${PLAN.linkedToMany}' order by created_at desc, id desc`,
      run: (cursor) => listClients(db, PLAN.linkedToMany, { ...page, cursor, as: "client" }),
    },
    {
      name: "GET /appointments (coach)",
      table: "appointments",
      rows: () => `select starts_at t, id from appointments where coach_id = '${PLAN.coach}' order by starts_at, id`,
      run: (cursor) => listAppointments(db, PLAN.coach, { ...page, cursor }),
    },
    {
      name: "GET /appointments (client user)",
      table: "appointments",
      rows: () => `select a.starts_at t, a.id from appointments a join clients c on c.id = a.client_id
        where c.linked_user_id = '${PLAN.linkedToFew}' order by a.starts_at, a.id`,
      run: (cursor) => listAppointments(db, PLAN.linkedToFew, { ...page, cursor }),
    },
    {
      name: "GET /clients/{id}/notes",
      table: "notes",
      rows: () =>
        `select created_at t, id from notes where client_id = '${ids.client}' order by created_at desc, id desc`,
      run: (cursor) => listNotes(db, ids.client, PLAN.coach, { ...page, cursor }),
    },
    {
      name: "GET /clients/{id}/goals",
      table: "goals",
      rows: () =>
        `select created_at t, id from goals where client_id = '${ids.client}' order by created_at desc, id desc`,
      run: (cursor) => listGoals(db, ids.client, PLAN.coach, { ...page, cursor }),
    },
    {
      name: "GET /goals/{id}/check-ins",
      table: "check_ins",
      rows: () =>
        `select created_at t, id from check_ins where goal_id = '${ids.goal}' order by created_at desc, id desc`,
      run: (cursor) => listCheckIns(db, ids.goal, PLAN.coach, { ...page, cursor }),
    },
    {
      name: "GET /assets?clientId=",
      table: "assets",
      rows: () => `select created_at t, id from assets where client_id = '${ids.client}' and status = 'ready'
        order by created_at desc, id desc`,
      run: (cursor) => listAssets(db, ids.client, PLAN.coach, { ...page, cursor }),
    },
    {
      name: "GET /admin/users",
      table: "user",
      rows: () => `select "createdAt" t, id from "user" order by "createdAt" desc, id desc`,
      run: (cursor) => listUsers(db, { ...page, cursor }),
    },
  ];

  for (const list of lists) {
    it(`${list.name}: starts at the cursor through the index, in custom and generic plans`, async () => {
      const { cursor, next } = await cursorAt(list.rows(), DEPTH);
      const { query, result } = await captured(() => list.run(cursor));
      // The page is the one after the cursor (pairs of rows share a timestamp, so ties are crossed).
      expect(result.items[0]?.id).toBe(next);
      expect(result.items).toHaveLength(20);
      for (const mode of ["custom", "generic"] as const) {
        expectSeeksToCursor(await planOf(sql, query, mode), list.table, mode);
      }
    });
  }
});

describe("roster search", () => {
  // The search index (migration 0006) holds the trigrams of `lower(name || ' ' || email)` first and
  // the coach second; a search must be one index condition on both, in that order — the term's
  // LIKE on the lower-cased text, then the coach — so that GIN looks the term's candidates up in the
  // coach's posting list instead of stepping through it (docs/performance.md § Scale).
  const SEARCH_COND = new RegExp(
    String.raw`^\(\(lower\(\(\(name \|\| ' '::text\) \|\| COALESCE\(email, ''::text\)\)\) ~~ '[^']*'::text\) AND \(coach_id = '${PLAN.coach}'::text\)\)$`,
  );
  const usesSearchIndex = (plan: PlanNode, scans = 1) => {
    const found = nodesOf(plan).filter(
      (node) => node["Node Type"] === "Bitmap Index Scan" && node["Index Name"] === "clients_search_trgm_idx",
    );
    expect(found, outline(plan)).toHaveLength(scans);
    for (const node of found) expect(node["Index Cond"], outline(plan)).toMatch(SEARCH_COND);
  };

  // A search is sent unprepared (planned-each-time.ts): Postgres plans it for its term every time,
  // never with a generic plan, so its custom plan is the one that runs.
  it("finds a rare term through the trigram index, planned for the term each time", async () => {
    const [row] = await sql<{ name: string; surname: string }[]>`
      select name, split_part(name, ' ', 2) as surname from clients where coach_id = ${PLAN.coach}
      order by created_at desc, id desc offset 7000 limit 1`;
    const { query, result } = await captured(() =>
      listClients(db, PLAN.coach, { ...page, q: row?.surname as string, as: "coach" }),
    );
    expect(result.items.map((item) => item.name)).toContain(row?.name);
    expect(isPlannedEachTime(query)).toBe(true);
    usesSearchIndex(await planOf(sql, query, "custom"));
  });

  it("looks up a rare start of a word (1–2 characters) through the trigram index too", async () => {
    // No name or email has a "q": walking the roster would read all 20,000 entries to find none.
    const { query, result } = await captured(() => listClients(db, PLAN.coach, { ...page, q: "qx", as: "coach" }));
    expect(result.items).toEqual([]);
    expect(isPlannedEachTime(query)).toBe(true);
    // One index scan for the start of the text, one for the start of a word.
    usesSearchIndex(await planOf(sql, query, "custom"), 2);
  });

  it("walks the list's own index for a common term, stopping after a page", async () => {
    // A fifth of the roster is called Anna: the newest 21 matches are among the newest ~100 entries.
    const { query, result } = await captured(() => listClients(db, PLAN.coach, { ...page, q: "anna", as: "coach" }));
    expect(result.items).toHaveLength(20);
    const plan = await planOf(sql, query, "custom");
    const scans = scansOf(plan, "clients");
    expect(
      scans.map((scan) => [scan["Node Type"], scan["Index Name"]]),
      outline(plan),
    ).toEqual([["Index Scan", "clients_coach_created_idx"]]);
  });

  it("leaves the plain list prepared", async () => {
    const { query } = await captured(() => listClients(db, PLAN.coach, { ...page, as: "coach" }));
    expect(isPlannedEachTime(query)).toBe(false);
  });
});
