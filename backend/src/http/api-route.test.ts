import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { apiRoute, PUBLIC_PREFIX, publicRoute, SESSION_SECURITY } from "./api-route.ts";
import { errorResponse } from "./error-schema.ts";
import { IdParam } from "./id-param.ts";
import { json, jsonBody } from "./openapi-helpers.ts";

const ok = json(z.object({ ok: z.boolean() }), "ok");
const statuses = (route: { responses: object }) => Object.keys(route.responses).sort();

describe("apiRoute", () => {
  it("declares 401, 429 and 503 on every route, and asks for the cookie or the bearer token", () => {
    const route = apiRoute({
      method: "get",
      path: "/api/v1/me",
      operationId: "GetMe",
      summary: "Me",
      responses: { 200: ok },
    });
    expect(statuses(route)).toEqual(["200", "401", "429", "503"]);
    expect(route.security).toEqual(SESSION_SECURITY);
    expect(route.responses[429].headers).toHaveProperty("Retry-After");
  });

  it("adds 400 for a route that validates input, and 413/415 for a method with a body", () => {
    const withParam = apiRoute({
      method: "delete",
      path: "/api/v1/things/{id}",
      operationId: "DeleteThing",
      summary: "Delete",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    });
    expect(statuses(withParam)).toEqual(["204", "400", "401", "429", "503"]);
    const withBody = apiRoute({
      method: "post",
      path: "/api/v1/things",
      operationId: "CreateThing",
      summary: "Create",
      request: { body: jsonBody(z.object({ name: z.string() })) },
      responses: { 201: ok },
    });
    expect(statuses(withBody)).toEqual(["201", "400", "401", "413", "415", "429", "503"]);
  });

  it("keeps a route's own description of a standard status", () => {
    const own = errorResponse("Storage failed; nothing was removed (`service_unavailable`)");
    const route = apiRoute({
      method: "get",
      path: "/api/v1/things",
      operationId: "ListThings",
      summary: "List",
      responses: { 200: ok, 503: own },
    });
    expect(route.responses[503]).toBe(own);
  });

  it("refuses a path outside /api/v1 and an operationId that is not PascalCase", () => {
    const route = { method: "get", summary: "x", responses: { 200: ok } } as const;
    expect(() => apiRoute({ ...route, path: "/api/public/x", operationId: "GetX" })).toThrow(/must start with/);
    expect(() => apiRoute({ ...route, path: "/api/v1/x", operationId: "getX" })).toThrow(/PascalCase/);
  });
});

describe("publicRoute", () => {
  it("needs no session: security is empty and there is no 401", () => {
    const route = publicRoute({
      method: "get",
      path: `${PUBLIC_PREFIX}feeds/{id}`,
      operationId: "GetFeed",
      summary: "Feed",
      request: { params: IdParam },
      responses: { 200: ok },
    });
    expect(route.security).toEqual([]);
    expect(statuses(route)).toEqual(["200", "400", "429", "503"]);
    expect(() => publicRoute({ ...route, path: "/api/v1/feeds" })).toThrow(/must start with \/api\/public\//);
  });
});
