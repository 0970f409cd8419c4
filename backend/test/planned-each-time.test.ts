import { CompiledQuery, Kysely } from "kysely";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PipelinedPostgresJSDialect } from "../src/db/pipelined-dialect.ts";
import { planEachTime } from "../src/db/planned-each-time.ts";
import { createTestDatabase } from "./support/test-services.ts";

let db: Kysely<Record<string, never>>;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  dropDb = database.drop;
  // One connection: the prepared statements read back below are that connection's.
  db = new Kysely({ dialect: new PipelinedPostgresJSDialect(postgres(database.url, { max: 1, onnotice: () => {} })) });
});

afterAll(async () => {
  await db?.destroy();
  await dropDb?.();
});

async function preparedStatements(): Promise<string[]> {
  const { rows } = await db.executeQuery<{ statement: string }>(
    CompiledQuery.raw("select statement from pg_prepared_statements"),
  );
  return rows.map((row) => row.statement);
}

it("sends a statement marked planEachTime unprepared, and others prepared", async () => {
  const marked = planEachTime(CompiledQuery.raw("select $1::int + 1 as planned_each_time", [1]));
  const plain = CompiledQuery.raw("select $1::int + 2 as prepared_once", [1]);
  for (let i = 0; i < 3; i++) {
    expect((await db.executeQuery(marked)).rows).toEqual([{ planned_each_time: 2 }]);
    expect((await db.executeQuery(plain)).rows).toEqual([{ prepared_once: 3 }]);
  }
  const statements = (await preparedStatements()).join("\n");
  expect(statements).toContain("prepared_once");
  expect(statements).not.toContain("planned_each_time");
});
