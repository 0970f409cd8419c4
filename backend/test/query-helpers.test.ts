import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Db } from "../src/db/database.ts";
import { isoFromUtcText, utcSortKey, utcText } from "../src/db/iso-timestamp.ts";
import { preparedQuery } from "../src/db/prepared-query.ts";
import { cursorTimestamp } from "../src/http/pagination.ts";
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

describe("utcText and isoFromUtcText", () => {
  it("format like Date.toISOString and keep a cursor's microseconds, whatever the session time zone", async () => {
    const stamps = [
      "2026-01-02 03:04:05+00",
      "2026-11-22 07:20:14.123456+00",
      "1999-12-31 23:59:59.9999+00",
      "2026-03-04 05:06:07.1+00",
      "2026-03-04 05:06:07.000001+00",
    ];
    const local: string[] = [];
    for (const zone of ["UTC", "America/New_York", "Asia/Kathmandu"]) {
      // A transaction keeps the session setting and the queries that depend on it on one connection.
      await db.transaction().execute(async (trx) => {
        await sql`set local time zone ${sql.lit(zone)}`.execute(trx);
        for (const stamp of stamps) {
          const { rows } = await sql<{ utc: string; date: Date; local: string }>`
            select ${utcText("t.at")} as utc, t.at as date, t.at::text as local
            from (select ${stamp}::timestamptz as at) t
          `.execute(trx);
          const row = rows[0] as { utc: string; date: Date; local: string };
          expect(isoFromUtcText(row.utc)).toBe(row.date.toISOString());
          // The sort key reads back as the very same instant, microseconds included.
          const { rows: back } = await sql<{ same: boolean }>`
            select ${cursorTimestamp(utcSortKey(row.utc))} = ${stamp}::timestamptz as same
          `.execute(trx);
          expect(back[0]?.same).toBe(true);
          local.push(row.local);
        }
      });
    }
    // The session zone did apply: Postgres' own text form changed with it.
    expect(local[0]).toBe("2026-01-02 03:04:05+00");
    expect(local[5]).toBe("2026-01-01 22:04:05-05");
    expect(local[10]).toBe("2026-01-02 08:49:05+05:45");
  });

  it("refuses text that is not a UTC timestamp instead of guessing", () => {
    for (const bad of ["infinity", "2026-01-02 03:04:05+00", "2026-01-02T03:04:05", "12026-01-02 03:04:05", ""]) {
      expect(() => isoFromUtcText(bad)).toThrow("Not a UTC timestamp text");
    }
  });
});
