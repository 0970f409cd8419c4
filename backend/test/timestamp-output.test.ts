import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDatabase, type Db } from "../src/db/database.ts";
import { listUsers } from "../src/features/admin/admin-queries.ts";
import { listAppointments } from "../src/features/appointments/appointment-queries.ts";
import { listAssets } from "../src/features/assets/asset-queries.ts";
import { listClients } from "../src/features/clients/client-queries.ts";
import { listCheckIns } from "../src/features/goals/check-in-queries.ts";
import { listGoals } from "../src/features/goals/goal-queries.ts";
import { listNotes } from "../src/features/notes/note-queries.ts";
import { createTestDatabase } from "./support/test-services.ts";

// Every list writes its timestamps as Postgres' UTC text formatted in JS (isoFromUtcText). The JSON
// must stay what a Date gave before: toISOString() of the stored instant, microseconds truncated.
// Each table's timestamps are set to instants that differ in how their fraction is written.

const INSTANTS = [
  "2026-03-04 05:06:07.123456+00",
  "2026-03-04 05:06:07.1+00",
  "2026-03-04 05:06:07+00",
  "1999-12-31 23:59:59.9999+00",
  "2026-03-04 05:06:07.000999+00",
];
const COACH = "stamp-coach";

let db: Db;
let sql: postgres.Sql;
let closeDb: () => Promise<void>;
let drop: () => Promise<void>;
const ids = { client: "", goal: "" };

beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  const created = createDatabase({ url: database.url, poolMax: 2, statementTimeoutMs: 5000 });
  db = created.db;
  closeDb = () => created.sql.end();
  sql = postgres(database.url, { max: 1, onnotice: () => {} });
  // Sent as text and cast by Postgres: a parameter postgres.js sees as timestamptz goes through a
  // JS Date, which would drop the very microseconds this test is about.
  const at = (i: number) => INSTANTS[i % INSTANTS.length] as string;
  await sql`insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
    values (${COACH}, 'Coach', 'stamp@x.test', true, ${at(0)}::text::timestamptz, ${at(1)}::text::timestamptz)`;
  const [client] = await sql<{ id: string }[]>`insert into clients (coach_id, name, created_at, updated_at)
    values (${COACH}, 'Client', ${at(1)}::text::timestamptz, ${at(2)}::text::timestamptz) returning id`;
  ids.client = client?.id as string;
  for (let i = 0; i < INSTANTS.length; i++) {
    await sql`insert into notes (client_id, body, created_at, updated_at) values (${ids.client}, 'n', ${at(i)}::text::timestamptz, ${at(i + 1)}::text::timestamptz)`;
    const [goal] = await sql<{ id: string }[]>`insert into goals (client_id, title, created_at, updated_at)
      values (${ids.client}, 'g', ${at(i)}::text::timestamptz, ${at(i + 2)}::text::timestamptz) returning id`;
    ids.goal ||= goal?.id as string;
    await sql`insert into check_ins (goal_id, progress, created_at) values (${ids.goal}, 1, ${at(i)}::text::timestamptz)`;
    await sql`insert into assets (client_id, object_key, filename, content_type, size, status, created_at, updated_at)
      values (${ids.client}, ${`k${i}`}, 'f', 'application/pdf', 1, 'ready', ${at(i)}::text::timestamptz, ${at(i + 3)}::text::timestamptz)`;
    await sql`insert into appointments (coach_id, client_id, starts_at, duration_minutes, status, created_at, updated_at)
      values (${COACH}, ${ids.client}, ${at(i)}::text::timestamptz + ${i} * interval '1 day', 30, 'completed', ${at(i + 1)}::text::timestamptz, ${at(i + 4)}::text::timestamptz)`;
  }
});

afterAll(async () => {
  await sql?.end();
  await closeDb?.();
  await drop?.();
});

/** Each row's timestamps as a Date formats them: postgres.js parses timestamptz into a Date. */
async function viaDates(table: string, columns: string[], where: string): Promise<Record<string, string>[]> {
  const rows = await sql.unsafe<Record<string, Date | string>[]>(
    `select id::text, ${columns.map((c) => `"${c}"`).join(", ")} from "${table}" where ${where}`,
  );
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
  );
}

function pick(items: Record<string, unknown>[], keys: Record<string, string>) {
  return items
    .map((item) => ({ id: item.id, ...Object.fromEntries(Object.entries(keys).map(([api, db]) => [db, item[api]])) }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

const sorted = (rows: Record<string, string>[]) => rows.sort((a, b) => String(a.id).localeCompare(String(b.id)));
const stamps = { createdAt: "created_at", updatedAt: "updated_at" };

it("every list writes its timestamps exactly as Date.prototype.toISOString did", async () => {
  // The premise: the stored instants do have microseconds below the millisecond.
  const [fine] = await sql<{ n: number }[]>`
    select count(*)::int as n from notes where extract(microseconds from created_at)::int % 1000 <> 0`;
  expect(fine?.n).toBeGreaterThan(0);
  const page = { limit: 100 };
  const clientWhere = `client_id = '${ids.client}'`;
  const cases: [string, Record<string, unknown>[], Record<string, string>, string, string][] = [
    [
      "clients",
      (await listClients(db, COACH, { ...page, as: "coach" })).items,
      stamps,
      "clients",
      `coach_id = '${COACH}'`,
    ],
    ["notes", (await listNotes(db, ids.client, COACH, page)).items, stamps, "notes", clientWhere],
    ["goals", (await listGoals(db, ids.client, COACH, page)).items, stamps, "goals", clientWhere],
    [
      "check-ins",
      (await listCheckIns(db, ids.goal, COACH, page)).items,
      { createdAt: "created_at" },
      "check_ins",
      `goal_id = '${ids.goal}'`,
    ],
    ["assets", (await listAssets(db, ids.client, COACH, page)).items, stamps, "assets", clientWhere],
    [
      "appointments",
      (await listAppointments(db, COACH, page)).items,
      { startsAt: "starts_at", ...stamps },
      "appointments",
      clientWhere,
    ],
    ["users", (await listUsers(db, page)).items, { createdAt: "createdAt" }, "user", `id = '${COACH}'`],
  ];
  for (const [name, items, keys, table, where] of cases) {
    const expected = sorted(await viaDates(table, Object.values(keys), where));
    expect(pick(items, keys), name).toEqual(expected);
    expect(expected.length, name).toBeGreaterThan(0);
  }
});
