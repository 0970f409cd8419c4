import { Hono } from "hono";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppBindings } from "../src/http/bindings.ts";
import { createErrorHandler } from "../src/http/error-handler.ts";
import { createTestDatabase } from "./support/test-services.ts";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;

beforeAll(async () => {
  database = await createTestDatabase();
  sql = postgres(database.url, { max: 1, onnotice: () => undefined });
  // A second exclusion constraint, as a later feature (say, a coach's availability) would add.
  await sql.unsafe(`
    create table test_holds (room int, during tstzrange,
      constraint test_holds_no_overlap exclude using gist (room with =, during with &&))`);
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

/** A Hono app with our error handler whose one route runs the given SQL. */
function appRunning(statement: () => Promise<unknown>) {
  const app = new Hono<AppBindings>();
  app.post("/", async (c) => {
    await statement();
    return c.body(null, 204);
  });
  app.onError(createErrorHandler(pino({ level: "silent" })));
  return app;
}

describe("error handler, exclusion constraints", () => {
  it("answers another exclusion constraint with 409 conflict, not the appointment's code", async () => {
    const hold = () => sql`insert into test_holds values (1, tstzrange(now(), now() + interval '1 hour'))`;
    await hold();
    const response = await appRunning(hold).request("/", { method: "POST" });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: "conflict", message: "This conflicts with an existing record." },
    });
  });
});
