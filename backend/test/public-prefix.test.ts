import { z } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { publicRoute } from "../src/http/api-route.ts";
import { json } from "../src/http/openapi-helpers.ts";
import { LIMITS } from "../src/http/rate-limit.ts";
import { call } from "./support/auth-client.ts";
import { expectObservedStatusesDeclared } from "./support/observed-statuses.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

// A route of the kind later features add (a calendar feed by secret token), mounted on the real app.
function addPublicProbe(app: App) {
  const probe = publicRoute({
    method: "get",
    path: "/api/public/probe/{token}",
    operationId: "GetProbe",
    summary: "A public route for this test",
    request: {
      params: z.object({
        token: z
          .string()
          .regex(/^[\w-]{8,}$/)
          .openapi({ param: { name: "token", in: "path" } }),
      }),
    },
    responses: { 200: json(z.object({ token: z.string() }), "The token it was given") },
  });
  app.openapi(probe, (c) => c.json({ token: c.req.valid("param").token }, 200));
}

let api: TestApp;
let ipCounter = 0;
const freshIp = () => `192.0.2.${++ipCounter}`;

beforeAll(async () => {
  api = await openTestApp({ TRUST_PROXY: "cloudflare" }, addPublicProbe);
});

afterAll(async () => {
  try {
    await expectObservedStatusesDeclared(api);
  } finally {
    await api?.close();
  }
});

describe("the /api/public prefix", () => {
  it("needs no session, where /api/v1 does", async () => {
    const probe = await call(api.url, "GET", "/api/public/probe/secret-token-1", { ip: freshIp() });
    expect([probe.status, probe.json]).toEqual([200, { token: "secret-token-1" }]);
    // No route there: the not-found answer, not the session check's 401.
    const missing = await call(api.url, "GET", "/api/public/no-such-route", { ip: freshIp() });
    expect([missing.status, missing.json?.error.code]).toEqual([404, "not_found"]);
    const session = await call(api.url, "GET", "/api/v1/no-such-route", { ip: freshIp() });
    expect([session.status, session.json?.error.code]).toEqual([401, "unauthenticated"]);
    const invalid = await call(api.url, "GET", "/api/public/probe/short", { ip: freshIp() });
    expect([invalid.status, invalid.json?.error.code]).toEqual([400, "validation_failed"]);
  });

  it(`limits each client IP to ${LIMITS.publicPerIp.points} requests a minute`, async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.publicPerIp.points; i++) {
      statuses.push((await call(api.url, "GET", "/api/public/probe/secret-token-2", { ip })).status);
    }
    expect(new Set(statuses)).toEqual(new Set([200]));
    const over = await call(api.url, "GET", "/api/public/probe/secret-token-2", { ip });
    expect([over.status, over.json?.error.code]).toEqual([429, "rate_limited"]);
    expect(Number(over.response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await call(api.url, "GET", "/api/public/probe/secret-token-2", { ip: freshIp() })).status).toBe(200);
  });

  it("is documented with no security requirement and no 401", async () => {
    const document = (await (await api.app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security: unknown; responses: Record<string, unknown> }>>;
    };
    const operation = document.paths["/api/public/probe/{token}"]?.get;
    expect(operation?.security).toEqual([]);
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(["200", "400", "429", "503"]);
  });
});
