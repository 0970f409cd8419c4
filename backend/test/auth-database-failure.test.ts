import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, newCredentials } from "./support/auth-client.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

let api: TestApp;
let admin: postgres.Sql;

beforeAll(async () => {
  api = await openTestApp();
  admin = postgres(api.databaseUrl, { max: 1, onnotice: () => undefined });
  // Inserting a user whose email starts with "slow-" takes a while, so the test can break the
  // connection in the middle of it, as a Postgres restart does.
  await admin.unsafe(`
    create function test_slow_user_insert() returns trigger language plpgsql as $$
    begin
      if new.email like 'slow-%' then perform pg_sleep(30); end if;
      return new;
    end $$;
    create trigger test_slow_user_insert before insert on "user"
      for each row execute function test_slow_user_insert();`);
});

afterAll(async () => {
  await admin?.end();
  await api?.close();
});

/** The backend running the slow insert, once it is running (polled: the event is Postgres'). */
async function sleepingInsertPid(): Promise<number> {
  for (;;) {
    const [row] = await admin<{ pid: number }[]>`
      select pid from pg_stat_activity
      where wait_event = 'PgSleep' and query ilike '%insert into "user"%'`;
    if (row) return row.pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("better-auth on a broken database connection", () => {
  it("answers a sign-up whose insert lost its connection with 503, even though Postgres is up again", async () => {
    const credentials = { ...newCredentials(), email: `slow-${crypto.randomUUID()}@example.test` };
    const signUp = call(api.url, "POST", "/api/auth/sign-up/email", { body: credentials });
    const pid = await sleepingInsertPid();
    await admin`select pg_terminate_backend(${pid})`;

    const result = await signUp;
    // better-auth catches the error and answers 422 FAILED_TO_CREATE_USER; Postgres answers again
    // by the time we look, so only the failed query itself says this was an outage, not a conflict.
    expect(result.status).toBe(503);
    expect(result.json).toEqual({
      error: { code: "service_unavailable", message: expect.any(String) },
    });
    const [row] = await admin`select count(*)::int as n from "user" where email = ${credentials.email}`;
    expect(row?.n).toBe(0);
    // The log says why, not just better-auth's "Failed to create user".
    expect(api.logs).toContainEqual(
      expect.objectContaining({
        source: "better-auth",
        msg: "Failed to create user",
        cause: expect.stringMatching(/CONNECTION_CLOSED|57P01/),
      }),
    );
  });
});
