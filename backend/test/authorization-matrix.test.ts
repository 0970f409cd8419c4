import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpload, putToPresigned, readyAsset } from "./support/asset-fixtures.ts";
import { type Actor, as, coachingWorld, expectOk, newAdmin, newUser } from "./support/domain-fixtures.ts";
import { expectObservedStatusesDeclared } from "./support/observed-statuses.ts";
import { servedApiRoutes } from "./support/served-routes.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

type ActorName = "owner" | "otherCoach" | "clientUser" | "unrelated" | "anonymous" | "admin";
type World = Awaited<ReturnType<typeof coachingWorld>>;
type Request = [method: string, path: string, body?: unknown];

const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
let slot = 400;
const nextSlot = () => future(++slot);

/**
 * Every /api/v1 route × every kind of caller → the exact status. Columns: the coach who owns the
 * roster entry, another coach, the client user linked to the entry, a signed-in stranger, no
 * session, and an administrator (who gets no access to anyone's coaching data). A row is named
 * `METHOD /path` (under /api/v1), then optionally a query or a `(variant)`.
 */
const MATRIX: [string, (w: World) => Request | Promise<Request>, Record<ActorName, number>][] = [
  [
    "GET /me",
    () => ["GET", "/api/v1/me"],
    { owner: 200, otherCoach: 200, clientUser: 200, unrelated: 200, anonymous: 401, admin: 200 },
  ],
  [
    "GET /clients",
    () => ["GET", "/api/v1/clients"],
    { owner: 200, otherCoach: 200, clientUser: 200, unrelated: 200, anonymous: 401, admin: 200 },
  ],
  [
    "POST /clients",
    () => ["POST", "/api/v1/clients", { name: "New client" }],
    { owner: 201, otherCoach: 201, clientUser: 201, unrelated: 201, anonymous: 401, admin: 201 },
  ],
  [
    "GET /clients/:id",
    (w) => ["GET", `/api/v1/clients/${w.client.id}`],
    { owner: 200, otherCoach: 404, clientUser: 200, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "PATCH /clients/:id",
    (w) => ["PATCH", `/api/v1/clients/${w.client.id}`, { name: "Renamed" }],
    { owner: 200, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "DELETE /clients/:id",
    (w) => ["DELETE", `/api/v1/clients/${w.client.id}`],
    { owner: 204, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "POST /clients/:id/invites",
    (w) => ["POST", `/api/v1/clients/${w.client.id}/invites`],
    { owner: 201, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "POST /invites/:token/accept",
    (w) => ["POST", `/api/v1/invites/${w.spareInvite.token}/accept`],
    { owner: 403, otherCoach: 409, clientUser: 200, unrelated: 409, anonymous: 401, admin: 409 },
  ],
  [
    "GET /appointments",
    () => ["GET", "/api/v1/appointments"],
    { owner: 200, otherCoach: 200, clientUser: 200, unrelated: 200, anonymous: 401, admin: 200 },
  ],
  [
    "POST /appointments",
    (w) => ["POST", "/api/v1/appointments", { clientId: w.client.id, startsAt: nextSlot(), durationMinutes: 30 }],
    { owner: 201, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /appointments/:id",
    (w) => ["GET", `/api/v1/appointments/${w.appointment.id}`],
    { owner: 200, otherCoach: 404, clientUser: 200, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "PATCH /appointments/:id",
    (w) => ["PATCH", `/api/v1/appointments/${w.appointment.id}`, { location: "Online" }],
    { owner: 200, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "DELETE /appointments/:id",
    (w) => ["DELETE", `/api/v1/appointments/${w.appointment.id}`],
    { owner: 204, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /clients/:id/notes",
    (w) => ["GET", `/api/v1/clients/${w.client.id}/notes`],
    { owner: 200, otherCoach: 404, clientUser: 200, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "POST /clients/:id/notes",
    (w) => ["POST", `/api/v1/clients/${w.client.id}/notes`, { body: "x" }],
    { owner: 201, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "PATCH /notes/:id (private)",
    (w) => ["PATCH", `/api/v1/notes/${w.privateNote.id}`, { body: "y" }],
    { owner: 200, otherCoach: 404, clientUser: 404, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "PATCH /notes/:id (shared)",
    (w) => ["PATCH", `/api/v1/notes/${w.sharedNote.id}`, { body: "y" }],
    { owner: 200, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "DELETE /notes/:id (private)",
    (w) => ["DELETE", `/api/v1/notes/${w.privateNote.id}`],
    { owner: 204, otherCoach: 404, clientUser: 404, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "DELETE /notes/:id (shared)",
    (w) => ["DELETE", `/api/v1/notes/${w.sharedNote.id}`],
    { owner: 204, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /clients/:id/goals",
    (w) => ["GET", `/api/v1/clients/${w.client.id}/goals`],
    { owner: 200, otherCoach: 404, clientUser: 200, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "POST /clients/:id/goals",
    (w) => ["POST", `/api/v1/clients/${w.client.id}/goals`, { title: "Sleep 8h" }],
    { owner: 201, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "PATCH /goals/:id",
    (w) => ["PATCH", `/api/v1/goals/${w.goal.id}`, { status: "achieved" }],
    { owner: 200, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /goals/:id/check-ins",
    (w) => ["GET", `/api/v1/goals/${w.goal.id}/check-ins`],
    { owner: 200, otherCoach: 404, clientUser: 200, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "POST /goals/:id/check-ins",
    (w) => ["POST", `/api/v1/goals/${w.goal.id}/check-ins`, { progress: 50 }],
    { owner: 201, otherCoach: 404, clientUser: 201, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "POST /assets",
    (w) => [
      "POST",
      "/api/v1/assets",
      { clientId: w.client.id, filename: "plan.pdf", contentType: "application/pdf", size: 10 },
    ],
    { owner: 201, otherCoach: 404, clientUser: 201, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /assets?clientId=",
    (w) => ["GET", `/api/v1/assets?clientId=${w.client.id}`],
    { owner: 200, otherCoach: 404, clientUser: 200, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /assets/:id (coach's private)",
    async (w) => ["GET", `/api/v1/assets/${(await readyAsset(api, w.coach, { clientId: w.client.id })).id}`],
    { owner: 200, otherCoach: 404, clientUser: 404, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /assets/:id (coach's shared)",
    async (w) => [
      "GET",
      `/api/v1/assets/${(await readyAsset(api, w.coach, { clientId: w.client.id, visibility: "shared" })).id}`,
    ],
    { owner: 200, otherCoach: 404, clientUser: 200, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /assets/:id (client user's private upload)",
    async (w) => ["GET", `/api/v1/assets/${(await readyAsset(api, w.clientUser, { clientId: w.client.id })).id}`],
    { owner: 200, otherCoach: 404, clientUser: 200, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "POST /assets/:id/complete (coach's upload)",
    async (w) => {
      const created = await createUpload(api, w.coach, { clientId: w.client.id, visibility: "shared" });
      await putToPresigned(created.upload, created.bytes);
      return ["POST", `/api/v1/assets/${created.id}/complete`];
    },
    { owner: 200, otherCoach: 404, clientUser: 404, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "DELETE /assets/:id (coach's private)",
    async (w) => ["DELETE", `/api/v1/assets/${(await readyAsset(api, w.coach, { clientId: w.client.id })).id}`],
    { owner: 204, otherCoach: 404, clientUser: 404, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "DELETE /assets/:id (coach's shared)",
    async (w) => [
      "DELETE",
      `/api/v1/assets/${(await readyAsset(api, w.coach, { clientId: w.client.id, visibility: "shared" })).id}`,
    ],
    { owner: 204, otherCoach: 404, clientUser: 403, unrelated: 404, anonymous: 401, admin: 404 },
  ],
  [
    "GET /admin/users",
    () => ["GET", "/api/v1/admin/users"],
    { owner: 403, otherCoach: 403, clientUser: 403, unrelated: 403, anonymous: 401, admin: 200 },
  ],
];

/** Callers that change state when allowed go last, so the denied cells see the resource intact. */
const ORDER: ActorName[] = ["anonymous", "unrelated", "otherCoach", "admin", "clientUser", "owner"];
const ORDER_ACCEPT: ActorName[] = ["anonymous", "unrelated", "otherCoach", "admin", "owner", "clientUser"];

let api: TestApp;
let actors: Record<Exclude<ActorName, "anonymous">, Actor>;

beforeAll(async () => {
  api = await openTestApp({ TRUST_PROXY: "cloudflare" });
  const [owner, otherCoach, clientUser, unrelated, admin] = await Promise.all([
    newUser(api, "owner"),
    newUser(api, "other-coach"),
    newUser(api, "client-user"),
    newUser(api, "unrelated"),
    newAdmin(api),
  ]);
  actors = { owner, otherCoach, clientUser, unrelated, admin };
  // The other coach has a roster of their own.
  await expectOk(as(otherCoach, api, "POST", "/api/v1/clients", { name: "Someone else's client" }), 201);
});

afterAll(async () => {
  try {
    await expectObservedStatusesDeclared(api);
  } finally {
    await api?.close();
  }
});

/** The route a row exercises, as servedApiRoutes names it: "GET /clients/:id (x)" → "get /api/v1/clients/{id}". */
function routeOf(row: string): string {
  const match = /^([A-Z]+) (\/[^?\s]*)/.exec(row);
  if (!match) throw new Error(`matrix row "${row}" does not start with METHOD /path`);
  return `${match[1]?.toLowerCase()} /api/v1${match[2]?.replace(/:(\w+)/g, "{$1}")}`;
}

describe("authorization matrix", () => {
  it("has a row for every route the app serves, and no row for a route it does not", () => {
    const served = servedApiRoutes(api.app).sort();
    const covered = [...new Set(MATRIX.map(([row]) => routeOf(row)))].sort();
    expect(served.length).toBeGreaterThanOrEqual(28);
    expect(covered).toEqual(served);
  });

  it.each(MATRIX)("%s answers each caller with the exact status", async (route, request, expected) => {
    const world = await coachingWorld(api, { coach: actors.owner, clientUser: actors.clientUser });
    const [method, path, body] = await request(world);
    const order = route.includes("accept") ? ORDER_ACCEPT : ORDER;
    const actual: Partial<Record<ActorName, number>> = {};
    for (const name of order) {
      const actor = name === "anonymous" ? undefined : actors[name];
      const result = await as(actor, api, method, path, body);
      actual[name] = result.status;
      if (result.status >= 400) expect(result.json?.error?.code, `${route} as ${name}`).toEqual(expect.any(String));
    }
    expect(actual).toEqual(expected);
  });
});
