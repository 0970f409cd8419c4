import { hc } from "hono/client";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppType } from "../src/app.ts";
import { type Actor, as, coachingWorld, expectOk, newUser } from "./support/domain-fixtures.ts";
import { expectObservedStatusesDeclared } from "./support/observed-statuses.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

let api: TestApp;

beforeAll(async () => {
  api = await openTestApp({ TRUST_PROXY: "cloudflare" });
});

afterAll(async () => {
  try {
    await expectObservedStatusesDeclared(api);
  } finally {
    await api?.close();
  }
});

describe("typed client", () => {
  it("creates and reads a client through hc<AppType>", async () => {
    const coach = await newUser(api, "typed");
    const client = hc<AppType>(api.url, { headers: { authorization: `Bearer ${coach.session.token}` } });
    const created = await client.api.v1.clients.$post({ json: { name: "Grace Hopper", email: "grace@example.test" } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const body = await created.json();
    const fetched = await client.api.v1.clients[":id"].$get({ param: { id: body.id } });
    expect(fetched.status).toBe(200);
    if (fetched.status === 200) {
      const entry = await fetched.json();
      expect(entry).toMatchObject({
        name: "Grace Hopper",
        email: "grace@example.test",
        status: "active",
        coachId: coach.id,
      });
    }
  });
});

describe("clients", () => {
  it("searches, filters by status and archives", async () => {
    const coach = await newUser(api, "search");
    for (const name of ["Alan Turing", "Alice Smith", "Bob Jones"]) {
      await expectOk(as(coach, api, "POST", "/api/v1/clients", { name }), 201);
    }
    const alice = (await expectOk(as(coach, api, "GET", "/api/v1/clients?q=ali"))).items;
    expect(alice.map((c: { name: string }) => c.name)).toEqual(["Alice Smith"]);
    // % and _ are literals in a search, not wildcards.
    expect((await expectOk(as(coach, api, "GET", "/api/v1/clients?q=%25"))).items).toEqual([]);
    const bob = alice[0] && (await expectOk(as(coach, api, "GET", "/api/v1/clients?q=bob"))).items[0];
    await expectOk(as(coach, api, "PATCH", `/api/v1/clients/${bob.id}`, { status: "archived" }));
    const archived = await expectOk(as(coach, api, "GET", "/api/v1/clients?status=archived"));
    expect(archived.items.map((c: { id: string }) => c.id)).toEqual([bob.id]);
  });

  it("answers a duplicate email on one roster with 409 conflict", async () => {
    const coach = await newUser(api, "dupe");
    await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "A", email: "same@example.test" }), 201);
    const again = await as(coach, api, "POST", "/api/v1/clients", { name: "B", email: "SAME@example.test" });
    expect(again.status).toBe(409);
    expect(again.json?.error.code).toBe("conflict");
  });

  it("deletes a client with its appointments, notes, goals, check-ins and invites", async () => {
    const world = await coachingWorld(api);
    const sql = postgres(api.databaseUrl, { max: 1 });
    const count = async (table: string, column: string, value: string) =>
      Number((await sql.unsafe(`select count(*) from ${table} where ${column} = $1`, [value]))[0]?.count);
    expect(await count("appointments", "client_id", world.client.id)).toBe(1);
    await expectOk(as(world.coach, api, "DELETE", `/api/v1/clients/${world.client.id}`), 204);
    for (const table of ["appointments", "notes", "goals", "invites"]) {
      expect(await count(table, "client_id", world.client.id), table).toBe(0);
    }
    expect(await count("check_ins", "goal_id", world.goal.id)).toBe(0);
    await sql.end();
  });
});

