import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Db } from "../src/db/database.ts";
import { isoTimestamp } from "../src/db/iso-timestamp.ts";
import { preparedQuery } from "../src/db/prepared-query.ts";
import { createTestDatabase } from "./support/test-services.ts";

let db: Db;
let close: () => Promise<void>;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  dropDb = database.drop;
  const created = createDatabase({ url: database.url, poolMax: 2, statementTimeoutMs: 5000 });
  db = created.db;
  close = () => created.sql.end();
  await sql`create table words (id int primary key, word text not null, lang text not null)`.execute(db);
  await sql`insert into words values (1, 'eins', 'de'), (2, 'two', 'en'), (3, 'drei', 'de'), (4, 'four', 'en')`.execute(
    db,
  );
});

afterAll(async () => {
  await close?.();
  await dropDb?.();
});

type Words = { id: number; word: string };
/** The table this test creates, added to the app's schema type. */
const words = (d: Db) => d.withTables<{ words: Words & { lang: string } }>().selectFrom("words");

describe("preparedQuery", () => {
  it("builds each shape once and runs it with each call's arguments", async () => {
    const builds: string[] = [];
    const byLang = preparedQuery<{ lang: string; after?: number; limit: number }, Words>((d, arg, shape) => {
      builds.push(shape);
      let q = words(d).select(["id", "word"]).where("lang", "=", arg("lang"));
      if (shape === "after") q = q.where("id", ">", arg("after"));
      return q.orderBy("id").limit(arg("limit"));
    });
    expect(await byLang(db, "all", { lang: "de", limit: 10 })).toEqual([
      { id: 1, word: "eins" },
      { id: 3, word: "drei" },
    ]);
    expect(await byLang(db, "all", { lang: "en", limit: 1 })).toEqual([{ id: 2, word: "two" }]);
    expect(await byLang(db, "after", { lang: "en", after: 2, limit: 5 })).toEqual([{ id: 4, word: "four" }]);
    expect(await byLang(db, "after", { lang: "de", after: 1, limit: 5 })).toEqual([{ id: 3, word: "drei" }]);
    expect(builds).toEqual(["all", "after"]);
  });

  it("refuses a literal value baked into the SQL, and a missing argument", async () => {
    const baked = preparedQuery<{ limit: number }, Words>((d, arg) =>
      words(d).select(["id", "word"]).where("lang", "=", "de").limit(arg("limit")),
    );
    await expect(baked(db, "x", { limit: 1 })).rejects.toThrow("not an arg() placeholder (de)");
    const needsLang = preparedQuery<{ lang: string }, Words>((d, arg) =>
      words(d).select(["id", "word"]).where("lang", "=", arg("lang")),
    );
    await expect(needsLang(db, "x", {} as { lang: string })).rejects.toThrow('missing argument "lang"');
  });
});

describe("isoTimestamp", () => {
  it("formats like Date.toISOString, whatever the session time zone", async () => {
    const stamps = ["2026-01-02 03:04:05+00", "2026-11-22 07:20:14.123456+00", "1999-12-31 23:59:59.9999+00"];
    const seen: string[] = [];
    for (const zone of ["UTC", "America/New_York", "Asia/Kathmandu"]) {
      // One connection for the session setting and the queries that depend on it.
      await db.connection().execute(async (conn) => {
        await sql`set time zone ${sql.lit(zone)}`.execute(conn);
        for (const stamp of stamps) {
          const { rows } = await sql<{ iso: string; date: Date; local: string }>`
            select ${isoTimestamp("t.at")} as iso, t.at as date, t.at::text as local
            from (select ${stamp}::timestamptz as at) t
          `.execute(conn);
          expect(rows[0]?.iso).toBe(rows[0]?.date.toISOString());
          seen.push(rows[0]?.local as string);
        }
        await sql`reset time zone`.execute(conn);
      });
    }
    // The session zone did apply: Postgres' own text form changed with it.
    expect(seen[0]).toBe("2026-01-02 03:04:05+00");
    expect(seen[3]).toBe("2026-01-01 22:04:05-05");
    expect(seen[6]).toBe("2026-01-02 08:49:05+05:45");
  });
});
