import { Kysely, sql } from "kysely";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PipelinedPostgresJSDialect } from "../src/db/pipelined-dialect.ts";
import { createTestDatabase } from "./support/test-services.ts";

type Tables = { items: { id: number; label: string } };

let db: Kysely<Tables>;
let reserves = 0;
let pg: postgres.Sql;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  dropDb = database.drop;
  pg = postgres(database.url, { max: 2, onnotice: () => {} });
  // Counts the connections the dialect reserves, without changing what reserve does.
  const counted = new Proxy(pg, {
    get(target, key, receiver) {
      if (key !== "reserve") return Reflect.get(target, key, receiver);
      return () => {
        reserves++;
        return target.reserve();
      };
    },
  });
  db = new Kysely<Tables>({ dialect: new PipelinedPostgresJSDialect(counted) });
  await sql`create table items (id int primary key, label text not null)`.execute(db);
});

afterAll(async () => {
  await db?.destroy();
  await dropDb?.();
});

beforeEach(async () => {
  await db.deleteFrom("items").execute();
  reserves = 0;
});

const backendPid = (q: Kysely<Tables>) =>
  sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(q).then((r) => r.rows[0]?.pid);

describe("PipelinedPostgresJSDialect", () => {
  it("runs single statements on the shared pool, pipelined, without reserving a connection", async () => {
    const pids = await Promise.all(Array.from({ length: 40 }, () => backendPid(db)));
    // 40 concurrent statements over a pool of 2: each connection carried many at once.
    expect(new Set(pids).size).toBeLessThanOrEqual(2);
    expect(reserves).toBe(0);
  });

  it("reports affected rows and returns rows as Kysely expects", async () => {
    const inserted = await db
      .insertInto("items")
      .values([
        { id: 1, label: "a" },
        { id: 2, label: "b" },
      ])
      .executeTakeFirstOrThrow();
    expect(inserted.numInsertedOrUpdatedRows).toBe(2n);
    const updated = await db.updateTable("items").set({ label: "c" }).where("id", "=", 2).executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(1n);
    expect(await db.selectFrom("items").selectAll().orderBy("id").execute()).toEqual([
      { id: 1, label: "a" },
      { id: 2, label: "c" },
    ]);
    const deleted = await db.deleteFrom("items").executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(2n);
  });

  it("fails only the statement that failed among pipelined ones", async () => {
    await db.insertInto("items").values({ id: 1, label: "taken" }).execute();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        db
          .insertInto("items")
          .values({ id: i === 5 ? 1 : 100 + i, label: "x" })
          .execute(),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i === 5 ? "rejected" : "fulfilled")),
    );
    expect((results[5] as PromiseRejectedResult).reason).toMatchObject({ code: "23505" });
    expect(await db.selectFrom("items").select("id").where("id", ">=", 100).execute()).toHaveLength(9);
  });

  it("keeps a transaction on one reserved connection while pooled statements run beside it", async () => {
    const [inside] = await Promise.all([
      db.transaction().execute(async (trx) => {
        const first = await backendPid(trx);
        await trx.insertInto("items").values({ id: 1, label: "in transaction" }).execute();
        // Not committed yet: the pool's connections do not see the row.
        expect(await db.selectFrom("items").selectAll().execute()).toEqual([]);
        await sql`select pg_sleep(0.05)`.execute(trx);
        return [first, await backendPid(trx)];
      }),
      ...Array.from({ length: 20 }, () => backendPid(db)),
    ]);
    expect(inside?.[0]).toBe(inside?.[1]);
    expect(reserves).toBe(1);
    expect(await db.selectFrom("items").select("label").execute()).toEqual([{ label: "in transaction" }]);
  });

  it("rolls a failed transaction back and releases its connection", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto("items").values({ id: 1, label: "gone" }).execute();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await db.selectFrom("items").selectAll().execute()).toEqual([]);
    // Both connections are free again: two transactions at once still complete.
    await Promise.all(
      [10, 11].map((id) =>
        db.transaction().execute((trx) => trx.insertInto("items").values({ id, label: "ok" }).execute()),
      ),
    );
    expect(await db.selectFrom("items").select("id").orderBy("id").execute()).toEqual([{ id: 10 }, { id: 11 }]);
  });

  it("supports savepoints inside a controlled transaction", async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto("items").values({ id: 1, label: "kept" }).execute();
    const sp = await trx.savepoint("before_second").execute();
    await sp.insertInto("items").values({ id: 2, label: "undone" }).execute();
    await sp.rollbackToSavepoint("before_second").execute();
    await trx.commit().execute();
    expect(await db.selectFrom("items").select("label").execute()).toEqual([{ label: "kept" }]);
  });
});