describe("invites", () => {
  it("lets the invited user see appointments and shared notes but not private ones, once", async () => {
    const coach = await newUser(api, "inviter");
    const invitee = await newUser(api, "invitee");
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Invited" }), 201);
    await expectOk(
      as(coach, api, "POST", "/api/v1/appointments", {
        clientId: client.id,
        startsAt: "2031-05-01T10:00:00Z",
        durationMinutes: 45,
      }),
      201,
    );
    await expectOk(
      as(coach, api, "POST", `/api/v1/clients/${client.id}/notes`, { body: "private", visibility: "private" }),
      201,
    );
    await expectOk(
      as(coach, api, "POST", `/api/v1/clients/${client.id}/notes`, { body: "shared", visibility: "shared" }),
      201,
    );

    const invite = await expectOk(as(coach, api, "POST", `/api/v1/clients/${client.id}/invites`), 201);
    const expiresInDays = (Date.parse(invite.expiresAt) - Date.now()) / 86_400_000;
    expect(expiresInDays).toBeGreaterThan(6.99);
    expect(expiresInDays).toBeLessThanOrEqual(7);
    expect((await as(invitee, api, "GET", `/api/v1/clients/${client.id}/notes`)).status).toBe(404);

    const linked = await expectOk(as(invitee, api, "POST", `/api/v1/invites/${invite.token}/accept`));
    expect(linked.linkedUserId).toBe(invitee.id);
    const appointments = await expectOk(as(invitee, api, "GET", "/api/v1/appointments"));
    expect(appointments.items).toHaveLength(1);
    const notes = await expectOk(as(invitee, api, "GET", `/api/v1/clients/${client.id}/notes`));
    expect(notes.items.map((n: { body: string }) => n.body)).toEqual(["shared"]);
    const mine = await expectOk(as(invitee, api, "GET", "/api/v1/clients?as=client"));
    expect(mine.items.map((c: { id: string }) => c.id)).toEqual([client.id]);

    const again = await as(invitee, api, "POST", `/api/v1/invites/${invite.token}/accept`);
    expect(again.status).toBe(404);
    // The token is a credential: the request log shows the route, not the token.
    const logged = JSON.stringify(api.logs);
    expect(logged).not.toContain(invite.token);
    expect(logged).toContain('"path":"/api/v1/invites/[redacted]/accept"');
  });

  it("answers an expired invite with 410 and an unknown one with 404", async () => {
    const coach = await newUser(api, "expiring");
    const invitee = await newUser(api, "late");
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Late" }), 201);
    const invite = await expectOk(as(coach, api, "POST", `/api/v1/clients/${client.id}/invites`), 201);
    const sql = postgres(api.databaseUrl, { max: 1 });
    await sql`update invites set expires_at = now() - interval '1 second' where client_id = ${client.id}`;
    await sql.end();
    const expired = await as(invitee, api, "POST", `/api/v1/invites/${invite.token}/accept`);
    expect(expired.status).toBe(410);
    expect(expired.json?.error.code).toBe("gone");
    const unknown = await as(invitee, api, "POST", `/api/v1/invites/${"x".repeat(43)}/accept`);
    expect(unknown.status).toBe(404);
  });

  it("refuses the coach accepting their own invite", async () => {
    const coach = await newUser(api, "self");
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Self" }), 201);
    const invite = await expectOk(as(coach, api, "POST", `/api/v1/clients/${client.id}/invites`), 201);
    const result = await as(coach, api, "POST", `/api/v1/invites/${invite.token}/accept`);
    expect(result.status).toBe(403);
  });
});

