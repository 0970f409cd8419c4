import net from "node:net";
import { CompiledQuery, Kysely } from "kysely";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PipelinedPostgresJSDialect } from "../src/db/pipelined-dialect.ts";
import { planEachTime } from "../src/db/planned-each-time.ts";
import { createTestDatabase } from "./support/test-services.ts";

let db: Kysely<Record<string, never>>;
let dropDb: () => Promise<void>;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;

beforeAll(async () => {
  const database = await createTestDatabase();
  dropDb = database.drop;
  proxy = await startRecordingProxy(new URL(database.url));
  // One connection: the prepared statements read back below are that connection's.
  db = new Kysely({ dialect: new PipelinedPostgresJSDialect(postgres(proxy.url, { max: 1, onnotice: () => {} })) });
});

afterAll(async () => {
  await db?.destroy();
  await proxy?.close();
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

it("sends a statement planned each time in one write, without waiting for its parameter types", async () => {
  await db.executeQuery(CompiledQuery.raw("select 1")); // the connection is open and its setup done
  proxy.log.length = 0;
  const marked = planEachTime(
    CompiledQuery.raw(
      "select $1 = uuid '00000000-0000-4000-8000-000000000001' as same_id, $2 < timestamptz '2026-01-01 00:00:00.000002+00' as earlier, $3 * 2 as twice",
      ["00000000-0000-4000-8000-000000000001", "2026-01-01T00:00:00.000003Z", 21],
    ),
  );
  // Postgres inferred uuid, timestamptz and int, and the timestamp kept its microseconds.
  expect((await db.executeQuery(marked)).rows).toEqual([{ same_id: true, earlier: false, twice: 42 }]);
  const firstAnswer = proxy.log.findIndex((entry) => entry.startsWith("s"));
  // Parse, Describe, Bind, Execute before Postgres said anything. Unpatched, postgres.js sends
  // Parse + Describe + Flush and waits for the ParameterDescription ("st") before its Bind.
  expect(proxy.log.slice(0, firstAnswer)).toEqual(expect.arrayContaining(["cP", "cD", "cB", "cE"]));
  expect(proxy.log.indexOf("st")).toBeGreaterThan(proxy.log.indexOf("cB"));
});

it("pipelines nothing behind a statement planned each time", async () => {
  const plain = CompiledQuery.raw("select $1::int + 3 as behind", [1]);
  await db.executeQuery(plain); // prepared now: later runs are Bind + Execute only
  proxy.log.length = 0;
  const marked = planEachTime(CompiledQuery.raw("select pg_sleep(0.05), $1::int as first", [1]));
  const results = await Promise.all([db.executeQuery(marked), db.executeQuery(plain)]);
  expect(results[1].rows).toEqual([{ behind: 4 }]);
  // The one connection sent the second statement only once the first had finished (ReadyForQuery).
  // Pipelined, its Bind would follow the first one's Execute before Postgres answered anything.
  const binds = proxy.log.flatMap((entry, i) => (entry === "cB" ? [i] : []));
  expect(binds).toHaveLength(2);
  expect(binds[1]).toBeGreaterThan(proxy.log.indexOf("sZ"));
});

it("refuses a value other than a string, a number or null in a statement planned each time", async () => {
  const withDate = planEachTime(CompiledQuery.raw("select $1 < now() as past", [new Date(0)]));
  await expect(db.executeQuery(withDate)).rejects.toThrow(/strings, numbers and null only, got object/);
  const withNull = planEachTime(CompiledQuery.raw("select $1::text is null as missing", [null]));
  expect((await db.executeQuery(withNull)).rows).toEqual([{ missing: true }]);
});

/**
 * A TCP proxy in front of Postgres that records the frontend/backend protocol: each entry is who
 * sent a message ("c" client, "s" server) and its one-letter type, in the order the proxy saw them.
 */
async function startRecordingProxy(target: URL) {
  const log: string[] = [];
  const parse = (who: "c" | "s") => {
    let pending = Buffer.alloc(0);
    let started = who === "s"; // the client's startup message has no type byte
    return (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (true) {
        if (!started) {
          if (pending.length < 4) return;
          const length = pending.readUInt32BE(0);
          if (pending.length < length) return;
          pending = pending.subarray(length);
          started = true;
          continue;
        }
        if (pending.length < 5) return;
        const length = pending.readUInt32BE(1);
        if (pending.length < length + 1) return;
        log.push(`${who}${String.fromCharCode(pending[0] ?? 0)}`);
        pending = pending.subarray(length + 1);
      }
    };
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const fromClient = parse("c");
    const fromServer = parse("s");
    client.on("data", (chunk) => {
      fromClient(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      fromServer(chunk);
      client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(target);
  url.port = String(port);
  url.hostname = "127.0.0.1";
  return { url: url.toString(), log, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
