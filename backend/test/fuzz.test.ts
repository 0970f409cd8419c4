import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyAsset } from "./support/asset-fixtures.ts";
import { type Actor, coachingWorld, newUser } from "./support/domain-fixtures.ts";
import { expectObservedStatusesDeclared } from "./support/observed-statuses.ts";
import { servedApiRoutes } from "./support/served-routes.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

const RUNS = 5000;

let api: TestApp;
let world: Awaited<ReturnType<typeof coachingWorld>>;
let assetId: string;
let actors: Actor[];

beforeAll(async () => {
  api = await openTestApp({ TRUST_PROXY: "cloudflare", LOG_LEVEL: "error" });
  world = await coachingWorld(api);
  assetId = (await readyAsset(api, world.coach, { clientId: world.client.id, visibility: "shared" })).id;
  // Requests rotate over a dozen users so the 600/min per-user limit is not what answers.
  const strangers = await Promise.all(Array.from({ length: 10 }, () => newUser(api, "fuzz")));
  actors = [world.coach, world.clientUser, ...strangers];
});

afterAll(async () => {
  try {
    await expectObservedStatusesDeclared(api);
  } finally {
    await api?.close();
  }
});

// Every /api/v1 route; `{id}` is replaced by a fuzzed or a real id.
const ROUTES: [string, string][] = [
  ["GET", "/api/v1/me"],
  ["GET", "/api/v1/clients"],
  ["POST", "/api/v1/clients"],
  ["GET", "/api/v1/clients/{client}"],
  ["PATCH", "/api/v1/clients/{client}"],
  ["DELETE", "/api/v1/clients/{client}"],
  ["POST", "/api/v1/clients/{client}/invites"],
  ["POST", "/api/v1/invites/{token}/accept"],
  ["GET", "/api/v1/appointments"],
  ["POST", "/api/v1/appointments"],
  ["GET", "/api/v1/appointments/{appointment}"],
  ["PATCH", "/api/v1/appointments/{appointment}"],
  ["DELETE", "/api/v1/appointments/{appointment}"],
  ["GET", "/api/v1/clients/{client}/notes"],
  ["POST", "/api/v1/clients/{client}/notes"],
  ["PATCH", "/api/v1/notes/{note}"],
  ["DELETE", "/api/v1/notes/{note}"],
  ["GET", "/api/v1/clients/{client}/goals"],
  ["POST", "/api/v1/clients/{client}/goals"],
  ["PATCH", "/api/v1/goals/{goal}"],
  ["GET", "/api/v1/goals/{goal}/check-ins"],
  ["POST", "/api/v1/goals/{goal}/check-ins"],
  ["POST", "/api/v1/assets"],
  ["POST", "/api/v1/assets/{asset}/complete"],
  ["GET", "/api/v1/assets"],
  ["GET", "/api/v1/assets/{asset}"],
  ["DELETE", "/api/v1/assets/{asset}"],
  ["GET", "/api/v1/admin/users"],
];

const FIELDS = [
  "name",
  "email",
  "status",
  "clientId",
  "startsAt",
  "durationMinutes",
  "location",
  "body",
  "visibility",
  "appointmentId",
  "title",
  "targetDate",
  "progress",
  "comment",
  "filename",
  "contentType",
  "size",
  "limit",
  "cursor",
];
const QUERY_KEYS = ["limit", "cursor", "q", "status", "from", "to", "clientId", "as", "visibility"];

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 50 }),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "null",
    "-1",
    "0",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "'; drop table clients; --",
    "%00",
    "💥".repeat(100),
  ),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? "2024-02-30T25:61:00Z" : d.toISOString())),
  fc.uuid(),
  fc.constant("x".repeat(100_000)),
);

const value = fc.oneof(
  nasty,
  fc.integer({ min: -1e12, max: 1e12 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
  fc.constantFrom(
    "active",
    "archived",
    "scheduled",
    "shared",
    "private",
    15,
    480,
    50,
    "2030-01-01",
    "2030-01-01T10:00:00Z",
  ),
);

const body = fc.oneof(
  fc
    .dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 })
    .map((o) => ({ kind: "json" as const, raw: JSON.stringify(o) })),
  fc.jsonValue().map((v) => ({ kind: "json" as const, raw: JSON.stringify(v) })),
  fc.string({ maxLength: 200 }).map((raw) => ({ kind: "json" as const, raw })),
  fc.string({ maxLength: 200 }).map((raw) => ({ kind: "text" as const, raw })),
  fc.constant({ kind: "none" as const, raw: "" }),
);

const idFor = (slot: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(
      (
        {
          client: world.client.id,
          appointment: world.appointment.id,
          note: world.sharedNote.id,
          goal: world.goal.id,
          token: world.spareInvite.token,
          asset: assetId,
        } as Record<string, string>
      )[slot] ?? "x",
    ),
    nasty.map((s) => encodeURIComponent(s.slice(0, 2000))),
  );

const request = fc
  .tuple(
    fc.constantFrom(...ROUTES),
    fc.nat(),
    fc.dictionary(
      fc.constantFrom(...QUERY_KEYS),
      nasty.map((s) => s.slice(0, 3000)),
      { maxKeys: 3 },
    ),
    body,
  )
  .chain(([[method, template], actorIndex, query, payload]) => {
    const slots = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
    return fc.tuple(...slots.map(idFor)).map((ids) => {
      let path = template;
      slots.forEach((slot, i) => {
        path = path.replace(`{${slot}}`, ids[i] as string);
      });
      return { method, path, actorIndex, query, payload };
    });
  });

describe("fuzzing every /api/v1 route", () => {
  it("has every route the app serves in its list", () => {
    const fuzzed = ROUTES.map(
      ([method, path]) => `${method.toLowerCase()} ${path.replace(/\{(?!token\})\w+\}/g, "{id}")}`,
    );
    expect(fuzzed.sort()).toEqual(servedApiRoutes(api.app).sort());
  });

  it(`answers ${RUNS} hostile requests with no 5xx and always the error shape`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, actorIndex, query, payload }) => {
        const actor = actors[actorIndex % actors.length] as Actor;
        const search = new URLSearchParams(query).toString();
        const headers: Record<string, string> = { authorization: `Bearer ${actor.session.token}` };
        const hasBody = method !== "GET" && method !== "DELETE" && payload.kind !== "none";
        if (hasBody) headers["content-type"] = payload.kind === "json" ? "application/json" : "text/plain";
        const response = await fetch(`${api.url}${path}${search ? `?${search}` : ""}`, {
          method,
          headers,
          body: hasBody ? payload.raw : undefined,
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const text = await response.text();
        expect(response.status, `${method} ${path} → ${text.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400) {
          const parsed = JSON.parse(text) as { error: { code: unknown; message: unknown; details?: unknown } };
          expect(Object.keys(parsed)).toEqual(["error"]);
          expect(typeof parsed.error.code).toBe("string");
          expect(typeof parsed.error.message).toBe("string");
          if (parsed.error.details !== undefined) {
            for (const detail of parsed.error.details as { path: unknown; message: unknown }[]) {
              expect(typeof detail.path).toBe("string");
              expect(typeof detail.message).toBe("string");
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`fuzz: ${total} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect(total).toBeGreaterThanOrEqual(RUNS);
  }, 300_000);
});