describe("appointments", () => {
  it("books exactly one of 20 overlapping appointments sent at once", async () => {
    const coach = await newUser(api, "busy-coach");
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Race" }), 201);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        as(coach, api, "POST", "/api/v1/appointments", {
          clientId: client.id,
          startsAt: new Date(Date.UTC(2032, 2, 3, 9, i)).toISOString(),
          durationMinutes: 60,
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(
      statuses.toSorted(),
      JSON.stringify(results.find((r) => r.status !== 201 && r.status !== 409)?.json),
    ).toEqual([201, ...Array(19).fill(409)]);
    expect(results.find((r) => r.status === 409)?.json?.error.code).toBe("appointment_conflict");
  });

  it("allows back-to-back slots and rebooking a cancelled slot, and refuses a reschedule into another", async () => {
    const coach = await newUser(api, "calendar");
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Cal" }), 201);
    const book = (startsAt: string) =>
      as(coach, api, "POST", "/api/v1/appointments", { clientId: client.id, startsAt, durationMinutes: 60 });
    const nine = await expectOk(book("2033-01-10T09:00:00Z"), 201);
    const ten = await expectOk(book("2033-01-10T10:00:00Z"), 201);
    await expectOk(as(coach, api, "PATCH", `/api/v1/appointments/${nine.id}`, { status: "cancelled" }));
    await expectOk(book("2033-01-10T09:00:00.000+00:00"), 201);
    const moved = await as(coach, api, "PATCH", `/api/v1/appointments/${ten.id}`, { startsAt: "2033-01-10T09:45:00Z" });
    expect(moved.status).toBe(409);
    expect(moved.json?.error.code).toBe("appointment_conflict");
  });

  it("filters by time window and client", async () => {
    const coach = await newUser(api, "window");
    const a = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "A" }), 201);
    const b = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "B" }), 201);
    for (const [client, day] of [
      [a, 1],
      [b, 2],
      [a, 3],
    ] as const) {
      await expectOk(
        as(coach, api, "POST", "/api/v1/appointments", {
          clientId: client.id,
          startsAt: `2034-04-0${day}T12:00:00Z`,
          durationMinutes: 30,
        }),
        201,
      );
    }
    const window = await expectOk(
      as(coach, api, "GET", "/api/v1/appointments?from=2034-04-02T00:00:00Z&to=2034-04-04T00:00:00Z"),
    );
    expect(window.items.map((x: { startsAt: string }) => x.startsAt.slice(0, 10))).toEqual([
      "2034-04-02",
      "2034-04-03",
    ]);
    const onlyA = await expectOk(as(coach, api, "GET", `/api/v1/appointments?clientId=${a.id}`));
    expect(onlyA.items).toHaveLength(2);
  });
});

describe("goals and check-ins", () => {
  it("records the client user's progress and lists it newest first", async () => {
    const world = await coachingWorld(api);
    await expectOk(
      as(world.clientUser, api, "POST", `/api/v1/goals/${world.goal.id}/check-ins`, {
        progress: 60,
        comment: "Ran 3k",
      }),
      201,
    );
    const list = await expectOk(as(world.coach, api, "GET", `/api/v1/goals/${world.goal.id}/check-ins`));
    expect(list.items.map((c: { progress: number }) => c.progress)).toEqual([60, 30]);
    expect(list.items[0].authorId).toBe(world.clientUser.id);
    const updated = await expectOk(
      as(world.coach, api, "PATCH", `/api/v1/goals/${world.goal.id}`, { targetDate: "2030-06-30", status: "achieved" }),
    );
    expect(updated).toMatchObject({ targetDate: "2030-06-30", status: "achieved" });
  });
});

describe("pagination", () => {
  it("pages 250 clients at 20 while another task inserts, seeing every pre-existing client exactly once", async () => {
    const coach: Actor = await newUser(api, "pager");
    const sql = postgres(api.databaseUrl, { max: 1 });
    await sql`insert into clients (coach_id, name) select ${coach.id}, 'Client ' || n from generate_series(1, 250) as n`;
    const existing = new Set(
      (await sql`select id from clients where coach_id = ${coach.id}`).map((r) => r.id as string),
    );
    await sql.end();

    let inserting = true;
    const inserter = (async () => {
      let n = 0;
      while (inserting && n < 200) {
        await as(coach, api, "POST", "/api/v1/clients", { name: `Late ${n++}` });
      }
    })();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await expectOk(as(coach, api, "GET", `/api/v1/clients?limit=20${query}`));
      seen.push(...page.items.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    inserting = false;
    await inserter;

    const seenExisting = seen.filter((id) => existing.has(id));
    expect(seenExisting).toHaveLength(250);
    expect(new Set(seenExisting).size).toBe(250);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("answers a malformed cursor with 400 validation_failed", async () => {
    const coach = await newUser(api, "cursor");
    for (const cursor of ["nope", "eyJrIjoxfQ", "%00", "x".repeat(600)]) {
      const result = await as(coach, api, "GET", `/api/v1/clients?cursor=${encodeURIComponent(cursor)}`);
      expect(result.status, cursor).toBe(400);
      expect(result.json?.error.code).toBe("validation_failed");
    }
  });
});
